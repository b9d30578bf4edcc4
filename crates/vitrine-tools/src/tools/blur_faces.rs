//! `blur_faces`: detect faces and hide each one (blur by default, or pixelate / fill), then
//! check the output with a second, lower-threshold look and hide what it still finds
//! (`crate::verify`); the tool fails rather than return an image with a face it can still see.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_media::image::DynamicImage;
use vitrine_media::{Color, RedactMethod, RedactParams};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Clause, Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{face_facts, find_faces};
use crate::verify::hide_faces_verified;
use vitrine_wire::ArtifactKind;

/// Arguments of `blur_faces`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BlurFacesArgs {
    /// The image whose faces to hide.
    pub image: ImageRef,
    /// `blur` (default), `pixelate` or `fill`.
    #[serde(default)]
    pub method: RedactMethod,
    /// Multiplies the blur sigma or block size, 0.25..4; default 1.5 (unrecognisable).
    #[serde(default = "default_strength")]
    pub strength: f64,
    /// Grow each face box by this fraction on every side so hair and chin are covered; default
    /// 0.2.
    #[serde(default = "default_padding")]
    pub padding_ratio: f64,
    /// Minimum face detector confidence, 0..1; default 0.4.
    #[serde(default = "default_min_score")]
    pub min_score: f32,
}

fn default_strength() -> f64 {
    1.5
}

fn default_padding() -> f64 {
    0.2
}

fn default_min_score() -> f32 {
    0.4
}

/// Detects and hides faces.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlurFaces;

/// The words that ask to hide faces, shared with `blur_faces_video`.
pub(crate) const HIDE_FACES_CUES: &[&[&str]] = &[
    // "Fill the faces in with black": filling is hiding where it fills the faces (not "fill
    // the background with black").
    &[
        "@hide",
        "unrecogni*",
        "anonymi*",
        "fill* the face*",
        "fill* their face*",
        "fill* all the face*",
        "fill* every face",
        "fill* each face",
    ],
    &[
        "@faces",
        "@hide him",
        "@hide her",
        "@hide them",
        "him unrecogni*",
        "her unrecogni*",
        "them unrecogni*",
        "her identity",
        "his identity",
        "their identit*",
    ],
];

/// Phrases where hiding words and people words ask for something else (a mask, the background).
pub(crate) const HIDE_FACES_UNLESS: &[&str] = &[
    // The background itself, not "the people in the background".
    "blur* background",
    "blur* the background",
    "blur* out the background",
    "background blur*",
    "@remove ~ background",
    "replac* ~ background",
    "swap* ~ background",
    "chang* ~ background",
    "background ~ @remove",
    "a mask",
    "the mask",
    // "Everything except the subject" is an area around someone, not their face.
    "everything except",
    "everything but",
    "mask of",
    "masks",
    "top half",
    "bottom half",
    // "Make it smaller but it shouldn't lose so much detail that you can't recognise anyone":
    // people kept recognisable, no hiding.
    "shouldn't ~ so ~ that",
    "don't ~ so ~ that",
    "mustn't ~ so ~ that",
    "not so ~ that",
    "shouldn't lose",
    "don't lose",
    "without losing",
    // "I can't tell who this is, can you?": the sender's own not knowing, a question of who.
    "i can't tell who this",
    "i can't tell who that",
    "i can't tell who it",
    "i can't tell who he",
    "i can't tell who she",
    "i cannot tell who this",
    "i can't work out who",
    "i can't figure out who",
    "i don't know who",
];

/// "The customer's name and account number": text about a person, not their face.
const TEXT_ABOUT_SOMEONE: &[&str] = &[
    // "Cover any text that could identify someone".
    "text that identif*",
    "text that ~ identif*",
    "text which ~ identif*",
    "writing that ~ identif*",
    "@faces name*",
    "@faces number*",
    "@faces id",
    "@faces ids",
    "@faces detail*",
    "@faces info*",
    "@faces address*",
    "@faces account*",
    "@faces signature*",
    // "Black out her name, birth date and the rx number": her text, not her face.
    "her name*",
    "his name*",
    "their name*",
    "her address*",
    "his address*",
    "their address*",
    "her birth*",
    "his birth*",
    "her date*",
    "his date*",
];

