//! `pdf_info`: how many pages a PDF has, their sizes, and the document's metadata.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_document::{PdfInput, Poppler};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, plural};
use crate::refs::DocumentRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Page sizes are listed for at most this many pages.
const MAX_LISTED_PAGES: usize = 100;

/// Arguments of `pdf_info`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PdfInfoArgs {
    /// The PDF.
    pub document: DocumentRef,
}

/// Reads a PDF's page count.
#[derive(Debug, Clone, Copy, Default)]
pub struct PdfInfo;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "count the pages of a PDF and read its metadata (author, title, dates)",
        examples: &[
            "how many pages does this pdf have?",
            "page count please",
            "what size are the pages?",
            "who is the author of this pdf?",
        ],
        cues: &[&[
            "how many pages",
            "how many ~ pages",
            "page count",
            "number of pages",
            "count ~ pages",
            "pages ~ are there",
            "pages ~ does",
            "pages long",
            "how long ~ pdf",
            "how long ~ document",
            "how long ~ contract*",
            "how long ~ report*",
            "how long ~ file",
            "how long is this",
            "how long is it",
            "how long it is",
            "page wise",
            "pagewise",
            "page size*",
            "paper size*",
            // "Is this PDF A4 or letter?"
            "a4",
            "us letter",
            "or letter",
            "letter size*",
            "size of the pages",
            // "… how many pages it has and what size they are".
            "what size",
            "pages are",
            "size ~ pages",
            "pages ~ size",
            // The information dictionary: "does it carry metadata like an author?"
            "metadata",
            "meta data",
            "author",
            "who wrote",
            "creation date",
            "date ~ created",
            "when ~ created",
            "when was ~ made",
            "modif* date",
            "last modified",
            "producer",
            "what ~ made with",
            "title of ~ pdf",
            "title of ~ document",
        ]],
        // "Black out the author and the date it was created": the words on a page, hidden.
        // "Keep the page size the same": a constraint on another step.
        unless: &["@hide", "@remove", "redact*", "keep*", "the same"],
        input: Input::One {
            arg: "document",
            kind: ArtifactKind::Document,
        },
        slots: &[],
        chains: false,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let pages = plural(
            facts.get("pages").and_then(Value::as_u64).unwrap_or(0),
            "page",
            "pages",
        );
        let metadata: Vec<String> = facts
            .get("metadata")
            .and_then(Value::as_object)
            .map(|fields| {
                fields
                    .iter()
                    .filter_map(|(key, value)| Some(format!("{key}: {}", value.as_str()?)))
                    .collect()
            })
            .unwrap_or_default();
        Some(if metadata.is_empty() {
            format!("the PDF has {pages} and no metadata (author, title, dates)")
        } else {
            format!("the PDF has {pages}; its metadata: {}", metadata.join(", "))
        })
    },
    facts: &[
        Fact {
            key: "pages",
            kind: FactKind::Count,
            about: &["page"],
        },
        Fact {
            key: "metadata",
            kind: FactKind::Labels,
            about: &["metadata", "fields"],
        },
        Fact {
            key: "author",
            kind: FactKind::Text,
            about: &["author", "writer"],
        },
        Fact {
            key: "title",
            kind: FactKind::Text,
            about: &["title"],
        },
        Fact {
            key: "created",
            kind: FactKind::Text,
            about: &["created", "creation"],
        },
    ],
};

#[async_trait]
impl Tool for PdfInfo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "pdf_info"
    }

    fn description(&self) -> &'static str {
        "Count the pages of a PDF document, report each page's size in points (the first 100) and its metadata (title, author, subject, keywords, creator, producer, creation and modification dates; facts only, no new artifact)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Document
    }

    fn parameters(&self) -> Value {
        io::schema_of::<PdfInfoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        &[]
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: PdfInfoArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.document.id("document")?;
        let meta = io::artifact(cx, "document", &id, ArtifactKind::Document).await?;
        let input = io::to_temp_file(cx, &meta, "pdf").await?;
        let info = Poppler::new().info(PdfInput::Path(&input)).await?;
        // A 2000-page scan would drown the facts; the count is what matters.
        let sizes: Vec<Value> = info
            .pages
            .iter()
            .take(MAX_LISTED_PAGES)
            .map(|page| {
                json!({
                    "page": page.number,
                    "width_pt": (page.width_pt * 100.0).round() / 100.0,
                    "height_pt": (page.height_pt * 100.0).round() / 100.0,
                    "rotation": page.rotation,
                })
            })
            .collect();
        Ok(ToolOutput {
            artifacts: Vec::new(),
            facts: json!({
                "pages": info.page_count,
                "page_sizes": sizes,
                "author": info.metadata.get("author"),
                "title": info.metadata.get("title"),
                "created": info.metadata.get("created"),
                "metadata": info.metadata,
            }),
        })
    }
}
