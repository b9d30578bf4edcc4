//! `mask_to_image` and `image_to_mask`: between `arr_` masks and viewable `img_` images.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, GrayImage, Luma};
use vitrine_media::mask;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Input, Intent, Meaning, Slot, plural};
use crate::refs::{ArrayRef, ImageRef};
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `mask_to_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MaskToImageArgs {
    /// The mask (a `.npy` array: `uint8` 0/1 or 0..255, `uint16`, or `float32` 0..1).
    pub mask: ArrayRef,
}

/// Shows a mask as a grayscale PNG.
#[derive(Debug, Clone, Copy, Default)]
pub struct MaskToImage;

/// " (N pixels inside)" from a mask tool's `area`, or nothing.
pub(crate) fn mask_area(facts: &Value) -> String {
    facts
        .get("area")
        .and_then(Value::as_u64)
        .map_or_else(String::new, |area| {
            format!(" ({})", plural(area, "pixel inside", "pixels inside"))
        })
}

const MASK_TO_IMAGE: Meaning = Meaning {
    intents: &[
        Intent {
            does: "turn a mask into an image",
            examples: &[
                "show me the mask",
                "turn the mask into a png",
                "save the mask as an image",
            ],
            // "Invert the mask, then show it to me as an image": "it" is the mask.
            cues: &[
                &["mask*", "matte*", "it", "them", "result*", "output", "that"],
                &[
                    "to an image",
                    "into an image",
                    "into a ~ image",
                    "to a ~ image",
                    "as a ~ image",
                    "look at",
                    "as an image",
                    "as a png",
                    "to a png",
                    "into a png",
                    "show*",
                    "view*",
                    "see",
                    "preview*",
                    "visuali*",
                    "picture",
                    "png",
                    "black and white image",
                    "render*",
                ],
            ],
            unless: &[
                "from the",
                "out of",
                // "The .npy marks an area of the picture": which input is which; "blur that
                // area" hides it ("@hide" would take the word "mask" itself).
                "marks",
                "blur*",
                "pixelat*",
                "redact*",
                "black* out",
                "invert*",
                "feather*",
                "threshold*",
                "combin*",
                "union",
                "intersect*",
                "subtract*",
                "merg*",
            ],
            input: Input::One {
                arg: "mask",
                kind: ArtifactKind::Array,
            },
            slots: &[],
            chains: true,
            // "I can't open .npy files, turn it into a picture": the file is the mask.
            accept: Some(|clause| {
                clause.has_any(&["mask*", "matte*"])
                    || ["mask", "npy", "array"]
                        .iter()
                        .any(|word| clause.request.contains(word))
            }),
            ..Intent::DEFAULT
        },
        Intent {
            does: "turn a mask into an image",
            examples: &["(two masks) overlap them, rendered as a viewable image"],
            // "…, rendered as a viewable image": a request about masks whose last step names
            // only the form of the result.
            cues: &[&[
                "as a ~ image",
                "as an image",
                "as a png",
                "into a ~ image",
                "into an image",
                "to a ~ image",
                "to an image",
            ]],
            // Applying a mask to a picture ("cut out the masked area as a png") is another tool's.
            unless: &[
                "from the",
                "out of",
                "@video",
                "page*",
                "pdf",
                "cut*",
                "masked",
                "@hide",
                "@remove",
                "apply*",
                "background",
                "photo*",
                "picture*",
            ],
            input: Input::One {
                arg: "mask",
                kind: ArtifactKind::Array,
            },
            chains: true,
            // A cut-out's mask or a depth map is an array too: only a request about masks
            // ("feather the edges by 5 px and give it back as a viewable image" is one).
            accept: Some(|clause| {
                ["mask", "feather", "invert"]
                    .iter()
                    .any(|word| clause.request.contains(word))
            }),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| Some(format!("turned the mask into an image{}", mask_area(facts))),
    facts: &[],
};

const IMAGE_TO_MASK: Meaning = Meaning {
    intents: &[Intent {
        does: "make a mask from an image's transparency or brightness",
        examples: &[
            "make a mask from this image's alpha",
            "turn the png into a mask",
            "use the white areas as a mask",
        ],
        cues: &[
            &["mask*"],
            &[
                "from",
                "out of",
                "into a mask",
                "to a mask",
                "as a mask",
                "@make",
                "use ~ as",
                "alpha",
                "transparen*",
                "bright*",
            ],
        ],
        unless: &[
            // "The mask marks the area on the photo that I want hidden", "the mask outlines the
            // part I want blurred": the mask attached.
            "mask marks",
            "mask covers",
            "mask shows",
            "mask outlines",
            "mask highlights",
            "mask selects",
            "mask is",
            "mask has",
            "invert*",
            "feather*",
            "threshold*",
            "negat*",
            "away",
            // "Their faces need masking": hiding, not a mask made from brightness.
            "masking",
            "@faces",
            "@phi",
            "into a ~ image",
            "into an image",
            "to an image",
            "as an image",
            // "Send me the mask as a black and white picture": the mask shown, not made.
            "as a picture",
            "as a ~ picture",
            "as a ~ ~ ~ picture",
            "as a ~ image",
            "as a ~ ~ ~ image",
            "as a png",
            "as a ~ png",
            "as a ~ ~ png",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[Slot {
            arg: "source",
            read: |clause| {
                if clause.has_any(&["alpha", "transparen*", "opaque", "opacity"]) {
                    Some(serde_json::json!("alpha"))
                } else if clause.has_any(&["bright*", "luminan*", "lightness", "white", "light"]) {
                    Some(serde_json::json!("luminance"))
                } else {
                    None
                }
            },
        }],
        chains: true,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let from = match facts.get("from").and_then(Value::as_str) {
            Some("alpha") => "transparency",
            _ => "brightness",
        };
        Some(format!(
            "made a mask from the image's {from}{}",
            mask_area(facts)
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for MaskToImage {
    fn meaning(&self) -> Meaning {
        MASK_TO_IMAGE
    }

    fn name(&self) -> &'static str {
        "mask_to_image"
    }

    fn description(&self) -> &'static str {
        "Turn a mask array (arr_) into a grayscale PNG image: white inside, black outside."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<MaskToImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: MaskToImageArgs = io::parse_args(self.name(), &args)?;
        let (meta, mask) = io::load_mask(cx, "mask", &parsed.mask).await?;
        let (width, height) = mask.dimensions();
        let area = mask::mask_area(&mask);
        let made = io::save_image(
            cx,
            DynamicImage::ImageLuma8(mask),
            Encoding::Png,
            io::provenance(self.name(), &[&meta], &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({"width": width, "height": height, "area": area}),
        })
    }
}

/// Which values of the image become the mask.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaskSource {
    /// The alpha channel when the image has one, else the luminance (the default).
    #[default]
    Auto,
    /// The alpha channel (opaque = inside); an image without alpha is all inside.
    Alpha,
    /// The luminance (white = inside), as a mask saved as an image is.
    Luminance,
}

/// Arguments of `image_to_mask`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ImageToMaskArgs {
    /// The image (e.g. a black-and-white mask painted elsewhere, or a cut-out with transparency).
    pub image: ImageRef,
    /// `auto` (default), `alpha` or `luminance`.
    #[serde(default)]
    pub source: MaskSource,
    /// Binarise: 255 where the value is at least this, 0 elsewhere. Omit to keep soft values.
    #[serde(default)]
    pub threshold: Option<u8>,
}

/// Reads a mask out of an image.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageToMask;

#[async_trait]
impl Tool for ImageToMask {
    fn meaning(&self) -> Meaning {
        IMAGE_TO_MASK
    }

    fn name(&self) -> &'static str {
        "image_to_mask"
    }

    fn description(&self) -> &'static str {
        "Turn an image into a mask array (arr_, uint8 .npy): its alpha channel or its brightness, optionally thresholded."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ImageToMaskArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("mask", ArtifactKind::Array)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ImageToMaskArgs = io::parse_args(self.name(), &args)?;
        let (meta, decoded) = io::load_image(cx, "image", &parsed.image.id("image")?).await?;
        let (source, threshold) = (parsed.source, parsed.threshold);
        let use_alpha = match source {
            MaskSource::Auto => decoded.has_alpha,
            MaskSource::Alpha => true,
            MaskSource::Luminance => false,
        };
        let image = decoded.image;
        let out = io::blocking(move || {
            let values = if use_alpha {
                let rgba = image.to_rgba8();
                GrayImage::from_fn(rgba.width(), rgba.height(), |x, y| {
                    Luma([rgba.get_pixel(x, y).0[3]])
                })
            } else {
                image.to_luma8()
            };
            Ok(match threshold {
                Some(level) => mask::threshold(&values, level),
                None => values,
            })
        })
        .await?;
        let area = mask::mask_area(&out);
        let (width, height) = out.dimensions();
        let made = io::save_mask(cx, out, io::provenance(self.name(), &[&meta], &args)).await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "mask".to_owned(),
                meta: made,
            }],
            facts: json!({
                "width": width,
                "height": height,
                "area": area,
                "from": if use_alpha { "alpha" } else { "luminance" },
            }),
        })
    }
}
