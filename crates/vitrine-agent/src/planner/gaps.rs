//! What nothing here can do, by the words that ask for it, and why: so that a request for it is
//! answered "I cannot …, because …" instead of being quietly swapped for something that can run
//! (a slideshow for an animation, a full-scene splat for an object).

use vitrine_store::ArtifactMeta;
use vitrine_tools::meaning::{Clause, read};
use vitrine_wire::ArtifactKind;

use super::clauses;

/// One capability Vitrine does not have.
pub(super) struct Gap {
    /// Its id, as in the `not_done` list (`animation`).
    pub id: &'static str,
    /// What was asked, as a verb phrase ("animate the photo").
    pub asked: &'static str,
    /// Why it cannot be done.
    pub why: &'static str,
    /// Phrases that ask for it; any one suffices.
    cues: &'static [&'static str],
    /// Phrases that mean the clause asks for something that can be done.
    unless: &'static [&'static str],
    /// A condition on the inputs (e.g. speech needs a video or audio).
    when: fn(&[ArtifactMeta], &Clause) -> bool,
    /// True when the clause's other asks still run (the gap covers only part of it).
    pub alongside: bool,
}

impl Gap {
    /// `part` of the request named as not done because of this gap, with why.
    pub(super) fn not_done(&self, part: &str) -> super::NotDone {
        super::NotDone {
            part: super::NotDone::words_of(part),
            capability: self.id.to_owned(),
            why: format!("I cannot {}: {}.", self.asked, self.why),
        }
    }
}

/// Not "my sister, who is looking over my shoulder, said …": "who is" doing something after a
/// comma is a relative clause about someone the request names; the rest must still ask who
/// someone is ("can you tell me who is standing next to the bride?" does).
fn asks_who(_: &[ArtifactMeta], clause: &Clause) -> bool {
    if clause.text.trim_end().ends_with('?') {
        return true;
    }
    let words = &clause.words;
    let mut rest = clause.text.clone();
    for at in (1..words.len()).rev() {
        let verb = match (
            words[at].text.as_str(),
            words.get(at + 1),
            words.get(at + 2),
        ) {
            ("who", Some(is), Some(verb)) if is.text == "is" => verb,
            // Words drop a trailing "'s": "who's smiling" reads "who smiling".
            ("who" | "who's", Some(verb), _) => verb,
            _ => continue,
        };
        let after_a_comma = clause.text[..words[at].start].trim_end().ends_with(',');
        // "For my grandmother, who doesn't use a phone": a relative clause says more of the
        // one named before the comma (not "tell me, who is it", a question).
        let says_more_of_someone = !["me", "please", "so", "question", "wondering", "curious"]
            .contains(&words[at - 1].text.as_str());
        // "Alt text for a student in my class who is blind": right after a noun, with no word
        // of asking or knowing before it, "who" says more of someone named.
        // "Caption it with who's in it", "tag who is in the photo" still ask.
        let relative = !after_a_comma
            && !clause.text.trim_end().ends_with('?')
            && !ASKS_WHO_AFTER.contains(&words[at - 1].text.as_str())
            && ![
                "in", "on", "at", "this", "that", "the", "it", "there", "here", "he", "she",
                "they", "these", "those",
            ]
            .contains(&verb.text.as_str())
            && !clauses::is_doing(&verb.text);
        let end = verb.start + verb.text.len();
        if (relative || after_a_comma && (clauses::is_doing(&verb.text) || says_more_of_someone))
            && rest.is_char_boundary(end)
        {
            rest.replace_range(words[at].start..end, " ");
        }
    }
    rest == clause.text
        || by_id("face_identification")
            .is_some_and(|gap| Clause::new(&rest, &rest).has_any(gap.cues))
}

/// Words after which "who" asks ("tell me who is …", "I want to know who …", "find out who …").
const ASKS_WHO_AFTER: &[&str] = &[
    "me",
    "us",
    "know",
    "tell",
    "out",
    "identify",
    "see",
    "guess",
    "wonder",
    "wondering",
    "ask",
    "asking",
    "idea",
    "clue",
    "sure",
    "check",
    "recognise",
    "recognize",
    "say",
    "name",
    "and",
    "but",
    "or",
    "so",
    "please",
    "question",
    "curious",
    "exactly",
    "just",
    "knows",
    "figure",
    "determine",
    "work",
    "confirm",
    "is",
    "of",
    "about",
    "whoever",
];

fn always(_: &[ArtifactMeta], _: &Clause) -> bool {
    true
}

fn names_url(_: &[ArtifactMeta], clause: &Clause) -> bool {
    vitrine_tools::meaning::read::names_url(clause)
        || vitrine_tools::meaning::read::url(clause).is_some()
}

fn has(inputs: &[ArtifactMeta], kind: ArtifactKind) -> bool {
    inputs.iter().any(|input| input.kind == kind)
}

fn on_media(inputs: &[ArtifactMeta], clause: &Clause) -> bool {
    has(inputs, ArtifactKind::Video)
        || has(inputs, ArtifactKind::Audio)
        || clause.has_any(&["@video", "audio*", "recording*", "podcast*", "voice memo*"])
}

