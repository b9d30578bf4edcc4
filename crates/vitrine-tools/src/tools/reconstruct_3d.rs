//! `reconstruct_3d`: a single-photo gaussian splat (SPZ) of the scene or of one object in it,
//! with a PNG preview.
//!
//! Depth comes from the configured depth provider (a real monocular depth model) when there is
//! one, else from the scene layout (`vitrine_splat::estimate_layout_depth`), an approximation;
//! `depth_source` in the facts says which. With an `object`, NanoDet finds its box and
//! `refine_mask_from_box` cuts it out (people by the selfie matte, which also removes them
//! from an object they stand in front of), so the splat holds only that object; the layout
//! estimate then gives it volume from its class (`vitrine_splat::ObjectClass`).

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::DynamicImage;
use vitrine_media::image::{GrayImage, Luma, RgbImage};
use vitrine_splat::{
    Camera, CameraHeightSource, DepthMap, LayoutEstimate, LayoutObject, LayoutParams, ObjectClass,
    ReconstructParams, SpzWriteOptions, estimate_layout_depth, reconstruct, refine_mask_from_box,
    remove_people, render_preview, write_spz,
};
use vitrine_store::MediaInfo;
use vitrine_vision::Models;
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
/// Yaw and pitch of the preview's viewpoint: turned and raised enough that depth shows.
const PREVIEW_VIEW_DEG: (f32, f32) = (35.0, 20.0);

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
            // Not "gaussian" alone: "Gaussian-blur the faces" is a blur.
            "gaussian splat*",
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
        let use_provider = match parsed.depth {
            DepthSource::Auto => cx.depth.is_some(),
            DepthSource::Provider => true,
            DepthSource::Layout => false,
        };
        let mut cutout: Option<Cutout> = None;
        if let Some(object) = parsed.object.as_deref() {
            facts["object"] = json!(object);
            match vitrine_vision::match_coco_label(object) {
                // Asked for one object, never answer with the whole scene instead.
                None => {
                    return Err(ToolError::NothingFound(format!(
                        "`{object}` is not one of the 80 object classes the shipped detector knows, so it cannot be cut out for 3D; ask for the whole scene (\"reconstruct this photo in 3D\") or name a common object in it"
                    )));
                }
                Some(label) => {
                    facts["object_label"] = json!(label);
                    let (image, found) = find_objects(cx, rgb, 0.2).await?;
                    rgb = image;
                    let best = found
                        .iter()
                        .filter(|detection| detection.label == label)
                        .max_by(|a, b| a.score.total_cmp(&b.score));
                    match best {
                        Some(detection) => {
                            facts["object_found"] = json!(true);
                            facts["box"] = json!(round_box(detection.bbox));
                            facts["score"] = json!(round2(detection.score));
                            let bbox = detection.bbox;
                            let others = found
                                .iter()
                                .filter(|other| other.bbox != bbox)
                                .filter(|other| {
                                    other.label != "person" || other.score >= PERSON_SCORE
                                })
                                .map(|other| (other.bbox, ObjectClass::from_label(&other.label)))
                                .collect();
                            cutout = Some(Cutout {
                                focus: Some((bbox, ObjectClass::from_label(label))),
                                others,
                                models: None,
                            });
                        }
                        None => {
                            let seen: BTreeSet<&str> = found
                                .iter()
                                .map(|detection| detection.label.as_str())
                                .collect();
                            let seen = if seen.is_empty() {
                                "nothing the detector knows".to_owned()
                            } else {
                                seen.into_iter().collect::<Vec<_>>().join(", ")
                            };
                            return Err(ToolError::NothingFound(format!(
                                "no {label} was found in the image (found: {seen}), so there is nothing to reconstruct in 3D; ask for the whole scene or for something in the picture"
                            )));
                        }
                    }
                }
            }
        }
        // A whole scene without a depth model: what the detector finds stands out of the ground
        // and backdrop, people in front.
        if cutout.is_none() && !use_provider {
            let (image, found) = find_objects(cx, rgb, SCENE_SCORE).await?;
            rgb = image;
            let image_area = rgb.width() as f32 * rgb.height() as f32;
            let others: Vec<([f32; 4], ObjectClass)> = found
                .iter()
                .filter(|d| (d.bbox[2] - d.bbox[0]) * (d.bbox[3] - d.bbox[1]) >= 0.01 * image_area)
                .take(SCENE_OBJECTS)
                .map(|d| (d.bbox, ObjectClass::from_label(&d.label)))
                .collect();
            if !others.is_empty() {
                facts["objects_given_volume"] = json!(others.len());
                cutout = Some(Cutout {
                    focus: None,
                    others,
                    models: None,
                });
            }
        }
        // People need the selfie matte: for their own mask, and to cut them out of an object
        // they stand in front of.
        if let Some(cutout) = cutout.as_mut()
            && cutout.needs_person_matte()
        {
            cutout.models = Some(cx.models.get().await?);
        }
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
        }
        let built = io::blocking(move || {
            let cut = cutout.as_ref().map(|cutout| cutout.cut(&rgb)).transpose()?;
            let mask = cut
                .as_ref()
                .and_then(|cut| cut.focus.as_ref())
                .map(|f| &f.2);
            let mask_fraction = mask.map(|mask| {
                let kept = mask.pixels().filter(|pixel| pixel.0[0] >= 128).count();
                let fraction = kept as f64 / (f64::from(mask.width()) * f64::from(mask.height()));
                (fraction * 1000.0).round() / 1000.0
            });
            let (depth, layout) = match provider_depth {
                Some(estimate) => (provider_depth_map(estimate)?, None),
                None => {
                    let objects = cut.as_ref().map(Cut::layout_objects).unwrap_or_default();
                    let estimate = estimate_layout_depth(&rgb, &objects, &LayoutParams::default())?;
                    let focus_class = cut.as_ref().and_then(|cut| cut.focus.as_ref()).map(|f| f.1);
                    let layout = LayoutFacts::of(&estimate, focus_class);
                    (estimate.depth, Some(layout))
                }
            };
            let splats = reconstruct(
                &rgb,
                &depth,
                mask,
                &Camera::default(),
                &ReconstructParams::default(),
            )?;
            let spz = write_spz(&splats, &SpzWriteOptions::default())?;
            let preview = render_preview(
                &splats,
                PREVIEW.0,
                PREVIEW.1,
                PREVIEW_VIEW_DEG.0,
                PREVIEW_VIEW_DEG.1,
            );
            Ok(Built {
                spz,
                preview: DynamicImage::ImageRgb8(preview),
                gaussians: splats.len(),
                mask_fraction,
                layout,
            })
        })
        .await?;
        facts["gaussians"] = json!(built.gaussians);
        if let Some(fraction) = built.mask_fraction {
            facts["object_fraction"] = json!(fraction);
        }
        if let Some(layout) = built.layout {
            facts["depth"] = json!(layout.describe());
            facts["camera_height_m"] = json!(round2(layout.camera_height));
            facts["camera_height_from"] = json!(layout.camera_height_from);
            facts["camera_pitch_deg"] = json!(round2(layout.pitch_deg));
        }
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let recon = io::save_bytes(
            cx,
            &built.spz,
            ArtifactKind::Recon,
            "application/octet-stream",
            MediaInfo::default(),
            provenance.clone(),
            Some("reconstruction.spz".to_owned()),
        )
        .await?;
        let preview = io::save_image(cx, built.preview, Encoding::Png, provenance).await?;
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