/// What text about someone is called after their possessive.
const TEXT_NOUNS: &[&str] = &[
    "data",
    "name",
    "names",
    "address",
    "addresses",
    "email",
    "emails",
    "e",
    "phone",
    "number",
    "numbers",
    "detail",
    "details",
    "info",
    "information",
    "date",
    "dates",
    "birthday",
    "dob",
    "signature",
    "signatures",
    "account",
    "accounts",
    "contact",
    "id",
    "ids",
];

/// "The customer's home address", "the patient's full name": a person named right before a text
/// noun, or before one word that says which (the possessive is gone by now), speaks of text about
/// them, not of their face; not "the kids at the birthday party", nor "the people and their
/// addresses".
fn names_someones_text(clause: &Clause) -> bool {
    (0..clause.words.len())
        .any(|at| is_person(clause, at) && (owns_text(clause, at) || shares_text(clause, at)))
}

/// "The customer and employee names": the person at `at` owns, with the next one, the text after
/// it (the second owner may be gone by now: "the customer and names").
fn shares_text(clause: &Clause, at: usize) -> bool {
    let words = &clause.words;
    words
        .get(at + 1)
        .is_some_and(|word| CONJUNCTIONS.contains(&word.text.as_str()))
        && words.get(at + 2).is_some_and(|next| {
            // Normalising drops a role before its text ("employee names" → "names").
            let role = [
                "customer", "employee", "student", "staff", "visitor", "guest", "member", "client",
            ]
            .iter()
            .any(|role| words[at].text.starts_with(role));
            (role && is_text_noun(&next.text))
                || (is_person(clause, at + 2) && owns_text(clause, at + 2))
        })
}

/// Words between an owner and their text that say which text ("home address", "full name").
const WHICH_TEXT: &[&str] = &[
    "home", "full", "first", "last", "real", "personal", "work", "mobile", "email", "e", "phone",
    "birth", "bank", "contact", "id", "account", "card",
];

/// Conjunctions that join two things asked for.
const CONJUNCTIONS: &[&str] = &["and", "or", "plus"];

fn is_person(clause: &Clause, at: usize) -> bool {
    let word = &clause.words[at].text;
    Clause::new(word, word).has_any(&["@faces"])
}

fn is_text_noun(word: &str) -> bool {
    Clause::new(word, word).has_any(TEXT_NOUNS)
}

/// A text noun follows the person at `at`, next or after one word that says which text.
fn owns_text(clause: &Clause, at: usize) -> bool {
    let words = &clause.words;
    match (words.get(at + 1), words.get(at + 2)) {
        (Some(next), _) if is_text_noun(&next.text) => true,
        (Some(which), Some(next)) => {
            WHICH_TEXT.contains(&which.text.as_str()) && is_text_noun(&next.text)
        }
        _ => false,
    }
}

/// "Blur the kids and their names", "the names and the people": a person joined to another
/// thing asked for, who owns no text, is named for their face; not "the customer and employee
/// names", two owners of the same text.
fn names_someone_besides_text(clause: &Clause) -> bool {
    let words = &clause.words;
    let is_conjunction = |at: usize| {
        words
            .get(at)
            .is_some_and(|word| CONJUNCTIONS.contains(&word.text.as_str()))
    };
    let joined = |at: usize| {
        let before = words[..at]
            .iter()
            .rev()
            .find(|word| !["the", "all", "any", "every", "each"].contains(&word.text.as_str()));
        before.is_some_and(|word| CONJUNCTIONS.contains(&word.text.as_str()))
            || is_conjunction(at + 1)
    };
    (0..words.len()).any(|at| {
        is_person(clause, at) && !owns_text(clause, at) && !shares_text(clause, at) && joined(at)
    })
}

