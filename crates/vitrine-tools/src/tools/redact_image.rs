//! `redact_image`: blur, pixelate or fill given regions and/or the inside of a mask.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::RedactParams;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, plural, read};
use crate::refs::{ArrayRef, ImageRef};
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `redact_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RedactImageArgs {
    /// The image to redact.
    pub image: ImageRef,
    /// Regions, method, strength, colour and padding.
    #[serde(flatten)]
    pub redact: RedactParams,
    /// A mask (`arr_`, the image's size, e.g. from `remove_background` or `mask_ops`) whose
    /// inside is hidden too; soft edges blend. Give `regions`, `mask` or both.
    #[serde(default)]
    pub mask: Option<ArrayRef>,
}

/// Hides regions of an image.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactImage;

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "hide an area of an image",
            examples: &[
                "pixelate 10,10,200,200",
                "black out the top half",
                "blur the left third of the picture",
            ],
            cues: &[&["@hide", "redact*"]],
            unless: &["@faces", "@phi"],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[
                Slot {
                    arg: "regions",
                    read: read::regions,
                },
                Slot {
                    arg: "method",
                    read: read::hide_method,
                },
            ],
            chains: true,
            accept: Some(read::names_region),
            ..Intent::DEFAULT
        },
        Intent {
            does: "hide what a mask covers in an image",
            examples: &[
                "blur the masked area",
                "pixelate whatever the mask covers",
                "black out the region in the mask",
            ],
            // "Invert the mask, then blur that": a pronoun in a request about a mask means it.
            cues: &[
                &["@hide", "redact*"],
                &["mask*", "that", "it", "this", "them", "area"],
            ],
            unless: &["@faces", "@phi"],
            input: Input::ImageAndMask {
                image: "image",
                mask: "mask",
            },
            slots: &[Slot {
                arg: "method",
                read: read::hide_method,
            }],
            chains: true,
            // "The .npy marks an area … soften that area with blur": the file is the mask.
            accept: Some(|clause| {
                read::hides_besides_mask(clause)
                    && (clause.has_any(&["mask*"])
                        || ["mask", "npy"]
                            .iter()
                            .any(|word| clause.request.contains(word)))
            }),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let regions = facts.get("regions").and_then(Value::as_u64).unwrap_or(0);
        Some(match facts.get("mask_area").and_then(Value::as_u64) {
            Some(area) if regions == 0 => format!("hid the masked area ({area} pixels)"),
            Some(area) => format!(
                "hid {} and the masked area ({area} pixels)",
                plural(regions, "region", "regions")
            ),
            None => format!("hid {}", plural(regions, "region", "regions")),
        })
    },
    facts: &[Fact {
        key: "regions",
        kind: FactKind::Count,
        about: &["region", "area"],
    }],
};

#[async_trait]
impl Tool for RedactImage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "redact_image"
    }

    fn description(&self) -> &'static str {
        "Hide regions of an image (pixel or normalized boxes, polygons, or a mask) by strong blur, pixelation or a solid fill."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RedactImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RedactImageArgs = io::parse_args(self.name(), &args)?;
        if parsed.redact.regions.is_empty() && parsed.mask.is_none() {
            return Err(ToolError::InvalidArguments {
                tool: "redact_image",
                message: "`regions` is empty and there is no `mask`; give the areas to hide"
                    .to_owned(),
            });
        }
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let mut parents = vec![meta];
        let mask = match &parsed.mask {
            Some(mask) => {
                let (mask_meta, mask) = io::load_mask(cx, "mask", mask).await?;
                parents.push(mask_meta);
                Some(mask)
            }
            None => None,
        };
        let count = parsed.redact.regions.len();
        let mask_area = mask.as_ref().map(vitrine_media::mask::mask_area);
        let params = parsed.redact;
        let redacted = io::blocking(move || {
            let mut image = decoded.image;
            if !params.regions.is_empty() {
                image = vitrine_media::redact(&image, &params)?;
            }
            if let Some(mask) = mask {
                image = vitrine_media::redact_mask(
                    &image,
                    &mask,
                    params.method,
                    params.strength,
                    params.color,
                )?;
            }
            Ok(image)
        })
        .await?;
        let parents: Vec<&vitrine_store::ArtifactMeta> = parents.iter().collect();
        let made = io::save_image(
            cx,
            redacted,
            Encoding::Auto,
            io::provenance(self.name(), &parents, &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({"regions": count, "mask_area": mask_area}),
        })
    }
}
