//! `describe_image`: a factual description assembled from what the shipped models find: size,
//! objects with counts (NanoDet), faces (CenterFace), text (PP-OCR), dominant colours, and
//! whether it looks like a document or a photo. Facts only; every sentence states an
//! observation, nothing is imagined.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, RgbImage};
use vitrine_vision::{FaceOptions, ObjectOptions};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Object detections below this confidence are left out: a description should not name what
/// the detector only half believes (`detect_objects` lists down to 0.3 on request). At 0.4
/// NanoDet saw a cow in the darknet `person.jpg` (a person, a horse and a dog).
const MIN_OBJECT_SCORE: f32 = 0.5;
/// The text fact holds at most this many characters.
const MAX_TEXT_CHARS: usize = 300;
/// The description quotes at most this many characters of the text.
const MAX_QUOTED_CHARS: usize = 120;
/// Text boxes covering this share of the picture, holding at least this many characters, make
/// it a document or screenshot. Both are needed: one large false box on a photo covers much
/// area with a letter or two, and a group photo's caption holds many names in little area.
const DOCUMENT_TEXT_AREA: f64 = 0.12;
const DOCUMENT_TEXT_CHARS: usize = 80;

/// Arguments of `describe_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DescribeImageArgs {
    /// The image to describe.
    pub image: ImageRef,
}

/// Describes an image from the models' findings.
#[derive(Debug, Clone, Copy, Default)]
pub struct DescribeImage;

/// What the models found, ready to be put into words.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Findings {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) objects: BTreeMap<String, usize>,
    pub(crate) faces: usize,
    pub(crate) text: String,
    pub(crate) colors: Vec<&'static str>,
    pub(crate) document: bool,
}

/// `1 person`, `2 people`, `3 buses`.
fn counted(label: &str, count: usize) -> String {
    if count == 1 {
        return format!("1 {label}");
    }
    let plural = match label {
        "person" => "people".to_owned(),
        "sheep" | "skis" | "scissors" | "broccoli" => label.to_owned(),
        "mouse" => "mice".to_owned(),
        "knife" => "knives".to_owned(),
        _ if label.ends_with("ch") || label.ends_with("sh") || label.ends_with('s') => {
            format!("{label}es")
        }
        _ => format!("{label}s"),
    };
    format!("{count} {plural}")
}

/// `a`, `a and b`, `a, b and c`.
fn listed(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}

fn first_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max).collect();
    cut.push('…');
    cut
}

