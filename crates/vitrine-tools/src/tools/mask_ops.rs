//! `mask_ops`: set operations, feathering and thresholding on `arr_` masks.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::GrayImage;
use vitrine_media::mask;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot};
use crate::refs::ArrayRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// What to do with the masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MaskOperation {
    /// Inside any of the masks (pixel-wise maximum); two or more masks.
    Union,
    /// Inside all of the masks (pixel-wise minimum); two or more masks.
    Intersect,
    /// Inside the first mask and none of the others; two or more masks.
    Subtract,
    /// Swap inside and outside; one mask.
    Invert,
    /// Soften the edge over `radius` pixels on each side; one mask.
    Feather,
    /// 255 where the value is at least `level`, 0 elsewhere (undo a feather, binarise a
    /// probability map); one mask.
    Threshold,
}

impl MaskOperation {
    fn name(self) -> &'static str {
        match self {
            MaskOperation::Union => "union",
            MaskOperation::Intersect => "intersect",
            MaskOperation::Subtract => "subtract",
            MaskOperation::Invert => "invert",
            MaskOperation::Feather => "feather",
            MaskOperation::Threshold => "threshold",
        }
    }

    fn combines(self) -> bool {
        matches!(
            self,
            MaskOperation::Union | MaskOperation::Intersect | MaskOperation::Subtract
        )
    }
}

/// The most masks one call combines.
const MAX_MASKS: usize = 64;

/// Arguments of `mask_ops`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct MaskOpsArgs {
    /// `union`, `intersect`, `subtract`, `invert`, `feather` or `threshold`.
    pub operation: MaskOperation,
    /// The masks (`.npy` arrays of one size): two or more for `union`, `intersect` and
    /// `subtract`, exactly one for the others.
    #[schemars(length(min = 1, max = 64))]
    pub masks: Vec<ArrayRef>,
    /// Feather radius in pixels, 0 to 64; default 8. Only for `feather`.
    #[serde(default = "default_radius")]
    pub radius: f32,
    /// Threshold level 0..255; default 128. Only for `threshold`.
    #[serde(default = "default_level")]
    pub level: u8,
}

fn default_radius() -> f32 {
    8.0
}

fn default_level() -> u8 {
    128
}

/// Combines and reshapes masks.
#[derive(Debug, Clone, Copy, Default)]
pub struct MaskOps;

fn invalid(message: String) -> ToolError {
    ToolError::InvalidArguments {
        tool: "mask_ops",
        message,
    }
}

/// One mask operation: its name, the words that ask for it, and whether it takes every mask.
macro_rules! operation {
    ($does:literal, $operation:literal, [$($cue:literal),* $(,)?], $input:expr, $slot:expr) => {
        Intent {
            does: $does,
            examples: &[],
            cues: &[
                &[$($cue),*],
                // "Feathered by 4" after a mask step: "by" and "edge" speak of that mask.
                &[
                    "mask*", "matte*", "selection*", "them", "it", "the result", "that", "by",
                    "edge*",
                    // "Subtract the second from the first": the masks by their place (not "flip
                    // the first", a picture).
                    "second from", "first from", "one from the other",
                ],
            ],
            // "Soften that area with blur so it can't be made out" hides what the mask covers.
            unless: &[
                "with blur",
                "with a blur",
                "can't be made out",
                "cannot be made out",
                "unreadable",
                "illegible",
                "unrecognis*",
                "unrecogniz*",
                // "Turn it into one of those short videos": a kind of thing, not one mask.
                "into one of those",
                "into one of these",
            ],
            input: $input,
            slots: &[
                Slot {
                    arg: "operation",
                    read: |_| Some(serde_json::json!($operation)),
                },
                $slot,
            ],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        }
    };
}

const ONE_MASK: Input = Input::All {
    arg: "masks",
    kind: ArtifactKind::Array,
};

const NO_SLOT: Slot = Slot {
    arg: "operation",
    read: |_| None,
};

