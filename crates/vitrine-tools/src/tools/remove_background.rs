//! `remove_background`: person matte → a PNG with alpha and the mask as an `arr_` `.npy`.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, RgbaImage};
use vitrine_media::mask;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Input, Intent, Meaning};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `remove_background`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RemoveBackgroundArgs {
    /// The image; the foreground is the people in it.
    pub image: ImageRef,
}

/// Cuts people out of their background.
#[derive(Debug, Clone, Copy, Default)]
pub struct RemoveBackground;

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "remove the background behind the people in an image",
            examples: &[
                "remove the background",
                "make the background transparent",
                "cut out the person",
                "give me a transparent PNG of her",
            ],
            cues: &[
                &[
                    "@remove",
                    "transparen*",
                    // Not "no filters, neutral background".
                    "no background*",
                    "no backdrop*",
                    "no bg",
                    "isolat*",
                    "knock* out",
                    "clear",
                    "get rid",
                    "cut*",
                ],
                &["background*", "backdrop*", "bg"],
            ],
            unless: &[
                "replac*",
                "swap*",
                "chang*",
                "blur*",
                "new background",
                "with a",
                "in the background",
                "from the background",
                // "No idea about her background": where someone comes from.
                "her background",
                "his background",
                "their background",
                "my background",
                "our background",
                "background check*",
                // "No background noise".
                "background noise",
                "background music",
                "background sound*",
                "fill*",
                // "The bench only, no background" in 3D: the reconstruction leaves it out.
                "3d",
                "3 d",
                "splat*",
                "spz",
                "three dimension*",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "cut the people out of an image",
            examples: &[
                "cut out the person",
                "isolate the subject",
                "segment the people",
            ],
            cues: &[&[
                "cut* out ~ @faces",
                "cutout*",
                "cut out",
                "isolat* ~ @faces",
                "isolat* ~ subject*",
                "segment* ~ @faces",
                // Not "matte black", a paint finish.
                "a matte",
                "the matte",
                "matte of",
                "alpha matte",
                "mask of ~ @faces",
                "transparent png",
                // Not "the serial number on the sticker".
                "into a sticker",
                "as a sticker",
                "a sticker of",
                "@make ~ sticker*",
                "turn* ~ sticker*",
                "cut* ~ @faces ~ out",
                "cut* me out",
                "cut* us out",
                "cut* him out",
                "cut* her out",
                "cut* them out",
                // "Cut the teddy bear out from the background" (not "remove the tourists from
                // the background", which the first intent leaves alone).
                "cut* ~ out from the background",
                "cut* ~ away from the background",
                "separat* ~ from the background",
                "isolat* ~ from the background",
            ]],
            unless: &[
                "face",
                "faces",
                // "Cut out just the top half of it" crops.
                "half",
                "third",
                "quarter",
                "replac*",
                "the cut out",
                "the cutout",
                "the cut-out",
                // "Watermark: the transparent PNG over the middle": a picture given, placed.
                "the transparent",
                "watermark*",
                "overlay*",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[],
            chains: true,
            // Not hiding anyone ("mask the people"); "a mask of the person", "cut out the
            // person as a mask" name a mask.
            accept: Some(|clause| {
                !clause.has_any(&["@hide"])
                    || clause.has_any(&["a mask of", "the mask of", "as a mask", "as a matte"])
            }),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        Some(format!(
            "removed the background ({:.0}% of the image kept as foreground)",
            facts
                .get("foreground_fraction")
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
                * 100.0
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for RemoveBackground {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "remove_background"
    }

    fn description(&self) -> &'static str {
        "Remove the background behind the people in an image: a transparent PNG plus the mask as an array."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RemoveBackgroundArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[
            OutputSpec::one("image", ArtifactKind::Image),
            OutputSpec::one("mask", ArtifactKind::Array),
        ];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RemoveBackgroundArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let models = cx.models.get().await?;
        let rgb = decoded.into_rgb();
        let (cutout, matte, area, width, height) = io::blocking(move || {
            let matte = models.segment_person(&rgb)?;
            let (width, height) = rgb.dimensions();
            let mut rgba = RgbaImage::new(width, height);
            for (x, y, pixel) in rgba.enumerate_pixels_mut() {
                let [r, g, b] = rgb.get_pixel(x, y).0;
                let alpha = matte.get_pixel(x, y).0[0];
                pixel.0 = [r, g, b, alpha];
            }
            let area = mask::mask_area(&mask::threshold(&matte, 128));
            Ok((DynamicImage::ImageRgba8(rgba), matte, area, width, height))
        })
        .await?;
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let image = io::save_image(cx, cutout, Encoding::Png, provenance.clone()).await?;
        let mask_meta = io::save_mask(cx, matte, provenance).await?;
        let total = f64::from(width) * f64::from(height);
        let foreground = if total > 0.0 {
            (area as f64 / total * 1000.0).round() / 1000.0
        } else {
            0.0
        };
        Ok(ToolOutput {
            artifacts: vec![
                MadeArtifact {
                    output: "image".to_owned(),
                    meta: image,
                },
                MadeArtifact {
                    output: "mask".to_owned(),
                    meta: mask_meta,
                },
            ],
            facts: json!({"foreground_fraction": foreground, "width": width, "height": height}),
        })
    }
}
