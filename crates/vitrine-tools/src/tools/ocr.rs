//! `ocr`: read the text of an image (PP-OCRv6), line by line.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{round_box, round2};

/// Arguments of `ocr`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct OcrArgs {
    /// The image to read.
    pub image: ImageRef,
}

/// Reads text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ocr;

/// Runs OCR on an image (off the runtime).
pub(crate) async fn read_lines(
    cx: &ToolContext,
    image: vitrine_media::image::RgbImage,
) -> Result<
    (
        vitrine_media::image::RgbImage,
        Vec<vitrine_vision::TextLine>,
    ),
    ToolError,
> {
    let models = cx.models.get().await?;
    io::blocking(move || {
        let lines = models.read_text(&image)?;
        Ok((image, lines))
    })
    .await
}

#[async_trait]
impl Tool for Ocr {
    fn name(&self) -> &'static str {
        "ocr"
    }

    fn description(&self) -> &'static str {
        "Read the text in an image; returns each line with its box and the full text."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<OcrArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        &[]
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: OcrArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (_meta, decoded) = io::load_image(cx, "image", &id).await?;
        let (_image, lines) = read_lines(cx, decoded.into_rgb()).await?;
        let text: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        let facts = json!({
            "count": lines.len(),
            "text": text.join("\n"),
            "lines": lines
                .iter()
                .map(|line| json!({
                    "text": line.text,
                    "box": round_box(line.bbox),
                    "confidence": round2(line.confidence),
                }))
                .collect::<Vec<_>>(),
        });
        Ok(ToolOutput {
            artifacts: Vec::new(),
            facts,
        })
    }
}
