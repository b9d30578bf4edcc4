//! `detect_open_vocab`: find things named in free text ("red umbrella", "price tag") with the
//! configured open-vocabulary detection provider; boxes as facts, optionally drawn, and
//! optionally a crop of the best match.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::DynamicImage;
use vitrine_media::{AnnotateParams, CropParams, Region};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Clause, Fact, FactKind, Input, Intent, Meaning, Slot, count, read, tally};
use crate::providers::ProviderKind;
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::{labelled_box, pixel_box, region, round_box, round2};

/// Arguments of `detect_open_vocab`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct DetectOpenVocabArgs {
    /// The image to search.
    pub image: ImageRef,
    /// What to find, in free text ("red umbrella", "the cat's collar").
    #[schemars(length(min = 1, max = 32))]
    pub labels: Vec<String>,
    /// Minimum confidence, 0..1; default 0.25.
    #[serde(default = "default_threshold")]
    #[schemars(range(min = 0.0, max = 1.0))]
    pub threshold: f32,
    /// Also store a copy of the image with labelled boxes; default true.
    #[serde(default = "yes")]
    pub draw_boxes: bool,
    /// Also store a crop of the best match as `crop`; fails when nothing is found.
    #[serde(default)]
    pub crop: bool,
}

fn default_threshold() -> f32 {
    0.25
}

fn yes() -> bool {
    true
}

/// Finds things by free-text name.
#[derive(Debug, Clone, Copy, Default)]
pub struct DetectOpenVocab;

/// Words that name what other tools find (faces, text, the whole picture, ...).
/// Words that name an area or the picture itself, never a thing to look for.
const NOT_A_THING: &[&str] = &[
    // "Spot the difference": a comparison, not a thing.
    "difference",
    "half",
    "left",
    "right",
    "top",
    "bottom",
    "corner",
    "center",
    "centre",
    "middle",
    "square",
    "face",
    "text",
    "word",
    "writing",
    "object",
    "thing",
    "item",
    "phi",
    "pii",
    "image",
    "photo",
    "picture",
    "background",
    "depth",
    "frame",
    "page",
    "people",
    "person",
    // "Is there anyone in the frame?" counts people.
    "anyone",
    "anybody",
    "someone",
    "somebody",
    // "Crop it to that ratio", "crop to just that part": a shape or a pointer, not a thing.
    "ratio",
    "aspect",
    "format",
    "size",
    "part",
    "bit",
    "area",
    "section",
    "portion",
    "region",
    // "Is there location data in it?": facts about the file, not things in the picture.
    "data",
    "info",
    "metadata",
    "location",
    "exif",
    "gps",
];

static FIND_THING: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"\b(find|locate|detect|spot|box|highlight|mark|outline|circle|crop(?: it| the image| the photo)? to|zoom (?:in )?(?:on|to)|where(?:'s| is| are)|is there|are there|wearing|wears|holding|carrying|how many|count|(?:can|could|do) (?:you|u) see (?:a|an|any)|^any)\s+(?:all |every |each |any )?(?:the |a |an |my |this |that )?([a-z][a-z' -]{1,40}?)(?:\s+(?:anywhere\s+|somewhere\s+)?(?:in|from|on|within)\s+(?:this|the|that|my|it)\b|\s+(?:anywhere|somewhere|visible|present|showing|at all)\b|\s+(?:are|is) there\b|\s+(?:can|do|could) (?:you|i|we)\b|[.,;!?]|$)",
    )
    .ok()
});

const COLOURS: &[&str] = &[
    "red", "blue", "green", "yellow", "black", "white", "orange", "purple", "pink", "brown",
    "grey", "gray", "silver", "gold",
];

/// True when the clause names one of the 80 classes with a colour ("the red cars"): counting
/// or boxing every car would answer another question.
pub(crate) fn names_a_coloured_class(clause: &Clause) -> bool {
    clause.words.windows(2).any(|pair| {
        COLOURS.contains(&pair[0].text.as_str()) && !read::coco_names(&pair[1].text).is_empty()
    })
}

