//! `redact_document`: every page of a PDF rendered, its faces and PHI hidden with the same
//! verified redaction as `blur_faces` and `redact_phi` (`crate::verify`), and the pages bound
//! into a new PDF of images only.
//!
//! The output has no text layer, fonts, links, forms, annotations or metadata of the original:
//! a hidden name cannot be copied out from under its black box. Pages are handled one at a time
//! so memory holds one page, not the document.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_document::{ImagesToPdfParams, PageSelection, PdfInput, Poppler, RenderParams};
use vitrine_media::image::DynamicImage;
use vitrine_media::{Color, DecodeLimits, RedactMethod, RedactParams};
use vitrine_store::MediaInfo;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Clause, Fact, FactKind, Input, Intent, Meaning, Slot, plural, read};
use crate::refs::DocumentRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::blur_faces;
use crate::tools::detect_faces::find_faces;
use crate::tools::ocr::{OcrEngine, read_lines_with};
use crate::tools::redact_phi::{REDACT_DOCUMENT_CUES, REDACT_DOCUMENT_UNLESS};
use crate::verify::{hide_faces_verified, hide_phi_verified};

/// Arguments of `redact_document`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RedactDocumentArgs {
    /// The PDF to redact.
    pub document: DocumentRef,
    /// Hide faces (photos on IDs, badges, forms); default true.
    #[serde(default = "yes")]
    pub faces: bool,
    /// Paint over names, dates, ids, phone numbers, e-mail and street addresses; default true.
    #[serde(default = "yes")]
    pub phi: bool,
    /// How faces are hidden: `blur` (default, as `blur_faces`), `pixelate` or `fill`.
    #[serde(default)]
    pub face_method: RedactMethod,
    /// The OCR engine that finds the text: `ppocr` (default) or `tesseract`.
    #[serde(default)]
    pub engine: OcrEngine,
    /// Resolution pages are rendered at, 72..300 dots per inch; default 150. The output pages
    /// keep the original page size.
    #[serde(default = "default_dpi")]
    #[schemars(range(min = 72, max = 300))]
    pub dpi: u32,
}

fn yes() -> bool {
    true
}

fn default_dpi() -> u32 {
    150
}

/// Redacts a PDF page by page.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactDocument;

/// Words that hide things, from `redact_phi`'s and `blur_faces`' first groups.
const HIDE: &[&str] = &[
    "@hide",
    "@remove",
    "redact*",
    "unrecogni*",
    "anonymi*",
    "anonymous",
    "sanitiz*",
    "sanitis*",
    "scrub*",
    "de identif*",
    "deidentif*",
];

/// Words that name a document as a whole.
const WHOLE_DOCUMENT: &[&str] = &[
    "pdf*",
    "file",
    "document*",
    "doc",
    "pages",
    "every page",
    "each page",
    "all pages",
    "all the pages",
    "form*",
    "record*",
    "report*",
    "letter*",
    // "De-identify this discharge summary", "scrub the referral".
    "summary",
    "summaries",
    "referral*",
    "chart*",
    "notes",
    "scan*",
];

/// A named page ("page 2", "the first page") is rendered and redacted as an image instead.
fn no_page_named(clause: &crate::meaning::Clause) -> bool {
    // "Redact this pdf: names and the photo on the first page": the page says where something
    // is; the redaction is of the PDF named.
    let whole_named = clause.has_any(&[
        "redact* this pdf",
        "redact* the pdf",
        "redact* this document",
        "redact* the document",
    ]) && clause.has_any(&["on the ~ page", "on page", "in the ~ page"]);
    // "The pdf has patient names and an id photo on page 1. Redact both": a description says
    // where they are.
    let described_there = clause.has_any(&[
        "has ~ ~ on page",
        "has ~ ~ on the ~ page",
        "got ~ ~ on page",
        "got ~ ~ on the ~ page",
        "is on page",
        "are on page",
        "is on the ~ page",
        "are on the ~ page",
    ]);
    read::page(clause).is_none() || whole_named || described_there
}

