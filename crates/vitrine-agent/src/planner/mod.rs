//! The offline planner: maps an instruction (and, as a fallback, the response schema's field
//! names and descriptions) onto a plan over the tool catalog, without any model.
//!
//! It recognises a fixed set of tasks by their wording, orders them as they appear in the
//! sentence, and chains image edits so that each works on the previous result. Anything it does
//! not recognise is refused with [`AgentError::NotUnderstood`], listing what it can do: it never
//! guesses a plan.

mod generation;
mod patterns;
mod providers;
mod tasks;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use crate::error::AgentError;
use crate::plan::{Plan, Step, with_article};
use generation::generation_plan;
use patterns::{REF_ID, STRONG_GENERATE};
use tasks::{Task, tasks};

/// What the offline planner can do, for the "not understood" message.
pub const CAPABILITIES: &str = "blur or pixelate faces; remove PHI (names, dates, ids, phone numbers, addresses) from an image; \
both at once (\"Blur all faces and remove any PHI from this image\"); crop to the largest face; \
make a thumbnail or resize to N px; crop or pad to an aspect ratio such as 9:16; convert to grayscale; \
rotate by N degrees; detect faces or objects and draw boxes; read the text (OCR); remove the background; \
trim a video from A to B seconds; extract N frames from a video; make a contact sheet of a video; \
render page K of a PDF; make a PDF of images; extract the audio of a video as MP3; \
make a thumbnail of a video; blur the faces in a video; transcode a video to a browser-playable MP4; \
make a video (slideshow) from images; count the pages of a PDF; put images side by side, stacked or in a grid; \
slice an image into tiles; blur, pixelate or black out an area (\"pixelate 10,10,200,200\", \"black out the top half\"); \
put one image on another (\"put the logo on the first image at the bottom right, 50% opacity\", \"overlay the second image on the first at 20,30\"); \
make a mask from an image (its transparency or brightness), invert, feather, threshold, combine, intersect or subtract masks, turn a mask into an image; \
make a 3D reconstruction (of an object) from a photo; \
generate or edit images with a configured image provider (e.g. a virtual try-on in front, back and side views); \
estimate a depth map with a configured depth provider; find, box or crop to things outside the 80 COCO classes with a configured detection provider";

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
    mask: Option<Value>,
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
                mask: None,
            };
            chain(&found, &mut sources, &mut steps, inputs)?;
        }
    } else {
        let mut sources = Sources {
            image: input_ref(inputs, ArtifactKind::Image),
            video: input_ref(inputs, ArtifactKind::Video),
            document: input_ref(inputs, ArtifactKind::Document),
            mask: input_ref(inputs, ArtifactKind::Array),
        };
        chain(&found, &mut sources, &mut steps, inputs)?;
    }
    Ok(Plan { steps })
}

/// Every attached input of `kind`, as refs in order.
fn all_inputs(inputs: &[ArtifactMeta], kind: ArtifactKind) -> Vec<Value> {
    inputs
        .iter()
        .enumerate()
        .filter(|(_, input)| input.kind == kind)
        .map(|(index, _)| json!({"$ref": format!("input:{index}")}))
        .collect()
}

