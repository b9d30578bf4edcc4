//! `resize`: change the image size.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `resize`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ResizeArgs {
    /// The image to change.
    pub image: ImageRef,
    /// Width, height, mode and filter.
    #[serde(flatten)]
    pub resize: vitrine_media::ResizeParams,
}

/// Resizes.
#[derive(Debug, Clone, Copy, Default)]
pub struct Resize;

#[async_trait]
impl Tool for Resize {
    fn name(&self) -> &'static str {
        "resize"
    }

    fn description(&self) -> &'static str {
        "Resize an image to a width and/or height (fit inside, fill and crop, or stretch)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ResizeArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ResizeArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        io::map_image(
            cx,
            self.name(),
            &args,
            &id,
            parsed.resize,
            vitrine_media::resize,
        )
        .await
    }
}
