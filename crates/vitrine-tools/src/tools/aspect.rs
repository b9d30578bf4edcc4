//! `aspect`: reach an aspect ratio such as 9:16 by cropping or padding.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read, size};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `aspect`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AspectArgs {
    /// The image to change.
    pub image: ImageRef,
    /// Ratio, mode and padding colour.
    #[serde(flatten)]
    pub aspect: vitrine_media::AspectParams,
}

/// Changes the aspect ratio.
#[derive(Debug, Clone, Copy, Default)]
pub struct Aspect;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "bring an image to an aspect ratio",
        examples: &[
            "crop it to 9:16 for stories",
            "make it square",
            "pad it to 16:9 without cropping",
            "format it for instagram reels",
        ],
        cues: &[&[
            "crop*",
            "pad*",
            "letterbox*",
            // "Add bars instead".
            "add bars",
            "bars instead",
            "format*",
            "reformat*",
            "fit*",
            "aspect",
            "ratio",
            "square*",
            "@make",
            "resiz*",
            "chang*",
            "adjust*",
            "convert*",
            "turn*",
            "set",
            "for",
            "into",
            "to",
            "reframe*",
            "cut*",
            "canvas",
            "put ~ on",
        ]],
        unless: &[
            // "Hide faces with black squares" names a shape of cover, not a crop.
            "squares",
            "black square*",
            // "The statue in our village square": a place.
            "village square",
            "town square",
            "market square",
            "city square",
            "main square",
            "public square",
            "central square",
            "in the square",
            "at the square",
            "grid",
            "tile*",
            // "Slice this into a 2 by 2": tiles, not a ratio.
            "slic*",
            "split* ~ into",
            "3d",
            "reconstruct*",
            "splat*",
            "generat*",
            "try on",
            "tryon",
            "view*",
            // A clip's trim ("trim this from 2 to 5 seconds"), not "trim it to a 1:1 square".
            "trim* ~ second*",
            "trim* ~ minute*",
            "trim* ~ from",
            // Not "second" alone: "crop the second to 16:9" names a picture.
            "seconds",
            "secs",
            "minute",
            "minutes",
            "video*",
            "clip",
            "mask*",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "ratio",
                read: read::ratio,
            },
            Slot {
                arg: "mode",
                read: |clause| Some(read::fit_mode(clause).unwrap_or(serde_json::json!("crop"))),
            },
        ],
        chains: true,
        accept: Some(read::names_ratio),
        describes_output: true,
        ..Intent::DEFAULT
    }],
    summary: |args, facts| {
        let ratio = args
            .get("ratio")
            .and_then(Value::as_str)
            .unwrap_or("the requested ratio");
        Some(format!("brought the image to {ratio} ({})", size(facts)))
    },
    facts: &[],
};

#[async_trait]
impl Tool for Aspect {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "aspect"
    }

    fn description(&self) -> &'static str {
        "Bring an image to an aspect ratio such as 9:16 by cropping the centre or padding."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<AspectArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: AspectArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        io::map_image(
            cx,
            self.name(),
            &args,
            &id,
            parsed.aspect,
            vitrine_media::to_aspect,
        )
        .await
    }
}