/// One or two plain sentences stating the findings.
pub(crate) fn describe(findings: &Findings) -> String {
    let kind = if findings.document {
        "document or screenshot (mostly text)"
    } else {
        "photo"
    };
    let mut sentences = vec![format!("A {}×{} {kind}.", findings.width, findings.height)];
    let mut objects: Vec<(&String, &usize)> = findings.objects.iter().collect();
    // Most numerous first; the map's name order breaks ties.
    objects.sort_by(|a, b| b.1.cmp(a.1));
    let objects: Vec<String> = objects
        .into_iter()
        .map(|(label, count)| counted(label, *count))
        .collect();
    let faces = match findings.faces {
        0 => "no faces".to_owned(),
        1 => "1 face".to_owned(),
        many => format!("{many} faces"),
    };
    sentences.push(if objects.is_empty() {
        format!("I can see none of the common objects I detect; {faces}.")
    } else {
        format!("I can see {}; {faces}.", listed(&objects))
    });
    if !findings.colors.is_empty() {
        let names: Vec<String> = findings
            .colors
            .iter()
            .map(|name| (*name).to_owned())
            .collect();
        sentences.push(format!("Dominant colours: {}.", names.join(", ")));
    }
    let text = findings
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    sentences.push(if text.is_empty() {
        "No text.".to_owned()
    } else {
        format!(
            "The text reads: \"{}\"",
            first_chars(&text, MAX_QUOTED_CHARS)
        )
    });
    sentences.join(" ")
}

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "describe what is in an image (objects, faces, text, colours)",
        examples: &[
            "what's in this picture?",
            "describe this image",
            "give me alt text for this photo",
            "what can you see?",
        ],
        cues: &[&[
            "descri*",
            "what's in",
            "whats in",
            "what is in",
            "what's on it",
            "whats on it",
            "what is on it",
            "what's on there",
            "what is on there",
            "what ~ in the picture",
            "what ~ in this picture",
            "what ~ in the image",
            "what ~ in this image",
            "what ~ in the photo",
            "what ~ in this photo",
            "what ~ you see",
            "what can you see",
            "what you can see",
            "what do you see",
            "what does it show",
            "what does this show",
            "what ~ shows",
            "what is this",
            "what's this",
            "whats this",
            "what is it",
            "what am i looking at",
            // Not "it's going on the TV screen in our lobby", where it goes.
            "what's going on",
            "whats going on",
            "what is going on",
            "what's happening",
            "whats happening",
            "what is happening",
            "alt text",
            "caption*",
            "summari*",
            "overview",
            "tell me about",
            "explain ~ image",
            "explain ~ picture",
            "explain ~ photo",
            "analy*",
            "dominant colo*",
            "main colo*",
            "what colo*",
            "which colo*",
        ]],
        unless: &[
            // "Read out what's on it": its words, which OCR reads.
            "read out",
            // "Write the caption 'Kitchen - before' along the bottom": text to draw, not a
            // description to write.
            "caption ~ along",
            "caption ~ across",
            "caption ~ at the bottom",
            "caption ~ at the top",
            "caption ~ onto",
            "caption ~ on the bottom",
            "caption ~ on the top",
            "caption ~ on the photo",
            "caption ~ on the picture",
            "caption ~ on the image",
            "caption ~ on it",
            "caption ~ over the photo",
            "caption ~ over the picture",
            "caption ~ over the image",
            // "What it would look like with green cabinets" asks for an edit.
            "would look like with",
            "look like with",
            "@hide",
            // "What you see before scrolling" says which part of a web page to capture.
            "scroll*",
            // "A voice-over describing it" is speech to make.
            "voice-over*",
            "voiceover*",
            "voice over*",
            "narrat*",
            "what file",
            "what format",
            "file type",
            "text ~ say*",
            "what text",
            "which text",
            "text is",
            "text in",
            "text on",
            "words",
            "written",
            // "Read the label and tell me what's on it" reads it.
            "read the",
            // "What does the sign in this picture say?" reads it.
            "what does ~ say",
            "what does ~ ~ say",
            "pdf*",
            "page*",
            "video*",
            // "What's the headcount in this photo": a count, which the detector gives.
            "headcount*",
            "head count*",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        facts
            .get("description")
            .and_then(Value::as_str)
            .map(|text| text.trim_end_matches('.').to_owned())
    },
    facts: &[
        Fact {
            key: "description",
            kind: FactKind::Text,
            about: &["descri", "caption", "alt", "summary", "shows", "content"],
        },
        Fact {
            key: "objects",
            kind: FactKind::Labels,
            about: &["object", "label", "thing", "item"],
        },
        Fact {
            key: "colors",
            kind: FactKind::Labels,
            about: &["colo"],
        },
    ],
};

