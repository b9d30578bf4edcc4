//! `redact_phi`: OCR, find PHI/PII (names, dates, ids, phones, e-mails, addresses) and paint a
//! solid box over each finding.
//!
//! The facts name the kinds and boxes found, never the text itself: the response must not
//! carry the identifiers the tool just removed.
//!
//! The result is read again (same OCR engine, same PHI finder) before it is returned; what is
//! still found is filled too, up to two more passes, else the tool fails (`crate::verify`).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::DynamicImage;
use vitrine_media::{Color, RedactMethod, RedactParams};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read, tally};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::round_box;
use crate::tools::ocr::{OcrEngine, read_lines_with};
use crate::verify::hide_phi_verified;
use vitrine_wire::ArtifactKind;

/// Arguments of `redact_phi`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct RedactPhiArgs {
    /// The image to clean.
    pub image: ImageRef,
    /// Fill colour, `#rrggbb`; default black.
    #[serde(default = "black")]
    pub color: Color,
    /// The OCR engine that finds the text: `ppocr` (default) or `tesseract` (needs the Debian
    /// packages `tesseract-ocr tesseract-ocr-eng`; English), as for `ocr`.
    #[serde(default)]
    pub engine: OcrEngine,
}

fn black() -> Color {
    Color::BLACK
}

/// Paints over personal and health information found in the image's text.
#[derive(Debug, Clone, Copy, Default)]
pub struct RedactPhi;

/// A human phrase for a PHI kind, e.g. "date of birth".
pub fn phi_kind_phrase(kind: vitrine_vision::PhiKind) -> String {
    let key = serde_json::to_value(kind)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default();
    match key.as_str() {
        "ssn" => "social security number".to_owned(),
        "medical_record_number" => "medical record number".to_owned(),
        "email" => "e-mail address".to_owned(),
        "phone" => "phone number".to_owned(),
        "zip_code" => "ZIP code".to_owned(),
        "id_number" => "ID number".to_owned(),
        other => other.replace('_', " "),
    }
}

/// Things with text on them that "redact this …" means the PHI of.
const DOCUMENTS: &[&str] = &[
    "=form*",
    "=document*",
    "=doc",
    "=letter*",
    "=record*",
    "=chart*",
    "=report*",
    "=scan*",
    "=receipt*",
    "=invoice*",
    "=prescription*",
    "=screenshot*",
    "=card*",
    "=badge*",
    "=label*",
    "=paperwork",
    "=page*",
    "=note*",
    "=discharge*",
    "=lab*",
    "=referral*",
    "=statement*",
    "=bill*",
    "=wristband*",
    "=bracelet*",
    "=id",
    "=licen*",
    "=passport*",
    "=intake",
    "=x ray*",
    "=xray*",
    "=scan",
];

/// "Redact this form": shared with `redact_document`, which takes it when the input is a PDF
/// (the planner picks between intents with the same cues by the kind of input).
pub(crate) const REDACT_DOCUMENT_CUES: &[&[&str]] = &[
    &[
        "redact*",
        "sanitiz*",
        "sanitis*",
        "scrub*",
        // Not "de-identify": that covers faces too (the @sensitive intents).
        "anonymi*",
        "anonymous",
    ],
    DOCUMENTS,
];