/// What the clause names to hide: faces, PHI, or (neither or both named, or a vague "anything
/// sensitive") both. "Pixelate the faces in this PDF" leaves its text as it is.
fn named_parts(clause: &Clause) -> (bool, bool) {
    // "The faces can stay" names faces to keep.
    // "Put black boxes over the photos": the photos in a PDF are of people.
    // "The employee's home address" names someone's text, not their face.
    let faces = (clause.has_any(&["@photos_on_pages"])
        || (clause.has_any(&["@faces"]) && !blur_faces::speaks_only_of_someones_text(clause)))
        && !clause.has_any(&[
            "face* ~ stay",
            "face* ~ fine",
            "face* ~ ok",
            "face* ~ okay",
            "leave ~ face*",
            "keep ~ face*",
            "not ~ face*",
            "don't worry about ~ face*",
            "dont worry about ~ face*",
            "no need to ~ face*",
            // "Leave the photos alone".
            "leave ~ @photos_on_pages",
            "keep ~ @photos_on_pages",
            "@photos_on_pages ~ stay",
            "@photos_on_pages ~ alone",
            "@photos_on_pages ~ fine",
            "@photos_on_pages ~ as they are",
        ]);
    // "Only the text needs redacting" names the PHI's part (not "leave the writing as it is",
    // "don't touch the text", "the text is all public").
    // Any word that keeps or spares something in the clause leaves the text to the other
    // readings ("don't redact the text", "the text is needed for the audit").
    let text_named = clause.has_any(&[
        "only the text",
        "just the text",
        "only the writing",
        "just the writing",
        "text only",
        "writing only",
        "text needs",
        "writing needs",
    ]) && !clause.has_any(&[
        "don't", "dont", "not", "no", "without", "leave*", "left", "keep*", "touch*", "needed",
        "as is", "as it is", "public", "readable", "fine", "stay*", "ok", "okay",
    ]);
    // "The children's names can stay".
    let phi = (text_named || clause.has_any(&["@phi"]))
        && !clause.has_any(&[
            "@phi ~ stay",
            "@phi ~ fine",
            "@phi ~ ok",
            "@phi ~ okay",
            "@phi ~ remain",
            "leave ~ @phi",
            "keep ~ @phi",
        ]);
    let vague = clause.has_any(&["@sensitive"]);
    if vague || faces == phi {
        (true, true)
    } else {
        (faces, phi)
    }
}

