//! Image generation asks ("generate a virtual try-on ... front, back and side at 9:16").

use serde_json::{Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use super::patterns::{GENERATE, IMAGE_COUNT, RATIO, RECON, VIEW};
use crate::plan::{Plan, Step};

/// Image generation ("generate a virtual try-on ... front, back and side at 9:16"): one
/// `edit_image` call per view (from every attached image) or `generate_image` without inputs;
/// the calls share nothing, so they run in parallel.
pub(super) fn generation_plan(
    text: &str,
    schema: Option<&Value>,
    inputs: &[ArtifactMeta],
) -> Option<Plan> {
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
