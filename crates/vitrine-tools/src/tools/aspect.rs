//! `aspect`: reach an aspect ratio such as 9:16 by cropping or padding.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

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

#[async_trait]
impl Tool for Aspect {
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