/// The arguments every wording fills.
const SLOTS: &[Slot] = &[
    Slot {
        arg: "faces",
        read: |clause| Some(json!(named_parts(clause).0)),
    },
    Slot {
        arg: "phi",
        read: |clause| Some(json!(named_parts(clause).1)),
    },
    Slot {
        arg: "face_method",
        read: |clause| {
            if named_parts(clause).0 {
                read::face_hide_method(clause)
            } else {
                None
            }
        },
    },
    Slot {
        arg: "dpi",
        read: |clause| read::dpi(clause).map(|dpi| json!(dpi.clamp(72, 300))),
    },
    Slot {
        arg: "engine",
        read: read::ocr_engine,
    },
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "redact a PDF: hide the faces and PHI on every page, with no text layer left",
            examples: &["pixelate the faces (a PDF attached)"],
            cues: &[HIDE, &["@phi", "@faces", "@photos_on_pages"]],
            unless: &["a mask", "the mask", "@video"],
            input: Input::One {
                arg: "document",
                kind: ArtifactKind::Document,
            },
            slots: SLOTS,
            chains: true,
            // With a photo attached too, "the face in the photo" is the photo's (the planner
            // prefers an image intent unless the words name the document).
            accept: Some(no_page_named),
            ..Intent::DEFAULT
        },
        Intent {
            does: "redact a PDF: hide the faces and PHI on every page, with no text layer left",
            examples: &[
                "black out the patient details in the document",
                "remove the names and faces from every page of the pdf",
                "hide anything sensitive in this PDF",
            ],
            // Three groups, so it explains (and replaces) `redact_phi` and `blur_faces` on a PDF.
            cues: &[HIDE, WHOLE_DOCUMENT, &["@phi", "@faces", "@sensitive"]],
            unless: &["a mask", "the mask"],
            input: Input::One {
                arg: "document",
                kind: ArtifactKind::Document,
            },
            slots: SLOTS,
            chains: true,
            accept: Some(no_page_named),
            ..Intent::DEFAULT
        },
        Intent {
            does: "redact a PDF: hide the faces and PHI on every page, with no text layer left",
            examples: &["redact this form", "sanitise the lab report"],
            cues: REDACT_DOCUMENT_CUES,
            unless: REDACT_DOCUMENT_UNLESS,
            input: Input::One {
                arg: "document",
                kind: ArtifactKind::Document,
            },
            slots: SLOTS,
            chains: true,
            accept: Some(no_page_named),
            ..Intent::DEFAULT
        },
        Intent {
            does: "redact a PDF: hide the faces and PHI on every page, with no text layer left",
            examples: &["redact this PDF", "anonymise this pdf before I send it"],
            cues: &[
                &[
                    "redact*",
                    "sanitiz*",
                    "sanitis*",
                    "scrub*",
                    "de identif*",
                    "deidentif*",
                    "anonymi*",
                    "anonymous",
                ],
                // "Compliance insists the copy we send be de-identified": the PDF attached.
                &["pdf*", "=copy", "=copies", "=file", "=files"],
            ],
            input: Input::One {
                arg: "document",
                kind: ArtifactKind::Document,
            },
            slots: SLOTS,
            chains: true,
            accept: Some(no_page_named),
            ..Intent::DEFAULT
        },
    ],
    summary: |args, facts| {
        let number = |key: &str| facts.get(key).and_then(Value::as_u64).unwrap_or(0);
        let asked = |key: &str| args.get(key).and_then(Value::as_bool).unwrap_or(true);
        let mut hid = Vec::new();
        if asked("faces") {
            hid.push(plural(number("faces_hidden"), "face", "faces"));
        }
        if asked("phi") {
            hid.push(plural(number("phi_count"), "PHI finding", "PHI findings"));
        }
        Some(format!(
            "redacted {} of the PDF: hid {} (each page read again: none remains), rebuilt as \
             images with no text layer",
            plural(number("page_count"), "page", "pages"),
            hid.join(" and "),
        ))
    },
    facts: &[
        Fact {
            key: "phi_remaining",
            kind: FactKind::Count,
            about: &["remain", "left", "still"],
        },
        Fact {
            key: "faces_hidden",
            kind: FactKind::Count,
            about: &["face"],
        },
        Fact {
            key: "phi_count",
            kind: FactKind::Count,
            about: &["phi", "pii", "finding", "redact", "sensitive", "identifier"],
        },
        Fact {
            key: "kinds",
            kind: FactKind::Labels,
            about: &["phi", "pii", "kind", "type", "redact", "sensitive"],
        },
        Fact {
            key: "page_count",
            kind: FactKind::Count,
            about: &["page"],
        },
    ],
};

