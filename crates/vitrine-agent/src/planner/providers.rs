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
            Task::DetectObjects { .. }
                | Task::DetectFaces { .. }
                | Task::CropFace
                | Task::Ocr
                | Task::Aspect { .. }
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
                .map(|label| {
                    let label = label.trim();
                    ["the ", "a ", "an ", "any ", "all ", "my "]
                        .iter()
                        .find_map(|article| label.strip_prefix(article))
                        .unwrap_or(label)
                        .to_owned()
                })
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

#[cfg(test)]
mod tests {
    use serde_json::json;
    use vitrine_wire::ArtifactKind::Image;

    use crate::planner::plan_offline;
    use crate::planner::tests::{input, plan};

    #[test]
    fn depth_asks_become_estimate_depth() {
        for ask in [
            "Estimate the depth of this image",
            "make a depth map",
            "what is the disparity map of this photo?",
        ] {
            let steps = plan(ask, Image);
            assert_eq!(steps.len(), 1, "{ask}");
            assert_eq!(steps[0].0, "estimate_depth", "{ask}");
            assert_eq!(steps[0].1, json!({"image": {"$ref": "input:0"}}), "{ask}");
        }
        // 3D reconstruction uses depth itself.
        let steps = plan("Make a 3D reconstruction of the table using depth", Image);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].0, "reconstruct_3d");
    }

    #[test]
    fn things_outside_coco_go_to_the_open_vocabulary_detector() {
        let steps = plan("Find the paper lantern in this photo", Image);
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].0, "detect_open_vocab");
        assert_eq!(steps[0].1["labels"], json!(["paper lantern"]));
        let steps = plan("Box the price tags and the barcode", Image);
        assert_eq!(steps[0].1["labels"], json!(["price tags", "barcode"]));
        // Cropping chains: the next edit works on the crop.
        let steps = plan("Crop to the sticky note, then convert to grayscale", Image);
        let names: Vec<&str> = steps.iter().map(|(tool, _)| tool.as_str()).collect();
        assert_eq!(names, ["detect_open_vocab", "grayscale"]);
        assert_eq!(steps[0].1["crop"], json!(true));
        assert_eq!(steps[1].1["image"], json!({"$ref": "step:s1.crop"}));
    }

    #[test]
    fn coco_things_faces_and_text_keep_their_own_tools() {
        for (ask, tool) in [
            ("Find the dog", "detect_objects"),
            ("find the dining table", "detect_objects"),
            ("Find the red umbrella in this photo", "detect_objects"),
            ("Find the faces", "detect_faces"),
            ("Crop to a square", "aspect"),
            ("crop it to 9:16 for stories", "aspect"),
        ] {
            let steps = plan(ask, Image);
            assert_eq!(steps.len(), 1, "{ask}: {steps:?}");
            assert_eq!(steps[0].0, tool, "{ask}");
        }
        assert!(plan_offline("Tell me a joke", None, &[input(Image)]).is_err());
    }
}
