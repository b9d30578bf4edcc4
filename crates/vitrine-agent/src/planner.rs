//! The offline planner: maps an instruction (and, as a fallback, the response schema's field
//! names and descriptions) onto a plan over the tool catalog, without any model.
//!
//! It recognises a fixed set of tasks by their wording, orders them as they appear in the
//! sentence, and chains image edits so that each works on the previous result. Anything it does
//! not recognise is refused with [`AgentError::NotUnderstood`], listing what it can do: it never
//! guesses a plan.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use crate::error::AgentError;
use crate::plan::{Plan, Step, with_article};

/// What the offline planner can do, for the "not understood" message.
pub const CAPABILITIES: &str = "blur or pixelate faces; remove PHI (names, dates, ids, phone numbers, addresses) from an image; \
both at once (\"Blur all faces and remove any PHI from this image\"); crop to the largest face; \
make a thumbnail or resize to N px; crop or pad to an aspect ratio such as 9:16; convert to grayscale; \
rotate by N degrees; detect faces or objects and draw boxes; read the text (OCR); remove the background; \
trim a video from A to B seconds; extract N frames from a video; make a contact sheet of a video; \
render page K of a PDF; make a 3D reconstruction (of an object) from a photo; \
generate or edit images with a configured image provider (e.g. a virtual try-on in front, back and side views)";

/// One recognised task and where its wording starts in the text.
#[derive(Debug, Clone, PartialEq)]
enum Task {
    HideFaces {
        method: &'static str,
        strength: f64,
    },
    RedactPhi,
    CropFace,
    Aspect {
        ratio: String,
        mode: &'static str,
    },
    Thumbnail {
        max_side: u32,
    },
    Resize {
        width: Option<u32>,
        height: Option<u32>,
    },
    Grayscale,
    Rotate {
        degrees: f64,
    },
    DetectFaces {
        draw: bool,
    },
    DetectObjects {
        labels: Vec<String>,
        draw: bool,
    },
    Ocr,
    RemoveBackground,
    Trim {
        start_s: f64,
        end_s: f64,
    },
    ExtractFrames {
        selection: Value,
    },
    ContactSheet {
        count: u32,
    },
    RenderPage {
        page: u32,
    },
    Reconstruct {
        object: Option<String>,
    },
}

fn regex(pattern: &str) -> Regex {
    // The patterns are literals of this file; a typo is a bug caught by every test.
    Regex::new(pattern).unwrap_or_else(|error| panic!("bad planner pattern {pattern}: {error}"))
}

