//! `flip`: mirror an image left-right or top-bottom.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `flip`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FlipArgs {
    /// The image to mirror.
    pub image: ImageRef,
    /// `horizontal` mirrors left-right, `vertical` mirrors top-bottom.
    pub direction: vitrine_media::Flip,
}

/// Mirrors an image.
#[derive(Debug, Clone, Copy, Default)]
pub struct Flip;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "mirror an image",
        examples: &[
            "flip it horizontally",
            "mirror the selfie",
            "flip it upside down",
        ],
        // Not "reflection(s)", "mirrors": "a colleague's reflection is in the window" names a
        // thing in the picture.
        cues: &[&[
            "flip*",
            "mirror",
            "mirrored",
            "mirroring",
            "mirror-image",
            "reflect",
            "reflected",
            "reflecting",
        ]],
        // "The face reflected in the window": where something shows in the picture.
        unless: &[
            "mask*",
            "reflected in",
            "reflected on",
            "reflected off",
            "reflecting in",
            "reflecting off",
            "reflects in",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[Slot {
            arg: "direction",
            read: read::flip_direction,
        }],
        chains: true,
        // "Flip it round 180°" turns it (see `rotate`): a mirror has no angle.
        accept: Some(|clause| !clause.has_any(super::rotate::FLIP_BY_AN_ANGLE)),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let direction = facts
            .get("direction")
            .and_then(Value::as_str)
            .unwrap_or("horizontal");
        Some(format!("flipped the image {direction}ly"))
    },
    facts: &[],
};

#[async_trait]
impl Tool for Flip {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "flip"
    }

    fn description(&self) -> &'static str {
        "Mirror an image: horizontal (left-right) or vertical (top-bottom); pixels are moved exactly."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<FlipArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: FlipArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let source = decoded.image;
        let direction = parsed.direction;
        let out = io::blocking(move || Ok(vitrine_media::flip(&source, direction))).await?;
        let (width, height) = (out.width(), out.height());
        // Mirroring loses nothing, so a PNG stays a PNG (JPEG in, JPEG out).
        let encoding = if meta.content_type == "image/png" {
            Encoding::Png
        } else {
            Encoding::Auto
        };
        let made = io::save_image(
            cx,
            out,
            encoding,
            io::provenance(self.name(), &[&meta], &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({"direction": direction, "width": width, "height": height}),
        })
    }
}
