//! Recognising tasks in an instruction: which edits, analyses or conversions it asks for, with
//! their arguments, in the order the sentence names them.

use regex::Regex;
use serde_json::{Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use super::patterns::*;

/// One recognised task and where its wording starts in the text.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Task {
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
    HideFacesVideo {
        method: &'static str,
        strength: f64,
    },
    ExtractAudio,
    VideoThumbnail {
        max_side: u32,
    },
    ImagesToPdf,
    Transcode,
    FramesToVideo {
        fps: f64,
    },
    PdfInfo,
    Combine {
        layout: &'static str,
        columns: Option<u32>,
    },
    Tile {
        rows: u32,
        columns: u32,
    },
    RedactRegion {
        region: Value,
        method: &'static str,
    },
    Overlay {
        /// The first attached image goes on top of the second (else the second on the first).
        first_on_top: bool,
        anchor: Option<&'static str>,
        x: i64,
        y: i64,
        opacity: Option<f64>,
    },
    MaskOp {
        operation: &'static str,
        radius: Option<f64>,
        level: Option<u8>,
    },
    MaskToImage,
    ImageToMask {
        source: Option<&'static str>,
    },
    Provider(super::providers::ProviderTask),
}

impl Task {
    /// True for tasks whose input is an image.
    pub(super) fn works_on_images(&self) -> bool {
        !matches!(
            self,
            Task::Trim { .. }
                | Task::ExtractFrames { .. }
                | Task::ContactSheet { .. }
                | Task::RenderPage { .. }
                | Task::HideFacesVideo { .. }
                | Task::ExtractAudio
                | Task::VideoThumbnail { .. }
                | Task::ImagesToPdf
                | Task::Transcode
                | Task::FramesToVideo { .. }
                | Task::PdfInfo
                | Task::Combine { .. }
                | Task::Overlay { .. }
                | Task::MaskOp { .. }
                | Task::MaskToImage
        )
    }
}

pub(super) fn first(pattern: &Regex, text: &str) -> Option<usize> {
    pattern.find(text).map(|found| found.start())
}

