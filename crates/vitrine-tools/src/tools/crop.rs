//! `crop`: cut a region out of an image, or crop to the largest face.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::DynamicImage;
use vitrine_media::{CropParams, Region};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{find_faces, pixel_box};
use vitrine_wire::ArtifactKind;

/// What to crop to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CropTarget {
    /// The `region` argument (the default).
    #[default]
    Region,
    /// The largest face the detector finds.
    LargestFace,
}

/// Arguments of `crop`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CropArgs {
    /// The image to crop.
    pub image: ImageRef,
    /// `region` (default: crop to `region`) or `largest_face`.
    #[serde(default)]
    pub target: CropTarget,
    /// What to keep when `target` is `region`: a pixel box, a normalized box or a polygon.
    #[serde(default)]
    pub region: Option<Region>,
    /// Extra margin as a fraction of the region's size on each side; default 0 for regions,
    /// 0.4 for faces (head and shoulders).
    #[serde(default)]
    pub padding_ratio: Option<f64>,
}

/// Crops.
#[derive(Debug, Clone, Copy, Default)]
pub struct Crop;

/// The area an image is cropped to, for every wording that names one.
const REGION_SLOTS: &[Slot] = &[
    Slot {
        arg: "target",
        read: |clause| read::region(clause).map(|_| serde_json::json!("region")),
    },
    Slot {
        arg: "region",
        read: kept_region,
    },
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "crop an image to the largest face",
            examples: &[
                "crop to the face",
                "make a headshot",
                "zoom in on her face",
                "cut out just the face",
            ],
            cues: &[
                &[
                    "crop*", "zoom*", "cut*", "frame", "cent*", "focus*", "tight*", "close up",
                    "closeup",
                ],
                &["face*", "head", "headshot*", "mugshot*"],
            ],
            // "The face is already centred": said of the picture, not asked. "Cut the background
            // out of this headshot": the picture it is.
            unless: &[
                "@hide",
                "already",
                "instead of crop*",
                "rather than crop*",
                "background",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "target",
                read: |_| Some(serde_json::json!("largest_face")),
            }],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "make a headshot from the largest face",
            examples: &["make a headshot", "passport style headshot"],
            cues: &[&[
                "headshot*",
                "mugshot*",
                "passport photo*",
                "profile photo from",
            ]],
            // "Cut the background out of this headshot": the picture it is, not one to make.
            unless: &[
                "@hide",
                "this headshot",
                "the headshot",
                "my headshot",
                "his headshot",
                "her headshot",
                "their headshot",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "target",
                read: |_| Some(serde_json::json!("largest_face")),
            }],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "crop an image to an area",
            examples: &[
                "crop to 10,10,200,200",
                "crop the top half",
                "keep only the left third",
            ],
            cues: &[&[
                "crop*",
                "cut*",
                "lop*",
                "chop* off",
                "keep only",
                "keep just",
                "only keep",
                "just keep",
                "keep ~ half",
                "trim*",
            ]],
            unless: &["@hide", "face*"],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: REGION_SLOTS,
            chains: true,
            accept: Some(read::names_region),
            ..Intent::DEFAULT
        },
        Intent {
            does: "crop an image to an area",
            examples: &["just the left half of the picture please"],
            // The part wanted, with no verb (not "make just the top half black and white",
            // where another edit says what to do there).
            cues: &[&[
                "just the ~ half",
                "only the ~ half",
                "just the ~ third",
                "only the ~ third",
                "just the ~ quarter",
                "only the ~ quarter",
                // "I only want the left half of this one".
                "only want the ~ half",
                "just want the ~ half",
            ]],
            unless: &["@hide", "face*"],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: REGION_SLOTS,
            chains: true,
            accept: Some(|clause| {
                (clause
                    .words
                    .first()
                    .is_some_and(|first| ["just", "only"].contains(&first.text.as_str()))
                    || (clause.has_any(&["i only want", "i just want", "we only want"])
                        // Not "I only want the top half brighter", an edit of that half.
                        && !clause.has_any(&[
                            "bright*", "dark*", "light*", "sharp*", "black and white", "grey*",
                            "gray*", "colo*", "blur*", "@hide", "saturat*", "contrast",
                        ])))
                    && read::names_region(clause)
            }),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let crop = facts.get("crop");
        let size = match (
            crop.and_then(|c| c.get("width")).and_then(Value::as_u64),
            crop.and_then(|c| c.get("height")).and_then(Value::as_u64),
        ) {
            (Some(width), Some(height)) => format!("{width}×{height}"),
            _ => "a region".to_owned(),
        };
        Some(if facts.get("face_box").is_some() {
            format!("cropped to the largest face ({size})")
        } else {
            format!("cropped to {size}")
        })
    },
    facts: &[],
};