#[async_trait]
impl Tool for DescribeImage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "describe_image"
    }

    fn description(&self) -> &'static str {
        "Describe an image from what the models find: size, common objects with counts, faces, \
         the text it shows, dominant colours, photo or document (facts only)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<DescribeImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        &[]
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: DescribeImageArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let (_meta, decoded) = io::load_image(cx, "image", &id).await?;
        let colors = {
            let image = decoded.image.clone();
            tokio::task::spawn_blocking(move || vitrine_media::dominant_colors(&image, 4, 0.1))
        };
        let rgb: Arc<RgbImage> = Arc::new(match decoded.image {
            DynamicImage::ImageRgb8(rgb) => rgb,
            other => other.to_rgb8(),
        });
        let (width, height) = rgb.dimensions();
        let models = cx.models.get().await?;
        // The three models are separate sessions and run in parallel (see vitrine-vision's
        // engine), so the description costs about as long as the slowest of them.
        let faces = {
            let (models, rgb) = (Arc::clone(&models), Arc::clone(&rgb));
            tokio::task::spawn_blocking(move || models.detect_faces(&rgb, &FaceOptions::default()))
        };
        let objects = {
            let (models, rgb) = (Arc::clone(&models), Arc::clone(&rgb));
            tokio::task::spawn_blocking(move || {
                let options = ObjectOptions {
                    min_score: MIN_OBJECT_SCORE,
                    ..ObjectOptions::default()
                };
                models.detect_objects(&rgb, &options)
            })
        };
        let lines = tokio::task::spawn_blocking(move || models.read_text(&rgb));
        let faces = faces.await.map_err(ToolError::join)??;
        let objects = objects.await.map_err(ToolError::join)??;
        let lines = lines.await.map_err(ToolError::join)??;
        let colors = colors.await.map_err(ToolError::join)?;

        let mut counts = BTreeMap::<String, usize>::new();
        for detection in &objects {
            *counts.entry(detection.label.clone()).or_default() += 1;
        }
        // Every face is a person, and NanoDet misses most people in a crowd whose faces
        // CenterFace finds (3 people but 29 faces on the Solvay photo), so the person count is
        // at least the face count.
        if faces.len() > counts.get("person").copied().unwrap_or(0) {
            counts.insert("person".to_owned(), faces.len());
        }
        let text: Vec<&str> = lines.iter().map(|line| line.text.as_str()).collect();
        let text = text.join("\n");
        let text_area: f64 = lines
            .iter()
            .map(|line| {
                let [x0, y0, x1, y1] = line.bbox.map(f64::from);
                (x1 - x0).max(0.0) * (y1 - y0).max(0.0)
            })
            .sum::<f64>()
            / (f64::from(width) * f64::from(height)).max(1.0);
        let findings = Findings {
            width,
            height,
            objects: counts,
            faces: faces.len(),
            text: first_chars(&text, MAX_TEXT_CHARS),
            colors: colors.iter().map(|color| color.name).collect(),
            document: text_area >= DOCUMENT_TEXT_AREA
                && text.chars().filter(|c| !c.is_whitespace()).count() >= DOCUMENT_TEXT_CHARS,
        };
        let facts = json!({
            "width": width,
            "height": height,
            "kind": if findings.document { "document" } else { "photo" },
            "objects": findings.objects,
            "faces": findings.faces,
            "text": findings.text,
            "text_lines": lines.len(),
            "colors": findings.colors,
            "color_shares": colors,
            "description": describe(&findings),
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

    #[test]
    fn states_size_objects_faces_colours_and_text() {
        let findings = Findings {
            width: 1280,
            height: 853,
            objects: BTreeMap::from([
                ("car".to_owned(), 1),
                ("dog".to_owned(), 1),
                ("person".to_owned(), 2),
            ]),
            faces: 2,
            text: String::new(),
            colors: vec!["green", "white"],
            document: false,
        };
        assert_eq!(
            describe(&findings),
            "A 1280×853 photo. I can see 2 people, 1 car and 1 dog; 2 faces. Dominant colours: \
             green, white. No text."
        );
        let document = Findings {
            objects: BTreeMap::new(),
            faces: 0,
            text: "Invoice 42\nTotal  due: 10 EUR".to_owned(),
            document: true,
            colors: vec!["white"],
            ..findings
        };
        assert_eq!(
            describe(&document),
            "A 1280×853 document or screenshot (mostly text). I can see none of the common \
             objects I detect; no faces. Dominant colours: white. The text reads: \"Invoice 42 \
             Total due: 10 EUR\""
        );
    }

    #[test]
    fn plurals_read_naturally() {
        assert_eq!(counted("person", 1), "1 person");
        assert_eq!(counted("bus", 3), "3 buses");
        assert_eq!(counted("bench", 2), "2 benches");
        assert_eq!(counted("wine glass", 2), "2 wine glasses");
        assert_eq!(counted("sheep", 4), "4 sheep");
        assert_eq!(counted("traffic light", 2), "2 traffic lights");
    }
}
