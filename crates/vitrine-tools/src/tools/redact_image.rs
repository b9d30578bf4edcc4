//! `redact_image`: blur, pixelate or fill given regions.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::RedactParams;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `redact_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RedactImageArgs {
    /// The image to redact.
    pub image: ImageRef,
    /// Regions, method, strength, colour and padding.
    #[serde(flatten)]
    pub redact: RedactParams,
}

/// Hides regions of an image.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactImage;

#[async_trait]
impl Tool for RedactImage {
    fn name(&self) -> &'static str {
        "redact_image"
    }

    fn description(&self) -> &'static str {
        "Hide regions of an image (boxes or polygons) by strong blur, pixelation or a solid fill."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RedactImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RedactImageArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let count = parsed.redact.regions.len();
        let params = parsed.redact;
        let redacted =
            io::blocking(move || Ok(vitrine_media::redact(&decoded.image, &params)?)).await?;
        let made = io::save_image(
            cx,
            redacted,
            Encoding::Auto,
            io::provenance(self.name(), &[&meta], &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({"regions": count}),
        })
    }
}
