//! Plain-language summaries of what ran, built only from the tools' facts: the `notes` of a
//! structured answer and the text of a plain one.

use serde_json::Value;
use vitrine_store::ArtifactMeta;

use crate::executor::{ExecutedPlan, ExecutedStep};

fn count(facts: &Value) -> u64 {
    facts.get("count").and_then(Value::as_u64).unwrap_or(0)
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// `{"a": 2, "b": 1}` as "a, b" (or with counts when `with_counts`).
fn tally(map: Option<&Value>, with_counts: bool) -> String {
    let Some(Value::Object(map)) = map else {
        return String::new();
    };
    map.iter()
        .map(|(name, n)| match (with_counts, n.as_u64()) {
            (true, Some(n)) => format!("{n} {name}"),
            _ => name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn size(step: &ExecutedStep) -> String {
    match (
        step.facts.get("width").and_then(Value::as_u64),
        step.facts.get("height").and_then(Value::as_u64),
    ) {
        (Some(width), Some(height)) => format!("{width}×{height}"),
        _ => String::new(),
    }
}

/// " (N pixels inside)" from a mask tool's `area`, or nothing.
fn mask_area(facts: &Value) -> String {
    facts
        .get("area")
        .and_then(Value::as_u64)
        .map_or_else(String::new, |area| {
            format!(" ({})", plural(area, "pixel inside", "pixels inside"))
        })
}

/// One clause about one step, e.g. "blurred 3 faces".
fn clause(step: &ExecutedStep) -> Option<String> {
    let facts = &step.facts;
    let n = count(facts);
    Some(match step.tool.as_str() {
        "blur_faces" => {
            let verb = match facts.get("method").and_then(Value::as_str) {
                Some("pixelate") => "pixelated",
                Some("fill") => "blacked out",
                _ => "blurred",
            };
            if n == 0 {
                "found no faces to hide".to_owned()
            } else {
                format!("{verb} {}", plural(n, "face", "faces"))
            }
        }
        "redact_phi" => {
            if n == 0 {
                "found no PHI in the image's text".to_owned()
            } else {
                format!(
                    "painted over {} ({})",
                    plural(n, "PHI finding", "PHI findings"),
                    tally(facts.get("kinds"), false)
                )
            }
        }
        "detect_faces" => format!("found {}", plural(n, "face", "faces")),
        "detect_objects" => {
            if n == 0 {
                "detected no objects".to_owned()
            } else {
                format!(
                    "detected {} ({})",
                    plural(n, "object", "objects"),
                    tally(facts.get("labels"), true)
                )
            }
        }
        "ocr" => {
            if n == 0 {
                "found no text".to_owned()
            } else {
                format!("read {}", plural(n, "line of text", "lines of text"))
            }
        }
        "crop" => {
            if facts.get("face_box").is_some() {
                format!("cropped to the largest face ({})", crop_size(facts))
            } else {
                format!("cropped to {}", crop_size(facts))
            }
        }
        "resize" => format!("resized to {}", size(step)),
        "thumbnail" => format!("made a {} thumbnail", size(step)),
        "aspect" => format!("brought the image to {} ({})", ratio(step), size(step)),
        "grayscale" => "converted the image to grayscale".to_owned(),
        "rotate" => format!(
            "rotated the image by {}°",
            step.args
                .get("degrees")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        ),
        "annotate" => "drew the annotations".to_owned(),
        "redact_image" => {
            let regions = facts.get("regions").and_then(Value::as_u64).unwrap_or(0);
            match facts.get("mask_area").and_then(Value::as_u64) {
                Some(area) if regions == 0 => format!("hid the masked area ({area} pixels)"),
                Some(area) => format!(
                    "hid {} and the masked area ({area} pixels)",
                    plural(regions, "region", "regions")
                ),
                None => format!("hid {}", plural(regions, "region", "regions")),
            }
        }
        "remove_background" => format!(
            "removed the background ({:.0}% of the image kept as foreground)",
            facts
                .get("foreground_fraction")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                * 100.0
        ),
        "trim_video" => format!(
            "trimmed the video to {:.2} s",
            facts
                .get("duration_s")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        ),
        "extract_frames" => format!("extracted {}", plural(n, "frame", "frames")),
        "contact_sheet" => format!("made a contact sheet of {}", plural(n, "frame", "frames")),
        "render_pdf_page" => format!(
            "rendered page {} of the PDF",
            facts.get("page").and_then(Value::as_u64).unwrap_or(0)
        ),
        "pdf_info" => format!(
            "the PDF has {}",
            plural(
                facts.get("pages").and_then(Value::as_u64).unwrap_or(0),
                "page",
                "pages"
            )
        ),
        "transcode_video" => format!(
            "re-encoded the video as a browser-playable H.264 MP4 ({}, {:.2} s)",
            size(step),
            seconds(facts)
        ),
        "frames_to_video" => format!(
            "made a {:.2} s video of {}",
            seconds(facts),
            plural(
                facts.get("frames").and_then(Value::as_u64).unwrap_or(0),
                "frame",
                "frames"
            )
        ),
        "combine_images" => format!(
            "put {} on one {} sheet",
            plural(
                facts.get("images").and_then(Value::as_u64).unwrap_or(0),
                "image",
                "images"
            ),
            size(step)
        ),
        "tile_image" => format!("cut the image into {}", plural(n, "tile", "tiles")),
        "overlay_image" => match facts.get("overlay_box").and_then(Value::as_array) {
            Some(edges) if edges.len() == 4 => {
                let edge = |index: usize| edges[index].as_i64().unwrap_or(0);
                format!(
                    "pasted the overlay onto the image at ({}, {})–({}, {})",
                    edge(0),
                    edge(1),
                    edge(2),
                    edge(3)
                )
            }
            _ => "pasted the overlay onto the image".to_owned(),
        },
        "mask_ops" => {
            let what = match facts.get("operation").and_then(Value::as_str) {
                Some("invert") => "inverted the mask",
                Some("feather") => "feathered the mask's edge",
                Some("threshold") => "thresholded the mask",
                Some("intersect") => "intersected the masks",
                Some("subtract") => "subtracted the masks",
                _ => "combined the masks",
            };
            format!("{what}{}", mask_area(facts))
        }
        "mask_to_image" => format!("turned the mask into an image{}", mask_area(facts)),
        "image_to_mask" => {
            let from = match facts.get("from").and_then(Value::as_str) {
                Some("alpha") => "transparency",
                _ => "brightness",
            };
            format!("made a mask from the image's {from}{}", mask_area(facts))
        }
        "reconstruct_3d" => {
            let what = match facts.get("object_label").and_then(Value::as_str) {
                Some(label) => format!("the {label}"),
                None => "the scene".to_owned(),
            };
            let depth = match facts.get("depth_source").and_then(Value::as_str) {
                Some(source) if source.starts_with("depth provider") => {
                    format!("depth from the {source}")
                }
                _ => "depth is a layout-based approximation".to_owned(),
            };
            format!(
                "reconstructed {what} as {} ({depth})",
                plural(
                    facts.get("gaussians").and_then(Value::as_u64).unwrap_or(0),
                    "gaussian splat",
                    "gaussian splats"
                )
            )
        }
        "estimate_depth" => format!(
            "estimated a {} depth map with the {}",
            size(step),
            facts
                .get("depth_source")
                .and_then(Value::as_str)
                .unwrap_or("depth provider")
        ),
        "detect_open_vocab" => {
            let asked = step.args.get("labels").map_or_else(String::new, |labels| {
                let names: Vec<&str> = labels
                    .as_array()
                    .map(|list| list.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                names.join(" or ")
            });
            if n == 0 {
                format!("found no {asked}")
            } else {
                let cropped = if step.args.get("crop") == Some(&Value::Bool(true)) {
                    " and cropped to the best match"
                } else {
                    ""
                };
                format!("found {}{cropped}", tally(facts.get("labels"), true))
            }
        }
        _ => return None,
    })
}

fn seconds(facts: &Value) -> f64 {
    facts
        .get("duration_s")
        .and_then(Value::as_f64)
        .unwrap_or(0.0)
}

fn crop_size(facts: &Value) -> String {
    let crop = facts.get("crop");
    match (
        crop.and_then(|c| c.get("width")).and_then(Value::as_u64),
        crop.and_then(|c| c.get("height")).and_then(Value::as_u64),
    ) {
        (Some(width), Some(height)) => format!("{width}×{height}"),
        _ => "a region".to_owned(),
    }
}

fn ratio(step: &ExecutedStep) -> String {
    step.args
        .get("ratio")
        .and_then(Value::as_str)
        .unwrap_or("the requested ratio")
        .to_owned()
}

/// A sentence about everything that ran, e.g. "Blurred 3 faces and painted over 2 PHI
/// findings (name, date of birth)."
pub fn sentence(plan: &ExecutedPlan) -> String {
    let clauses: Vec<String> = plan.steps.iter().filter_map(clause).collect();
    let joined = match clauses.len() {
        0 => "Done".to_owned(),
        1 => clauses[0].clone(),
        n => format!("{} and {}", clauses[..n - 1].join(", "), clauses[n - 1]),
    };
    let mut chars = joined.chars();
    let capitalised = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("{capitalised}.")
}

/// A plain-text answer: the sentence, any text read, and the refs made (the `vlmrun` CLI
/// downloads every id it finds in the text).
pub fn plain_answer(plan: &ExecutedPlan, made: &[ArtifactMeta]) -> String {
    let mut answer = sentence(plan);
    if let Some(text) = plan
        .facts_of("ocr")
        .and_then(|facts| facts.get("text"))
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
    {
        answer.push_str("\n\nText found:\n");
        answer.push_str(text);
    }
    let finals: Vec<&ArtifactMeta> = made
        .iter()
        .filter(|meta| plan.final_refs.contains(&meta.id.to_string()))
        .collect();
    if !finals.is_empty() {
        answer.push_str("\n\n");
        answer.push_str(if finals.len() == 1 {
            "Result: "
        } else {
            "Results: "
        });
        let list: Vec<String> = finals
            .iter()
            .map(|meta| {
                let dims = match (meta.media.width, meta.media.height) {
                    (Some(width), Some(height)) => format!(", {width}×{height}"),
                    _ => String::new(),
                };
                format!("{} ({}{dims})", meta.id, meta.content_type)
            })
            .collect();
        answer.push_str(&list.join(", "));
        answer.push('.');
    }
    answer
}
