//! `ocr`: read the text of an image line by line, with PP-OCRv6 (the shipped models) or,
//! optionally, Debian's Tesseract run as a subprocess.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use vitrine_document::{OcrLine, Tesseract};
use vitrine_vision::TextLine;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{round_box, round2};
use vitrine_wire::ArtifactKind;

/// Arguments of `ocr`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct OcrArgs {
    /// The image to read.
    pub image: ImageRef,
    /// `ppocr` (default: PP-OCRv6, shipped with Vitrine) or `tesseract` (needs the Debian
    /// packages `tesseract-ocr tesseract-ocr-eng`; English).
    #[serde(default)]
    pub engine: OcrEngine,
}

/// Which OCR engine reads the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OcrEngine {
    /// PP-OCRv6 small detector + recogniser (ONNX, shipped).
    #[default]
    Ppocr,
    /// Tesseract, an independent second engine (optional Debian package).
    Tesseract,
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

/// Reads `image` with `engine`, handing the image back so the caller can edit what was read.
pub(crate) async fn read_lines_with(
    cx: &ToolContext,
    engine: OcrEngine,
    image: vitrine_media::image::RgbImage,
) -> Result<(vitrine_media::image::RgbImage, Vec<TextLine>), ToolError> {
    match engine {
        OcrEngine::Ppocr => read_lines(cx, image).await,
        OcrEngine::Tesseract => read_lines_tesseract(image).await,
    }
}

/// Runs Tesseract on an image: written as a PNG to a temporary file, read by a `tesseract`
/// subprocess (killed on timeout or cancellation), its lines in the PP-OCR line type.
async fn read_lines_tesseract(
    image: vitrine_media::image::RgbImage,
) -> Result<(vitrine_media::image::RgbImage, Vec<TextLine>), ToolError> {
    let (image, png) = io::encode_png(image).await?;
    let path = io::temp_output("vitrine-ocr-", ".png")?;
    tokio::fs::write(&path, &png)
        .await
        .map_err(|error| ToolError::Store(error.into()))?;
    let lines = Tesseract::new().read(&path).await?;
    Ok((image, lines.into_iter().map(text_line).collect()))
}

/// A Tesseract line as a [`TextLine`]: an upright polygon from its box, and each character's
/// position interpolated inside its word's box (spaces midway between words), so PHI spans
/// can be located as on PP-OCR lines.
fn text_line(line: OcrLine) -> TextLine {
    let [x0, y0, x1, y1] = line.bbox;
    let length = (x1 - x0).max(1.0);
    let mut char_positions = Vec::with_capacity(line.text.chars().count());
    for (index, word) in line.words.iter().enumerate() {
        if let Some(previous) = index.checked_sub(1).map(|previous| &line.words[previous]) {
            char_positions.push(((previous.bbox[2] + word.bbox[0]) / 2.0 - x0) / length);
        }
        let count = word.text.chars().count().max(1) as f32;
        let width = word.bbox[2] - word.bbox[0];
        for position in 0..word.text.chars().count() {
            let centre = word.bbox[0] + width * (position as f32 + 0.5) / count;
            char_positions.push((centre - x0) / length);
        }
    }
    TextLine {
        bbox: line.bbox,
        polygon: [[x0, y0], [x1, y0], [x1, y1], [x0, y1]],
        text: line.text,
        confidence: line.confidence,
        char_positions,
    }
}

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "read the text in an image (OCR)",
            examples: &[
                "what does the text in this image say?",
                "read the sign",
                "extract the text",
                "transcribe this note",
                "OCR this receipt",
            ],
            cues: &[
                &[
                    "read*",
                    "ocr",
                    "transcrib*",
                    "extract*",
                    "get",
                    "pull*",
                    "copy*",
                    "grab*",
                    "what",
                    "what's",
                    "whats",
                    "type* out",
                    "digiti*",
                    "convert*",
                    "tell*",
                    "give*",
                    "list*",
                    "show*",
                    "recogni*",
                    "which",
                    "any",
                ],
                &[
                    "text*",
                    "word*",
                    "writing",
                    "written",
                    "say",
                    "says",
                    "saying",
                    "ocr",
                    "transcri*",
                    "handwrit*",
                    "characters",
                    "lettering",
                    "label*",
                    "date",
                    "sign",
                    "signs",
                    "caption*",
                    "receipt*",
                    "menu*",
                    "whiteboard*",
                    // Not "the slideshow software stretches anything".
                    "slide",
                    "slides",
                    "poster*",
                    "printed",
                    "number plate*",
                    "license plate*",
                    "licence plate*",
                    "serial*",
                    "model number*",
                    "part number*",
                    "inscription*",
                    // "What does the tagline along the bottom read, exactly?" (not "a good
                    // tagline for this photo", words to write).
                    "what does ~ read",
                    "what do ~ read",
                    // "Can you read out what's on the second page": its words.
                    "read out",
                    "what does ~ ~ read",
                    "what do ~ ~ read",
                ],
            ],
            // "What the metadata says" asks about the file, not its text.
            unless: &[
                // "IT says the avatar should show just the face": what someone says, passed on.
                "says the",
                "says that",
                "says we",
                "says you",
                "says they",
                "said the",
                "said that",
                // "Give me a caption for it": one to write, not one to read.
                "give ~ a caption",
                "write ~ a caption",
                "suggest ~ a caption",
                "need a caption",
                "want a caption",
                "come up with ~ caption",
                // "The ward name on the sign is fine to show": what may stay, not a question.
                "fine to show",
                "ok to show",
                "okay to show",
                "can be shown",
                "can stay",
                "metadata",
                "exif",
                // "Is there any GPS or date info inside the file?"
                "gps",
                // "What date was it taken?": when the camera took it, not a printed date.
                // "I'd love to get it printed as something softer": printing it, not its print.
                "get it printed",
                "get them printed",
                "have it printed",
                "printed as",
                "to be printed",
                "date ~ was ~ taken",
                "date ~ were ~ taken",
                "when ~ taken",
                "original date",
                "camera say* ~ taken",
                "inside the file",
                "in the file",
                "@hide",
                "@remove",
                // "Keep the text readable" keeps it, it does not ask to read it.
                "keep*",
                "leave*",
                "readable",
                "legible",
                // A COCO class, found by the object detector.
                "stop sign*",
                "frame*",
                "audio",
                "speech",
                "spoken",
                // "Any written identifiers on the chart" are named to hide, not to read.
                "any identifier*",
                "any written identifier*",
                // "If you can read the licence plate, blur it": a condition.
                "if ~ can read",
                "if ~ can make out",
                // "A voice-over that reads the caption out loud" is speech to make.
                "aloud",
                "out loud",
                "voice-over*",
                "voiceover*",
                "voice over*",
                "translat*",
                "descri*",
                "alt text",
                // "What's different between these two versions of the poster" compares them.
                "different",
                "difference*",
                "compar*",
                // "The print shop says they need it big enough": someone's words, not the text.
                "says they",
                "said they",
                "says we",
                "said we",
                "says you",
                "said you",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "engine",
                read: read::ocr_engine,
            }],
            chains: false,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "read the text in an image (OCR)",
            examples: &["ocr this", "read this for me"],
            cues: &[&[
                "ocr",
                "read it",
                "read this",
                "read me",
                "read that",
                "read the note",
            ]],
            // "(I) read that photos can leak where they were taken": something read elsewhere.
            // "Sharpening would help the GP read it": someone else's reading, a purpose.
            unless: &[
                "@hide",
                "@phi",
                "aloud",
                "out loud",
                "help ~ read",
                "helps ~ read",
                "can read it",
                "could read it",
                "able to read",
                "easier to read",
                "read that ~ can",
                "read that ~ could",
                "read that ~ may",
                "read that ~ might",
                "read that ~ will",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[],
            chains: false,
            accept: None,
            ..Intent::DEFAULT
        },
        // "Read the details on the business card for me": what a card or label says, read out.
        Intent {
            does: "read the text in an image (OCR)",
            examples: &["read the details on the business card"],
            cues: &[
                &["read*", "transcrib*", "type out", "copy out", "write out"],
                &["detail* on", "info* on", "details from", "info* from"],
            ],
            unless: &["@hide", "@remove", "aloud", "out loud", "read that ~ can"],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[],
            chains: false,
            accept: None,
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        let n = count(facts);
        Some(if n == 0 {
            "found no text".to_owned()
        } else {
            format!("read {}", plural(n, "line of text", "lines of text"))
        })
    },
    facts: &[
        Fact {
            key: "text",
            kind: FactKind::Text,
            about: &[
                "text",
                "ocr",
                "transcript",
                "content",
                "words",
                "says",
                "written",
            ],
        },
        Fact {
            key: "count",
            kind: FactKind::Count,
            about: &["line", "text"],
        },
    ],
};

