//! `thumbnail`: shrink so the longest side fits.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `thumbnail`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ThumbnailArgs {
    /// The image to change.
    pub image: ImageRef,
    /// Longest side of the result in pixels.
    pub max_side: u32,
}

/// Makes thumbnails.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thumbnail;

#[async_trait]
impl Tool for Thumbnail {
    fn name(&self) -> &'static str {
        "thumbnail"
    }

    fn description(&self) -> &'static str {
        "Shrink an image so its longest side is at most max_side pixels (never enlarges)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ThumbnailArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ThumbnailArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let source = decoded.image;
        let (width, height) = (source.width(), source.height());
        let max_side = parsed.max_side;
        let out = io::blocking(move || Ok(vitrine_media::thumbnail(&source, max_side)?)).await?;
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