macro_rules! pattern {
    ($name:ident, $pattern:literal) => {
        static $name: LazyLock<Regex> = LazyLock::new(|| regex($pattern));
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
const SCENE_WORDS: [&str; 9] = [
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

impl Task {
    /// True for tasks whose input is an image.
    fn works_on_images(&self) -> bool {
        !matches!(
            self,
            Task::Trim { .. }
                | Task::ExtractFrames { .. }
                | Task::ContactSheet { .. }
                | Task::RenderPage { .. }
        )
    }
}

fn first(pattern: &Regex, text: &str) -> Option<usize> {
    pattern.find(text).map(|found| found.start())
}

fn number<T: std::str::FromStr>(text: Option<regex::Match<'_>>) -> Option<T> {
    text.and_then(|found| found.as_str().parse().ok())
}

/// Seconds from `12.5`, `1:05` or `1:02:03`.
fn seconds(text: &str) -> Option<f64> {
    let mut total = 0.0;
    for part in text.split(':') {
        total = total * 60.0 + part.parse::<f64>().ok()?;
    }
    Some(total)
}

/// COCO labels named in `text` (single words and two-word names such as "dining table").
fn coco_names(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .collect();
    let mut labels: Vec<String> = Vec::new();
    let mut index = 0;
    while index < words.len() {
        if index + 1 < words.len() {
            let pair = format!("{} {}", words[index], words[index + 1]);
            if let Some(label) = vitrine_tools::match_coco_label(&pair) {
                if !labels.iter().any(|known| known == label) {
                    labels.push(label.to_owned());
                }
                index += 2;
                continue;
            }
        }
        // Short function words would match nothing useful and "tv" style labels are rare.
        if words[index].len() > 2
            && let Some(label) = vitrine_tools::match_coco_label(words[index])
            && !labels.iter().any(|known| known == label)
        {
            labels.push(label.to_owned());
        }
        index += 1;
    }
    labels
}

/// Finds the tasks in `text`, each with the offset where its wording starts.
fn tasks(text: &str, inputs: &[ArtifactMeta]) -> Vec<(usize, Task)> {
    let has = |kind: ArtifactKind| inputs.iter().any(|input| input.kind == kind);
    let mut found: Vec<(usize, Task)> = Vec::new();
    let face = first(&FACE, text);
    let hide = HIDE.is_match(text);
    let phi = first(&PHI, text).or_else(|| {
        // "redact this form": redaction with no faces named means the text.
        if face.is_none() {
            first(&REDACT, text)
        } else {
            None
        }
    });
    let crop_face = first(&CROP_FACE, text);
    let recon = first(&RECON, text);
    let contact = first(&CONTACT, text);

    if let Some(at) = face
        && hide
        && crop_face.is_none()
    {
        let method = if text.contains("pixel") {
            "pixelate"
        } else if FILL.is_match(text) {
            "fill"
        } else {
            "blur"
        };
        let strong = phi.is_some() || STRONG.is_match(text);
        found.push((
            at,
            Task::HideFaces {
                method,
                strength: if strong { 2.0 } else { 1.5 },
            },
        ));
    }
    if let Some(at) = phi {
        found.push((at, Task::RedactPhi));
    }
    if let Some(at) = crop_face {
        found.push((at, Task::CropFace));
    }
    if let Some(captures) = RATIO.captures(text)
        && ASPECT_WORD.is_match(text)
        && recon.is_none()
    {
        let ratio = format!("{}:{}", &captures[1], &captures[2]);
        let mode = if PAD.is_match(text) { "pad" } else { "crop" };
        found.push((
            captures.get(0).map_or(0, |m| m.start()),
            Task::Aspect { ratio, mode },
        ));
    } else if let Some(at) = first(&SQUARE, text) {
        let mode = if PAD.is_match(text) { "pad" } else { "crop" };
        found.push((
            at,
            Task::Aspect {
                ratio: "1:1".to_owned(),
                mode,
            },
        ));
    }
    if let Some(at) = first(&THUMB, text)
        && contact.is_none()
    {
        let max_side = PIXELS
            .captures_iter(text)
            .filter_map(|captures| captures.get(1)?.as_str().parse::<u32>().ok())
            .find(|side| *side >= 16)
            .unwrap_or(256);
        found.push((at, Task::Thumbnail { max_side }));
    } else if let Some(at) = first(&RESIZE, text) {
        let (width, height) = if let Some(captures) = DIMENSIONS.captures(text) {
            (number(captures.get(1)), number(captures.get(2)))
        } else {
            let wide = WIDE
                .captures(text)
                .and_then(|c| number(c.get(1)).or_else(|| number(c.get(5))));
            let tall = TALL
                .captures(text)
                .and_then(|c| number(c.get(1)).or_else(|| number(c.get(5))));
            if wide.is_some() || tall.is_some() {
                (wide, tall)
            } else {
                let side: Option<u32> = PIXELS
                    .captures_iter(text)
                    .filter_map(|captures| captures.get(1)?.as_str().parse().ok())
                    .find(|side| *side >= 16);
                (side, side)
            }
        };
        if width.is_some() || height.is_some() {
            found.push((at, Task::Resize { width, height }));
        }
    }
    if let Some(at) = first(&GRAY, text) {
        found.push((at, Task::Grayscale));
    }
    if let Some(found_at) = ROTATE.find(text) {
        let degrees = if found_at.as_str().contains("upside") {
            180.0
        } else {
            DEGREES
                .captures_iter(&text[found_at.start()..])
                .filter_map(|captures| captures.get(1)?.as_str().parse::<f64>().ok())
                .next()
                .unwrap_or(90.0)
        };
        let degrees = if COUNTER.is_match(text) {
            -degrees.abs()
        } else {
            degrees
        };
        found.push((found_at.start(), Task::Rotate { degrees }));
    }
    let detect = first(&DETECT, text);
    let draw = DRAW.is_match(text);
    if let (Some(at), Some(_)) = (detect, face)
        && !found
            .iter()
            .any(|(_, task)| matches!(task, Task::HideFaces { .. } | Task::CropFace))
    {
        found.push((at, Task::DetectFaces { draw }));
    }
    if let Some(at) = detect
        && recon.is_none()
    {
        let labels = coco_names(text);
        if OBJECTS.is_match(text) || !labels.is_empty() {
            found.push((
                at,
                Task::DetectObjects {
                    labels,
                    draw: draw || !text.contains("how many"),
                },
            ));
        }
    }
    if let Some(at) = first(&OCR, text) {
        found.push((at, Task::Ocr));
    }
    if let Some(at) = first(&BACKGROUND, text)
        && REMOVE.is_match(text)
    {
        found.push((at, Task::RemoveBackground));
    } else if let Some(at) = first(&CUTOUT, text) {
        found.push((at, Task::RemoveBackground));
    }
    if let Some(at) = first(&TRIM, text)
        && let Some(captures) = TIME_RANGE.captures(text)
        && let (Some(start_s), Some(end_s)) = (seconds(&captures[1]), seconds(&captures[2]))
        && (has(ArtifactKind::Video) || text.contains("video") || text.contains("clip"))
    {
        found.push((at, Task::Trim { start_s, end_s }));
    }
    if let Some(at) = contact {
        let count = TILE_COUNT
            .captures(text)
            .and_then(|c| number(c.get(1)))
            .unwrap_or(12);
        found.push((at, Task::ContactSheet { count }));
    } else if let Some(at) = first(&FRAMES, text)
        && FRAME_VERB.is_match(text)
    {
        let selection =
            if let Some(every) = EVERY.captures(text).and_then(|c| number::<f64>(c.get(1))) {
                json!({"mode": "every", "interval_s": every})
            } else {
                let count: u32 = FRAME_COUNT
                    .captures(text)
                    .and_then(|c| number(c.get(1)))
                    .unwrap_or(5);
                json!({"mode": "evenly", "count": count})
            };
        found.push((at, Task::ExtractFrames { selection }));
    }
    if let Some(captures) = PAGE.captures(text)
        && (RENDER.is_match(text) || has(ArtifactKind::Document) || text.contains("pdf"))
    {
        let page = number(captures.get(1))
            .or_else(|| number(captures.get(2)))
            .unwrap_or(1);
        found.push((
            captures.get(0).map_or(0, |m| m.start()),
            Task::RenderPage { page },
        ));
    } else if has(ArtifactKind::Document)
        && let Some(at) = first(&RENDER, text)
    {
        found.push((at, Task::RenderPage { page: 1 }));
    }
    if let Some(at) = recon {
        let object = RECON_OBJECT
            .captures(&text[at..])
            .map(|captures| captures[1].trim().to_owned())
            .filter(|object| !SCENE_WORDS.contains(&object.as_str()))
            .filter(|object| !object.starts_with("image") && !object.starts_with("photo"));
        found.push((at, Task::Reconstruct { object }));
    }
    found.sort_by_key(|(at, _)| *at);
    found
}

/// Text of the schema's property names and descriptions, for when the instruction alone says
/// nothing the planner recognises.
fn schema_text(schema: &Value) -> String {
    let mut words = Vec::new();
    collect_schema_text(schema, &mut words, 0);
    words.join(". ")
}

fn collect_schema_text(schema: &Value, words: &mut Vec<String>, depth: usize) {
    if depth > 6 {
        return;
    }
    if let Some(Value::Object(properties)) = schema.get("properties") {
        for (name, property) in properties {
            words.push(name.replace('_', " ").to_lowercase());
            if let Some(description) = property.get("description").and_then(Value::as_str) {
                words.push(description.to_lowercase());
            }
            collect_schema_text(property, words, depth + 1);
        }
    }
}

/// Where each kind of input comes from as the plan is built: an input, or a step's output.
struct Sources {
    image: Option<Value>,
    video: Option<Value>,
    document: Option<Value>,
}

fn input_ref(inputs: &[ArtifactMeta], kind: ArtifactKind) -> Option<Value> {
    inputs
        .iter()
        .position(|input| input.kind == kind)
        .map(|index| json!({"$ref": format!("input:{index}")}))
}

fn describe_inputs(inputs: &[ArtifactMeta]) -> String {
    if inputs.is_empty() {
        return "no input was attached".to_owned();
    }
    let list: Vec<String> = inputs
        .iter()
        .map(|input| format!("`{}` ({})", input.id, input.kind.noun()))
        .collect();
    format!("the inputs are {}", list.join(", "))
}

fn need(
    source: &Option<Value>,
    kind: ArtifactKind,
    what: &str,
    inputs: &[ArtifactMeta],
) -> Result<Value, AgentError> {
    source.clone().ok_or_else(|| {
        AgentError::WrongInput(format!(
            "{what} needs {} as input, but {}",
            with_article(kind.noun()),
            describe_inputs(inputs)
        ))
    })
}

/// Plans `instruction` over the inputs; `schema` is the response schema, if any.
pub fn plan_offline(
    instruction: &str,
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
) -> Result<Plan, AgentError> {
    // Refs named in the text ("blur the faces in img_a1b2c3") are inputs, not wording.
    let text = REF_ID
        .replace_all(&instruction.to_lowercase(), "it")
        .into_owned();
    let mut found = tasks(&text, inputs);
    if found.is_empty()
        && let Some(schema) = schema
    {
        let combined = format!("{text}. {}", schema_text(schema));
        found = tasks(&combined, inputs);
    }
    // "Generate ... 3 images (9:16)": the ratio and sizes describe what to generate.
    let only_format = found.iter().all(|(_, task)| {
        matches!(
            task,
            Task::Aspect { .. } | Task::Resize { .. } | Task::Thumbnail { .. }
        )
    });
    if only_format
        && (found.is_empty() || STRONG_GENERATE.is_match(&text))
        && let Some(plan) = generation_plan(&text, schema, inputs)
    {
        return Ok(plan);
    }
    if found.is_empty() {
        let mut shown: String = instruction.chars().take(200).collect();
        if instruction.chars().count() > 200 {
            shown.push('…');
        }
        return Err(AgentError::NotUnderstood {
            instruction: shown,
            capabilities: CAPABILITIES.to_owned(),
        });
    }
    let image_inputs: Vec<usize> = inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| input.kind == ArtifactKind::Image)
        .map(|(index, _)| index)
        .collect();
    let mut steps: Vec<Step> = Vec::new();
    let all_image_tasks = found.iter().all(|(_, task)| task.works_on_images());
    if all_image_tasks && image_inputs.len() > 1 {
        // "Convert these to grayscale" with several images: one chain per image, run in
        // parallel by the executor because the chains share nothing.
        for index in image_inputs {
            let mut sources = Sources {
                image: Some(json!({"$ref": format!("input:{index}")})),
                video: None,
                document: None,
            };
            chain(&found, &mut sources, &mut steps, inputs)?;
        }
    } else {
        let mut sources = Sources {
            image: input_ref(inputs, ArtifactKind::Image),
            video: input_ref(inputs, ArtifactKind::Video),
            document: input_ref(inputs, ArtifactKind::Document),
        };
        chain(&found, &mut sources, &mut steps, inputs)?;
    }
    Ok(Plan { steps })
}

/// Image generation ("generate a virtual try-on ... front, back and side at 9:16"): one
/// `edit_image` call per view (from every attached image) or `generate_image` without inputs;
/// the calls share nothing, so they run in parallel.
fn generation_plan(text: &str, schema: Option<&Value>, inputs: &[ArtifactMeta]) -> Option<Plan> {
    if !GENERATE.is_match(text) || RECON.is_match(text) {
        return None;
    }
    // Views in the order the schema lists its fields (front, back, side), else the text's.
    let mut views: Vec<String> = Vec::new();
    if let Some(Value::Object(properties)) = schema.and_then(|schema| schema.get("properties")) {
        for name in properties.keys() {
            if let Some(view) = VIEW.find(&name.replace('_', " ").to_lowercase()) {
                views.push(view.as_str().to_owned());
            }
        }
    }
    if views.is_empty() {
        for view in VIEW.find_iter(text) {
            if !views.iter().any(|known| known == view.as_str()) {
                views.push(view.as_str().to_owned());
            }
        }
    }
    // Named views fix the count; otherwise the last "N images" (inputs are described first).
    let count = if views.is_empty() {
        IMAGE_COUNT
            .captures_iter(text)
            .last()
            .and_then(|captures| match &captures[1] {
                "one" => Some(1),
                "two" => Some(2),
                "three" => Some(3),
                "four" => Some(4),
                "five" => Some(5),
                "six" => Some(6),
                digits => digits.parse::<usize>().ok(),
            })
            .unwrap_or(1)
    } else {
        views.len()
    }
    .clamp(1, 8);
    let aspect = RATIO
        .captures(text)
        .map(|captures| format!("{}:{}", &captures[1], &captures[2]));
    let images: Vec<Value> = inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| input.kind == ArtifactKind::Image)
        .map(|(index, _)| json!({"$ref": format!("input:{index}")}))
        .collect();
    let steps = (0..count)
        .map(|index| {
            let prompt = match views.get(index) {
                Some(view) => format!("{text}\n\nThis image: the {view} view."),
                None if count > 1 => {
                    format!("{text}\n\nThis image: variation {} of {count}.", index + 1)
                }
                None => text.to_owned(),
            };
            let mut args = json!({"prompt": prompt});
            if let Some(aspect) = &aspect {
                args["aspect"] = json!(aspect);
            }
            let tool = if images.is_empty() {
                "generate_image"
            } else {
                args["images"] = Value::Array(images.clone());
                "edit_image"
            };
            Step {
                id: format!("s{}", index + 1),
                tool: tool.to_owned(),
                args,
            }
        })
        .collect();
    Some(Plan { steps })
}

/// Appends the steps for `tasks`, each image edit working on the previous one's result.
fn chain(
    tasks: &[(usize, Task)],
    sources: &mut Sources,
    steps: &mut Vec<Step>,
    inputs: &[ArtifactMeta],
) -> Result<(), AgentError> {
    for (_, task) in tasks.iter().cloned() {
        let id = format!("s{}", steps.len() + 1);
        let output = |name: &str| json!({"$ref": format!("step:{id}.{name}")});
        let (tool, args, image_out) = match task {
            Task::HideFaces { method, strength } => {
                let image = need(&sources.image, ArtifactKind::Image, "hiding faces", inputs)?;
                (
                    "blur_faces",
                    json!({"image": image, "method": method, "strength": strength}),
                    true,
                )
            }
            Task::RedactPhi => {
                let image = need(&sources.image, ArtifactKind::Image, "removing PHI", inputs)?;
                ("redact_phi", json!({"image": image}), true)
            }
            Task::CropFace => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "cropping to a face",
                    inputs,
                )?;
                (
                    "crop",
                    json!({"image": image, "target": "largest_face"}),
                    true,
                )
            }
            Task::Aspect { ratio, mode } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "changing the aspect ratio",
                    inputs,
                )?;
                (
                    "aspect",
                    json!({"image": image, "ratio": ratio, "mode": mode}),
                    true,
                )
            }
            Task::Thumbnail { max_side } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "making a thumbnail",
                    inputs,
                )?;
                (
                    "thumbnail",
                    json!({"image": image, "max_side": max_side}),
                    true,
                )
            }
            Task::Resize { width, height } => {
                let image = need(&sources.image, ArtifactKind::Image, "resizing", inputs)?;
                let mut args = json!({"image": image, "mode": "fit"});
                if let Some(width) = width {
                    args["width"] = json!(width);
                }
                if let Some(height) = height {
                    args["height"] = json!(height);
                }
                ("resize", args, true)
            }
            Task::Grayscale => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "grayscale conversion",
                    inputs,
                )?;
                ("grayscale", json!({"image": image}), true)
            }
            Task::Rotate { degrees } => {
                let image = need(&sources.image, ArtifactKind::Image, "rotating", inputs)?;
                ("rotate", json!({"image": image, "degrees": degrees}), true)
            }
            Task::DetectFaces { draw } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "face detection",
                    inputs,
                )?;
                (
                    "detect_faces",
                    json!({"image": image, "draw_boxes": draw}),
                    draw,
                )
            }
            Task::DetectObjects { labels, draw } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "object detection",
                    inputs,
                )?;
                (
                    "detect_objects",
                    json!({"image": image, "labels": labels, "draw_boxes": draw}),
                    draw,
                )
            }
            Task::Ocr => {
                let image = need(&sources.image, ArtifactKind::Image, "reading text", inputs)?;
                ("ocr", json!({"image": image}), false)
            }
            Task::RemoveBackground => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "removing the background",
                    inputs,
                )?;
                ("remove_background", json!({"image": image}), true)
            }
            Task::Trim { start_s, end_s } => {
                let video = need(&sources.video, ArtifactKind::Video, "trimming", inputs)?;
                sources.video = Some(output("video"));
                (
                    "trim_video",
                    json!({"video": video, "start_s": start_s, "end_s": end_s}),
                    false,
                )
            }
            Task::ExtractFrames { selection } => {
                let video = need(
                    &sources.video,
                    ArtifactKind::Video,
                    "extracting frames",
                    inputs,
                )?;
                (
                    "extract_frames",
                    json!({"video": video, "selection": selection, "format": "jpeg"}),
                    false,
                )
            }
            Task::ContactSheet { count } => {
                let video = need(
                    &sources.video,
                    ArtifactKind::Video,
                    "a contact sheet",
                    inputs,
                )?;
                let columns = count.clamp(1, 4);
                (
                    "contact_sheet",
                    json!({"video": video, "columns": columns, "count": count, "format": "jpeg"}),
                    true,
                )
            }
            Task::RenderPage { page } => {
                let document = need(
                    &sources.document,
                    ArtifactKind::Document,
                    "rendering a page",
                    inputs,
                )?;
                (
                    "render_pdf_page",
                    json!({"document": document, "page": page}),
                    true,
                )
            }
            Task::Reconstruct { object } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "3D reconstruction",
                    inputs,
                )?;
                let mut args = json!({"image": image});
                if let Some(object) = object {
                    args["object"] = json!(object);
                }
                ("reconstruct_3d", args, false)
            }
        };
        if image_out {
            sources.image = Some(output("image"));
        }
        steps.push(Step {
            id,
            tool: tool.to_owned(),
            args,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use vitrine_store::{ArtifactMeta, MediaInfo, Provenance};
    use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

    use super::*;

    fn input(kind: ArtifactKind) -> ArtifactMeta {
        ArtifactMeta {
            id: ArtifactId::generate(kind),
            session_id: SessionId::generate(),
            tenant: "t".to_owned(),
            kind,
            content_type: "application/octet-stream".to_owned(),
            size: 1,
            sha256: String::new(),
            created_at: 0,
            expires_at: 0,
            media: MediaInfo::default(),
            provenance: Provenance::default(),
            filename: None,
        }
    }

    /// The plan's steps as `(tool, args)` with refs left as written.
    fn plan(instruction: &str, kind: ArtifactKind) -> Vec<(String, Value)> {
        plan_offline(instruction, None, &[input(kind)])
            .unwrap_or_else(|error| panic!("{instruction:?}: {error}"))
            .steps
            .into_iter()
            .map(|step| (step.tool, step.args))
            .collect()
    }

    fn tools(instruction: &str, kind: ArtifactKind) -> Vec<String> {
        plan(instruction, kind)
            .into_iter()
            .map(|(tool, _)| tool)
            .collect()
    }

    #[test]
    fn the_seed_redaction_sentence_chains_strong_face_blur_and_phi_fill() {
        let steps = plan(
            "Blur all faces and remove any PHI from this image.",
            ArtifactKind::Image,
        );
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].0, "blur_faces");
        assert_eq!(steps[0].1["image"], json!({"$ref": "input:0"}));
        assert_eq!(steps[0].1["method"], "blur");
        assert_eq!(steps[0].1["strength"], 2.0);
        assert_eq!(steps[1].0, "redact_phi");
        assert_eq!(steps[1].1["image"], json!({"$ref": "step:s1.image"}));
    }

    #[test]
    fn everyday_phrasings_map_to_the_right_tools() {
        use ArtifactKind::{Document, Image, Video};
        let cases: [(&str, ArtifactKind, &[&str]); 26] = [
            ("Pixelate the faces", Image, &["blur_faces"]),
            ("anonymize everyone's face", Image, &["blur_faces"]),
            (
                "Redact the patient information on this form",
                Image,
                &["redact_phi"],
            ),
            ("Crop to the largest face", Image, &["crop"]),
            ("make a headshot", Image, &["crop"]),
            ("Make a 200px thumbnail", Image, &["thumbnail"]),
            ("Resize to 800x600", Image, &["resize"]),
            ("resize this to 512 px", Image, &["resize"]),
            ("Crop to 9:16", Image, &["aspect"]),
            ("make it square", Image, &["aspect"]),
            ("Convert to grayscale", Image, &["grayscale"]),
            ("make it black and white", Image, &["grayscale"]),
            ("Rotate 45 degrees counterclockwise", Image, &["rotate"]),
            ("Detect faces and draw boxes", Image, &["detect_faces"]),
            ("How many dogs are there?", Image, &["detect_objects"]),
            ("Find all the cars and bicycles", Image, &["detect_objects"]),
            ("OCR the text", Image, &["ocr"]),
            ("What does this sign say?", Image, &["ocr"]),
            ("Remove the background", Image, &["remove_background"]),
            ("Trim the video from 0:05 to 0:12", Video, &["trim_video"]),
            ("Extract 8 frames", Video, &["extract_frames"]),
            ("grab a frame every 2 seconds", Video, &["extract_frames"]),
            ("Make a contact sheet", Video, &["contact_sheet"]),
            ("Render page 3 of this PDF", Document, &["render_pdf_page"]),
            (
                "Generate a 3D reconstruction of the table in the image.",
                Image,
                &["reconstruct_3d"],
            ),
            (
                "crop to the largest face and convert it to grayscale",
                Image,
                &["crop", "grayscale"],
            ),
        ];
        for (instruction, kind, expected) in cases {
            assert_eq!(tools(instruction, kind), expected, "{instruction:?}");
        }
    }

    #[test]
    fn arguments_come_from_the_wording() {
        use ArtifactKind::{Document, Image, Video};
        assert_eq!(plan("Make a 200px thumbnail", Image)[0].1["max_side"], 200);
        let resize = &plan("Resize to 800x600", Image)[0].1;
        assert_eq!(
            (resize["width"].clone(), resize["height"].clone()),
            (json!(800), json!(600))
        );
        assert_eq!(
            plan("resize it to 300 pixels wide", Image)[0].1["width"],
            300
        );
        assert!(
            plan("resize it to 300 pixels wide", Image)[0]
                .1
                .get("height")
                .is_none()
        );
        assert_eq!(
            plan("Rotate 45 degrees counterclockwise", Image)[0].1["degrees"],
            -45.0
        );
        assert_eq!(plan("rotate it", Image)[0].1["degrees"], 90.0);
        assert_eq!(
            plan("turn it upside down, rotate", Image)[0].1["degrees"],
            180.0
        );
        let aspect = &plan("Crop to 9:16", Image)[0].1;
        assert_eq!(
            (aspect["ratio"].clone(), aspect["mode"].clone()),
            (json!("9:16"), json!("crop"))
        );
        assert_eq!(plan("pad it to 16:9", Image)[0].1["mode"], "pad");
        let trim = &plan("Trim the video from 0:05 to 1:02.5", Video)[0].1;
        assert_eq!(
            (trim["start_s"].clone(), trim["end_s"].clone()),
            (json!(5.0), json!(62.5))
        );
        let trim = &plan("cut the clip between 2 and 7 seconds", Video)[0].1;
        assert_eq!(
            (trim["start_s"].clone(), trim["end_s"].clone()),
            (json!(2.0), json!(7.0))
        );
        assert_eq!(
            plan("Extract 8 frames", Video)[0].1["selection"],
            json!({"mode": "evenly", "count": 8})
        );
        assert_eq!(
            plan("grab a frame every 2 seconds", Video)[0].1["selection"],
            json!({"mode": "every", "interval_s": 2.0})
        );
        assert_eq!(
            plan("Make a contact sheet of 9 frames", Video)[0].1["count"],
            9
        );
        assert_eq!(plan("Render page 3 of this PDF", Document)[0].1["page"], 3);
        assert_eq!(plan("show me the first page", Document)[0].1["page"], 1);
        assert_eq!(
            plan(
                "Generate a 3D reconstruction of the table in the image.",
                Image
            )[0]
            .1["object"],
            "table"
        );
        assert!(
            plan("Reconstruct this photo in 3D", Image)[0]
                .1
                .get("object")
                .is_none()
        );
        let detect = &plan("Find all the cars and bicycles", Image)[0].1;
        assert_eq!(detect["labels"], json!(["car", "bicycle"]));
        assert_eq!(plan("Pixelate the faces", Image)[0].1["method"], "pixelate");
    }

    #[test]
    fn the_schema_wording_is_a_fallback_when_the_instruction_is_vague() {
        let schema = json!({"properties": {"grayscale_image": {"description": "the photo in black and white"}}});
        let plan = plan_offline("process this", Some(&schema), &[input(ArtifactKind::Image)])
            .expect("planned from the schema");
        assert_eq!(plan.steps[0].tool, "grayscale");
    }

    #[test]
    fn generation_asks_become_parallel_edit_or_generate_calls() {
        let schema = json!({"properties": {"front": {}, "back": {}, "side": {}}});
        let inputs = [input(ArtifactKind::Image), input(ArtifactKind::Image)];
        let plan = plan_offline(
            "You have two images. Generate a virtual try-on; provide exactly 3 images (9:16 aspect ratio).",
            Some(&schema),
            &inputs,
        )
        .expect("planned");
        assert_eq!(plan.steps.len(), 3);
        let mut views = Vec::new();
        for step in &plan.steps {
            assert_eq!(step.tool, "edit_image");
            assert_eq!(step.args["aspect"], "9:16");
            assert_eq!(
                step.args["images"],
                json!([{"$ref": "input:0"}, {"$ref": "input:1"}])
            );
            let prompt = step.args["prompt"].as_str().expect("prompt");
            let view = ["front", "back", "side"]
                .into_iter()
                .find(|view| prompt.ends_with(&format!("the {view} view.")))
                .expect("a view");
            views.push(view);
        }
        views.sort_unstable();
        assert_eq!(views, ["back", "front", "side"]);
        assert_eq!(plan.final_steps().len(), 3, "independent steps");
        let plan = plan_offline("Generate 2 images of a lighthouse at dusk, 16:9", None, &[])
            .expect("planned");
        assert_eq!(plan.steps.len(), 2);
        assert_eq!(plan.steps[0].tool, "generate_image");
        // "Create" alone with an edit the planner knows stays that edit.
        assert_eq!(tools("Create a 9:16 crop", ArtifactKind::Image), ["aspect"]);
    }

    #[test]
    fn unknown_requests_and_missing_inputs_are_refused() {
        let error = plan_offline("Tell me a joke", None, &[input(ArtifactKind::Image)])
            .expect_err("not understood");
        assert!(matches!(error, AgentError::NotUnderstood { .. }));
        let error = plan_offline("Blur the faces", None, &[]).expect_err("no input");
        assert!(
            error.to_string().contains("no input was attached"),
            "{error}"
        );
        let error = plan_offline("Extract 3 frames", None, &[input(ArtifactKind::Image)])
            .expect_err("no video");
        assert!(error.to_string().contains("needs a video"), "{error}");
    }
}