const MEANING: Meaning = Meaning {
    intents: &[
        operation!(
            "invert a mask",
            "invert",
            [
                "invert*",
                "negat*",
                "revers*",
                "flip*",
                "opposite",
                "inside out",
                "backwards",
                "the wrong way round",
                "the other way round",
                "the other way around",
                "swap* ~ black and white",
                // "Swap what's selected and what isn't".
                "swap* ~ selected",
                "selected and what isn't",
                // "Swap the masked and unmasked areas".
                "swap* ~ masked ~ unmasked",
                "swap* ~ inside ~ outside",
                "selected and what is not",
                "does not cover",
                "doesn't cover",
                "not covered",
                "isn't covered"
            ],
            ONE_MASK,
            NO_SLOT
        ),
        operation!(
            "feather a mask's edge",
            "feather",
            [
                "feather*",
                "soften*",
                "smooth*",
                "blur* ~ edge*",
                "falloff",
                "fall off",
                "soft edge*"
            ],
            ONE_MASK,
            Slot {
                arg: "radius",
                read: mask_radius
            }
        ),
        operation!(
            "threshold a mask",
            "threshold",
            ["threshold*", "binari*", "harden*", "hard edge*"],
            ONE_MASK,
            Slot {
                arg: "level",
                read: mask_level
            }
        ),
        operation!(
            "intersect masks",
            "intersect",
            [
                "intersect*",
                "overlap*",
                "in common",
                "where both",
                "in both masks",
                "by both masks"
            ],
            ONE_MASK,
            NO_SLOT
        ),
        operation!(
            "subtract one mask from another",
            "subtract",
            [
                "subtract*",
                "minus",
                "take* away",
                "take* ~ away",
                "take* ~ ~ away",
                "difference",
                "cut ~ out of",
                "cut* away",
                "cut* ~ away",
                "remov* ~ from"
            ],
            ONE_MASK,
            NO_SLOT
        ),
        operation!(
            "combine masks",
            "union",
            [
                "union",
                "combin*",
                "merg*",
                "join*",
                "unite",
                "fuse*",
                "into a single",
                "into one",
                "add* ~ together",
                "together",
                // "One mask that covers both".
                "cover* both",
                "cover* ~ both",
                // "A single one covering whatever either of them covers".
                "a single one",
                "a single mask",
                "either of them",
                "either mask",
                "either one"
            ],
            ONE_MASK,
            NO_SLOT
        ),
    ],
    summary: |_, facts| {
        let what = match facts.get("operation").and_then(Value::as_str) {
            Some("invert") => "inverted the mask",
            Some("feather") => "feathered the mask's edge",
            Some("threshold") => "thresholded the mask",
            Some("intersect") => "intersected the masks",
            Some("subtract") => "subtracted the masks",
            _ => "combined the masks",
        };
        Some(format!(
            "{what}{}",
            crate::tools::mask_convert::mask_area(facts)
        ))
    },
    facts: &[],
};

/// A feather radius in pixels: "feather by 8 px".
fn mask_radius(clause: &crate::meaning::Clause) -> Option<Value> {
    clause
        .words
        .iter()
        .zip(clause.words.iter().skip(1))
        .find(|(_, unit)| matches!(unit.text.as_str(), "px" | "pixel" | "pixels"))
        .and_then(|(n, _)| n.text.parse::<f64>().ok())
        .or_else(|| {
            clause
                .words
                .iter()
                .find_map(|word| word.text.strip_suffix("px")?.parse::<f64>().ok())
        })
        .or_else(|| {
            // "a radius of 5", "radius 5", "by five", "a ten pixel feather".
            let text = crate::meaning::read::in_numbers(&clause.text);
            let words: Vec<&str> = text.split_whitespace().collect();
            words.iter().enumerate().find_map(|(at, word)| {
                let number = word.trim_end_matches("px").parse::<f64>().ok()?;
                let before = at.checked_sub(1).map(|index| words[index]);
                let after = words.get(at + 1).copied();
                let named = matches!(before, Some("by" | "radius" | "of"))
                    || matches!(after, Some("px" | "pixel" | "pixels"));
                named.then_some(number)
            })
        })
        .map(|radius| serde_json::json!(radius))
}