const GAPS: &[Gap] = &[
    // Before the others: "blur every face except the bride's" must not blur the bride.
    Gap {
        id: "selective_face_hiding",
        asked: "hide some faces and not others",
        why: "faces are found and hidden all together; telling one person from another (by place, clothes or who they are) is not possible here",
        cues: &[
            "except",
            "apart from",
            "other than",
            "but not the",
            "everyone but",
            "everybody but",
            "all but",
            "on the left",
            "on the right",
            "in the middle",
            "in the centre",
            "in the center",
            "in the red",
            "in the blue",
            "in the white",
            "in the black",
            "in the green",
            "wearing",
            "with the hat",
            "with glasses",
            "only his",
            "only her",
            "only one face",
            "one of the faces",
            "leave ~ face* ~ showing",
            "leave ~ face* ~ visible",
            "leave ~ face* ~ unblurred",
            "keep ~ face* ~ visible",
            "keep ~ face* ~ showing",
            "leave ~ face* alone",
            "leave ~ face* clear",
            "leave ~ face* uncovered",
            "keep ~ face* clear",
        ],
        // "The guy on the left and everyone else too" is every face.
        unless: &[
            "everyone else",
            "everybody else",
            "all the others",
            "all others",
            "the rest",
            // "The name tags people are wearing": what is worn is the thing to hide.
            "tag* ~ wearing",
            "badge* ~ wearing",
            "lanyard* ~ wearing",
            "name* ~ wearing",
            // "…except keep the audio": the exception is not a person.
            "except ~ audio",
            "except ~ sound*",
            "except ~ music",
            "except ~ voice*",
            "except ~ text",
            "except ~ background",
        ],
        // With a mask, "everything except the subject" is the mask's inside or outside.
        // "…but leave the bride's face showing": the hiding verb may stand in another clause.
        when: |inputs, clause| {
            (clause.has_any(&["@hide"])
                || (clause.has_any(KEEP_A_FACE)
                    && Clause::new(&clause.request, &clause.request).has_any(&["@hide"])))
                && clause.has_any(&["@faces"])
                && !(has(inputs, ArtifactKind::Array) && clause.request.contains("mask"))
        },
        alongside: false,
    },
    Gap {
        id: "video_text_redaction",
        asked: "hide text (names, numbers) in a video",
        why: "text in video cannot be found and hidden here: only faces are tracked across frames",
        cues: &[
            "@hide ~ @phi",
            "@remove ~ @phi",
            "redact* ~ @phi",
            "@phi ~ @hide",
            // "The street address painted on the house behind them also has to be hidden".
            "@phi ~ ~ ~ @hide",
            // "… and the slides show email addresses that also need to go".
            "@phi ~ ~ need* to go",
            "@phi ~ ~ has to go",
            "@phi ~ ~ have to go",
            "@phi ~ ~ must go",
            "@hide ~ text",
            "@hide ~ caption*",
            "@hide ~ subtitle*",
            "@hide ~ badge*",
            "@hide ~ name tag*",
            "@hide ~ lanyard*",
            // "Hide the faces in the footage, and the names on the shop signs too".
            "the names",
            // "… and the pupils' names written up on the whiteboard too".
            "@phi ~ written",
            "@phi ~ too",
            "@phi ~ as well",
            "sign",
            "signs",
            "signage",
            "name tag*",
            "name badge*",
            "badge*",
            "lanyard*",
            "id card*",
        ],
        unless: &[],
        when: |inputs, clause| {
            has(inputs, ArtifactKind::Video)
                && !has(inputs, ArtifactKind::Image)
                && clause.has_any(&["@hide", "@remove", "redact*"])
        },
        alongside: true,
    },
    Gap {
        id: "hiding_other_things",
        asked: "hide licence plates, tattoos, logos or screens",
        why: "the shipped models find faces and text, not licence plates, tattoos, logos or screens (an open-vocabulary detection provider, `--detect-url`, can find them)",
        cues: &[
            "licen* plate*",
            "car registration*",
            "vehicle registration*",
            "registration number*",
            "registration plate*",
            "number plate*",
            "registration plate*",
            "reg plate*",
            "car plate*",
            "plate number*",
            "plates",
            "tattoo*",
            "logo*",
            "brand name*",
            "screen",
            "screens",
            "monitor*",
        ],
        // "The name that shows up on screen": text on the screen, not the screen; "the names
        // on the desk plates" are text.
        unless: &[
            "on screen",
            "on ~ screen",
            "on ~ monitor*",
            "onscreen",
            "on-screen",
            "desk plate*",
            "door plate*",
            "name plate*",
            "nameplate*",
            // "Drop the logo into the corner of the first one": placed, not taken away.
            "drop* ~ ~ into",
            "drop* ~ ~ onto",
            "drop* ~ on top",
        ],
        when: |_, clause| clause.has_any(&["@hide", "@remove"]),
        alongside: true,
    },
    Gap {
        id: "gif_output",
        asked: "make a GIF",
        why: "videos come out as browser-playable MP4 here; GIF is not an output format",
        cues: &["gif", "gifs", "animated gif*"],
        unless: &[],
        when: always,
        alongside: true,
    },
    Gap {
        id: "image_format",
        asked: "save the image as WebP, TIFF, HEIC, AVIF or BMP",
        why: "images come out as PNG or JPEG here",
        cues: &[
            "webp*", "tif", "tifs", "tiff*", "heic*", "heif*", "avif*", "bmp*",
        ],
        unless: &[],
        // "Convert this webp to a png" asks for a PNG; "this tiff is too dark, brighten it"
        // converts nothing.
        when: |_, clause| {
            read::target_format(clause).is_some_and(|format| !matches!(format, "png" | "jpeg"))
                && clause.has_any(&[
                    "to", "into", "as", "save*", "convert*", "export*", "format", "turn*",
                    "change*", "make*",
                ])
        },
        alongside: true,
    },
    Gap {
        id: "object_removal",
        asked: "remove things or people from the picture and fill in behind them",
        why: "nothing here fills in what a removed thing hid (the background can be removed, faces hidden, areas covered)",
        cues: &[
            "@remove ~ watermark*",
            "take ~ watermark* ~ out",
            "take ~ watermark* out",
            "take ~ watermark* off",
            // "Get the watermark off this".
            "get ~ watermark* off",
            "get ~ watermark* out",
            "watermark* off",
            "watermark* ~ @remove",
            "photobomb*",
            "inpaint*",
            "@remove ~ tourist*",
            "@remove ~ stranger*",
            "@remove ~ passer*",
            "@remove ~ bystander*",
            "@remove ~ the people",
            "@remove ~ my ex",
            "@remove ~ ex from",
            "@remove ~ the person",
            "@remove ~ the man",
            "@remove ~ the woman",
            "@remove ~ the guy",
            "@remove ~ the car*",
            "@remove ~ object*",
            "@remove ~ blemish*",
            "@remove ~ wire*",
            "@remove ~ power line*",
            "@remove ~ pole*",
            "@remove ~ trash",
            "@remove ~ rubbish",
            "@remove ~ shadow*",
            "@remove ~ reflection*",
            // "A barrier rope runs across the foreground – please remove it from the picture"
            // (not "remove the red tint from the photo").
            "@remove it from the",
            "@remove them from the",
            "@remove him from the",
            "@remove her from the",
            "@remove it out of",
            "@remove them out of",
        ],
        unless: &[
            // Removing the background is a tool; "the photobomber in the background" is not.
            // "… and fill in the gap naturally" asks for a generative edit.
            "fill* in",
            "fill* ~ in",
            // "… and paint in the background so it looks natural".
            "paint in",
            "painted in",
            "paint* ~ back in",
            "fill* ~ back",
            "fill* ~ gap",
            "fill* ~ area* with",
            "fill* ~ space* with",
            "fill* ~ spot* with",
            "@remove the background",
            "@remove background",
            "@remove its background",
            "background ~ @remove",
            "face*",
            // "Take out anything that could identify the people involved" de-identifies.
            "identif*",
            "@phi",
            "metadata",
            "exif",
            "gps",
            "location",
            "cut*",
            "transparen*",
            "isolat*",
        ],
        when: always,
        alongside: false,
    },
    Gap {
        id: "video_effects",
        asked: "change the video's speed, direction, music or transitions",
        why: "there are no speed, reverse, music, fade or crossfade effects here (trim, transcode, frames, audio extraction and face blurring are)",
        cues: &[
            "speed* up",
            "speed ~ up",
            "speed* ~ 2x",
            "faster",
            "as fast",
            "times ~ fast*",
            "play* ~ fast*",
            "slow* down",
            "slow* ~ down",
            "slow motion",
            "slow mo",
            "slowmo",
            "half speed",
            "double speed",
            "revers*",
            "backwards",
            "play* ~ backward*",
            "add ~ music",
            "add ~ soundtrack",
            "add ~ song",
            "background music",
            "music ~ over",
            "music ~ under",
            "song ~ over",
            "song ~ under",
            "lay ~ song",
            "lay ~ music",
            "put ~ music",
            // "Ditch the audio", "drop the sound": a silent video.
            "drop* ~ audio",
            "ditch* ~ audio",
            "drop* ~ sound",
            "ditch* ~ sound",
            // "Put his favourite song underneath it".
            "put ~ song",
            "song ~ underneath",
            "music ~ underneath",
            "crossfad*",
            "cross fad*",
            "fade in",
            "fade out",
            "fade* ~ between",
            "transition*",
            "loop*",
            "stabili*",
            "boomerang",
            "mute*",
            "remove ~ audio",
            "remove ~ sound",
            "strip ~ audio",
            // "I don't want the audio" (not "I don't want to lose the audio").
            "don't want the audio",
            "dont want the audio",
            "don't want the sound",
            "dont want the sound",
            "don't want any audio",
            "don't want any sound",
            // "Remove the background noise from 0:10 to 0:20": the sound, not the footage.
            "@sound_removed",
            "add ~ subtitle*",
            "add ~ caption*",
            "burn ~ subtitle*",
            "colo* grad*",
            "add ~ intro",
            "add ~ outro",
        ],
        // "Add subtitles from what I say in it" needs the words heard first.
        unless: &[
            "extract*",
            "rip*",
            "say",
            "says",
            "said",
            "saying",
            "speech",
            "spoken",
            "transcri*",
        ],
        // "Turn these photos into a video … and put his favourite song underneath it": the
        // video the request makes.
        when: |inputs, clause| {
            has(inputs, ArtifactKind::Video)
                || clause.has_any(&["@video"])
                || (has(inputs, ArtifactKind::Image)
                    && clause.has_any(&["music", "song*", "soundtrack"])
                    && Clause::new(&clause.request, &clause.request).has_any(&[
                        "slideshow*",
                        "slide show*",
                        "into a video",
                        "into a ~ video",
                        "@make ~ video*",
                    ]))
        },
        alongside: true,
    },
    Gap {
        id: "video_generation",
        asked: "generate a video",
        why: "there is no video generation here",
        cues: &[
            "generat* ~ video*",
            "creat* ~ video* ~ of",
            "make ~ video* ~ of a",
            "make ~ video* ~ of an",
            // With nothing attached: "make a 15 second video of waves crashing".
            "make ~ video* ~ of",
            "make ~ clip ~ of",
            "creat* ~ clip ~ of",
            "make ~ video* ~ about",
            "text to video",
            "make ~ movie ~ of a",
            "make ~ movie ~ about",
            "video of a",
            "video of an",
            "clip of a",
            // With nothing attached: "… and a short video of waves crashing against it".
            "a short video",
            "a video of",
            "short film",
            "render ~ video",
            "produce ~ video",
            // With nothing attached: "a video for my band's launch", "a short video ad".
            "a video for",
            "a video ad*",
            "video ad",
            "video ads",
            "promo* video*",
            "music video*",
            "make ~ video* ~ for",
            "make ~ video clip*",
        ],
        // "A screenshot of https://shop.example.com for our promo video": a page to open.
        unless: &["http*", "www*", "screenshot*"],
        when: |inputs, _| !has(inputs, ArtifactKind::Image) && !has(inputs, ArtifactKind::Video),
        alongside: false,
    },
    Gap {
        id: "animation",
        asked: "animate a still image",
        why: "there is no video generation here: nothing can make a still image move",
        cues: &[
            "animat*",
            "make ~ move",
            "make ~ moving",
            "moves",
            "bring ~ to life",
            "bring ~ ~ to life",
            "come* alive",
            "come* to life",
            "cinemagraph*",
            "live photo*",
            "make ~ wave",
            "make ~ dance",
            "make ~ talk",
            "make ~ walk",
            "make ~ blink",
            "make ~ smile ~ video",
            "make ~ run",
            "make ~ spin",
            // "Make the waterfall in this photo actually flow", "make the flag flutter" (not
            // "make the colours jump", "make the text flow better").
            "actually flow*",
            "really flow*",
            "make ~ flutter",
            "make ~ sway",
            "make ~ twinkle",
            "make ~ swim",
            // "Make the dragon flap its wings", "make the bird fly away" (not "the envelope
            // flap", "make the colours jump off the page").
            "flap* ~ wing*",
            "flapping",
            "make ~ fly",
            "make ~ wink",
            "make ~ nod",
            "make ~ wiggle",
            "wag*",
            "moving clip",
            // Not "waves crashing", the sea.
            "wave",
            "waves at",
            "waves to",
            "waves hello",
            "waves goodbye",
            "waved",
            "waving",
            "dance*",
            "dancing",
            "talking",
            "blinking",
            "lip sync*",
            "lipsync*",
            "moving picture",
            "in motion",
            "motion video",
            "video of ~ moving",
            "gif",
            "turn ~ into ~ video",
            "turn ~ into ~ clip",
            "turn ~ into ~ animation",
            "make ~ into ~ video",
            "make ~ video ~ from ~ photo",
            "make ~ video ~ from ~ picture",
            "make ~ video ~ from ~ image",
            "short clip",
            "little clip",
            "a clip of it",
            "a clip of her",
            "a clip of him",
            "a clip of them",
            "parallax",
            // "One of those short videos where the camera slowly pans across".
            "camera ~ pans",
            "camera ~ ~ pans",
            "pans across",
            "pan across",
            "one of those ~ video*",
            "ken burns",
            "zoom ~ video",
        ],
        unless: &[
            "slideshow*",
            "slide show*",
            "these",
            // "Time-lapse shots … turn them into a short video": the pictures are the frames.
            "them into",
            "those into",
            "images into",
            "photos into",
            "pictures into",
            "fps",
            "each",
            // "Create an image of a lighthouse, with waves crashing below": a still's content.
            "create an image",
            "create a picture",
            "generate an image",
            "generate a picture",
            "an image of a",
            "a picture of a",
            "an illustration",
        ],
        when: |inputs, _| has(inputs, ArtifactKind::Image) || inputs.is_empty(),
        alongside: false,
    },
    // "This contract is 14 pages. Could you shrink it?": nothing here rewrites a PDF.
    Gap {
        id: "pdf_compression",
        asked: "make a PDF file smaller",
        why: "nothing here compresses or rewrites a PDF (its pages can be rendered as images, and pictures bound into a new PDF)",
        cues: &[
            "shrink*",
            "compress*",
            // Not "the text in the smaller table".
            "make ~ smaller",
            "get ~ smaller",
            "it smaller",
            "smaller file*",
            "smaller pdf",
            "smaller size",
            "smaller version",
            "reduce ~ size",
            "reduce ~ file",
            "file size",
            "lighter",
            "too big",
            "too large",
            "too heavy",
            // "Can you get it under two megabytes?"
            "under ~ megabyte*",
            "under ~ mb",
            "under ~ kb",
            "below ~ megabyte*",
            "below ~ mb",
            "below ~ kb",
        ],
        unless: &[
            "page ~ as",
            "page* ~ into",
            "image*",
            "picture*",
            "png",
            "jpe?g",
            "jpg",
            "render*",
            "photo*",
            // "… and shrink it to a 300px thumbnail": the page made a picture.
            "thumb*",
            "pixel*",
            "px",
            "wide",
            "width",
            "height",
            "longest side",
            "@hide",
            "@remove",
        ],
        when: |inputs, _| has(inputs, ArtifactKind::Document),
        // "Compress this PDF under 2 MB": a JPEG of its first page is another thing, not a
        // smaller PDF, so the clause plans nothing.
        alongside: false,
    },
    Gap {
        id: "audio_generation",
        asked: "make music, speech or sound",
        why: "there is no audio generation here (no music, text-to-speech or sound effects)",
        cues: &[
            "music",
            "song",
            "jingle",
            "melody",
            // "A catchy little tune" (not "tune the colours").
            "a tune",
            "catchy ~ tune",
            "little tune",
            "short tune",
            "radio spot",
            "radio ad",
            // "Make a soundtrack to go with this photo" (not "extract the soundtrack").
            "make a soundtrack",
            "make me a soundtrack",
            "make ~ new soundtrack",
            "creat* ~ soundtrack",
            "generat* ~ soundtrack",
            "compose ~ soundtrack",
            "write ~ soundtrack",
            "beat",
            "voice over",
            "voiceover",
            "voice ~ over",
            "narrat*",
            "text to speech",
            "tts",
            "read ~ aloud",
            "read ~ out loud",
            // "Read it out as an audio file".
            "read it out as",
            "read ~ out ~ audio*",
            "out loud",
            "aloud",
            "sound effect*",
            "sfx",
            // Not "speak*": "for the speaker page".
            "speak",
            "speaks",
            "speaking",
            "say it",
            "podcast",
            "audio description",
            "audiobook",
            "ringtone",
            "compose",
            "sing",
            "sings",
            "singing",
        ],
        unless: &[
            // "What date does the camera say it was taken?": what the file records.
            "say it was",
            "says it was",
            "say it's",
            "says it's",
            // "Cheers, speak soon": a goodbye.
            "speak soon",
            "speak later",
            "speak tomorrow",
            "speak then",
            "extract*",
            "rip*",
            "pull*",
            // "I only want the podcast audio from this recording": sound that is there.
            "podcast audio",
            // "Podcast video attached": what the input is.
            "podcast video*",
            "podcast clip*",
            "podcast episode*",
            "podcast recording*",
            "audio from",
            // "Just need the sound from this as an mp3, the podcast editor wants it".
            "sound from",
            "separat*",
            "get the",
            "save the",
            "export*",
            "keep the",
            "just the",
            "only the",
            // "None of us speaks Portuguese": who speaks what language.
            "speak* ~ english",
            "speak* ~ portuguese",
            "speak* ~ spanish",
            "speak* ~ french",
            "speak* ~ german",
            "speak* ~ italian",
            "speak* ~ chinese",
            "speak* ~ japanese",
            "speak* ~ the language",
            "speak* ~ language",
            // "Trim the video to where she starts speaking".
            "where ~ speak*",
            "when ~ speak*",
            "start* ~ speak*",
        ],
        when: always,
        // "Generate a picture of a castle and a voiceover describing it": the picture still runs.
        alongside: true,
    },
    Gap {
        id: "speech_recognition",
        asked: "transcribe speech",
        why: "there is no speech recognition here: OCR reads text in images, not what is said",
        cues: &[
            // "Write down everything the professor says".
            "write down",
            "everything ~ says",
            "everything ~ said",
            "word for word",
            "transcri*",
            "subtitle*",
            "captions",
            "caption it",
            "closed caption*",
            "what ~ say*",
            "what ~ said",
            "what ~ saying",
            "speech",
            "spoken",
            "dialog*",
            "lyrics",
            "who is talking",
            "who is speaking",
            "speaker*",
            "words ~ hear",
            "conversation",
            // Of a meeting, not "all 40 minutes of it".
            "minutes of ~ meeting",
            "minutes of ~ ~ meeting",
            "meeting minutes",
            "take ~ minutes",
            "meeting notes",
            "srt",
            "vtt",
        ],
        unless: &["@hide"],
        when: on_media,
        alongside: false,
    },
    Gap {
        id: "translation",
        asked: "translate text",
        why: "there is no translation here (OCR can read the text as it is)",
        cues: &[
            "translat*",
            "in english",
            "into english",
            "to english",
            "in french",
            "into french",
            "to french",
            "in spanish",
            "into spanish",
            "to spanish",
            "in german",
            "into german",
            "to german",
            "in italian",
            "into italian",
            "in portuguese",
            "into portuguese",
            "in chinese",
            "into chinese",
            "in japanese",
            "into japanese",
            "in korean",
            "in arabic",
            "in hindi",
            "in russian",
            "in dutch",
            "what language",
            "which language",
            "mean in",
        ],
        unless: &[],
        when: always,
        alongside: false,
    },
    Gap {
        id: "face_identification",
        asked: "identify people by their faces",
        why: "faces can be found and hidden here, but never matched to who someone is",
        cues: &[
            "who is",
            "who's",
            "whos",
            "who are",
            "who this",
            "who the",
            "who that",
            "identify ~ person",
            "identify ~ people",
            "identify ~ him",
            "identify ~ her",
            "identify ~ man",
            "identify ~ woman",
            "identify ~ guy",
            "identify ~ girl",
            "identify ~ gentleman",
            "identify ~ lady",
            "identify ~ boy",
            "identify ~ individual*",
            "identify ~ suspect*",
            "identify ~ face*",
            "identify ~ who",
            "recogni* ~ person",
            "recogni* ~ him",
            "recogni* ~ her",
            "recogni* ~ face*",
            "recogni* ~ who",
            "recogni* ~ celebrit*",
            "recogni* ~ people",
            "celebrit*",
            "famous",
            "same person",
            "same people",
            "same guy",
            "same woman",
            "same man",
            "match* ~ face*",
            "match* ~ person",
            "compare ~ face*",
            "face recognition",
            "facial recognition",
            "face id",
            "name ~ people",
            "name ~ person",
            "name of ~ person",
            "name of ~ man",
            "name of ~ woman",
            "name of ~ guy*",
            "name of ~ girl*",
            "name of ~ boy*",
            "name of ~ lady",
            "name of ~ kid*",
            "names of ~ people",
            "look* up ~ person",
            "find out who",
            "tell me who",
            // A question about a name, not "his name printed on it".
            "what ~ his name",
            "what ~ her name",
            "what ~ their names",
            // "Do you know her name?"
            "know ~ her name",
            "know ~ his name",
            "know ~ their name*",
            "whose face",
        ],
        // "What does his name tag say" reads the tag; "everything that could identify the
        // people" is what to hide.
        unless: &[
            "@hide",
            "@sensitive",
            "how many",
            "count",
            "counts",
            "counting",
            "counted",
            "name tag*",
            "nametag*",
            "name badge*",
            "name plate*",
            "name card*",
            // "… leave the profile photo, the manager needs to see who raised it": why a face
            // stays.
            "needs to see who",
            "need to see who",
            // "They shouldn't see who's on it", "without revealing who": who it is, hidden.
            "shouldn't see who",
            "should not see who",
            "mustn't see who",
            "shouldn't know who",
            "nobody ~ tell who",
            "no one ~ tell who",
            "without revealing who",
            "without showing who",
            "without giving away who",
        ],
        // "Who is the author of this PDF?": the file's metadata (not "who's this author?"
        // under a photo).
        when: |inputs, clause| {
            asks_who(inputs, clause)
                && !(has(inputs, ArtifactKind::Document)
                    && clause.has_any(&["author", "who wrote"]))
        },
        alongside: false,
    },
    // "Summarise the article at https://…": the page's text is read (extract_page), the summary
    // needs a language model, which takes over when one is configured.
    Gap {
        id: "open_question",
        asked: "summarise a web page",
        why: "a summary needs a language model (`--llm-base-url`); the page's text is read and returned as it is",
        cues: &["summar*", "sum up", "sum it up", "tl dr", "tldr", "gist"],
        unless: &[],
        when: names_url,
        alongside: true,
    },
    // Pages given by address are opened by the `web` tools (screenshot_page, page_to_pdf,
    // extract_page); what remains out of reach is finding pages.
    Gap {
        id: "web",
        asked: "search the web",
        why: "web pages are opened by their address (the `web` toolset), but there is no search engine here",
        cues: &[
            "google",
            "googling",
            "search the web",
            "search online",
            "search the internet",
            "web search",
            "look it up online",
            "look up online",
            "find online",
            "find on the web",
            "find on the internet",
            "browse the web",
            "browse the internet",
        ],
        unless: &[],
        when: always,
        alongside: false,
    },
    Gap {
        id: "open_question",
        asked: "answer a question the shipped models cannot judge",
        why: "the shipped models find faces, text, 80 kinds of objects and colours; they cannot judge this",
        cues: &[
            "emotion*",
            "mood",
            "feel*",
            "feeling*",
            "happy",
            "sad",
            "angry",
            "upset",
            "annoyed",
            "frustrated",
            "bored",
            "stressed",
            "seem* happy",
            "seem* annoyed",
            "seem* upset",
            "seem* angry",
            "smiling",
            "enjoying",
            "look* bored",
            "look* like they",
            "how old",
            // "Roughly what year it was filmed, judging by the cars and the clothes".
            // (Not "what year was this photo taken?", which the file's metadata may say.)
            "roughly what year",
            "what year ~ think",
            "what year ~ judging",
            "what year ~ guess",
            "guess ~ what year",
            "estimate ~ year",
            "what decade",
            "which decade",
            "what era",
            "look* the happiest",
            "looks happiest",
            "age",
            "aged",
            "older",
            "younger",
            "fake",
            "real or",
            "is it real",
            "is this real",
            "photoshop*",
            "edited or",
            "ai generated",
            "ai made",
            "made by ai",
            "generated by ai",
            "deepfake*",
            "manipulated",
            "doctored",
            "authentic*",
            "genuine",
            "forgery",
            "forged",
            "counterfeit",
            "knock off",
            "knockoff",
            "breed*",
            "any good",
            "species",
            "what kind of",
            "what type of",
            "what sort of",
            "which kind of",
            "price",
            "worth",
            "how much ~ cost",
            "would cost",
            "cost to buy",
            "how much is",
            "value of",
            "diagnos*",
            "malignan*",
            "rash",
            "rashes",
            "chickenpox",
            "measles",
            "infected",
            "benign",
            "cancerous",
            "melanoma",
            "wrong with",
            "disease",
            "injur*",
            "healthy",
            "symptom*",
            "rate",
            "rating",
            "score",
            "aesthetic*",
            "beautiful",
            "attractive",
            "pretty",
            "ugly",
            // Not "the brand guide says …", "our brand colours".
            "what brand*",
            "which brand*",
            "the brand of",
            "brand is it",
            "brand is this",
            "brand is that",
            "what's the brand",
            "whats the brand",
            "identify ~ brand*",
            "name the brand*",
            "make and model",
            "what model",
            "what car",
            "where is this",
            "what city",
            "which city",
            "what country",
            "weather",
            "season",
            "gender",
            "male or female",
            "ethnic*",
            "what race",
            "religio*",
            "political",
            "guess ~ where",
            "guess ~ what",
            "guess ~ who",
            "guess ~ how",
            "why",
            "opinion",
            "do you think",
            "do you like",
            "good photo",
            "good picture",
            "is it good",
            // "Tell me which one is the best shot": a judgement of quality.
            "which ~ best",
            "pick* ~ best",
            "choos* ~ best",
            "select* ~ best",
            "the best shot",
            "the best one",
            "the best photo",
            "the best picture",
            "the best frame",
            "the best pic",
            "quality of the photo",
            "composition",
            "improve",
            "suggest*",
            "advice",
            "tips",
            "safe to eat",
            "edible",
            "poison*",
            "dangerous",
            "is ~ legal",
            "is ~ complian*",
            "are ~ complian*",
            "complian* with",
            "meet* ~ regulation*",
            "against ~ regulation*",
            "up to code",
            "to code",
            "legal to",
            "legally",
            // Whether someone lies (not "the forms lying on the counter": see `unless`).
            "is ~ lying",
            "are ~ lying",
            "he's lying",
            "she's lying",
            "they're lying",
            "lying to",
            "lying about",
            "honest",
            "trust*",
            "drunk",
            "tired",
            "sick",
            "worr*",
            "should i be",
            "concerning",
            "mole",
            "rash",
            "lump",
            "is ~ serious",
            "something serious",
            "anything serious",
            "infected",
            "infection",
        ],
        unless: &[
            "@hide",
            "price tag*",
            "safe to share",
            "safe to post",
            "safe to publish",
            "metadata",
            "exif",
            "gps",
            "frame rate",
            // A collage of references, not a feeling.
            "mood board*",
            "moodboard*",
            // "The director wants to feel the pacing", "to get a feel for it": why, not a
            // question.
            "feel the",
            "a feel for",
            // "Go black and white, it suits the mood of the piece better": why, not a question.
            "suits the mood",
            "suit the mood",
            "fits the mood",
            "fit the mood",
            "for the mood",
            "matches the mood",
            "match the mood",
            // "What's the brand written on them?": text to read (not "is the claim written on
            // the box honest?").
            "brand written on",
            "brand printed on",
            "name written on",
            "name printed on",
            "what's written",
            "whats written",
            "what is written",
            // "The forms lying on the counter", "his ID card is lying on the desk".
            "lying on",
            "lying in",
            "lying around",
            "lying next",
            "lying flat",
            "lying down",
            "lying under",
            "lying beside",
            // "Design a logo, a smiling croissant": a picture to make, described.
            "a smiling",
            "a happy",
            "a sad",
            "an angry",
            "a bored",
            "smiling ~ logo",
            "logo ~ smiling",
            // "Something browsers are happy with": what works, not a feeling to judge.
            "are happy with",
            "is happy with",
            "be happy with",
        ],
        when: always,
        alongside: false,
    },
];