/// The area a crop keeps. "Lop off the bottom half" names the band that goes: a band along one
/// edge is turned into the rest of the picture.
fn kept_region(clause: &crate::meaning::Clause) -> Option<Value> {
    let named = read::region(clause)?;
    // "Cut the left half off", "crop away the bottom strip": the named part goes.
    let said_off = clause.has_any(&[
        "cut* ~ off",
        "lop* ~ off",
        "chop* ~ off",
        "trim* ~ off",
        "crop* ~ off",
        "crop* away",
        "cut* away",
        "trim* away",
    ]) && !clause.has_any(read::KEEPS_THE_NAMED)
        // "Only the bottom half matters. Crop away the top": the part named stays.
        && !clause.has_any(&["only the ~ matter*", "just the ~ matter*", "only care about"]);
    let edge = |key: &str| named.get(key).and_then(Value::as_f64);
    if !said_off || named.get("shape").and_then(Value::as_str) != Some("norm_box") {
        return Some(named);
    }
    let (Some(x0), Some(y0), Some(x1), Some(y1)) = (edge("x0"), edge("y0"), edge("x1"), edge("y1"))
    else {
        return Some(named);
    };
    let full_width = x0 <= 0.0 && x1 >= 1.0;
    let full_height = y0 <= 0.0 && y1 >= 1.0;
    let kept = match (full_width, full_height) {
        (true, false) if y0 <= 0.0 => (0.0, y1, 1.0, 1.0),
        (true, false) if y1 >= 1.0 => (0.0, 0.0, 1.0, y0),
        (false, true) if x0 <= 0.0 => (x1, 0.0, 1.0, 1.0),
        (false, true) if x1 >= 1.0 => (0.0, 0.0, x0, 1.0),
        _ => return Some(named),
    };
    Some(
        serde_json::json!({"shape": "norm_box", "x0": kept.0, "y0": kept.1, "x1": kept.2, "y1": kept.3}),
    )
}

#[async_trait]
impl Tool for Crop {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "crop"
    }

    fn description(&self) -> &'static str {
        "Crop an image to a box, a polygon's bounds, or the largest face (target=largest_face)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<CropArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: CropArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let (region, padding_ratio, source, facts) = match parsed.target {
            CropTarget::Region => {
                let region = parsed.region.ok_or_else(|| ToolError::InvalidArguments {
                    tool: "crop",
                    message: "`region` is required when `target` is `region`".to_owned(),
                })?;
                (
                    region,
                    parsed.padding_ratio.unwrap_or(0.0),
                    decoded.image,
                    json!({}),
                )
            }
            CropTarget::LargestFace => {
                let (rgb, faces) = find_faces(cx, decoded.into_rgb(), 0.5).await?;
                let largest = faces
                    .iter()
                    .max_by(|a, b| area(a.bbox).total_cmp(&area(b.bbox)))
                    .ok_or_else(|| {
                        ToolError::NothingFound(
                            "no face was found in the image, so there is no face to crop to"
                                .to_owned(),
                        )
                    })?;
                let facts = json!({"faces_found": faces.len(), "face_box": crate::tools::detect_faces::round_box(largest.bbox)});
                (
                    Region::Box(pixel_box(largest.bbox)),
                    parsed.padding_ratio.unwrap_or(0.4),
                    DynamicImage::ImageRgb8(rgb),
                    facts,
                )
            }
        };
        let params = CropParams {
            region,
            padding: 0.0,
            padding_ratio,
        };
        let (cropped, rect) =
            io::blocking(move || Ok(vitrine_media::crop(&source, &params)?)).await?;
        let mut facts = facts;
        if let Value::Object(map) = &mut facts {
            map.insert(
                "crop".to_owned(),
                json!({"x": rect.x, "y": rect.y, "width": rect.width, "height": rect.height}),
            );
        }
        io::single_image_output(cx, self.name(), &args, &meta, cropped, facts).await
    }
}

fn area(bbox: [f32; 4]) -> f32 {
    (bbox[2] - bbox[0]).max(0.0) * (bbox[3] - bbox[1]).max(0.0)
}
