//! `detect_faces`: CenterFace boxes as facts, optionally drawn on a copy of the image.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, RgbImage};
use vitrine_media::{AnnotateParams, BoxAnnotation, PixelBox};
use vitrine_store::ArtifactMeta;
use vitrine_vision::{Face, FaceOptions};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `detect_faces`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DetectFacesArgs {
    /// The image to search.
    pub image: ImageRef,
    /// Minimum detector confidence, 0..1; default 0.5.
    #[serde(default = "default_min_score")]
    pub min_score: f32,
    /// Also store a copy of the image with a labelled box around each face; default false.
    #[serde(default)]
    pub draw_boxes: bool,
}

fn default_min_score() -> f32 {
    0.5
}

/// Finds faces.
#[derive(Debug, Clone, Copy, Default)]
pub struct DetectFaces;

/// Runs the face detector on `image` (off the runtime).
pub(crate) async fn find_faces(
    cx: &ToolContext,
    image: vitrine_media::image::RgbImage,
    min_score: f32,
) -> Result<(vitrine_media::image::RgbImage, Vec<Face>), ToolError> {
    let models = cx.models.get().await?;
    io::blocking(move || {
        let options = FaceOptions {
            min_score,
            ..FaceOptions::default()
        };
        let faces = models.detect_faces(&image, &options)?;
        Ok((image, faces))
    })
    .await
}

/// Faces as JSON facts: boxes rounded to a tenth of a pixel, and the same boxes as
/// `regions` that `redact_image`, `crop` and `annotate` accept (`step:s1.facts.regions`).
pub(crate) fn face_facts(faces: &[Face]) -> Value {
    let regions: Vec<Value> = faces.iter().map(|face| region(face.bbox)).collect();
    let faces: Vec<Value> = faces
        .iter()
        .map(|face| json!({"box": round_box(face.bbox), "score": round2(face.score)}))
        .collect();
    json!({"count": faces.len(), "faces": faces, "regions": regions})
}

/// A box as a `Region` JSON value (`{"shape": "box", "x0", "y0", "x1", "y1"}`).
pub(crate) fn region(bbox: [f32; 4]) -> Value {
    let [x0, y0, x1, y1] = round_box(bbox);
    json!({"shape": "box", "x0": x0, "y0": y0, "x1": x1, "y1": y1})
}

pub(crate) fn round_box(bbox: [f32; 4]) -> [f64; 4] {
    bbox.map(|value| (f64::from(value) * 10.0).round() / 10.0)
}

pub(crate) fn round2(value: f32) -> f64 {
    (f64::from(value) * 100.0).round() / 100.0
}

pub(crate) fn pixel_box(bbox: [f32; 4]) -> PixelBox {
    let [x0, y0, x1, y1] = bbox.map(f64::from);
    PixelBox::new(x0, y0, x1, y1)
}

/// A detection drawn in the default style: its box, label and score.
pub(crate) fn labelled_box(bbox: [f32; 4], label: &str, score: f32) -> BoxAnnotation {
    BoxAnnotation {
        bbox: pixel_box(bbox),
        label: Some(label.to_owned()),
        score: Some(f64::from(score)),
        color: None,
    }
}

/// Draws `boxes` on `rgb` off the async runtime and stores it as a detector's `image` output.
pub(crate) async fn boxes_drawn(
    cx: &ToolContext,
    tool: &str,
    args: &Value,
    parent: &ArtifactMeta,
    rgb: RgbImage,
    boxes: Vec<BoxAnnotation>,
) -> Result<MadeArtifact, ToolError> {
    let params = AnnotateParams {
        boxes,
        ..AnnotateParams::default()
    };
    let drawn = io::blocking(move || {
        Ok(vitrine_media::annotate(
            &DynamicImage::ImageRgb8(rgb),
            &params,
        )?)
    })
    .await?;
    let made = io::save_image(
        cx,
        drawn,
        Encoding::Auto,
        io::provenance(tool, &[parent], args),
    )
    .await?;
    Ok(MadeArtifact {
        output: "image".to_owned(),
        meta: made,
    })
}

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "find the faces in an image",
        examples: &[
            "how many faces are there",
            "detect the faces and draw boxes",
            "find every face",
            "are there any faces in this photo?",
        ],
        cues: &[
            &[
                "@find",
                "@count",
                "@draw",
                "is there",
                "are there",
                "any ~ face*",
            ],
            &["face*"],
        ],
        unless: &[
            "@hide",
            // "Lower the face detection confidence to 0.25" tunes a step asked elsewhere.
            "lower ~ confidence",
            "raise ~ confidence",
            "lower ~ threshold",
            "raise ~ threshold",
            "crop*",
            "zoom*",
            // "lower the face detection threshold and blur them": a setting of another step.
            "detection threshold",
            "detection sensitivity",
            // "Every bit of text that could identify someone" says what to hide.
            "could identify",
            "can identify",
            "might identify",
            "that identif*",
            "which identif*",
            // "The faces and any identifying text have to go": removing, not finding.
            "has to go",
            "have to go",
            "must go",
            "need* to go",
            // "So nobody in it can be identified": what hiding should achieve.
            "be identif*",
            "being identif*",
            "over the",
            "over their",
            "over his",
            "over her",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "draw_boxes",
                read: read::draw_boxes,
            },
            Slot {
                arg: "min_score",
                read: read::min_score,
            },
        ],
        chains: false,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| Some(format!("found {}", plural(count(facts), "face", "faces"))),
    facts: &[Fact {
        key: "count",
        kind: FactKind::Count,
        about: &["face"],
    }],
};

#[async_trait]
impl Tool for DetectFaces {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "detect_faces"
    }

    fn description(&self) -> &'static str {
        "Find faces in an image; returns their boxes and count, optionally an image with the boxes drawn."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<DetectFacesArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: DetectFacesArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let (rgb, faces) = find_faces(cx, decoded.into_rgb(), parsed.min_score).await?;
        let facts = face_facts(&faces);
        let mut artifacts = Vec::new();
        if parsed.draw_boxes {
            let boxes = faces
                .iter()
                .map(|face| labelled_box(face.bbox, "face", face.score))
                .collect();
            artifacts.push(boxes_drawn(cx, self.name(), &args, &meta, rgb, boxes).await?);
        }
        Ok(ToolOutput { artifacts, facts })
    }
}