/// A face named to stay visible ("leave the bride's face showing").
const KEEP_A_FACE: &[&str] = &[
    "leave ~ face* ~ showing",
    "leave ~ face* ~ visible",
    "leave ~ face* ~ unblurred",
    "keep ~ face* ~ visible",
    "keep ~ face* ~ showing",
    "leave ~ face* alone",
    "leave ~ face* clear",
    "leave ~ face* uncovered",
    "keep ~ face* clear",
];

/// The cue a gap takes back from the whole request: "blur all the guests but leave the bride's
/// face showing" cannot blur every face, so no step that hides faces runs.
pub(super) fn cancels(id: &str) -> Option<&'static str> {
    (id == "selective_face_hiding").then_some("@faces")
}

/// The gap with this id.
pub(super) fn by_id(id: &str) -> Option<&'static Gap> {
    GAPS.iter().find(|gap| gap.id == id)
}

/// The gap a clause asks for, if any.
pub(super) fn find(clause: &Clause, inputs: &[ArtifactMeta]) -> Option<&'static Gap> {
    if sender_does_it(clause) {
        return None;
    }
    find_said(clause, inputs)
}

/// Gaps besides `found` in the things a clause lists: "compose a jingle and a short video ad"
/// asks for audio and for video, each not done.
pub(super) fn others_listed(
    clause: &Clause,
    found: &Gap,
    inputs: &[ArtifactMeta],
) -> Vec<&'static Gap> {
    let mut others: Vec<&'static Gap> = Vec::new();
    // "A clip of a cat surfing, with music": a thing and what it comes with.
    for part in clause
        .text
        .split(" and ")
        .flat_map(|part| part.split(", with "))
    {
        if let Some(gap) = find(&Clause::new(part, &clause.request), inputs)
            && gap.id != found.id
            && !others.iter().any(|other| other.id == gap.id)
        {
            others.push(gap);
        }
    }
    others
}