/// The thing a clause looks for, when it is not a face, text or one of the 80 COCO classes;
/// and whether the clause crops to it.
fn thing(clause: &Clause) -> Option<(Vec<String>, bool)> {
    let captures = FIND_THING.as_ref()?.captures(&clause.text)?;
    let verb = captures.get(1).map_or("", |verb| verb.as_str());
    // "Any hard hats visible?" asks to look; "any faces, blur them" does not.
    if verb == "any" && !read::asks_yes_no(clause) {
        return None;
    }
    let thing = captures.get(2)?.as_str().trim();
    // "How many red cars", "count the traffic cones": a coloured class or a thing named in two
    // or three words; not "how many are in this shot" nor "how many pixels".
    if ["how many", "count", "any"].contains(&verb) {
        let words: Vec<&str> = thing.split_whitespace().collect();
        let named = (2..=3).contains(&words.len())
            && words.iter().all(|word| {
                word.chars().all(|c| c.is_ascii_alphabetic())
                    && ![
                        "are", "is", "you", "it", "up", "to", "of", "in", "this", "that", "can",
                        "do", "did", "there", "they", "we", "i", "people", "faces",
                    ]
                    .contains(word)
            });
        if !named && !names_a_coloured_class(clause) {
            // "How many people are wearing hard hats?": what is worn is the thing.
            let worn = clause.words.iter().find(|word| {
                ["wearing", "wears", "holding", "carrying"].contains(&word.text.as_str())
            })?;
            return self::thing(&Clause::new(&clause.text[worn.start..], &clause.request));
        }
    }
    // "Put a box around them", "circle round the backpack".
    let thing = ["around ", "round "]
        .iter()
        .find_map(|around| thing.strip_prefix(around))
        .unwrap_or(thing);
    // "Find every fire extinguisher draw a box around each" (two asks joined into one step's
    // words): the thing ends where a verb of marking starts on what was found.
    let words: Vec<&str> = thing.split_whitespace().collect();
    let marking_starts = (1..words.len().saturating_sub(1)).find(|&at| {
        [
            "draw",
            "put",
            "mark",
            "box",
            "circle",
            "outline",
            "highlight",
            "label",
        ]
        .contains(&words[at])
            && [
                "a", "an", "the", "them", "it", "each", "every", "all", "boxes", "around", "round",
            ]
            .contains(&words[at + 1])
    });
    // "Find all the traffic cones and circle them": without the joint before the marking.
    let named = marking_starts.map(|at| {
        let kept = &words[..at];
        let kept = kept
            .strip_suffix(&["and"])
            .or_else(|| kept.strip_suffix(&["then"]))
            .unwrap_or(kept);
        kept.join(" ")
    });
    let thing = named.as_deref().unwrap_or(thing);
    // "Mark them with boxes": a pronoun points back at what another step finds.
    let pronoun = thing.split_whitespace().next().is_some_and(|first| {
        [
            "them",
            "it",
            "they",
            "those",
            "these",
            "him",
            "her",
            "everything",
            "each",
            "all",
        ]
        .contains(&first)
    });
    // "The red backpack": a colour the 80-class detector cannot tell, so the open-vocabulary
    // one looks for it.
    let coloured = thing.split_whitespace().any(|word| COLOURS.contains(&word));
    if pronoun
        || NOT_A_THING.iter().any(|word| thing.contains(word))
        || (!read::coco_names(thing).is_empty() && !coloured)
    {
        return None;
    }
    let labels: Vec<String> = thing
        .split(" and ")
        .flat_map(|part| part.split(", "))
        .flat_map(|part| part.split(" or "))
        .map(|label| {
            let label = label.trim();
            ["the ", "a ", "an ", "any ", "all ", "my "]
                .iter()
                .find_map(|article| label.strip_prefix(article))
                .unwrap_or(label)
                .to_owned()
        })
        // "How many faces can you spot in this": "in this" says where, it names nothing.
        .filter(|label| {
            let first = label.split_whitespace().next().unwrap_or("");
            !label.is_empty()
                && ![
                    "in",
                    "on",
                    "at",
                    "of",
                    "this",
                    "that",
                    "here",
                    "there",
                    "it",
                    "for",
                    "from",
                    "and",
                    "tell",
                    "give",
                    "show",
                    "count",
                    "let",
                    "send",
                    "then",
                    "me",
                    // "Find them? mark them on it": a verb read on, not a thing.
                    "mark",
                    "draw",
                    "box",
                    "circle",
                    "highlight",
                    "outline",
                    "label",
                    "put",
                    // "Crop it to fit that": a format, not a thing.
                    "fit",
                    "match",
                    "suit",
                    // "… so I can double-check": why, not what.
                    "so",
                    "because",
                    "since",
                    // "Outline each with a rectangle": how, not what.
                    "with",
                    "using",
                ]
                .contains(&first)
        })
        .collect();
    let verb = captures.get(1)?.as_str();
    let crop = verb.starts_with("crop") || verb.starts_with("zoom");
    (!labels.is_empty()).then_some((labels, crop))
}

