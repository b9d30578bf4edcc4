//! The wording the offline planner recognises, as regular expressions over the lower-cased
//! instruction.

use std::sync::LazyLock;

use regex::Regex;

fn regex(pattern: &str) -> Regex {
    // The patterns are literals of this file; a typo is a bug caught by every test.
    Regex::new(pattern).unwrap_or_else(|error| panic!("bad planner pattern {pattern}: {error}"))
}

macro_rules! pattern {
    ($name:ident, $pattern:literal) => {
        pub(super) static $name: LazyLock<Regex> = LazyLock::new(|| regex($pattern));
    };
}

pattern!(FACE, r"\bfaces?\b");
pattern!(
    GENERATE,
    r"\b(generat\w*|creat\w*|synthesi[sz]\w*|composit\w*|try[- ]?on|imagin\w*|paint (me )?an?|draw (me )?an?|design\w*)\b"
);
pattern!(
    STRONG_GENERATE,
    r"\b(generat\w*|synthesi[sz]\w*|composit\w*|try[- ]?on|imagin\w*)\b"
);
pattern!(VIEW, r"\b(front|back|side|left|right|top|profile|rear)\b");
pattern!(
    IMAGE_COUNT,
    r"\b(\d{1,2}|one|two|three|four|five|six)\s+(?:\w+\s+)?(images|pictures|photos|views|variations|versions|renders)\b"
);
pattern!(REF_ID, r"\b(img|vid|aud|doc|recon|arr|url)_\w{6}\b");
pattern!(
    HIDE,
    r"\b(blur\w*|pixel+at\w*|anonymi[sz]\w*|obscur\w*|hid(e|ing)|mask\w*|censor\w*|redact\w*|black(ed)? out|blot\w*|cover\w*)"
);
pattern!(
    PHI,
    r"\b(phi|pii|personal(ly)? (identifiable )?(data|info\w*|details)|sensitive|identif\w+ (info\w*|data|details)|identifiers?|patient (info\w*|data|details|names?)|social security|ssns?|dates? of birth|dobs?|phone numbers?|e-?mail addresses|medical record|private (info\w*|data|details)|health info\w*)\b"
);
pattern!(FILL, r"\b(black(ed)? out|fill\w*|solid|cover\w*)");
pattern!(
    STRONG,
    r"\b(strong\w*|heav\w*|fully|complete\w*|unrecogni[sz]able|all)\b"
);
pattern!(REDACT, r"\b(redact\w*|sanitiz\w*|scrub\w*|de-?identif\w*)");
pattern!(
    CROP_FACE,
    r"\b(crop\w*|zoom\w*|cut)\b[^.;]*\bfaces?\b|\b(largest|biggest|main) face\b|\bheadshot\b"
);
pattern!(
    RATIO,
    r"\b(\d{1,2}(?:\.\d+)?)\s*(?::|/|×|\bby\b)\s*(\d{1,2}(?:\.\d+)?)\b"
);
pattern!(
    ASPECT_WORD,
    r"\b(aspect|ratio|crop\w*|portrait|landscape|stor(y|ies)|reels?|tiktok|format|pad\w*|letterbox\w*)\b"
);
pattern!(SQUARE, r"\bsquare\b");
pattern!(PAD, r"\b(pad\w*|letterbox\w*|bars?|without cropping)\b");
pattern!(THUMB, r"\bthumb(nail)?s?\b");
pattern!(
    RESIZE,
    r"\b(resiz\w*|rescal\w*|scale\w*|shrink\w*|downscal\w*|upscal\w*|downsiz\w*|smaller|larger)\b"
);
pattern!(DIMENSIONS, r"\b(\d{2,5})\s*[x×]\s*(\d{2,5})\b");
pattern!(PIXELS, r"\b(\d{2,5})\s*(px|pixels?|p)?\b");
pattern!(
    WIDE,
    r"\b(\d{2,5})\s*(px|pixels?)?\s*(wide|width|across)|\bwidth (of |to )?(\d{2,5})"
);
pattern!(
    TALL,
    r"\b(\d{2,5})\s*(px|pixels?)?\s*(tall|high|height)|\bheight (of |to )?(\d{2,5})"
);
pattern!(
    GRAY,
    r"\b(gr[ae]y\s?scale|black (and|&) white|b\s?&\s?w|monochrom\w*|desaturat\w*|remove (the )?colou?rs?)\b"
);
pattern!(ROTATE, r"\brotat\w*|\bupside down\b");
pattern!(DEGREES, r"(-?\d{1,3})\s*(°|degrees?|deg)?");
pattern!(
    COUNTER,
    r"\b(counter|anti)-?\s?clockwise|\bccw\b|\bto the left\b|\bleft\b"
);
pattern!(
    DETECT,
    r"\b(detect\w*|find\w*|locat\w*|count\w*|how many|identif\w*|spot\w*|recogni[sz]\w*|boxes|bounding|box\b|mark\w*|highlight\w*|outline\w*|annotat\w*|label\w*|draw\w*|what (objects|things))"
);
pattern!(
    DRAW,
    r"\b(draw\w*|box\w*|bounding|mark\w*|highlight\w*|outline\w*|annotat\w*|show\w*|label\w*)"
);
pattern!(OBJECTS, r"\b(objects?|things|items)\b");
pattern!(
    OCR,
    r"\bocr\b|\b(read|extract|get|transcrib\w*|recogni[sz]e|pull|copy|what does (it|(this|that|the)( \w+)?) say)\b[^.;]*\b(text|words|writing|says?)\b|\btranscrib\w*|\bwhat does (it|(this|that|the)( \w+)?) say"
);
pattern!(BACKGROUND, r"\bbackground\b");
pattern!(
    REMOVE,
    r"\b(remov\w*|cut\w*|eras\w*|delet\w*|transparen\w*|strip\w*|get rid|drop\w*|without|no)\b"
);
pattern!(
    CUTOUT,
    r"\bcut\s?out\b|\bisolat\w* the (person|people|subject)|\bmatte\b|\bsegment\w* (the )?(person|people)"
);
pattern!(
    TRIM,
    r"\b(trim\w*|cut\w*|clip\w*|excerpt|shorten\w*|keep only)\b"
);
pattern!(
    TIME_RANGE,
    r"(?:from|between)?\s*(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?\s*(?:to|-|–|and|until|till|through)\s*(\d+:\d{2}(?::\d{2})?(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)?"
);
pattern!(FRAMES, r"\b(key)?frames?\b");
pattern!(
    FRAME_VERB,
    r"\b(extract\w*|grab\w*|get|sampl\w*|take|pull|sav\w*|export\w*|captur\w*|give me|split\w*|dump\w*)\b"
);
pattern!(FRAME_COUNT, r"\b(\d{1,3})\s+(?:\w+\s+)?(?:key)?frames\b");
pattern!(EVERY, r"\bevery\s+(\d+(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b");
pattern!(
    CONTACT,
    r"\b(contact sheet|storyboard|thumbnail (grid|sheet)|grid of (frames|thumbnails|stills)|filmstrip|film strip|overview sheet)\b"
);
pattern!(
    TILE_COUNT,
    r"\b(\d{1,3})\s+(?:\w+\s+)?(frames|tiles|thumbnails|stills|shots)\b"
);
pattern!(
    PAGE,
    r"\bpage\s+(\d{1,5})\b|\b(\d{1,5})(?:st|nd|rd|th) page\b|\b(first|cover|front) page\b"
);
pattern!(
    RENDER,
    r"\b(render\w*|convert\w*|rasteri[sz]\w*|show\w*|png|jpe?g|image|picture|snapshot|screenshot|preview\w*|export\w*|turn)\b"
);
pattern!(
    RECON,
    r"\b3d\b|\b3-d\b|\breconstruct\w*|\bgaussian splat\w*|\bsplat\w*|\bpoint cloud\b|\bspz\b"
);
pattern!(
    RECON_OBJECT,
    r"\b(?:of|for) (?:the |a |an |this |that |these |those )?([a-z][a-z -]{1,30}?)(?:\s+(?:in|from|on|at|shown|visible|within)\b|[.,;!?]|$)"
);

