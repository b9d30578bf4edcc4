//! `adjust_image`: brightness, contrast, saturation and sharpening.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use vitrine_media::AdjustParams;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `adjust_image`. At least one change must be given.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AdjustImageArgs {
    /// The image to change.
    pub image: ImageRef,
    /// Brightness change, -1..1: 0.2 is 20 % brighter, -0.2 20 % darker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -1.0, max = 1.0))]
    pub brightness: Option<f32>,
    /// Contrast change, -1..1: 0.2 is 20 % more contrast, -1 flat grey.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -1.0, max = 1.0))]
    pub contrast: Option<f32>,
    /// Saturation change, -1..1: 0.2 is 20 % more vivid, -1 grayscale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = -1.0, max = 1.0))]
    pub saturation: Option<f32>,
    /// Sharpening, 0..2 (unsharp-mask amount; 0.5 gentle, 1 strong).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.0, max = 2.0))]
    pub sharpen: Option<f32>,
}

/// Changes tone and sharpness.
#[derive(Debug, Clone, Copy, Default)]
pub struct AdjustImage;

/// Rounds to two decimals for the facts, so 0.2f32 reads 0.2, not 0.20000000298.
fn round2(value: f32) -> f64 {
    (f64::from(value) * 100.0).round() / 100.0
}

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "adjust an image's brightness, contrast, saturation or sharpness",
        examples: &[
            "brighten it a bit",
            "it's too dark",
            "more contrast please",
            "make the colours pop",
            "sharpen the photo",
        ],
        cues: &[&[
            // Not bare "bright": "bright red" names a colour, not an adjustment.
            "brighten*",
            "brighter",
            "brightness",
            "more bright",
            "too dim",
            "lighten*",
            "lighter",
            "more light",
            "darken*",
            "darker",
            "dimmer",
            "too dark",
            "dark",
            "underexposed",
            "overexposed",
            "exposure",
            "washed out",
            "contrast*",
            "punch*",
            "saturat*",
            "desaturat*",
            "vivid*",
            "vibran*",
            "colo* pop",
            "colo* ~ pop",
            "make ~ pop",
            "colourful",
            "colorful",
            "bring* ~ colo* back",
            "colo* back up",
            "colo* ~ intens*",
            "intens* ~ colo*",
            "boost* ~ colo*",
            "richer colo*",
            "colo* ~ richer",
            "tone down ~ colo*",
            "tone* ~ colo* ~ down",
            "too saturated",
            "oversaturated",
            "mute* ~ colo*",
            "sharp*",
            "crisp*",
            "less blurry",
            "unblur*",
            "deblur*",
            "clearer",
        ]],
        unless: &[
            // "A depth map, near things bright, far things dark": how distance is drawn.
            // "Closer = brighter".
            "closer ~ brighter",
            "nearer ~ brighter",
            "closer ~ lighter",
            "brighter ~ closer",
            "brighter ~ nearer",
            "farther ~ darker",
            "further ~ darker",
            "near things",
            "nearer things",
            "near objects",
            "closer things",
            "closer objects",
            "close things",
            "far things",
            "far objects",
            "farther things",
            "further things",
            "far away things",
            // "Blur the faces again but go lighter": less of the earlier effect.
            "go lighter",
            "go easier",
            "go softer",
            "lighter touch",
            "lighter this time",
            "black and white",
            "grayscale",
            "greyscale",
            "background",
            "dark mode",
            "mask*",
            // "Desaturate it completely" is grayscale.
            "completely",
            "fully",
            "entirely",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "brightness",
                read: read::brightness,
            },
            Slot {
                arg: "contrast",
                read: read::contrast,
            },
            Slot {
                arg: "saturation",
                read: read::saturation,
            },
            Slot {
                arg: "sharpen",
                read: read::sharpen,
            },
        ],
        chains: true,
        accept: Some(|clause| {
            read::brightness(clause).is_some()
                || read::contrast(clause).is_some()
                || read::saturation(clause).is_some()
                || read::sharpen(clause).is_some()
        }),
        merges: true,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let changed = facts.get("changed").and_then(Value::as_object)?;
        let parts: Vec<String> = changed
            .iter()
            .map(|(name, amount)| {
                let amount = amount.as_f64().unwrap_or(0.0);
                if name == "sharpen" {
                    "sharpened it".to_owned()
                } else if amount > 0.0 {
                    format!("raised the {name} by {:.0}%", amount * 100.0)
                } else {
                    format!("lowered the {name} by {:.0}%", -amount * 100.0)
                }
            })
            .collect();
        Some(parts.join(", "))
    },
    facts: &[],
};

#[async_trait]
impl Tool for AdjustImage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "adjust_image"
    }

    fn description(&self) -> &'static str {
        "Adjust brightness, contrast, saturation (each -1..1, 0.2 = 20 % more) and sharpness \
         (0..2) of an image."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<AdjustImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: AdjustImageArgs = io::parse_args(self.name(), &args)?;
        let changes = [
            ("brightness", parsed.brightness),
            ("contrast", parsed.contrast),
            ("saturation", parsed.saturation),
            ("sharpen", parsed.sharpen),
        ];
        let mut changed = Map::new();
        for (name, value) in changes {
            if let Some(value) = value.filter(|value| *value != 0.0) {
                changed.insert(name.to_owned(), json!(round2(value)));
            }
        }
        if changed.is_empty() {
            return Err(ToolError::InvalidArguments {
                tool: "adjust_image",
                message: "give at least one non-zero change: `brightness`, `contrast` or \
                          `saturation` (-1..1, e.g. 0.2 for 20 % more) or `sharpen` (0..2)"
                    .to_owned(),
            });
        }
        let params = AdjustParams {
            brightness: parsed.brightness.unwrap_or(0.0),
            contrast: parsed.contrast.unwrap_or(0.0),
            saturation: parsed.saturation.unwrap_or(0.0),
            sharpen: parsed.sharpen.unwrap_or(0.0),
        };
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let source = decoded.image;
        let out = io::blocking(move || Ok(vitrine_media::adjust(&source, &params)?)).await?;
        io::single_image_output(
            cx,
            self.name(),
            &args,
            &meta,
            out,
            json!({"changed": changed}),
        )
        .await
    }
}