/// True unless the clause speaks only of text about people ("hide the customer names"); faces
/// named outright still ask for face hiding ("the staff faces pixelated and the customer names
/// blacked out").
pub(crate) fn names_faces(clause: &Clause) -> bool {
    // "It has his name, DOB and hospital number on it … Scrub them out?": "them" are people
    // only where the request speaks of people at all.
    // Not relatives or patients alone: "my sisters' reports have their names on them. Redact
    // them" speaks of their text.
    let request = Clause::new(&clause.request, &clause.request);
    let people_in_request = request.has_any(&["she", "he"])
        || (0..request.words.len()).any(|at| {
            let word = &request.words[at].text;
            is_person(&request, at) && !Clause::new(word, word).has_any(&["@relatives"])
        });
    let people_named =
        clause.has_any(&["@faces", "she", "he", "him", "her", "his"]) || people_in_request;
    !speaks_only_of_someones_text(clause) && shows_faces(clause) && people_named
}

/// "The customer names", "the employee's home address": people named only for their text.
pub(crate) fn speaks_only_of_someones_text(clause: &Clause) -> bool {
    !(clause.has_any(&["face*", "facial", "identit*"]) || names_someone_besides_text(clause))
        && (clause.has_any(TEXT_ABOUT_SOMEONE) || names_someones_text(clause))
}

/// False for a medical scan ("de-identify this x-ray"), unless faces are named all the same.
pub(crate) fn shows_faces(clause: &Clause) -> bool {
    clause.has_any(&["face*", "facial"]) || !clause.has_any(SCANS)
}

/// What `blur_faces` and `blur_faces_video` did, from their facts.
pub(crate) fn hid_faces(_args: &Value, facts: &Value) -> Option<String> {
    let verb = match facts.get("method").and_then(Value::as_str) {
        Some("pixelate") => "pixelated",
        Some("fill") => "blacked out",
        _ => "blurred",
    };
    let n = count(facts);
    let done = if n == 0 {
        "found no faces to hide".to_owned()
    } else {
        format!("{verb} {}", plural(n, "face", "faces"))
    };
    Some(match face_audit(facts) {
        Some(audit) => format!("{done} ({audit})"),
        None => done,
    })
}

/// "checked again: none remain" and what the extra passes did, from the audit facts.
fn face_audit(facts: &Value) -> Option<String> {
    let number = |key: &str| facts.get(key).and_then(Value::as_u64);
    let remaining = number("faces_remaining")?;
    let passes = number("passes").unwrap_or(1);
    let extra_faces = number("faces_hidden")
        .unwrap_or(0)
        .saturating_sub(number("faces_found").unwrap_or(0));
    let frames = number("frames_checked")
        .map(|frames| format!(" in {}", plural(frames, "sampled frame", "sampled frames")))
        .unwrap_or_default();
    let outcome = if remaining == 0 {
        "none remain".to_owned()
    } else {
        format!("{} remain", plural(remaining, "face", "faces"))
    };
    Some(match (passes, extra_faces) {
        (0 | 1, _) => format!("checked again{frames}: {outcome}"),
        (_, 0) => format!(
            "checked again{frames}, hid what was still visible in {}: {outcome}",
            plural(passes - 1, "more pass", "more passes")
        ),
        (_, extra) => format!(
            "checked again{frames}, found {extra} more and hid {} in {}: {outcome}",
            if extra == 1 { "it" } else { "them" },
            plural(passes - 1, "more pass", "more passes")
        ),
    })
}

/// How faces are hidden, and nothing more.
const METHOD_SLOT: &[Slot] = &[Slot {
    arg: "method",
    read: read::hide_method,
}];