/// True when the clause asks about something people wear or hold that the COCO detector does
/// not know ("is anyone wearing a hard hat?"): counting people would answer another question.
pub(crate) fn asks_about_worn_thing(clause: &Clause) -> bool {
    clause.has_any(WORN) && read::asks_yes_no(clause) && thing(clause).is_some()
}

/// Words for what people wear or hold; only a question about them is a search ("show me
/// wearing this jacket" is a try-on).
const WORN: &[&str] = &["wearing", "wears", "holding", "carrying"];

const FIND_SLOTS: &[Slot] = &[Slot {
    arg: "labels",
    read: |clause| thing(clause).map(|(labels, _)| serde_json::json!(labels)),
}];

/// What finding a thing never means: hiding it, rebuilding it in 3D, or ("how many pixels
/// across?") the picture's size.
const FIND_UNLESS: &[&str] = &[
    "@hide",
    "3d",
    "reconstruct*",
    "nobody ~ recogni*",
    "no one ~ recogni*",
    // "Is there a date in the metadata?": the file's fields.
    "metadata",
    "meta data",
    "exif",
    // "Is there a date it was taken?": when the camera took it.
    "date ~ was ~ taken",
    "date ~ were ~ taken",
    "how many pixels",
    "pixels across",
    "pixel count",
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "find things outside the 80 COCO classes (needs a detection provider)",
            examples: &[
                "find the paper lantern",
                "box the price tags and the barcode",
            ],
            cues: &[&[
                "@find",
                "box*",
                "highlight*",
                "mark",
                "marks",
                "marking",
                "outline*",
                "circle*",
                "where",
                "is there",
                "are there",
                "how many",
                "count*",
                "any",
                // "Can you see a fire extinguisher anywhere?"
                "can you see",
                "could you see",
                "do you see",
                "wearing",
                "wears",
                "holding",
                "carrying",
            ]],
            unless: FIND_UNLESS,
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[
                FIND_SLOTS[0],
                Slot {
                    arg: "draw_boxes",
                    read: |clause| {
                        clause
                            .has_any(&["draw* ~ box*", "box* ~ round", "box* ~ around", "outline*"])
                            .then_some(serde_json::json!(true))
                    },
                },
            ],
            accept: Some(|clause| {
                thing(clause).is_some_and(|(_, crop)| !crop)
                    && (!clause.has_any(WORN) || read::asks_yes_no(clause))
            }),
            ..Intent::DEFAULT
        },
        Intent {
            does: "crop to a thing outside the 80 COCO classes (needs a detection provider)",
            examples: &["crop to the sticky note", "zoom in on the lantern"],
            cues: &[&["crop*", "zoom*"]],
            unless: FIND_UNLESS,
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[
                FIND_SLOTS[0],
                Slot {
                    arg: "crop",
                    read: |_| Some(serde_json::json!(true)),
                },
                Slot {
                    arg: "draw_boxes",
                    read: |_| Some(serde_json::json!(false)),
                },
            ],
            chains: true,
            output: Some("crop"),
            accept: Some(|clause| thing(clause).is_some_and(|(_, crop)| crop)),
            ..Intent::DEFAULT
        },
    ],
    summary: |args, facts| {
        let asked = args
            .get("labels")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(" or ")
            })
            .unwrap_or_default();
        Some(if count(facts) == 0 {
            format!("found no {asked}")
        } else {
            let cropped = if args.get("crop") == Some(&Value::Bool(true)) {
                " and cropped to the best match"
            } else {
                ""
            };
            format!("found {}{cropped}", tally(facts.get("labels"), true))
        })
    },
    facts: &[Fact {
        key: "count",
        kind: FactKind::Count,
        about: &["match", "found"],
    }],
};

