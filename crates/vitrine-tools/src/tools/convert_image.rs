//! `convert_image`: re-encode an image as PNG or JPEG, optionally within a byte budget.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::OutputFormat;
use vitrine_store::MediaInfo;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `convert_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ConvertImageArgs {
    /// The image to convert.
    pub image: ImageRef,
    /// `png` (lossless, keeps transparency) or `jpeg` (smaller; transparency becomes white).
    pub format: OutputFormat,
    /// JPEG quality, 1..100; default the server's (90). Ignored for PNG.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub quality: Option<u8>,
    /// A size limit in bytes: JPEG quality is lowered step by step (to 40), then the picture is
    /// made smaller until the file fits. An error when it cannot fit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub max_bytes: Option<u64>,
}

/// Re-encodes an image.
#[derive(Debug, Clone, Copy, Default)]
pub struct ConvertImage;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "convert an image to JPEG or PNG, or compress it to a size",
        examples: &[
            "convert this to a JPG",
            "save it as PNG",
            "compress it under 200 KB",
            "make the file smaller",
        ],
        cues: &[&[
            "png*",
            "jpg*",
            "jpeg*",
            "compress*",
            "file size",
            "smaller file",
            "kb",
            "mb",
            "kib",
            "mib",
            "bytes",
            "lossless",
            "quality",
            "format",
            "file type",
            // "Can you convert it for me?" after the format was said (accept reads it).
            "convert*",
        ]],
        unless: &[
            "mp4",
            "video*",
            "transparent png",
            "@hide",
            "frame*",
            "mask*",
            // "Is there GPS data inside this jpeg?" asks about the file.
            "is there",
            "are there",
            "gps",
            "exif",
            "metadata",
            "location",
            // "Does this jpeg still carry the coordinates of where it was shot?"
            "coordinates",
            "does this",
            "does it",
            "does the",
            // "Is this a PNG or a JPEG?" asks what it is, not to change it.
            "is this",
            "is it",
            "what format",
            "which format",
            "what type",
            "what kind",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "format",
                read: read::image_format,
            },
            Slot {
                arg: "quality",
                read: read::quality,
            },
            Slot {
                arg: "max_bytes",
                read: read::max_bytes,
            },
        ],
        chains: true,
        accept: Some(|clause| {
            // A rendered PDF page is a PNG already: only a JPEG or a size asks for more.
            let of_a_page = clause.has_any(&["pdf*", "page*", "render*"]);
            let beyond_png =
                clause.has_any(&["jpg*", "jpeg*", "quality"]) || read::max_bytes(clause).is_some();
            (read::image_format(clause).is_some() || read::max_bytes(clause).is_some())
                && (!of_a_page || beyond_png)
        }),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let format = facts
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or("the requested format");
        let bytes = facts.get("bytes").and_then(Value::as_u64).unwrap_or(0);
        Some(format!(
            "converted the image to {} ({} bytes)",
            format.to_uppercase(),
            bytes
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for ConvertImage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "convert_image"
    }

    fn description(&self) -> &'static str {
        "Convert an image to PNG or JPEG (with a quality), optionally fitting a byte budget \
         (max_bytes: lower JPEG quality, then a smaller size)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Core
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ConvertImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ConvertImageArgs = io::parse_args(self.name(), &args)?;
        let quality = parsed.quality.unwrap_or(cx.limits.jpeg_quality);
        if !(1..=100).contains(&quality) {
            return Err(ToolError::InvalidArguments {
                tool: "convert_image",
                message: format!("`quality` {quality} must be between 1 and 100"),
            });
        }
        let max_bytes = match parsed.max_bytes {
            Some(0) => {
                return Err(ToolError::InvalidArguments {
                    tool: "convert_image",
                    message: "`max_bytes` must be at least 1".to_owned(),
                });
            }
            Some(max) => Some(usize::try_from(max).unwrap_or(usize::MAX)),
            None => None,
        };
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let source = decoded.image;
        let (source_width, source_height) = (source.width(), source.height());
        let format = parsed.format;
        let encoded = io::blocking(move || {
            Ok(vitrine_media::encode_within(
                &source, format, quality, max_bytes,
            )?)
        })
        .await?;
        let content_type = vitrine_media::ImageFormat::from(format).media_type();
        let made = io::save_bytes(
            cx,
            &encoded.bytes,
            ArtifactKind::Image,
            content_type,
            MediaInfo {
                width: Some(encoded.width),
                height: Some(encoded.height),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &[&meta], &args),
            None,
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "format": format,
                "content_type": content_type,
                "from_content_type": meta.content_type,
                "bytes": encoded.bytes.len(),
                "from_bytes": meta.size,
                "quality": encoded.quality,
                "width": encoded.width,
                "height": encoded.height,
                "source_width": source_width,
                "source_height": source_height,
                "downscaled": encoded.downscaled,
                "max_bytes": parsed.max_bytes,
            }),
        })
    }
}
