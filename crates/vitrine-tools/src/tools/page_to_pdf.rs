//! `page_to_pdf`: a web page printed to a PDF document, backgrounds included.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_document::Poppler;
use vitrine_store::MediaInfo;
use vitrine_web::Paper;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read};
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::web::{self, PageUrl};

/// Paper sizes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PaperSize {
    /// ISO A4.
    #[default]
    A4,
    /// US Letter.
    Letter,
}

/// Arguments of `page_to_pdf`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct PageToPdfArgs {
    /// The page.
    pub url: PageUrl,
    /// Paper size.
    #[serde(default)]
    pub paper: PaperSize,
    /// Landscape instead of portrait.
    #[serde(default)]
    pub landscape: bool,
}

/// Prints a page to PDF.
#[derive(Debug, Clone, Copy, Default)]
pub struct PageToPdf;

/// The words that ask to print a page, shared by the address-typed and the `url_`-ref
/// intents (the planner keeps one of the two by what is attached).
const PRINT_CUES: &[&[&str]] = &[
    &["pdf*"],
    &[
        "http*", "www*", "url", "page*", "site*", "website*", "webpage*", "link", "article*",
        // "The address is https://… Save it as a PDF": the page just named (only where the
        // request gives an address; see the intent's `accept`).
        "it",
    ],
];

/// The arguments besides the page.
const PAPER_SLOTS: [Slot; 2] = [
    Slot {
        arg: "paper",
        read: read::paper,
    },
    Slot {
        arg: "landscape",
        read: read::landscape,
    },
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "save a web page as a PDF",
            examples: &[
                "save this page as a PDF https://example.com",
                "print https://example.com/invoice to pdf",
                "make a pdf of the website https://example.com",
            ],
            cues: PRINT_CUES,
            input: Input::None,
            // Only with an address to open: "page" alone is also a PDF's page; "it" is the
            // page only where the request gives an address.
            accept: Some(|clause| {
                read::names_url(clause) || (read::url(clause).is_some() && clause.has("it"))
            }),
            slots: &[
                Slot {
                    arg: "url",
                    read: read::url,
                },
                PAPER_SLOTS[0],
                PAPER_SLOTS[1],
            ],
            ..Intent::DEFAULT
        },
        // A link passed back as a `url_` ref, e.g. one extract_page stored.
        Intent {
            does: "save a web page as a PDF",
            examples: &["save that link as a PDF", "print the linked page to pdf"],
            cues: PRINT_CUES,
            input: Input::One {
                arg: "url",
                kind: ArtifactKind::Url,
            },
            slots: &PAPER_SLOTS,
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let pages = facts.get("pages").and_then(Value::as_u64).unwrap_or(0);
        let title = facts
            .get("title")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let pages = crate::meaning::plural(pages, "page", "pages");
        Some(if title.is_empty() {
            format!("saved the page as a {pages} PDF")
        } else {
            format!("saved “{title}” as a {pages} PDF")
        })
    },
    facts: &[],
};

#[async_trait]
impl Tool for PageToPdf {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "page_to_pdf"
    }

    fn description(&self) -> &'static str {
        "Save a web page (an http(s) URL or a url_ ref) as a PDF document, printed with its \
         backgrounds on A4 or Letter paper."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Web
    }

    fn parameters(&self) -> Value {
        io::schema_of::<PageToPdfArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("document", ArtifactKind::Document)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: PageToPdfArgs = io::parse_args(self.name(), &args)?;
        let browser = web::browser(cx)?;
        let (url, source) = web::resolve(cx, "url", &parsed.url).await?;
        let paper = match parsed.paper {
            PaperSize::A4 => Paper::A4,
            PaperSize::Letter => Paper::LETTER,
        };
        let printed = browser.pdf(&url, paper, parsed.landscape).await?;
        let pages = Poppler::new().page_count((&printed.pdf).into()).await?;
        let parents: Vec<&vitrine_store::ArtifactMeta> = source.iter().collect();
        let made = io::save_bytes(
            cx,
            &printed.pdf,
            ArtifactKind::Document,
            "application/pdf",
            MediaInfo {
                pages: Some(pages),
                title: Some(printed.page.title.clone()).filter(|title| !title.is_empty()),
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
            facts: json!({
                "url": url,
                "final_url": printed.page.final_url,
                "title": printed.page.title,
                "pages": pages,
                "cut_at_time_limit": printed.page.cut_at_time_limit,
                "refused_requests": printed.page.refused_requests,
            }),
        })
    }
}