#[async_trait]
impl Tool for DetectOpenVocab {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "detect_open_vocab"
    }

    fn description(&self) -> &'static str {
        "Find things named in free text (not limited to the 80 COCO classes) with the configured open-vocabulary detector; boxes, a labelled image, optionally a crop of the best match."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<DetectOpenVocabArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[
            OutputSpec::one("image", ArtifactKind::Image),
            OutputSpec::one("crop", ArtifactKind::Image),
        ];
        OUTPUTS
    }

    fn requires(&self) -> Option<ProviderKind> {
        Some(ProviderKind::Detect)
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: DetectOpenVocabArgs = io::parse_args(self.name(), &args)?;
        let labels: Vec<String> = parsed
            .labels
            .iter()
            .map(|label| label.trim().to_owned())
            .collect();
        if labels.is_empty() || labels.iter().any(String::is_empty) {
            return Err(ToolError::InvalidArguments {
                tool: self.name(),
                message: "`labels` needs at least one non-empty name".to_owned(),
            });
        }
        if !(0.0..=1.0).contains(&parsed.threshold) {
            return Err(ToolError::InvalidArguments {
                tool: self.name(),
                message: format!("`threshold` {} is not in 0..1", parsed.threshold),
            });
        }
        let client = cx.detect()?;
        let id = parsed.image.id("image")?;
        let (meta, decoded) = io::load_image(cx, "image", &id).await?;
        let (rgb, found) = client
            .detect(decoded.into_rgb(), &labels, parsed.threshold)
            .await?;
        let mut counts = std::collections::BTreeMap::<&str, usize>::new();
        for detection in &found {
            *counts.entry(detection.label.as_str()).or_default() += 1;
        }
        let facts = json!({
            "count": found.len(),
            "labels": counts,
            "objects": found
                .iter()
                .map(|detection| json!({
                    "label": detection.label,
                    "box": round_box(detection.bbox),
                    "score": round2(detection.score),
                }))
                .collect::<Vec<_>>(),
            "regions": found.iter().map(|detection| region(detection.bbox)).collect::<Vec<_>>(),
            "source": format!("detection provider at {}", client.base_url()),
        });
        let best = found.first().map(|detection| detection.bbox);
        if parsed.crop && best.is_none() {
            return Err(ToolError::NothingFound(format!(
                "the detection provider found no {} in the image (threshold {}), so there is nothing to crop to",
                labels.join(" or "),
                parsed.threshold
            )));
        }
        let annotate = parsed.draw_boxes.then(|| AnnotateParams {
            boxes: found
                .iter()
                .map(|detection| labelled_box(detection.bbox, &detection.label, detection.score))
                .collect(),
            ..AnnotateParams::default()
        });
        let crop = best.filter(|_| parsed.crop);
        let (drawn, cropped) = io::blocking(move || {
            let image = DynamicImage::ImageRgb8(rgb);
            let drawn = match annotate {
                Some(params) => Some(vitrine_media::annotate(&image, &params)?),
                None => None,
            };
            let cropped = match crop {
                Some(bbox) => {
                    let params = CropParams {
                        region: Region::Box(pixel_box(bbox)),
                        padding: 0.0,
                        padding_ratio: 0.0,
                    };
                    Some(vitrine_media::crop(&image, &params)?.0)
                }
                None => None,
            };
            Ok((drawn, cropped))
        })
        .await?;
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let mut artifacts = Vec::new();
        for (output, image) in [("image", drawn), ("crop", cropped)] {
            if let Some(image) = image {
                let made = io::save_image(cx, image, Encoding::Auto, provenance.clone()).await?;
                artifacts.push(MadeArtifact {
                    output: output.to_owned(),
                    meta: made,
                });
            }
        }
        Ok(ToolOutput { artifacts, facts })
    }
}
