//! `grayscale`: convert to grayscale.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `grayscale`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct GrayscaleArgs {
    /// The image to change.
    pub image: ImageRef,
}

/// Removes colour.
#[derive(Debug, Clone, Copy, Default)]
pub struct Grayscale;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "convert an image to grayscale",
        examples: &[
            "make it black and white",
            "convert to grayscale",
            "remove the colours",
        ],
        cues: &[&[
            "grayscale",
            "greyscale",
            "gray scale",
            "grey scale",
            // Not bare "grey": "swap the grey sky for a sunset" names a colour in the picture.
            "make ~ gray",
            "make ~ grey",
            "turn ~ gray",
            "turn ~ grey",
            "to gray",
            "to grey",
            "into gray",
            "into grey",
            "in gray",
            "in grey",
            "gray version",
            "grey version",
            "shades of gray",
            "shades of grey",
            "black and white",
            "black & white",
            "black white",
            "b w",
            "bw",
            "monochrom*",
            "mono",
            "remove ~ colo*",
            "strip ~ colo*",
            "drop ~ colo*",
            // "She wants the colour taken out" (read as "take out the colour").
            "take out ~ colo*",
            "take away ~ colo*",
            "take ~ colo* out",
            "get rid ~ colo*",
            "lose ~ colo*",
            "no colo*",
            "without colo*",
            "colourless",
            "colorless",
            "noir",
            "fully desaturat*",
            "desaturate it completely",
        ]],
        // "A mask out of this black and white picture": the picture already is. "Get rid of
        // the yellow colour cast" corrects a tint; "lose the logo but keep the colour" keeps it.
        unless: &[
            "background",
            "grey out",
            "gray out",
            "mask*",
            "colo* cast",
            "keep ~ colo*",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[],
        chains: true,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, _| Some("converted the image to grayscale".to_owned()),
    facts: &[],
};

#[async_trait]
impl Tool for Grayscale {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "grayscale"
    }

    fn description(&self) -> &'static str {
        "Convert an image to grayscale."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<GrayscaleArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: GrayscaleArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let source = decoded.image;
        let (width, height) = (source.width(), source.height());
        let out = io::blocking(move || Ok(vitrine_media::grayscale(&source))).await?;
        io::single_image_output(
            cx,
            self.name(),
            &args,
            &meta,
            out,
            json!({"source_width": width, "source_height": height}),
        )
        .await
    }
}