pub(super) fn number<T: std::str::FromStr>(text: Option<regex::Match<'_>>) -> Option<T> {
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
pub(super) fn coco_names(text: &str) -> Vec<String> {
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
pub(super) fn tasks(text: &str, inputs: &[ArtifactMeta]) -> Vec<(usize, Task)> {
    let has = |kind: ArtifactKind| inputs.iter().any(|input| input.kind == kind);
    let mut found: Vec<(usize, Task)> = Vec::new();
    let face = first(&FACE, text);
    let hide = HIDE.is_match(text);
    let phi = first(&PHI, text).or_else(|| {
        // "redact this form": redaction with no faces or area named means the text.
        if face.is_none() && named_region(text).is_none() {
            first(&REDACT, text)
        } else {
            None
        }
    });
    let crop_face = first(&CROP_FACE, text);
    let recon = first(&RECON, text);
    // A contact sheet of images (no video) is a grid of them: `media_tasks` plans that.
    let contact =
        first(&CONTACT, text).filter(|_| has(ArtifactKind::Video) || !has(ArtifactKind::Image));
    // A video and no image (or a video named in the text): face hiding and thumbnails work on
    // the clip.
    let on_video = has(ArtifactKind::Video)
        && (!has(ArtifactKind::Image) || text.contains("video") || text.contains("clip"));

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
        let strength = if strong { 2.0 } else { 1.5 };
        if on_video {
            found.push((at, Task::HideFacesVideo { method, strength }));
        } else {
            found.push((at, Task::HideFaces { method, strength }));
        }
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
            .find(|side| *side >= 16);
        if on_video {
            found.push((
                at,
                Task::VideoThumbnail {
                    max_side: max_side.unwrap_or(512),
                },
            ));
        } else {
            found.push((
                at,
                Task::Thumbnail {
                    max_side: max_side.unwrap_or(256),
                },
            ));
        }
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
        && !found.iter().any(|(_, task)| {
            matches!(
                task,
                Task::HideFaces { .. } | Task::HideFacesVideo { .. } | Task::CropFace
            )
        })
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
        && !makes_video_from_images(text, inputs)
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
        && !PAGE_COUNT.is_match(text)
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
    if let Some(at) = first(&AUDIO, text)
        && AUDIO_VERB.is_match(text)
        && (has(ArtifactKind::Video) || text.contains("video") || text.contains("clip"))
    {
        found.push((at, Task::ExtractAudio));
    }
    if let Some(at) = first(&MAKE_PDF, text)
        && has(ArtifactKind::Image)
        && !has(ArtifactKind::Document)
    {
        found.push((at, Task::ImagesToPdf));
    }
    media_tasks(text, inputs, &mut found);
    found.extend(super::providers::tasks(text, &found));
    found.sort_by_key(|(at, _)| *at);
    found
}

/// "Make a video/slideshow of these images": images in, no video.
fn makes_video_from_images(text: &str, inputs: &[ArtifactMeta]) -> bool {
    let has = |kind: ArtifactKind| inputs.iter().any(|input| input.kind == kind);
    has(ArtifactKind::Image) && !has(ArtifactKind::Video) && MAKE_VIDEO.is_match(text)
}

/// The area of the image a sentence names, as a `Region` JSON value, and where it starts:
/// four numbers (`10,10,200,200`: pixels, or fractions when all are at most 1) or a part
/// such as "the top half" or "the left 20%".
pub(super) fn named_region(text: &str) -> Option<(usize, Value)> {
    if let Some(captures) = BOX_NUMBERS.captures(text) {
        let edges: Vec<f64> = (1..=4)
            .filter_map(|index| number::<f64>(captures.get(index)))
            .collect();
        if let [x0, y0, x1, y1] = edges[..] {
            let fractions = edges.iter().all(|edge| *edge <= 1.0)
                && captures.get(0).is_some_and(|m| m.as_str().contains('.'));
            let shape = if fractions { "norm_box" } else { "box" };
            return Some((
                captures.get(0).map_or(0, |m| m.start()),
                json!({"shape": shape, "x0": x0, "y0": y0, "x1": x1, "y1": y1}),
            ));
        }
    }
    let captures = IMAGE_PART.captures(text)?;
    let fraction = match &captures[2] {
        "half" => 0.5,
        "third" => 1.0 / 3.0,
        "quarter" => 0.25,
        "fifth" => 0.2,
        _ => number::<f64>(captures.get(3))? / 100.0,
    };
    if !(fraction > 0.0 && fraction <= 1.0) {
        return None;
    }
    let far = 1.0 - fraction;
    let [x0, y0, x1, y1] = match &captures[1] {
        "top" | "upper" => [0.0, 0.0, 1.0, fraction],
        "bottom" | "lower" => [0.0, far, 1.0, 1.0],
        "left" => [0.0, 0.0, fraction, 1.0],
        _ => [far, 0.0, 1.0, 1.0],
    };
    Some((
        captures.get(0).map_or(0, |m| m.start()),
        json!({"shape": "norm_box", "x0": x0, "y0": y0, "x1": x1, "y1": y1}),
    ))
}

/// `rows × columns` for "a 3x2 grid" (columns × rows, as sizes are written), "into 6 tiles"
/// (the squarest split) or "quadrants"; 2×2 by default.
fn tile_shape(text: &str) -> (u32, u32) {
    if let Some(captures) = GRID_SHAPE.captures(text)
        && let (Some(columns), Some(rows)) = (number(captures.get(1)), number(captures.get(2)))
    {
        return (rows, columns);
    }
    if let Some(count) = PIECE_COUNT
        .captures(text)
        .and_then(|c| number::<u32>(c.get(1)))
        .filter(|count| *count > 0)
    {
        let rows = (1..=count)
            .take_while(|rows| rows * rows <= count)
            .filter(|rows| count % rows == 0)
            .last()
            .unwrap_or(1);
        return (rows, count / rows);
    }
    (2, 2)
}

/// The media toolkit's routes: transcoding, images to a video, page counts, putting images
/// side by side or in a grid, slicing into tiles, hiding a named area, pasting one image on
/// another, and making, reshaping and showing masks.
fn media_tasks(text: &str, inputs: &[ArtifactMeta], found: &mut Vec<(usize, Task)>) {
    let has = |kind: ArtifactKind| inputs.iter().any(|input| input.kind == kind);
    if let Some(at) = first(&TRANSCODE, text)
        && has(ArtifactKind::Video)
    {
        found.push((at, Task::Transcode));
    }
    if let Some(at) = first(&MAKE_VIDEO, text)
        && makes_video_from_images(text, inputs)
    {
        let fps = FPS
            .captures(text)
            .and_then(|c| number::<f64>(c.get(1)))
            .or_else(|| {
                SECONDS_EACH
                    .captures(text)
                    .and_then(|c| number::<f64>(c.get(1)).or_else(|| number(c.get(2))))
                    .filter(|seconds| *seconds > 0.0)
                    .map(|seconds| 1.0 / seconds)
            })
            .unwrap_or(2.0);
        found.push((at, Task::FramesToVideo { fps }));
    }
    if let Some(at) = first(&PAGE_COUNT, text)
        && (has(ArtifactKind::Document) || text.contains("pdf"))
    {
        found.push((at, Task::PdfInfo));
    }
    let tile = first(&TILE, text).filter(|_| has(ArtifactKind::Image));
    if let Some(at) = tile {
        let (rows, columns) = tile_shape(text);
        found.push((at, Task::Tile { rows, columns }));
    }
    if let Some(at) = first(&COMBINE, text)
        && tile.is_none()
        && has(ArtifactKind::Image)
        && !has(ArtifactKind::Video)
    {
        let layout = if STACK.is_match(text) {
            "stack"
        } else if SIDE_BY_SIDE.is_match(text) {
            "side_by_side"
        } else {
            "grid"
        };
        let columns = COLUMNS
            .captures(text)
            .and_then(|c| number(c.get(1)))
            .or_else(|| GRID_SHAPE.captures(text).and_then(|c| number(c.get(1))));
        found.push((at, Task::Combine { layout, columns }));
    }
    if (HIDE.is_match(text) || REDACT.is_match(text))
        && !FACE.is_match(text)
        && let Some((at, region)) = named_region(text)
    {
        let method = if text.contains("pixel") {
            "pixelate"
        } else if FILL.is_match(text) {
            "fill"
        } else {
            "blur"
        };
        found.push((at, Task::RedactRegion { region, method }));
    }
    let many_images = found.iter().any(|(_, task)| {
        matches!(
            task,
            Task::Combine { .. }
                | Task::Tile { .. }
                | Task::ImagesToPdf
                | Task::FramesToVideo { .. }
        )
    });
    let images = inputs
        .iter()
        .filter(|input| input.kind == ArtifactKind::Image)
        .count();
    if let Some(at) = first(&OVERLAY, text)
        && images >= 2
        && !many_images
    {
        found.push((at, overlay(text)));
    }
    mask_tasks(text, inputs, found);
}

/// "Put the logo (second image) on the first at the bottom right, 50% opacity".
fn overlay(text: &str) -> Task {
    let first_on_top = OVERLAY_ORDER.captures(text).is_some_and(|captures| {
        matches!(&captures[1], "first" | "1st") && matches!(&captures[2], "second" | "2nd")
    });
    let anchor = CORNER.captures(text).map(|captures| {
        match (
            captures.get(1).map(|m| m.as_str()),
            captures.get(2).map(|m| m.as_str()),
        ) {
            (Some("top" | "upper"), Some("left")) => "top_left",
            (Some("top" | "upper"), Some(_)) => "top_right",
            (Some(_), Some("left")) => "bottom_left",
            (Some(_), Some(_)) => "bottom_right",
            _ => "center",
        }
    });
    // An explicit point, else a margin from the corner, else flush.
    let (x, y) = AT_POINT
        .captures(text)
        .and_then(|c| Some((number(c.get(1))?, number(c.get(2))?)))
        .or_else(|| {
            MARGIN
                .captures(text)
                .and_then(|c| number(c.get(1)).or_else(|| number(c.get(2))))
                .map(|margin| (margin, margin))
        })
        .unwrap_or((0, 0));
    let opacity = OPACITY.captures(text).and_then(|captures| {
        if captures.get(4).is_some() {
            return Some(0.5);
        }
        if let Some(fraction) = number::<f64>(captures.get(3)) {
            return Some(fraction);
        }
        let percent = number::<f64>(captures.get(1))? / 100.0;
        let transparent = captures.get(2)?.as_str().starts_with("transparen");
        Some(if transparent { 1.0 - percent } else { percent })
    });
    Task::Overlay {
        first_on_top,
        anchor,
        x,
        y,
        // Hundredths: "70% transparent" is 0.3, not 0.30000000000000004.
        opacity: opacity.map(|opacity| (opacity.clamp(0.0, 1.0) * 100.0).round() / 100.0),
    }
}

/// The mask operations by their wording; each one named is a step, in sentence order.
fn mask_operations() -> [(&'static str, &'static Regex); 6] {
    [
        ("invert", &MASK_INVERT),
        ("feather", &MASK_FEATHER),
        ("threshold", &MASK_THRESHOLD),
        ("intersect", &MASK_INTERSECT),
        ("subtract", &MASK_SUBTRACT),
        ("union", &MASK_UNION),
    ]
}

/// Masks: made from an image, reshaped or combined, shown as an image. The operations need a
/// mask to work on: an attached array, or one an earlier step makes.
fn mask_tasks(text: &str, inputs: &[ArtifactMeta], found: &mut Vec<(usize, Task)>) {
    if !MASK.is_match(text) {
        return;
    }
    let has = |kind: ArtifactKind| inputs.iter().any(|input| input.kind == kind);
    let to_mask = first(&IMAGE_TO_MASK, text).filter(|_| has(ArtifactKind::Image));
    if let Some(at) = to_mask {
        let source = if MASK_FROM_ALPHA.is_match(text) {
            Some("alpha")
        } else if MASK_FROM_LUMA.is_match(text) {
            Some("luminance")
        } else {
            None
        };
        found.push((at, Task::ImageToMask { source }));
    }
    let made = to_mask.is_some()
        || found
            .iter()
            .any(|(_, task)| matches!(task, Task::RemoveBackground));
    if !has(ArtifactKind::Array) && !made {
        return;
    }
    for (operation, pattern) in mask_operations() {
        let Some(at) = first(pattern, text) else {
            continue;
        };
        let after = &text[at..];
        let radius = MASK_RADIUS
            .captures(after)
            .and_then(|c| number(c.get(1)))
            .filter(|_| operation == "feather");
        let level = MASK_LEVEL
            .captures(after)
            .and_then(|c| number(c.get(1)))
            .filter(|_| operation == "threshold");
        found.push((
            at,
            Task::MaskOp {
                operation,
                radius,
                level,
            },
        ));
    }
    if let Some(at) = first(&MASK_TO_IMAGE, text) {
        found.push((at, Task::MaskToImage));
    }
}