/// "I'll write the summary myself", "we can do the translation ourselves": what the sender
/// will do is not asked (not "I need it translated for myself").
fn sender_does_it(clause: &Clause) -> bool {
    let words: Vec<&str> = clause.words.iter().map(|word| word.text.as_str()).collect();
    clause.has_any(&["myself", "ourselves", "on my own", "on our own"])
        && matches!(
            words.as_slice(),
            ["i'll" | "ill" | "we'll", ..]
                | ["i" | "we", "will" | "can" | "shall", ..]
                | ["i'm" | "im" | "we're", "going", "to", ..]
        )
}

/// The gap the sender says they will see to themselves ("I'll write the summary myself", or
/// "… but I'll write that myself" after the clause that named it), so that no other sentence's
/// wish for it ("my manager wants a summary") is reported not done.
pub(super) fn left_to_the_sender(
    clause: &Clause,
    before: Option<&Clause>,
    inputs: &[ArtifactMeta],
) -> Option<&'static str> {
    if !sender_does_it(clause) {
        return None;
    }
    find_said(clause, inputs)
        .or_else(|| {
            before
                .filter(|_| clause.has_any(&["that", "it", "this"]))
                .and_then(|before| find_said(before, inputs))
        })
        .map(|gap| gap.id)
}

fn find_said(clause: &Clause, inputs: &[ArtifactMeta]) -> Option<&'static Gap> {
    GAPS.iter().find(|gap| {
        clause
            .find_any(gap.cues)
            .is_some_and(|span| !negated(clause, span.start) && !comes_from(clause, span.start))
            && !clause.has_any(gap.unless)
            && (gap.when)(inputs, clause)
    })
}

/// True when word `at` names the format the image comes from: "convert this gif to a png"
/// asks for a PNG, not a GIF.
fn comes_from(clause: &Clause, at: usize) -> bool {
    clause
        .words
        .get(at)
        .and_then(|word| read::format_named(&word.text))
        .is_some_and(|format| read::target_format(clause).is_some_and(|target| target != format))
}

/// True when a negation stands shortly before word `at`: "I'm not asking for a translation",
/// "dont touch the logo", "no need to translate it".
fn negated(clause: &Clause, at: usize) -> bool {
    const NEGATIONS: &[&str] = &[
        "not", "don't", "dont", "no", "never", "without", "isn't", "aren't", "doesn't", "won't",
    ];
    // Not a hedge: "not sure what breed this is", "no idea if it's infected".
    let before = &clause.words[at.saturating_sub(4)..at];
    before.iter().enumerate().any(|(index, word)| {
        NEGATIONS.contains(&word.text.as_str())
            && !before
                .get(index + 1)
                .is_some_and(|next| ["sure", "idea", "know"].contains(&next.text.as_str()))
    })
}
