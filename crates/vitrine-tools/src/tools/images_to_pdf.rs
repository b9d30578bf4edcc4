//! `images_to_pdf`: one or more images as the pages of a new PDF, in order.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_document::{ImagesToPdfParams, images_to_pdf};
use vitrine_store::MediaInfo;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, plural};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `images_to_pdf`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ImagesToPdfArgs {
    /// The images, one page each, in page order.
    #[schemars(length(min = 1))]
    pub images: Vec<ImageRef>,
    /// Page sizing.
    #[serde(flatten)]
    pub pdf: ImagesToPdfParams,
}

/// Binds images into a PDF.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImagesToPdf;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "make a PDF from images",
        examples: &[
            "make a PDF of these scans",
            "combine the photos into one pdf",
            "save it as a PDF",
        ],
        cues: &[
            &["pdf*", "document"],
            &[
                "@make", "combin*", "merg*", "put", "bind*", "compil*", "assembl*", "collect*",
                "bundl*", "as", "into", "to", "one", "single",
            ],
        ],
        // A page of a PDF named ("page 2 of the pdf"), not "one plan per page".
        unless: &[
            "on page",
            "page ~ of",
            "pages of",
            "from page",
            "this page",
            "that page",
            "the page",
            "page 1",
            "how many",
        ],
        input: Input::All {
            arg: "images",
            kind: ArtifactKind::Image,
        },
        slots: &[],
        chains: true,
        accept: Some(|clause| clause.has("pdf*")),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "made a PDF of {}",
            plural(
                facts.get("pages").and_then(Value::as_u64).unwrap_or(0),
                "page",
                "pages"
            )
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for ImagesToPdf {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "images_to_pdf"
    }

    fn description(&self) -> &'static str {
        "Make a PDF document from one or more images, one page per image in the order given."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Document
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ImagesToPdfArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("document", ArtifactKind::Document)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ImagesToPdfArgs = io::parse_args(self.name(), &args)?;
        if parsed.images.is_empty() {
            return Err(ToolError::InvalidArguments {
                tool: "images_to_pdf",
                message: "`images` is empty; give at least one image".to_owned(),
            });
        }
        let mut metas = Vec::with_capacity(parsed.images.len());
        let mut blobs = Vec::with_capacity(parsed.images.len());
        for (index, image) in parsed.images.iter().enumerate() {
            let param = format!("images[{index}]");
            let id = image.id(&param)?;
            let meta = io::artifact(cx, &param, &id, ArtifactKind::Image).await?;
            blobs.push(io::read_bytes(cx, &meta).await?);
            metas.push(meta);
        }
        let params = parsed.pdf.clone();
        let pdf = io::blocking(move || {
            let slices: Vec<&[u8]> = blobs.iter().map(Vec::as_slice).collect();
            Ok(images_to_pdf(&slices, &params)?)
        })
        .await?;
        let pages = u32::try_from(metas.len()).unwrap_or(u32::MAX);
        let parents: Vec<&vitrine_store::ArtifactMeta> = metas.iter().collect();
        let made = io::save_bytes(
            cx,
            &pdf,
            ArtifactKind::Document,
            "application/pdf",
            MediaInfo {
                pages: Some(pages),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &parents, &args),
            None,
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "document".to_owned(),
                meta: made,
            }],
            facts: json!({"page_count": pages, "bytes": pdf.len()}),
        })
    }
}
