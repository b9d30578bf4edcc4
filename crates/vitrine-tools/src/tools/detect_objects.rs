//! `detect_objects`: NanoDet COCO-80 detections as facts, drawn on a copy of the image.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_vision::{Detection, ObjectOptions};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read, tally};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{boxes_drawn, labelled_box, round_box, round2};
use vitrine_wire::ArtifactKind;

/// Arguments of `detect_objects`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DetectObjectsArgs {
    /// The image to search.
    pub image: ImageRef,
    /// Only these kinds of object, by name ("dog", "people", "table"); names are mapped onto
    /// the 80 COCO classes. Default: every class.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Minimum confidence, 0..1; default 0.3.
    #[serde(default = "default_min_score")]
    pub min_score: f32,
    /// Also store a copy of the image with labelled boxes; default true.
    #[serde(default = "yes")]
    pub draw_boxes: bool,
}

fn default_min_score() -> f32 {
    0.3
}

fn yes() -> bool {
    true
}

/// Finds objects.
#[derive(Debug, Clone, Copy, Default)]
pub struct DetectObjects;

/// Maps free-text names onto COCO labels, failing on the first that has none.
pub(crate) fn coco_labels(names: &[String]) -> Result<Vec<&'static str>, ToolError> {
    names
        .iter()
        .map(|name| {
            vitrine_vision::match_coco_label(name).ok_or_else(|| {
                ToolError::InvalidArguments {
                    tool: "detect_objects",
                    message: format!(
                        "`labels` entry `{name}` is not one of the 80 COCO object classes the detector knows"
                    ),
                }
            })
        })
        .collect()
}

/// Runs the object detector (off the runtime).
pub(crate) async fn find_objects(
    cx: &ToolContext,
    image: vitrine_media::image::RgbImage,
    min_score: f32,
) -> Result<(vitrine_media::image::RgbImage, Vec<Detection>), ToolError> {
    let models = cx.models.get().await?;
    io::blocking(move || {
        let options = ObjectOptions {
            min_score,
            ..ObjectOptions::default()
        };
        let found = models.detect_objects(&image, &options)?;
        Ok((image, found))
    })
    .await
}

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "detect common objects (80 COCO classes) and count or box them",
        examples: &[
            "how many people are in this picture",
            "count the cars",
            "detect the objects and draw boxes",
            "find the dogs",
            "is there a laptop on the desk?",
        ],
        cues: &[&[
            "@find",
            "@count",
            "@draw",
            "is there",
            "are there",
            // "Can you see any dogs in it?"
            "can you see",
            "could you see",
            "do you see",
            "is anyone",
            "is anybody",
            "is someone",
            "is somebody",
            "what objects",
            "what things",
            "which objects",
            "list ~ objects",
            "list ~ things",
            "any",
        ]],
        // "Tall phone format 9:16" names a shape, not a phone in the picture.
        unless: &[
            // "Show the hoodie worn by the person in image 1": a try-on, not a search.
            "show ~ worn by",
            "show ~ worn on",
            "see ~ worn by",
            "see ~ worn on",
            "phone format",
            "phone screen",
            "phone size*",
            "phone wallpaper",
            // "A red umbrella": a thing by its colour is open-vocabulary, not a class count.
            "red",
            "blue",
            "green",
            "yellow",
            "orange",
            "purple",
            "pink",
            "brown",
            "@hide",
            // "I'd like to see where things changed": a comparison.
            "changed",
            "differen*",
            // "Remove any phone numbers": taking away is never a search.
            "@remove",
            "read*",
            "3d",
            "reconstruct*",
            "splat*",
            "face*",
            "who",
            // "Nobody in the family recognises the woman": who she is, not a search.
            "nobody ~ recogni*",
            "no one ~ recogni*",
            "on the person",
            "on the model",
            "on her",
            "on him",
            "on me",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "labels",
                read: read::labels,
            },
            Slot {
                arg: "draw_boxes",
                read: read::draw_boxes,
            },
        ],
        chains: false,
        accept: Some(|clause| {
            // "9:16 for my phone": a thing named only in the purpose is not looked for.
            (!read::coco_names(clause.ask().before_purpose()).is_empty()
                || clause.has_any(&["object*", "things", "items"])
                || clause.has_any(read::SOMEONE))
                && !crate::tools::detect_open_vocab::asks_about_worn_thing(clause)
                && !crate::tools::detect_open_vocab::names_a_coloured_class(clause)
        }),
        merges: true,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let n = count(facts);
        Some(if n == 0 {
            "detected no objects".to_owned()
        } else {
            format!(
                "detected {} ({})",
                plural(n, "object", "objects"),
                tally(facts.get("labels"), true)
            )
        })
    },
    facts: &[
        Fact {
            key: "count",
            kind: FactKind::Count,
            about: &["object", "detection", "item", "thing", "person", "people"],
        },
        Fact {
            key: "labels",
            kind: FactKind::Labels,
            about: &["label", "class", "object", "categor"],
        },
    ],
};

#[async_trait]
impl Tool for DetectObjects {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "detect_objects"
    }

    fn description(&self) -> &'static str {
        "Detect common objects (80 COCO classes: person, car, dog, dining table, ...) and draw labelled boxes."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<DetectObjectsArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: DetectObjectsArgs = io::parse_args(self.name(), &args)?;
        let wanted = coco_labels(&parsed.labels)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let (rgb, found) = find_objects(cx, decoded.into_rgb(), parsed.min_score).await?;
        let found: Vec<Detection> = found
            .into_iter()
            .filter(|detection| wanted.is_empty() || wanted.contains(&detection.label.as_str()))
            .collect();
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for detection in &found {
            *counts.entry(detection.label.clone()).or_default() += 1;
        }
        let facts = json!({
            "count": found.len(),
            "labels": counts,
            "objects": found
                .iter()
                .map(|detection| json!({
                    "label": detection.label,
                    "box": round_box(detection.bbox),
                    "score": round2(detection.score),
                }))
                .collect::<Vec<_>>(),
            "regions": found
                .iter()
                .map(|detection| crate::tools::detect_faces::region(detection.bbox))
                .collect::<Vec<_>>(),
        });
        let mut artifacts = Vec::new();
        if parsed.draw_boxes {
            let boxes = found
                .iter()
                .map(|detection| labelled_box(detection.bbox, &detection.label, detection.score))
                .collect();
            artifacts.push(boxes_drawn(cx, self.name(), &args, &meta, rgb, boxes).await?);
        }
        Ok(ToolOutput { artifacts, facts })
    }
}
