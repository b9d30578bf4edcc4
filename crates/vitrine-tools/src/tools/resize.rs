//! `resize`: change the image size.

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

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "resize an image to a width and/or height",
        examples: &[
            "resize to 800x600",
            "make it 1024 pixels wide",
            "shrink it to 512 px",
            "scale it down to 300 tall",
            "make it half the size",
        ],
        cues: &[&[
            "resiz*",
            "stretch*",
            "rescal*",
            "scal*",
            "shrink*",
            "downscal*",
            "upscal*",
            "downsiz*",
            "downsampl*",
            "upsampl*",
            "smaller",
            "larger",
            "bigger",
            "enlarg*",
            "reduc*",
            "as big",
            "as large",
            "as small",
            "wide",
            "wider",
            "width",
            "tall",
            "taller",
            "height",
            "px",
            "pixels",
            "size",
            "resolution",
            "dimension*",
            "halve*",
            // "Fit it inside 1200x1200" (the accept wants the dimensions).
            "fit*",
            "@make",
            // "For the banner it needs to be 1920 by 480" (the accept wants the dimensions).
            "needs to be",
            "has to be",
            "must be",
        ]],
        // "Reduce saturation by 30%" turns a colour down, not the size.
        unless: &[
            "thumb*",
            "3d",
            "file size",
            "kb",
            "mb",
            "bytes",
            "saturat*",
            "contrast",
            "bright*",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "width",
                read: read::width,
            },
            Slot {
                arg: "height",
                read: read::height,
            },
            Slot {
                arg: "mode",
                read: read::resize_mode,
            },
            Slot {
                arg: "scale",
                read: read::scale,
            },
        ],
        chains: true,
        // A factor alone ("by half") asks for a resize only beside a word for size.
        accept: Some(|clause| {
            read::has_dimensions(clause)
                || (read::scale(clause).is_some()
                    && clause.has_any(&[
                        "resiz*",
                        "rescal*",
                        "scal*",
                        "shrink*",
                        "downscal*",
                        "upscal*",
                        "downsiz*",
                        "smaller",
                        "larger",
                        "bigger",
                        "enlarg*",
                        "reduc*",
                        "size",
                        "as big",
                        "as large",
                        "as small",
                        "halve*",
                        "dimension*",
                    ]))
        }),
        describes_output: true,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| Some(format!("resized to {}", size(facts))),
    facts: &[],
};

#[async_trait]
impl Tool for Resize {
    fn meaning(&self) -> Meaning {
        MEANING
    }

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
        let params = parsed.resize;
        let wanted = params;
        // Shrink-on-load: a big JPEG is decoded no larger than this resize needs.
        let (meta, decoded) = io::load_image_reduced(cx, "image", &id, move |width, height| {
            vitrine_media::resize_min_scale((width, height), &wanted)
        })
        .await?;
        let source = decoded.source_size;
        let out =
            io::blocking(move || Ok(vitrine_media::resize_from(&decoded.image, source, &params)?))
                .await?;
        let facts = serde_json::json!({"source_width": source.0, "source_height": source.1});
        io::single_image_output(cx, self.name(), &args, &meta, out, facts).await
    }
}
