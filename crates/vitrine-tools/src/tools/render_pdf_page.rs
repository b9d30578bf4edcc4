//! `render_pdf_page`: one page of a PDF as a PNG image.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_document::{PageSelection, PdfInput, Poppler, RenderParams};
use vitrine_store::MediaInfo;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::refs::DocumentRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `render_pdf_page`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RenderPdfPageArgs {
    /// The PDF.
    pub document: DocumentRef,
    /// Page number, from 1; default 1.
    #[serde(default = "first_page")]
    #[schemars(range(min = 1))]
    pub page: u32,
    /// Resolution in dots per inch; default 150.
    #[serde(default = "default_dpi")]
    #[schemars(range(min = 1, max = 600))]
    pub dpi: u32,
}

fn first_page() -> u32 {
    1
}

fn default_dpi() -> u32 {
    150
}

/// Renders PDF pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderPdfPage;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "render a page of a PDF as an image",
        examples: &[
            "render page 2 as a png",
            "show me the first page",
            "turn the cover page into an image",
            "I need a picture of page 3",
        ],
        cues: &[&[
            "page*",
            // "What's written on pg 2?"
            "pg",
            "cover",
            "render*",
            "rasteri*",
            "convert* ~ image*",
            "convert* ~ png",
            "convert* ~ jpe?g",
            "convert* ~ jpg",
            "turn* ~ image*",
            "turn* ~ png",
            "as ~ image*",
            "as ~ png",
            // "Page five has the chart I need. Make it an image".
            "make it an image",
            "make it a picture",
            "make it a png",
            "make it a jpg",
            "make it a jpeg",
            "to png",
            "to jpg",
            "to jpeg",
            "preview*",
            "screenshot*",
            "snapshot*",
            "show*",
            "picture of",
            "image of",
        ]],
        unless: &[
            // "How does the site render on a mobile?": how a web page shows on a device.
            "render* on ~ phone*",
            "render* on ~ mobile*",
            "render* on ~ tablet*",
            "render* on ~ iphone*",
            "render* on ~ ipad*",
            "render* on ~ desktop*",
            "render* in a browser",
            "render* in the browser",
            // "Dress me in both and show me head to toe": a view of someone.
            "head to toe",
            "full length",
            "full body",
            "how many",
            "page count",
            "number of pages",
            "count",
            "counts",
            "counting",
            "counted",
            "pages ~ are there",
            "page size*",
            // "Are the pages A4 or letter?" asks the size.
            "a4 or letter",
            "letter or a4",
            "@hide",
            // "Remove the patient identifiers from every page" redacts the pages.
            "@remove",
            "how long",
            "in pages",
            "size",
        ],
        input: Input::One {
            arg: "document",
            kind: ArtifactKind::Document,
        },
        slots: &[
            Slot {
                arg: "page",
                read: |clause| Some(read::page(clause).unwrap_or(serde_json::json!(1))),
            },
            Slot {
                arg: "dpi",
                read: |clause| read::dpi(clause).map(|dpi| serde_json::json!(dpi.clamp(72, 600))),
            },
        ],
        chains: true,
        // "Render at 300 dpi" beside a redaction sets its resolution; a rendering names a
        // page or the document.
        accept: Some(|clause| {
            read::dpi(clause).is_none()
                || read::page(clause).is_some()
                || clause.has_any(&["page*", "pdf*", "document*", "doc", "cover", "slide*"])
        }),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "rendered page {} of the PDF",
            facts.get("page").and_then(Value::as_u64).unwrap_or(0)
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for RenderPdfPage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "render_pdf_page"
    }

    fn description(&self) -> &'static str {
        "Render one page of a PDF document (numbered from 1) as a PNG image."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Document
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RenderPdfPageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RenderPdfPageArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.document.id("document")?;
        let meta = io::artifact(cx, "document", &id, ArtifactKind::Document).await?;
        let input = io::to_temp_file(cx, &meta, "pdf").await?;
        let poppler = Poppler::new();
        let page_count = poppler.page_count(PdfInput::Path(&input)).await?;
        let params = RenderParams {
            pages: Some(PageSelection::List(vec![parsed.page])),
            dpi: parsed.dpi,
        };
        let page = poppler
            .render_pages(PdfInput::Path(&input), &params)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| ToolError::Internal("poppler rendered no page".to_owned()))?;
        let made = io::save_bytes(
            cx,
            &page.png,
            ArtifactKind::Image,
            "image/png",
            MediaInfo {
                width: Some(page.width),
                height: Some(page.height),
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
                "page": page.page,
                "page_count": page_count,
                "width": page.width,
                "height": page.height,
            }),
        })
    }
}