/// What keeps [`REDACT_DOCUMENT_CUES`] from matching.
pub(crate) const REDACT_DOCUMENT_UNLESS: &[&str] = &["@faces"];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "remove PHI (names, dates, ids, phone numbers, addresses) from an image",
            examples: &[
                "remove any PHI",
                "hide the patient info",
                "black out names and dates of birth",
                "redact personal details",
                "scrub the phone numbers and email addresses",
            ],
            cues: &[&["@hide", "@remove", "redact*"], &["@phi"]],
            // "Hide the faces, not the names": spared.
            unless: &[
                "a mask",
                "the mask",
                // "Blur the patient's face, the text on the wristband needs to stay readable".
                "stay readable",
                "stay legible",
                "remain readable",
                "remain legible",
                "not the @phi",
                "not their @phi",
                "not any @phi",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "engine",
                read: read::ocr_engine,
            }],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "remove PHI (names, dates, ids, phone numbers, addresses) from an image",
            examples: &["make the writing on that board unreadable (it lists their names)"],
            // "The whiteboard lists their names with room numbers … make the writing on that
            // board unreadable": the writing is the PHI the request describes.
            cues: &[
                &["@hide", "@remove", "redact*"],
                &["writing", "text", "words", "lettering", "handwriting"],
            ],
            // "Pixelate the faces only and leave the text alone": the writing stays.
            unless: &[
                "a mask",
                "the mask",
                "leave*",
                "keep*",
                "don't touch",
                "dont touch",
                "do not touch",
                "not the text",
                "not the writing",
                // "… the text on the wristband needs to stay readable".
                "stay*",
                "remain*",
                // "Remove the text and put my name there instead": new words, not PHI hidden.
                "instead",
                "replac*",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            chains: true,
            accept: Some(|clause| {
                let request = crate::meaning::phrase::Clause::new(&clause.request, &clause.request);
                // Not "remove the text from this meme and put my name there instead".
                request.has_any(&["@phi"]) && !request.has_any(&["instead", "replac*"])
            }),
            ..Intent::DEFAULT
        },
        Intent {
            does: "redact the PHI in a document image",
            examples: &[
                "redact this form",
                "sanitise the lab report",
                "scrub this prescription",
            ],
            cues: REDACT_DOCUMENT_CUES,
            unless: REDACT_DOCUMENT_UNLESS,
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "engine",
                read: read::ocr_engine,
            }],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "hide everything that identifies someone: text (and, with face hiding, faces)",
            examples: &["redact everything sensitive", "make this safe to share"],
            cues: &[&["@sensitive"]],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            chains: true,
            accept: Some(crate::meaning::read::sensitive_unnamed),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let n = count(facts);
        let kinds = tally(facts.get("kinds"), false);
        let audit = facts
            .get("phi_remaining")
            .and_then(Value::as_u64)
            .map(|remaining| {
                let outcome = if remaining == 0 {
                    "none remains readable".to_owned()
                } else {
                    format!("{remaining} still readable")
                };
                match facts.get("passes").and_then(Value::as_u64).unwrap_or(1) {
                    0 | 1 => format!("read again: {outcome}"),
                    passes => format!(
                        "read again, hid what was still readable in {}: {outcome}",
                        plural(passes - 1, "more pass", "more passes")
                    ),
                }
            });
        Some(match (n, audit) {
            (0, None) => "found no PHI in the image's text".to_owned(),
            (0, Some(audit)) => format!("found no PHI in the image's text ({audit})"),
            (n, None) => format!(
                "painted over {} ({kinds})",
                plural(n, "PHI finding", "PHI findings")
            ),
            (n, Some(audit)) => format!(
                "painted over {} ({kinds}; {audit})",
                plural(n, "PHI finding", "PHI findings")
            ),
        })
    },
    facts: &[
        Fact {
            key: "phi_remaining",
            kind: FactKind::Count,
            about: &["remain", "left", "still"],
        },
        Fact {
            key: "passes",
            kind: FactKind::Count,
            about: &["passes"],
        },
        Fact {
            key: "count",
            kind: FactKind::Count,
            about: &["phi", "pii", "finding", "redact", "sensitive", "identifier"],
        },
        Fact {
            key: "kinds",
            kind: FactKind::Labels,
            about: &["phi", "pii", "kind", "type", "redact", "sensitive"],
        },
        Fact {
            key: "phi_found",
            kind: FactKind::Labels,
            about: &["phi", "pii", "found"],
        },
    ],
};

#[async_trait]
impl Tool for RedactPhi {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "redact_phi"
    }

    fn description(&self) -> &'static str {
        "Read the text in an image and paint a solid box over names, dates, ids, phone numbers, e-mail and street addresses (PHI/PII). OCR engine `ppocr` (default) or `tesseract`."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<RedactPhiArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: RedactPhiArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let had_alpha = decoded.has_alpha;
        let original = decoded.image;
        let (rgb, lines) = read_lines_with(cx, parsed.engine, original.to_rgb8()).await?;
        let findings = vitrine_vision::find_phi(&lines);
        let params = RedactParams {
            regions: Vec::new(),
            method: RedactMethod::Fill,
            strength: 1.0,
            color: parsed.color,
            padding_ratio: 0.0,
        };
        // The detector saw an RGB copy; keep the original when alpha matters.
        let source = if had_alpha {
            original
        } else {
            DynamicImage::ImageRgb8(rgb)
        };
        let (redacted, audit) =
            hide_phi_verified(cx, parsed.engine, source, findings, params).await?;
        let kinds = audit.by_kind();
        let facts = json!({
            "engine": parsed.engine,
            "count": audit.hidden.len(),
            "kinds": kinds,
            "phi_found": kinds,
            "phi_remaining": 0,
            "passes": audit.passes,
            "findings": audit.hidden
                .iter()
                .map(|finding| json!({"kind": finding.kind, "box": round_box(finding.bbox)}))
                .collect::<Vec<_>>(),
            "lines_read": lines.len(),
        });
        io::store_redacted(cx, self.name(), &args, &meta, redacted, facts).await
    }
}
