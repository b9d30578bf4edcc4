//! Asks served by external providers: "estimate the depth of this image" → `estimate_depth`;
//! "find / box / crop to the <thing>" where the thing is not one of the 80 COCO classes →
//! `detect_open_vocab`. The plan names the tool either way; when its provider is not
//! configured, the agent refuses it before anything runs with an error naming `--depth-url`
//! or `--detect-url`.

use serde_json::{Value, json};

use super::patterns::RECON;
use super::tasks::{Task, coco_names};

/// A task for a provider-backed tool.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum ProviderTask {
    /// A depth map of the image.
    EstimateDepth,
    /// Things named in free text, boxed, or cropped to the best match.
    FindByName { labels: Vec<String>, crop: bool },
}

macro_rules! pattern {
    ($name:ident, $pattern:literal) => {
        static $name: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new($pattern).unwrap_or_else(|error| panic!("bad pattern: {error}"))
        });
    };
}

pattern!(DEPTH, r"\b(depth|disparity)\b");
pattern!(
    FIND_THING,
    r"\b(find|locate|detect|spot|box|highlight|mark|outline|crop(?: it| the image| the photo)? to|zoom (?:in )?(?:on|to)|where(?:'s| is| are))\s+(?:all |every |each |any )?(?:the |a |an |my )?([a-z][a-z' -]{1,40}?)(?:\s+(?:in|from|on|within)\s+(?:this|the|that|my|it)\b|[.,;!?]|$)"
);

/// Words that name what other tasks handle (faces, text, the whole picture, ...).
const NOT_A_THING: [&str; 16] = [
    "face",
    "text",
    "word",
    "writing",
    "object",
    "thing",
    "item",
    "phi",
    "pii",
    "image",
    "photo",
    "picture",
    "background",
    "depth",
    "frame",
    "page",
];

/// The provider-backed tasks in `text`, given the tasks already `found`.
pub(super) fn tasks(text: &str, found: &[(usize, Task)]) -> Vec<(usize, Task)> {
    let mut more = Vec::new();
    let recon = RECON.is_match(text);
    if let Some(at) = DEPTH.find(text).map(|m| m.start())
        && !recon
    {
        more.push((at, Task::Provider(ProviderTask::EstimateDepth)));
    }
    let detecting = found.iter().any(|(_, task)| {
        matches!(
            task,
            Task::DetectObjects { .. } | Task::DetectFaces { .. } | Task::CropFace | Task::Ocr
        )
    });
    if let Some(captures) = FIND_THING.captures(text)
        && !detecting
        && !recon
    {
        let thing = captures[2].trim();
        let is_other = NOT_A_THING.iter().any(|word| thing.contains(word));
        if !is_other && coco_names(thing).is_empty() {
            let labels: Vec<String> = thing
                .split(" and ")
                .flat_map(|part| part.split(", "))
                .flat_map(|part| part.split(" or "))
                .map(|label| label.trim().to_owned())
                .filter(|label| !label.is_empty())
                .collect();
            let verb = &captures[1];
            let crop = verb.starts_with("crop") || verb.starts_with("zoom");
            more.push((
                captures.get(0).map_or(0, |m| m.start()),
                Task::Provider(ProviderTask::FindByName { labels, crop }),
            ));
        }
    }
    more
}

/// The tool and arguments for a provider task on `image`, and the output that later image
/// edits should work on, if any.
pub(super) fn step(
    task: &ProviderTask,
    image: Value,
) -> (&'static str, Value, Option<&'static str>) {
    match task {
        ProviderTask::FindByName { labels, crop: true } => (
            "detect_open_vocab",
            json!({"image": image, "labels": labels, "crop": true, "draw_boxes": false}),
            Some("crop"),
        ),
        ProviderTask::FindByName { labels, .. } => (
            "detect_open_vocab",
            json!({"image": image, "labels": labels}),
            None,
        ),
        ProviderTask::EstimateDepth => ("estimate_depth", json!({"image": image}), None),
    }
}
