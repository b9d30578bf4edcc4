//! `reconstruct_3d`: a single-photo gaussian splat (SPZ) of the scene or of one object in it,
//! with a PNG preview.
//!
//! Depth comes from the configured depth provider (a real monocular depth model) when there is
//! one, else from the scene layout (`vitrine_splat::estimate_layout_depth`), an approximation;
//! `depth_source` in the facts says which. With an `object`, NanoDet finds its box and
//! `refine_mask_from_box` cuts it out, so the splat holds only that object.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::DynamicImage;
use vitrine_splat::{
    Camera, DepthMap, ReconstructParams, SpzWriteOptions, estimate_layout_depth, reconstruct,
    refine_mask_from_box, render_preview, write_spz,
};
use vitrine_store::MediaInfo;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Input, Intent, Meaning, Slot, plural, read};
use crate::providers::depth::{DepthEstimate, DepthKind};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{round_box, round2};
use crate::tools::detect_objects::find_objects;

/// Arguments of `reconstruct_3d`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct Reconstruct3dArgs {
    /// The photo.
    pub image: ImageRef,
    /// The object to reconstruct, by name ("table", "chair", "car"); mapped onto the 80 COCO
    /// classes. Omit to reconstruct the whole scene.
    #[serde(default)]
    pub object: Option<String>,
    /// Where depth comes from: `auto` (default) uses the configured depth provider and falls
    /// back to the layout estimate when there is none; `provider` requires the provider;
    /// `layout` forces the classical estimate from scene layout (an approximation).
    #[serde(default)]
    pub depth: DepthSource,
}

/// The source of depth for a reconstruction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DepthSource {
    /// The depth provider when one is configured, else the layout estimate.
    #[default]
    Auto,
    /// The configured depth provider; fails when none is configured.
    Provider,
    /// The classical estimate from scene layout, even when a provider is configured.
    Layout,
}

/// Where relative inverse depth is placed: nearest (98th percentile) and farthest (2nd) in
/// metres. Relative depth has no scale, so any range is an assumption; this one suits a room or
/// a street scene, and the facts say so.
const RELATIVE_RANGE_M: (f32, f32) = (1.0, 10.0);

/// What the provider's depth is, once placed in the scene, for the facts.
fn depth_meaning(kind: DepthKind) -> String {
    match kind {
        DepthKind::Metric => "metric depth from the depth provider, in metres".to_owned(),
        DepthKind::RelativeInverse => {
            let (near, far) = RELATIVE_RANGE_M;
            format!(
                "relative inverse depth from the depth provider, placed between {near} m and {far} m (shapes follow the model; the absolute scale is assumed)"
            )
        }
    }
}

/// The provider's map as depth along the camera axis.
fn provider_depth_map(estimate: DepthEstimate) -> Result<DepthMap, ToolError> {
    let DepthEstimate {
        width,
        height,
        values,
        kind,
    } = estimate;
    Ok(match kind {
        DepthKind::Metric => DepthMap::new(width, height, values)?,
        DepthKind::RelativeInverse => {
            let (near, far) = RELATIVE_RANGE_M;
            DepthMap::from_relative_inverse(width, height, &values, near, far)?
        }
    })
}

/// Reconstructs photos in 3D.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reconstruct3d;