/// A threshold level 0..255: "threshold at 128".
fn mask_level(clause: &crate::meaning::Clause) -> Option<Value> {
    crate::meaning::read::in_numbers(&clause.text)
        .split_whitespace()
        .filter_map(|word| word.parse::<u32>().ok())
        .find(|level| *level <= 255)
        .map(|level| serde_json::json!(level))
}

#[async_trait]
impl Tool for MaskOps {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "mask_ops"
    }

    fn description(&self) -> &'static str {
        "Combine or reshape masks (arr_ arrays): union, intersect, subtract, invert, feather the edge, or threshold."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<MaskOpsArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("mask", ArtifactKind::Array)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: MaskOpsArgs = io::parse_args(self.name(), &args)?;
        let operation = parsed.operation;
        let count = parsed.masks.len();
        if operation.combines() && !(2..=MAX_MASKS).contains(&count) {
            return Err(invalid(format!(
                "`masks` has {count} entries; `{}` needs 2 to {MAX_MASKS}",
                operation.name()
            )));
        }
        if !operation.combines() && count != 1 {
            return Err(invalid(format!(
                "`masks` has {count} entries; `{}` takes exactly one",
                operation.name()
            )));
        }
        let mut metas = Vec::with_capacity(count);
        let mut masks = Vec::with_capacity(count);
        for (index, reference) in parsed.masks.iter().enumerate() {
            let (meta, mask) = io::load_mask(cx, &format!("masks[{index}]"), reference).await?;
            if let Some(first) = masks.first().map(GrayImage::dimensions)
                && mask.dimensions() != first
            {
                let (width, height) = mask.dimensions();
                return Err(invalid(format!(
                    "`masks[{index}]` is {width}×{height} but `masks[0]` is {}×{}; masks must \
                     be the same size",
                    first.0, first.1
                )));
            }
            metas.push(meta);
            masks.push(mask);
        }
        let (radius, level) = (parsed.radius, parsed.level);
        let out = io::blocking(move || apply(operation, masks, radius, level)).await?;
        let area = mask::mask_area(&out);
        let bounds = mask::mask_bounds(&out)
            .map(|rect| json!([rect.x, rect.y, rect.right(), rect.bottom()]));
        let (width, height) = out.dimensions();
        let parents: Vec<&vitrine_store::ArtifactMeta> = metas.iter().collect();
        let made = io::save_mask(cx, out, io::provenance(self.name(), &parents, &args)).await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "mask".to_owned(),
                meta: made,
            }],
            facts: json!({
                "operation": operation.name(),
                "width": width,
                "height": height,
                "area": area,
                "bounds": bounds,
            }),
        })
    }
}

/// Runs `operation` over masks of one size (at least one; two for the set operations).
fn apply(
    operation: MaskOperation,
    masks: Vec<GrayImage>,
    radius: f32,
    level: u8,
) -> Result<GrayImage, ToolError> {
    let mut masks = masks.into_iter();
    let first = masks
        .next()
        .ok_or_else(|| invalid("`masks` is empty".to_owned()))?;
    let out = match operation {
        MaskOperation::Invert => mask::invert(&first),
        MaskOperation::Threshold => mask::threshold(&first, level),
        MaskOperation::Feather => mask::feather(&first, radius)?,
        MaskOperation::Union | MaskOperation::Intersect | MaskOperation::Subtract => {
            let step = match operation {
                MaskOperation::Union => mask::union,
                MaskOperation::Intersect => mask::intersection,
                _ => mask::subtract,
            };
            let mut out = first;
            for other in masks {
                out = step(&out, &other)?;
            }
            out
        }
    };
    Ok(out)
}