/// What the blocking part hands back.
struct Built {
    spz: Vec<u8>,
    preview: DynamicImage,
    gaussians: usize,
    mask_fraction: Option<f64>,
    layout: Option<LayoutFacts>,
}

/// What the facts say about a layout estimate, so the answer is plain that it is one.
struct LayoutFacts {
    camera_height: f32,
    camera_height_from: &'static str,
    pitch_deg: f32,
    shape: Option<&'static str>,
}

impl LayoutFacts {
    fn of(estimate: &LayoutEstimate, class: Option<ObjectClass>) -> Self {
        Self {
            camera_height: estimate.camera_height,
            camera_height_from: match estimate.camera_height_source {
                CameraHeightSource::Given => "given",
                CameraHeightSource::People => "the people in the photo (taken as 1.7 m tall)",
                _ => "assumed (a photo taken standing)",
            },
            pitch_deg: estimate.pitch_deg,
            shape: class.map(|class| match class {
                ObjectClass::Table | ObjectClass::Bed => {
                    "a horizontal top at the class's typical height, receding to the box's far edge, on legs"
                }
                ObjectClass::Chair | ObjectClass::Sofa => {
                    "a horizontal seat at the class's typical height with a back rest behind it"
                }
                _ => "an upright body standing where its box meets the ground, rounded by the class's typical proportions",
            }),
        }
    }

    fn describe(&self) -> String {
        let mut text = "estimate from the scene layout, not measured (no depth model): the horizon sets the camera pitch, the camera height sets the scale".to_owned();
        if let Some(shape) = self.shape {
            text.push_str("; the object is modelled as ");
            text.push_str(shape);
            text.push_str(", with its unseen back left open");
        }
        text
    }
}

/// The object to reconstruct (if any) and the other detections around it.
struct Cutout {
    /// The object's box and class; `None` for a whole scene.
    focus: Option<([f32; 4], ObjectClass)>,
    /// Every other detection: its box and shape family.
    others: Vec<([f32; 4], ObjectClass)>,
    /// Loaded when the selfie matte is needed.
    models: Option<Arc<Models>>,
}