/// Width and height of the preview render.
const PREVIEW: (u32, u32) = (640, 480);

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "reconstruct a photo, or one object in it, in 3D (gaussian splat, SPZ)",
        examples: &[
            "make a 3D reconstruction of the table",
            "reconstruct the chair in 3D",
            "I want the sofa as an SPZ",
            "turn this scene into a gaussian splat",
            "a 3D model of only the person",
        ],
        cues: &[&[
            "3d",
            "3 d",
            "reconstruct*",
            "rebuild ~ in space",
            "gaussian*",
            "splat*",
            "point cloud*",
            "spz",
            "ply",
            "three dimension*",
            "volumetric",
            "mesh*",
            "nerf",
            "depth model",
        ]],
        unless: &[],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[Slot {
            arg: "object",
            read: read::object,
        }],
        chains: false,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let what = match facts.get("object_label").and_then(Value::as_str) {
            Some(label) => format!("the {label}"),
            None => "the scene".to_owned(),
        };
        let depth = match facts.get("depth_source").and_then(Value::as_str) {
            Some(source) if source.starts_with("depth provider") => {
                format!("depth from the {source}")
            }
            _ => "depth is a layout-based estimate".to_owned(),
        };
        Some(format!(
            "reconstructed {what} as {} ({depth})",
            plural(
                facts.get("gaussians").and_then(Value::as_u64).unwrap_or(0),
                "gaussian splat",
                "gaussian splats"
            )
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for Reconstruct3d {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "reconstruct_3d"
    }

    fn description(&self) -> &'static str {
        "Reconstruct a photo (or one object in it, e.g. object=table) as a 3D gaussian splat (SPZ) with a preview image; depth comes from the configured depth model, else it is an approximation from scene layout."
    }

    fn toolset(&self) -> Toolset {
        Toolset::WorldGen
    }

    fn parameters(&self) -> Value {
        io::schema_of::<Reconstruct3dArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[
            OutputSpec::one("recon", ArtifactKind::Recon),
            OutputSpec::one("preview", ArtifactKind::Image),
        ];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: Reconstruct3dArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let mut rgb = decoded.into_rgb();
        let mut facts = json!({});
        let mut object_box = None;
        if let Some(object) = parsed.object.as_deref() {
            facts["object"] = json!(object);
            match vitrine_vision::match_coco_label(object) {
                None => {
                    facts["object_found"] = json!(false);
                    facts["object_note"] = json!(format!(
                        "`{object}` is not one of the 80 object classes the detector knows, so the whole scene was reconstructed"
                    ));
                }
                Some(label) => {
                    facts["object_label"] = json!(label);
                    let (image, found) = find_objects(cx, rgb, 0.2).await?;
                    rgb = image;
                    let best = found
                        .into_iter()
                        .filter(|detection| detection.label == label)
                        .max_by(|a, b| a.score.total_cmp(&b.score));
                    match best {
                        Some(detection) => {
                            facts["object_found"] = json!(true);
                            facts["box"] = json!(round_box(detection.bbox));
                            facts["score"] = json!(round2(detection.score));
                            object_box = Some(detection.bbox);
                        }
                        None => {
                            facts["object_found"] = json!(false);
                            facts["object_note"] = json!(format!(
                                "no {label} was detected in the image, so the whole scene was reconstructed"
                            ));
                            facts.as_object_mut().map(|map| map.remove("object_label"));
                        }
                    }
                }
            }
        }
        let use_provider = match parsed.depth {
            DepthSource::Auto => cx.depth.is_some(),
            DepthSource::Provider => true,
            DepthSource::Layout => false,
        };
        let mut provider_depth = None;
        if use_provider {
            let client = cx.depth()?;
            let (image, estimate) = client.estimate(rgb).await?;
            rgb = image;
            facts["depth_source"] = json!(format!("depth provider at {}", client.base_url()));
            facts["depth"] = json!(depth_meaning(estimate.kind));
            provider_depth = Some(estimate);
        } else {
            facts["depth_source"] = json!("layout approximation");
            facts["depth"] = json!(
                "approximation from the scene layout (no depth model); distances are plausible, not measured"
            );
        }
        let (spz, preview, gaussians, mask_fraction) = io::blocking(move || {
            let mask = match object_box {
                Some(bbox) => Some(refine_mask_from_box(&rgb, bbox)?),
                None => None,
            };
            let mask_fraction = mask.as_ref().map(|mask| {
                let kept = mask.pixels().filter(|pixel| pixel.0[0] >= 128).count();
                let fraction = kept as f64 / (f64::from(mask.width()) * f64::from(mask.height()));
                (fraction * 1000.0).round() / 1000.0
            });
            let boxes: Vec<[f32; 4]> = object_box.into_iter().collect();
            let depth = match provider_depth {
                Some(estimate) => provider_depth_map(estimate)?,
                None => estimate_layout_depth(&rgb, &boxes, mask.as_ref())?,
            };
            let splats = reconstruct(
                &rgb,
                &depth,
                mask.as_ref(),
                &Camera::default(),
                &ReconstructParams::default(),
            )?;
            let spz = write_spz(&splats, &SpzWriteOptions::default())?;
            let preview = render_preview(&splats, PREVIEW.0, PREVIEW.1, 25.0, 15.0);
            Ok((
                spz,
                DynamicImage::ImageRgb8(preview),
                splats.len(),
                mask_fraction,
            ))
        })
        .await?;
        facts["gaussians"] = json!(gaussians);
        if let Some(fraction) = mask_fraction {
            facts["object_fraction"] = json!(fraction);
        }
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let recon = io::save_bytes(
            cx,
            &spz,
            ArtifactKind::Recon,
            "application/octet-stream",
            MediaInfo::default(),
            provenance.clone(),
            Some("reconstruction.spz".to_owned()),
        )
        .await?;
        let preview = io::save_image(cx, preview, Encoding::Png, provenance).await?;
        Ok(ToolOutput {
            artifacts: vec![
                MadeArtifact {
                    output: "recon".to_owned(),
                    meta: recon,
                },
                MadeArtifact {
                    output: "preview".to_owned(),
                    meta: preview,
                },
            ],
            facts,
        })
    }
}
