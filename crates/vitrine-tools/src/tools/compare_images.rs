//! `compare_images`: what changed between two images: pixel difference, SSIM, a heatmap of the
//! difference, and the changed regions as boxes.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::{CompareParams, ResizeFilter};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, plural, read};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `compare_images`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CompareImagesArgs {
    /// The first image (the original).
    pub before: ImageRef,
    /// The second image (the changed one); resized to the first's size when they differ.
    pub after: ImageRef,
    /// A pixel counts as changed when a channel differs by more than this many levels (0..255);
    /// default 16, which ignores JPEG noise. 0 counts every difference.
    #[serde(default = "default_threshold")]
    pub threshold: u8,
}

fn default_threshold() -> u8 {
    CompareParams::default().threshold
}

/// Compares two images.
#[derive(Debug, Clone, Copy, Default)]
pub struct CompareImages;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "compare two images and show what changed",
        examples: &[
            "what changed between these two images?",
            "spot the differences",
            "compare the two photos",
            "are these two pictures the same?",
            "show me where they differ",
        ],
        cues: &[&[
            "what ~ changed",
            // "I'd like to see where things changed".
            "where ~ changed",
            "what's changed",
            "what has changed",
            "changes between",
            "chang* ~ between",
            "differen*",
            "differ",
            "compar*",
            "diff",
            // "Spot the difference", not "spot the fire extinguisher".
            "spot the differen*",
            "spot the change*",
            "same image*",
            "identical",
            "how similar",
            "similarit*",
            "ssim",
        ]],
        unless: &[
            "side by side",
            "next to each other",
            "next to one another",
            "collage*",
            "grid",
            "stack*",
            "before and after",
            // "Stick these two together left and right so the before/after comparison is
            // obvious": the pictures placed side by side, for people to compare.
            "left and right",
            "stick* ~ together",
            "put ~ together",
            "join* ~ together",
            "different format",
            "different size",
            "@make ~ one image",
            // "Side by side …, my client wants to see the difference": what someone will do
            // with the pictures placed together.
            "wants to see the difference",
        ],
        input: Input::Pair {
            base: "before",
            top: "after",
            first_on_top: |_| false,
        },
        // "Ignoring anything under a threshold of 30": the per-pixel difference that counts.
        slots: &[Slot {
            arg: "threshold",
            read: |clause| {
                let text = read::in_numbers(&clause.text);
                let words: Vec<&str> = text.split_whitespace().collect();
                // "Counting a pixel as changed above 30 levels": a bound, in levels.
                if let Some(level) = words.windows(3).find_map(|three| {
                    let bound = ["above", "over", "below", "under", "than", "of"];
                    (bound.contains(&three[0]) && ["level", "levels"].contains(&three[2]))
                        .then(|| three[1].parse::<u8>().ok())
                        .flatten()
                }) {
                    return Some(serde_json::json!(level));
                }
                // "Ignore differences under 40".
                let at = words
                    .iter()
                    .position(|word| word.starts_with("threshold"))
                    .or_else(|| {
                        words
                            .iter()
                            .position(|word| ["under", "below"].contains(word))
                            .filter(|_| clause.has_any(&["ignor*", "level*"]))
                    })?;
                words[at + 1..]
                    .iter()
                    .take(3)
                    .find_map(|word| word.parse::<u8>().ok())
                    .map(|level| serde_json::json!(level))
            },
        }],
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let regions = facts
            .get("region_count")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let ssim = facts.get("ssim").and_then(Value::as_f64).unwrap_or(1.0);
        Some(
            if facts.get("identical").and_then(Value::as_bool) == Some(true) {
                "compared the images: they are pixel-for-pixel identical".to_owned()
            } else if regions == 0 {
                format!(
                    "compared the images: no region changed by more than the threshold \
                     (SSIM {ssim:.3})"
                )
            } else {
                format!(
                    "compared the images: {} changed, {:.2} % of the pixels (SSIM {ssim:.3}); \
                     the heatmap shows where",
                    plural(regions, "region", "regions"),
                    facts
                        .get("changed_percent")
                        .and_then(Value::as_f64)
                        .unwrap_or(0.0)
                )
            },
        )
    },
    facts: &[
        Fact {
            key: "region_count",
            kind: FactKind::Count,
            about: &["region", "change", "difference", "area"],
        },
        Fact {
            key: "changed_pixels",
            kind: FactKind::Count,
            about: &["pixel", "changed"],
        },
    ],
};

#[async_trait]
impl Tool for CompareImages {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "compare_images"
    }

    fn description(&self) -> &'static str {
        "Compare two images: mean and largest pixel difference, changed pixels, SSIM, a \
         difference heatmap image (black where equal), and the changed regions as pixel boxes."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Core
    }

    fn parameters(&self) -> Value {
        io::schema_of::<CompareImagesArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("heatmap", ArtifactKind::Image)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: CompareImagesArgs = io::parse_args(self.name(), &args)?;
        let (metas, mut images) =
            io::load_images(cx, "images", &[parsed.before.clone(), parsed.after.clone()]).await?;
        let (Some(after), Some(before)) = (images.pop(), images.pop()) else {
            return Err(ToolError::Internal("two images were not loaded".to_owned()));
        };
        let (width, height) = (before.width(), before.height());
        let resized = (after.width(), after.height()) != (width, height);
        let after_size = [after.width(), after.height()];
        let params = CompareParams {
            threshold: parsed.threshold,
            ..CompareParams::default()
        };
        let found = io::blocking(move || {
            let after = if resized {
                vitrine_media::resize_exact(&after, width, height, ResizeFilter::Lanczos3)?
            } else {
                after
            };
            Ok(vitrine_media::compare(&before, &after, &params)?)
        })
        .await?;
        let pixels = u64::from(width) * u64::from(height);
        let changed_percent = if pixels == 0 {
            0.0
        } else {
            (found.changed_pixels as f64 * 10_000.0 / pixels as f64).round() / 100.0
        };
        let facts = json!({
            "width": width,
            "height": height,
            "identical": found.max_difference == 0,
            "mean_difference": (found.mean_difference * 100.0).round() / 100.0,
            "max_difference": found.max_difference,
            "threshold": parsed.threshold,
            "changed_pixels": found.changed_pixels,
            "changed_percent": changed_percent,
            "ssim": (found.ssim * 10_000.0).round() / 10_000.0,
            "region_count": found.region_count,
            "regions": found.regions.iter().map(|region| json!({
                "box": region.bbox,
                "changed_pixels": region.pixels,
            })).collect::<Vec<_>>(),
            "after_resized_from": resized.then_some(after_size),
        });
        let parents: Vec<&vitrine_store::ArtifactMeta> = metas.iter().collect();
        let made = io::save_image(
            cx,
            vitrine_media::image::DynamicImage::ImageRgb8(found.heatmap),
            Encoding::Png,
            io::provenance(self.name(), &parents, &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "heatmap".to_owned(),
                meta: made,
            }],
            facts,
        })
    }
}