#[async_trait]
impl Tool for RedactDocument {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "redact_document"
    }

    fn description(&self) -> &'static str {
        "Redact a PDF: render every page, hide faces and PHI (names, dates, ids, phone numbers, \
         e-mail and street addresses) with a verified second look, and rebuild the PDF from the \
         page images, with no text layer left."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Core
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RedactDocumentArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("document", ArtifactKind::Document)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RedactDocumentArgs = io::parse_args(self.name(), &args)?;
        if !(72..=300).contains(&parsed.dpi) {
            return Err(ToolError::InvalidArguments {
                tool: "redact_document",
                message: format!("`dpi` {} must be between 72 and 300", parsed.dpi),
            });
        }
        if !parsed.faces && !parsed.phi {
            return Err(ToolError::InvalidArguments {
                tool: "redact_document",
                message: "`faces` and `phi` are both false; set at least one to true".to_owned(),
            });
        }
        let id = parsed.document.id("document")?;
        let meta = io::artifact(cx, "document", &id, ArtifactKind::Document).await?;
        let input = io::to_temp_file(cx, &meta, "pdf").await?;
        let poppler = Poppler::new();
        let page_count = poppler.page_count(PdfInput::Path(&input)).await?;
        // Ingest refuses longer PDFs, but tools make PDFs too (page_to_pdf, images_to_pdf).
        let max_pages = cx.limits.max_pdf_pages;
        if page_count > max_pages {
            return Err(ToolError::InvalidArguments {
                tool: "redact_document",
                message: format!(
                    "the PDF has {page_count} pages, more than the limit of {max_pages} \
                     (the server's --max-pdf-pages); split it first"
                ),
            });
        }
        let limits = DecodeLimits {
            max_bytes: usize::try_from(cx.limits.max_input_bytes).unwrap_or(usize::MAX),
            max_pixels: cx.limits.max_pixels,
        };
        let quality = cx.limits.jpeg_quality;
        let mut pages = Vec::with_capacity(page_count as usize);
        let mut per_page = Vec::with_capacity(page_count as usize);
        let mut phi_hidden = Vec::new();
        let (mut faces_total, mut passes) = (0_usize, 0_u32);
        for number in 1..=page_count {
            let params = RenderParams {
                pages: Some(PageSelection::List(vec![number])),
                dpi: parsed.dpi,
            };
            let rendered = poppler
                .render_pages(PdfInput::Path(&input), &params)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| ToolError::Internal(format!("poppler rendered no page {number}")))?;
            let mut page = io::blocking(move || {
                Ok(DynamicImage::ImageRgb8(
                    vitrine_media::decode(&rendered.png, &limits)?.into_rgb(),
                ))
            })
            .await?;
            let mut faces_on_page = 0;
            if parsed.faces {
                let (rgb, faces) = find_faces(cx, page.to_rgb8(), MIN_FACE_SCORE).await?;
                let hide = RedactParams {
                    regions: Vec::new(),
                    method: parsed.face_method,
                    strength: 1.5,
                    color: Color::BLACK,
                    padding_ratio: 0.2,
                };
                let (hidden, audit) = hide_faces_verified(
                    cx,
                    DynamicImage::ImageRgb8(rgb),
                    &faces,
                    hide,
                    MIN_FACE_SCORE,
                )
                .await?;
                page = hidden;
                faces_on_page = audit.hidden;
                passes = passes.max(audit.passes);
            }
            let mut phi_on_page = 0;
            if parsed.phi {
                let (rgb, lines) = read_lines_with(cx, parsed.engine, page.to_rgb8()).await?;
                let findings = vitrine_vision::find_phi(&lines);
                let fill = RedactParams {
                    regions: Vec::new(),
                    method: RedactMethod::Fill,
                    strength: 1.0,
                    color: Color::BLACK,
                    padding_ratio: 0.0,
                };
                let (redacted, audit) = hide_phi_verified(
                    cx,
                    parsed.engine,
                    DynamicImage::ImageRgb8(rgb),
                    findings,
                    fill,
                )
                .await?;
                page = redacted;
                phi_on_page = audit.hidden.len();
                passes = passes.max(audit.passes);
                phi_hidden.extend(audit.hidden);
            }
            faces_total += faces_on_page;
            per_page.push(json!({"page": number, "faces": faces_on_page, "phi": phi_on_page}));
            // JPEG pages go into the PDF as they are (no second encode); black fills and blurred
            // faces survive JPEG, and no text layer exists to leak what they cover.
            pages
                .push(io::blocking(move || Ok(vitrine_media::encode_jpeg(&page, quality)?)).await?);
        }
        let dpi = parsed.dpi as f32;
        let pdf = io::blocking(move || {
            let slices: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
            Ok(vitrine_document::images_to_pdf(
                &slices,
                &ImagesToPdfParams { dpi },
            )?)
        })
        .await?;
        let kinds = crate::verify::PhiAudit {
            hidden: phi_hidden,
            passes,
        }
        .by_kind();
        let phi_count: usize = kinds.values().sum();
        let made = io::save_bytes(
            cx,
            &pdf,
            ArtifactKind::Document,
            "application/pdf",
            MediaInfo {
                pages: Some(page_count),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &[&meta], &args),
            None,
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "document".to_owned(),
                meta: made,
            }],
            facts: json!({
                "page_count": page_count,
                "faces_hidden": faces_total,
                "faces_remaining": 0,
                "phi_count": phi_count,
                "kinds": kinds,
                "phi_remaining": 0,
                "passes": passes,
                "pages": per_page,
                "text_layer": false,
                "engine": parsed.engine,
                "bytes": pdf.len(),
            }),
        })
    }
}

/// The face detector's threshold on pages, as `blur_faces`' default.
const MIN_FACE_SCORE: f32 = 0.4;