/// Words that name the whole picture rather than an object in it.
pub(super) const SCENE_WORDS: [&str; 9] = [
    "image",
    "photo",
    "picture",
    "scene",
    "room",
    "frame",
    "whole image",
    "photograph",
    "input",
];

pattern!(AUDIO, r"\b(audio|soundtrack|sound ?track|mp3)\b");
pattern!(
    AUDIO_VERB,
    r"\b(extract\w*|get|pull|rip\w*|sav\w*|export\w*|separat\w*|keep|give me|convert\w*|turn)\b"
);
pattern!(
    MAKE_PDF,
    r"\b(make|creat\w*|combin\w*|turn|convert\w*|put|merg\w*|bind|sav\w*|export\w*|compil\w*|build)\b[^.;]*\bpdf\b|\bpdf (of|from) (these|the|my|this|those|all)\b"
);

// Video conversion, document facts, composition and region hiding (issue 4's media toolkit).
pattern!(
    TRANSCODE,
    r"\b(transcod\w*|re-?encod\w*|h\.?264|browser[- ]playable|play(s|able)? in (a |the |any |every )?browsers?|web[- ]?(friendly|compatible|playable|ready))\b|\b(convert\w*|turn\w*|export\w*|sav\w*|make)\b[^.;]*\bmp4\b"
);
pattern!(
    MAKE_VIDEO,
    r"\b(slide ?show|time-?lapse|stop[- ]motion)\b|\b(make|creat\w*|turn|convert\w*|combin\w*|put|stitch\w*|assembl\w*|build|render|compil\w*|join)\b[^.;]*\b(video|movie|clip|mp4|animation)\b"
);
pattern!(
    FPS,
    r"\b(\d{1,3}(?:\.\d+)?)\s*(?:fps|frames? (?:per|a|each) second)\b"
);
pattern!(
    SECONDS_EACH,
    r"\b(\d{1,3}(?:\.\d+)?)\s*(?:s|secs?|seconds?)\s+(?:each|per (?:image|photo|picture|slide|frame))\b|\beach (?:image |photo |picture |slide |frame )?(?:for|lasting) (\d{1,3}(?:\.\d+)?)\s*(?:s|secs?|seconds?)\b"
);
pattern!(
    PAGE_COUNT,
    r"\bhow many pages\b|\bpage ?count\b|\b(number|count) of pages\b|\bcount (the )?pages\b"
);
pattern!(
    COMBINE,
    r"\b(side[- ]by[- ]side|next to (each other|one another)|beside (each other|one another)|grid|collage|montage|contact sheet|stack\w* (them|these|those|the (images|photos|pictures))|(combin\w*|merg\w*|join\w*|put) (them|these|those|the (images|photos|pictures)|all)\b[^.;]*\b(one|single|an?) (image|picture|sheet))"
);
pattern!(
    STACK,
    r"\b(stack\w*|vertical\w*|on top of (each other|one another)|one (above|under) (the )?other|in a column)\b"
);
pattern!(
    SIDE_BY_SIDE,
    r"\b(side[- ]by[- ]side|next to (each other|one another)|beside (each other|one another)|in a row|horizontal\w*)\b"
);
pattern!(COLUMNS, r"\b(\d{1,2})\s*(?:columns|cols|across|per row)\b");
pattern!(
    TILE,
    r"\btil(e|es|ing)\b|\b(split|slic\w*|cut|chop\w*|divid\w*)\b[^.;]*\b(tiles?|pieces|parts|grid|squares|quadrants)\b"
);
pattern!(GRID_SHAPE, r"\b(\d{1,2})\s*(?:x|×|by)\s*(\d{1,2})\b");
pattern!(
    PIECE_COUNT,
    r"\b(\d{1,4})\s+(?:\w+\s+)?(?:tiles|pieces|parts|squares)\b"
);
// Four numbers `x0, y0, x1, y1`, or two points `(x0, y0) to (x1, y1)`.
pattern!(
    BOX_NUMBERS,
    r"\(?\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*\)?\s*(?:,|to|-|–|and)\s*\(?\s*(\d+(?:\.\d+)?)\s*,\s*(\d+(?:\.\d+)?)\s*\)?"
);
// "the top half", "the left third", "the bottom 20%".
pattern!(
    IMAGE_PART,
    r"\b(top|bottom|left|right|upper|lower)\s+(half|third|quarter|fifth|(\d{1,2})\s*(?:%|percent))"
);
pattern!(
    OVERLAY,
    r"\b(overlay\w*|superimpos\w*|watermark\w*)\b|\b(put|place|paste|stamp|add|drop)\b[^.;]*?\b(on|onto|over|on top of|corner)\b"
);
// "put the first image on the second": which image goes on top, when the sentence says.
pattern!(
    OVERLAY_ORDER,
    r"\b(first|second|1st|2nd)\b[^.;]*?\b(?:on|onto|over|on top of)\b[^.;]*?\b(first|second|1st|2nd)\b"
);
pattern!(
    CORNER,
    r"\b(top|upper|bottom|lower)[ -]?(left|right)\b|\b(cent(?:er|re)(?:e?d)?|middle)\b"
);
pattern!(
    AT_POINT,
    r"\bat\s*\(?\s*(?:x\s*=\s*)?(-?\d{1,5})\s*,\s*(?:y\s*=\s*)?(-?\d{1,5})\s*\)?"
);
pattern!(
    MARGIN,
    r"\b(\d{1,4})\s*(?:px|pixels?)\s*(?:margin|padding|in|from (?:the )?(?:edges?|corner|border))|\b(?:margin|padding|inset) of (\d{1,4})"
);
pattern!(
    OPACITY,
    r"\b(\d{1,3})\s*%\s*(opacity|opaque|transparen\w*)|\bopacity (?:of )?(0?\.\d+|1(?:\.0+)?)\b|\b(semi-?|half[- ]?)transparen\w*"
);
pattern!(MASK, r"\bmasks?\b");
pattern!(MASK_INVERT, r"\b(invert\w*|negat\w*|revers\w*)\b");
pattern!(MASK_FEATHER, r"\b(feather\w*|soften\w*|smooth\w*)\b");
pattern!(
    MASK_THRESHOLD,
    r"\b(threshold\w*|binari[sz]\w*|harden\w*)\b"
);
pattern!(
    MASK_INTERSECT,
    r"\b(intersect\w*|overlap\w*|in common|where both)\b"
);
pattern!(
    MASK_SUBTRACT,
    r"\b(subtract\w*|minus|take\w* away|difference)\b"
);
pattern!(
    MASK_UNION,
    r"\b(union|combin\w*|merg\w*|join\w*|unite)\b|\badd\w* (?:them |these |the masks )?together\b"
);
pattern!(MASK_LEVEL, r"\b(?:at|to|level|of)\s*(\d{1,3})\b");
pattern!(
    MASK_TO_IMAGE,
    r"\bmasks?\s+(?:\w+\s+){0,2}?(?:in)?to an? (?:image|picture|png)\b|\bmasks? as an? (?:image|picture|png)\b|\b(?:show|view|see|preview|visuali[sz]e)\w*\b[^.;]*?\bmasks?\b"
);
pattern!(
    IMAGE_TO_MASK,
    r"\b(?:make|creat\w*|get|build|extract\w*|derive|turn|convert\w*|use)\b[^.;]*?\bmasks?\b[^.;]*?\b(?:from|out of)\b|\b(?:image|picture|photo|png|alpha|transparency)\b[^.;]*?\b(?:in)?to an? masks?\b"
);
pattern!(MASK_FROM_ALPHA, r"\b(alpha|transparen\w*|opaque|opacity)\b");
pattern!(
    MASK_FROM_LUMA,
    r"\b(bright\w*|luminan\w*|lightness|white)\b"
);
pattern!(MASK_RADIUS, r"\b(\d{1,2}(?:\.\d+)?)\s*(?:px|pixels?)\b");