/// The images a many-image tool (a PDF, a video, a sheet) takes: straight from the inputs,
/// every attached image in order; after an edit, the edited image.
fn image_list(image: Value, inputs: &[ArtifactMeta]) -> Vec<Value> {
    if Some(&image) == input_ref(inputs, ArtifactKind::Image).as_ref() {
        all_inputs(inputs, ArtifactKind::Image)
    } else {
        vec![image]
    }
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
                sources.mask = Some(output("mask"));
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
            Task::HideFacesVideo { method, strength } => {
                let video = need(
                    &sources.video,
                    ArtifactKind::Video,
                    "hiding faces in a video",
                    inputs,
                )?;
                sources.video = Some(output("video"));
                (
                    "blur_faces_video",
                    json!({"video": video, "method": method, "strength": strength}),
                    false,
                )
            }
            Task::ExtractAudio => {
                let video = need(
                    &sources.video,
                    ArtifactKind::Video,
                    "extracting the audio",
                    inputs,
                )?;
                ("extract_audio", json!({"video": video}), false)
            }
            Task::VideoThumbnail { max_side } => {
                let video = need(
                    &sources.video,
                    ArtifactKind::Video,
                    "a video thumbnail",
                    inputs,
                )?;
                (
                    "video_thumbnail",
                    json!({"video": video, "max_side": max_side}),
                    true,
                )
            }
            Task::Provider(task) => {
                let image = need(&sources.image, ArtifactKind::Image, "this request", inputs)?;
                let (tool, args, chained) = providers::step(&task, image);
                if let Some(name) = chained {
                    sources.image = Some(output(name));
                }
                (tool, args, false)
            }
            Task::ImagesToPdf => {
                let image = need(&sources.image, ArtifactKind::Image, "making a PDF", inputs)?;
                let images = image_list(image, inputs);
                sources.document = Some(output("document"));
                ("images_to_pdf", json!({"images": images}), false)
            }
            Task::Transcode => {
                let video = need(&sources.video, ArtifactKind::Video, "transcoding", inputs)?;
                sources.video = Some(output("video"));
                ("transcode_video", json!({"video": video}), false)
            }
            Task::FramesToVideo { fps } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "making a video from images",
                    inputs,
                )?;
                let images = image_list(image, inputs);
                sources.video = Some(output("video"));
                (
                    "frames_to_video",
                    json!({"images": images, "fps": fps}),
                    false,
                )
            }
            Task::PdfInfo => {
                let document = need(
                    &sources.document,
                    ArtifactKind::Document,
                    "counting pages",
                    inputs,
                )?;
                ("pdf_info", json!({"document": document}), false)
            }
            Task::Combine { layout, columns } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "combining images",
                    inputs,
                )?;
                let mut args = json!({"images": image_list(image, inputs), "layout": layout});
                if let Some(columns) = columns {
                    args["columns"] = json!(columns);
                }
                ("combine_images", args, true)
            }
            Task::Tile { rows, columns } => {
                let image = need(&sources.image, ArtifactKind::Image, "slicing", inputs)?;
                (
                    "tile_image",
                    json!({"image": image, "rows": rows, "columns": columns}),
                    false,
                )
            }
            Task::RedactRegion { region, method } => {
                let image = need(
                    &sources.image,
                    ArtifactKind::Image,
                    "hiding an area",
                    inputs,
                )?;
                (
                    "redact_image",
                    json!({"image": image, "regions": [region], "method": method}),
                    true,
                )
            }
            Task::Overlay {
                first_on_top,
                anchor,
                x,
                y,
                opacity,
            } => {
                let images = all_inputs(inputs, ArtifactKind::Image);
                let [first, second, ..] = &images[..] else {
                    return Err(AgentError::WrongInput(format!(
                        "pasting one image on another needs two images as input, but {}",
                        describe_inputs(inputs)
                    )));
                };
                let (mut base, top) = if first_on_top {
                    (second.clone(), first.clone())
                } else {
                    (first.clone(), second.clone())
                };
                // "Make it grayscale and put the logo on it": the edited first image is the base.
                if !first_on_top
                    && let Some(edited) = &sources.image
                    && edited != first
                {
                    base = edited.clone();
                }
                let mut args = json!({"base": base, "overlay": top, "x": x, "y": y});
                if let Some(anchor) = anchor {
                    args["anchor"] = json!(anchor);
                }
                if let Some(opacity) = opacity {
                    args["opacity"] = json!(opacity);
                }
                ("overlay_image", args, true)
            }
            Task::MaskOp {
                operation,
                radius,
                level,
            } => {
                let mask = need(
                    &sources.mask,
                    ArtifactKind::Array,
                    "a mask operation",
                    inputs,
                )?;
                // Set operations take every attached mask; the others the latest one.
                let masks = if matches!(operation, "union" | "intersect" | "subtract")
                    && Some(&mask) == input_ref(inputs, ArtifactKind::Array).as_ref()
                {
                    all_inputs(inputs, ArtifactKind::Array)
                } else {
                    vec![mask]
                };
                let mut args = json!({"operation": operation, "masks": masks});
                if let Some(radius) = radius {
                    args["radius"] = json!(radius);
                }
                if let Some(level) = level {
                    args["level"] = json!(level);
                }
                sources.mask = Some(output("mask"));
                ("mask_ops", args, false)
            }
            Task::MaskToImage => {
                let mask = need(&sources.mask, ArtifactKind::Array, "showing a mask", inputs)?;
                ("mask_to_image", json!({"mask": mask}), true)
            }
            Task::ImageToMask { source } => {
                let image = need(&sources.image, ArtifactKind::Image, "making a mask", inputs)?;
                let mut args = json!({"image": image});
                if let Some(source) = source {
                    args["source"] = json!(source);
                }
                sources.mask = Some(output("mask"));
                ("image_to_mask", args, false)
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