/// What a request says about hiding faces: how, how strongly, how far around each face, and how
/// sure the detector must be ("lower the threshold to 0.25").
pub(crate) const HIDE_FACE_SLOTS: &[Slot] = &[
    Slot {
        arg: "method",
        read: read::hide_method,
    },
    Slot {
        arg: "strength",
        read: read::strength,
    },
    Slot {
        arg: "padding_ratio",
        read: read::padding_ratio,
    },
    Slot {
        arg: "min_score",
        read: read::min_score,
    },
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "hide the faces in an image",
            examples: &[
                "blur all faces",
                "anonymise the people in this photo",
                "make the faces unrecognisable",
                "pixelate everyone's face",
                "hide the identities of the kids",
                "black out the faces",
            ],
            cues: HIDE_FACES_CUES,
            unless: HIDE_FACES_UNLESS,
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: HIDE_FACE_SLOTS,
            chains: true,
            accept: Some(names_faces),
            ..Intent::DEFAULT
        },
        // "Take out the patient photo": a photo of a face on a form goes by being hidden.
        Intent {
            does: "hide the faces in an image",
            examples: &["remove the ID photo from the scan"],
            cues: &[&["@remove"], &["@face_photo"]],
            unless: HIDE_FACES_UNLESS,
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: HIDE_FACE_SLOTS,
            chains: true,
            ..Intent::DEFAULT
        },
        Intent {
            does: "anonymise the people in an image",
            examples: &["anonymise this photo", "de-identify this group picture"],
            cues: ANONYMISE_CUES,
            unless: ANONYMISE_UNLESS,
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: HIDE_FACE_SLOTS,
            chains: true,
            accept: Some(shows_faces),
            ..Intent::DEFAULT
        },
        Intent {
            does: "anonymise a photo (its people)",
            examples: &["anonymise this pic, there's a name on it too"],
            // "Anonymise this pic … there's a name sticker too": the picture is what is
            // anonymised, so its people are, even when text is named as well.
            cues: &[
                &["anonymi*", "de identif*", "deidentif*"],
                &[
                    "pic", "pics", "photo*", "image*", "picture*", "selfie*", "shot", "snap",
                ],
            ],
            unless: &[
                "@remove",
                "=form*",
                "=document*",
                "=report*",
                "=record*",
                "=letter*",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: METHOD_SLOT,
            chains: true,
            accept: Some(anonymises_the_picture),
            ..Intent::DEFAULT
        },
        Intent {
            does: "hide the faces in an image",
            examples: &["get rid of the faces", "erase their faces"],
            // Only faces by name: "remove the people" asks to take them out of the picture,
            // which nothing here does.
            cues: &[&["@remove"], &["face", "faces", "facial"]],
            unless: &[
                "background",
                "leave* ~ face*",
                "keep* ~ face*",
                "face* ~ as they are",
                "face* ~ as is",
                "not the face*",
                "except ~ face*",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: METHOD_SLOT,
            chains: true,
            ..Intent::DEFAULT
        },
        Intent {
            does: "anonymise the people in an image",
            examples: &["the people and the patient names have to go"],
            // People removed together with the text that names them are anonymised, not taken
            // out of the picture: "both the people and the patient details must go".
            cues: &[
                &["@remove"],
                &["people", "person", "persons", "everyone", "everybody"],
            ],
            // Not "remove the background and the names".
            unless: &[
                "@remove the background",
                "@remove background",
                "background ~ @remove",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: METHOD_SLOT,
            chains: true,
            // Not a cue: as one, this intent would cover all of redact_phi's words and win them.
            accept: Some(|clause| clause.has_any(&["@phi"])),
            ..Intent::DEFAULT
        },
        Intent {
            does: "hide everything that identifies someone: faces (and, with PHI redaction, text)",
            examples: &["redact everything sensitive", "make this safe to share"],
            cues: &[&["@sensitive"]],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[
                Slot {
                    arg: "method",
                    read: read::hide_method,
                },
                Slot {
                    arg: "strength",
                    read: |_| Some(serde_json::json!(2.0)),
                },
            ],
            chains: true,
            accept: Some(|clause| read::sensitive_unnamed(clause) && shows_faces(clause)),
            ..Intent::DEFAULT
        },
    ],
    summary: hid_faces,
    facts: FACE_AUDIT_FACTS,
};

/// Words that ask for the people in a picture or clip to be made anonymous.
pub(crate) const ANONYMISE_CUES: &[&[&str]] = &[&[
    "anonymi*",
    "anonymous",
    "de identif*",
    "deidentif*",
    "unrecogni*",
    "unidentifiable",
    "not ~ identifiable",
    "nobody ~ identified",
    "no one ~ identified",
    "@nobody_recognises",
    "can't be identified",
    "cannot be identified",
    // "Legal has asked that no runner's face be recognisable".
    "no ~ @faces be recogni*",
    "no ~ @faces be identifi*",
    "none of ~ @faces ~ be identified",
    "none of ~ @faces ~ be recogni*",
]];

/// Anonymising text or a document is PHI redaction, not face hiding.
pub(crate) const ANONYMISE_UNLESS: &[&str] = &[
    "@phi",
    "@remove",
    "=form*",
    "=document*",
    "=report*",
    "=record*",
    "=letter*",
];

/// Medical scans: they show no faces, so "de-identify this x-ray" hides its text only.
const SCANS: &[&str] = &[
    "x-ray*",
    "xray*",
    "x ray*",
    "radiograph*",
    "mri",
    "ultrasound*",
    "ct scan*",
];

/// True when what is anonymised is the picture itself ("anonymise this pic"), not text in it.
fn anonymises_the_picture(clause: &Clause) -> bool {
    let words: Vec<&str> = clause.words.iter().map(|word| word.text.as_str()).collect();
    words.iter().enumerate().any(|(at, word)| {
        (word.starts_with("anonymi") || word.starts_with("deidentif") || *word == "de")
            && words[at + 1..]
                .iter()
                .find(|next| {
                    ![
                        "this",
                        "the",
                        "my",
                        "that",
                        "a",
                        "an",
                        "our",
                        "identify",
                        "identifying",
                    ]
                    .contains(next)
                })
                .is_some_and(|next| {
                    [
                        "pic", "pics", "photo", "photos", "image", "images", "picture", "pictures",
                        "selfie", "shot", "snap",
                    ]
                    .contains(next)
                })
    })
}

/// The facts of `blur_faces` and `blur_faces_video`: the audit's first, so a field named
/// `faces_remaining` finds its own count before the general face count.
pub(crate) const FACE_AUDIT_FACTS: &[Fact] = &[
    Fact {
        key: "faces_remaining",
        kind: FactKind::Count,
        about: &["remain", "left", "still"],
    },
    Fact {
        key: "faces_hidden",
        kind: FactKind::Count,
        about: &["hidden", "blurred", "redacted"],
    },
    Fact {
        key: "passes",
        kind: FactKind::Count,
        about: &["passes"],
    },
    Fact {
        key: "count",
        kind: FactKind::Count,
        about: &["face"],
    },
    Fact {
        key: "faces_found",
        kind: FactKind::Count,
        about: &["face"],
    },
];

#[async_trait]
impl Tool for BlurFaces {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "blur_faces"
    }

    fn description(&self) -> &'static str {
        "Detect every face in an image and make it unrecognisable (blur, pixelate or fill)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<BlurFacesArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: BlurFacesArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let had_alpha = decoded.has_alpha;
        let original = decoded.image;
        let (rgb, faces) = find_faces(cx, original.to_rgb8(), parsed.min_score).await?;
        let mut facts = face_facts(&faces);
        if let Value::Object(map) = &mut facts {
            map.insert(
                "method".to_owned(),
                serde_json::to_value(parsed.method).unwrap_or(Value::Null),
            );
        }
        let params = RedactParams {
            regions: Vec::new(),
            method: parsed.method,
            strength: parsed.strength,
            color: Color::BLACK,
            padding_ratio: parsed.padding_ratio,
        };
        // The detector saw an RGB copy; keep the original when alpha matters.
        let source = if had_alpha {
            original
        } else {
            DynamicImage::ImageRgb8(rgb)
        };
        let (hidden, audit) =
            hide_faces_verified(cx, source, &faces, params, parsed.min_score).await?;
        audit.insert_into(&mut facts);
        io::store_redacted(cx, self.name(), &args, &meta, hidden, facts).await
    }
}
