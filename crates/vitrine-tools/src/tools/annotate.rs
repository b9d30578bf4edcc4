//! `annotate`: draw boxes, labels, points, polygons and text.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `annotate`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct AnnotateArgs {
    /// The image to change.
    pub image: ImageRef,
    /// What to draw.
    #[serde(flatten)]
    pub annotate: vitrine_media::AnnotateParams,
}

/// Draws on images.
#[derive(Debug, Clone, Copy, Default)]
pub struct Annotate;

#[async_trait]
impl Tool for Annotate {
    fn name(&self) -> &'static str {
        "annotate"
    }

    fn description(&self) -> &'static str {
        "Draw boxes, labels, points, polygons and text on an image."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Viz
    }

    fn parameters(&self) -> Value {
        io::schema_of::<AnnotateArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: AnnotateArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        io::map_image(
            cx,
            self.name(),
            &args,
            &id,
            parsed.annotate,
            vitrine_media::annotate,
        )
        .await
    }
}