/// Person detections below this score are not worth a matte.
const PERSON_SCORE: f32 = 0.3;
/// Detections below this score do not get volume in a whole-scene reconstruction.
const SCENE_SCORE: f32 = 0.35;
/// At most this many objects get volume in a whole scene (each costs a mask refinement).
const SCENE_OBJECTS: usize = 6;

impl Cutout {
    fn needs_person_matte(&self) -> bool {
        let mut people = self
            .others
            .iter()
            .filter(|(_, class)| *class == ObjectClass::Person);
        match self.focus {
            Some((_, ObjectClass::Person)) => true,
            Some((bbox, _)) => people.any(|(other, _)| overlap(*other, bbox)),
            None => people.next().is_some(),
        }
    }

    /// The object's mask (a person's from the selfie matte, anything else's from its box and
    /// colours, minus the people in front of it), and the objects around it that the layout
    /// needs: what it stands on and the people (who also tell the camera height); for a whole
    /// scene, every detection.
    fn cut(&self, rgb: &RgbImage) -> Result<Cut, ToolError> {
        let matte = match &self.models {
            Some(models) => Some(models.segment_person(rgb)?),
            None => None,
        };
        let mask_of = |bbox: [f32; 4], class: ObjectClass| -> Result<GrayImage, ToolError> {
            if class == ObjectClass::Person
                && let Some(mask) = matte
                    .as_ref()
                    .map(|matte| within_box(matte, bbox))
                    .filter(|mask| covers_enough(mask, bbox))
            {
                return Ok(mask);
            }
            let mut mask = refine_mask_from_box(rgb, bbox)?;
            if let Some(matte) = &matte {
                remove_people(&mut mask, &[matte])?;
            }
            Ok(mask)
        };
        let focus = match self.focus {
            Some((bbox, class)) => Some((bbox, class, mask_of(bbox, class)?)),
            None => None,
        };
        let mut context = Vec::new();
        for &(bbox, class) in &self.others {
            let wanted = match &focus {
                None => true,
                Some((focus_box, _, _)) => {
                    let bottom_centre = [0.5 * (focus_box[0] + focus_box[2]), focus_box[3]];
                    class == ObjectClass::Person
                        || (class.is_support()
                            && (bbox[0]..bbox[2]).contains(&bottom_centre[0])
                            && (bbox[1]..bbox[3]).contains(&bottom_centre[1]))
                }
            };
            if !wanted {
                continue;
            }
            let mut mask = mask_of(bbox, class)?;
            // The object's own pixels are its own, whatever box overlaps them.
            if let Some((_, _, focus_mask)) = &focus {
                remove_people(&mut mask, &[focus_mask])?;
            }
            context.push((bbox, class, mask));
        }
        Ok(Cut { focus, context })
    }
}

/// The object's mask and its context, ready for the layout estimate.
struct Cut {
    focus: Option<([f32; 4], ObjectClass, GrayImage)>,
    context: Vec<([f32; 4], ObjectClass, GrayImage)>,
}

impl Cut {
    fn layout_objects(&self) -> Vec<LayoutObject<'_>> {
        self.focus
            .iter()
            .chain(&self.context)
            .map(|(bbox, class, mask)| LayoutObject {
                bbox: *bbox,
                class: *class,
                mask: Some(mask),
            })
            .collect()
    }
}

fn overlap(a: [f32; 4], b: [f32; 4]) -> bool {
    a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
}

/// The matte's pixels inside the box grown by 5 % (detector boxes clip hands and hair).
fn within_box(matte: &GrayImage, bbox: [f32; 4]) -> GrayImage {
    let grow_x = 0.05 * (bbox[2] - bbox[0]);
    let grow_y = 0.05 * (bbox[3] - bbox[1]);
    let inside = |x: u32, y: u32| {
        let (x, y) = (x as f32 + 0.5, y as f32 + 0.5);
        x >= bbox[0] - grow_x
            && x < bbox[2] + grow_x
            && y >= bbox[1] - grow_y
            && y < bbox[3] + grow_y
    };
    GrayImage::from_fn(matte.width(), matte.height(), |x, y| {
        let value = matte.get_pixel(x, y).0[0];
        Luma([if inside(x, y) && value >= 128 { 255 } else { 0 }])
    })
}

/// Whether a matte holds at least 5 % of the box: less means the matte missed the person.
fn covers_enough(mask: &GrayImage, bbox: [f32; 4]) -> bool {
    let kept = mask.pixels().filter(|pixel| pixel.0[0] >= 128).count() as f32;
    kept >= 0.05 * (bbox[2] - bbox[0]).max(0.0) * (bbox[3] - bbox[1]).max(0.0)
}
