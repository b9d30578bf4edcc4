//! `estimate_depth`: a depth map from the configured depth provider, stored as an `arr_` `.npy`
//! (float32, the provider's values) with a false-colour `img_` preview (bright is near).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::DynamicImage;
use vitrine_media::{NpyArray, false_color};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Clause, Input, Intent, Meaning, size};
use crate::providers::ProviderKind;
use crate::providers::depth::DepthKind;
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `estimate_depth`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct EstimateDepthArgs {
    /// The photo.
    pub image: ImageRef,
}

/// Estimates depth with a depth model behind the configured provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct EstimateDepth;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "estimate a depth map (needs a depth provider)",
        examples: &[
            "estimate the depth of this image",
            "make a depth map",
            "how far away is everything",
        ],
        cues: &[&["depth*", "disparity", "distance map", "how far"]],
        unless: &["depth of field"],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[],
        chains: false,
        accept: Some(beside_a_reconstruction),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "estimated a {} depth map with the {}",
            size(facts),
            facts
                .get("depth_source")
                .and_then(Value::as_str)
                .unwrap_or("depth provider")
        ))
    },
    facts: &[],
};

/// Beside a 3D reconstruction, depth is a step only when asked as a thing of its own ("a 3D
/// model of the vase and, separately, a depth map"), not the depth the reconstruction uses.
fn beside_a_reconstruction(clause: &Clause) -> bool {
    !clause.has_any(&["3d", "reconstruct*", "splat*", "spz"])
        || clause.has_any(&[
            "and ~ depth map*",
            "and ~ ~ depth map*",
            "and ~ ~ ~ depth map*",
            "and ~ depth estimat*",
            "and ~ ~ depth estimat*",
            "a depth map ~ and",
            "a depth map and",
        ])
}

#[async_trait]
impl Tool for EstimateDepth {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "estimate_depth"
    }

    fn description(&self) -> &'static str {
        "Estimate a per-pixel depth map of a photo with the configured depth model: a float32 .npy array and a colour preview (bright is near)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<EstimateDepthArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[
            OutputSpec::one("depth", ArtifactKind::Array),
            OutputSpec::one("image", ArtifactKind::Image),
        ];
        OUTPUTS
    }

    fn requires(&self) -> Option<ProviderKind> {
        Some(ProviderKind::Depth)
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: EstimateDepthArgs = io::parse_args(self.name(), &args)?;
        let client = cx.depth()?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let (_, estimate) = client.estimate(decoded.into_rgb()).await?;
        let (width, height, kind) = (estimate.width, estimate.height, estimate.kind);
        let (low, high) = estimate
            .values
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(low, high), &v| {
                (low.min(v), high.max(v))
            });
        let (array, preview) = io::blocking(move || {
            let array = NpyArray::from_f32(width, height, estimate.values)?;
            let mut gray = array.to_normalized_gray()?;
            if kind == DepthKind::Metric {
                // Bright is near in the preview, whatever the values mean.
                gray.pixels_mut()
                    .for_each(|pixel| pixel.0[0] = 255 - pixel.0[0]);
            }
            let preview = DynamicImage::ImageRgb8(false_color(&gray));
            Ok((array, preview))
        })
        .await?;
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let depth = io::save_array(cx, array, provenance.clone(), "depth.npy").await?;
        let image = io::save_image(cx, preview, Encoding::Png, provenance).await?;
        Ok(ToolOutput {
            artifacts: vec![
                MadeArtifact {
                    output: "depth".to_owned(),
                    meta: depth,
                },
                MadeArtifact {
                    output: "image".to_owned(),
                    meta: image,
                },
            ],
            facts: json!({
                "width": width,
                "height": height,
                "depth_source": format!("depth provider at {}", client.base_url()),
                "kind": kind.as_str(),
                "meaning": kind.describe(),
                "min": low,
                "max": high,
            }),
        })
    }
}