#[async_trait]
impl Tool for Ocr {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "ocr"
    }

    fn description(&self) -> &'static str {
        "Read the text in an image; returns each line with its box and the full text. Engine \
         `ppocr` (default) or `tesseract` (optional second engine)."
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
        let (_, lines) = read_lines_with(cx, parsed.engine, decoded.into_rgb()).await?;
        let text: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        let facts = json!({
            "engine": parsed.engine,
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

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine_document::OcrWord;

    #[test]
    fn tesseract_lines_get_one_position_per_character_inside_each_word() {
        let word = |text: &str, x0: f32, x1: f32| OcrWord {
            text: text.to_owned(),
            bbox: [x0, 10.0, x1, 30.0],
            confidence: 0.9,
        };
        let line = text_line(OcrLine {
            text: "MRN: 00482913".to_owned(),
            bbox: [100.0, 10.0, 330.0, 30.0],
            confidence: 0.9,
            words: vec![word("MRN:", 100.0, 180.0), word("00482913", 200.0, 330.0)],
        });
        assert_eq!(line.char_positions.len(), line.text.chars().count());
        assert!(line.char_positions.windows(2).all(|pair| pair[0] < pair[1]));
        // The space sits in the gap, the digits inside the second word's box.
        let space = line.char_positions[4];
        assert!((space - 90.0 / 230.0).abs() < 1e-6, "{space}");
        let [x, _] = line.point_at(line.char_positions[5], 0.5);
        assert!(x > 200.0 && x < 220.0, "{x}");
        assert_eq!(line.polygon[2], [330.0, 30.0]);
    }

    #[test]
    fn engine_defaults_to_ppocr_and_rejects_unknown_names() {
        let args: OcrArgs =
            serde_json::from_value(json!({"image": "img_a1"})).expect("default engine");
        assert_eq!(args.engine, OcrEngine::Ppocr);
        let args: OcrArgs =
            serde_json::from_value(json!({"image": "img_a1", "engine": "tesseract"}))
                .expect("tesseract");
        assert_eq!(args.engine, OcrEngine::Tesseract);
        let error =
            serde_json::from_value::<OcrArgs>(json!({"image": "img_a1", "engine": "easyocr"}))
                .expect_err("unknown engine");
        assert!(error.to_string().contains("ppocr"), "{error}");
    }
}
