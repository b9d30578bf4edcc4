//! `overlay_image`: paste one image onto another, blending by its alpha.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::{OverlayParams, ResizeFilter};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Clause, Input, Intent, Meaning, Slot, read};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `overlay_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct OverlayImageArgs {
    /// The image underneath (the canvas; the output has its size).
    pub base: ImageRef,
    /// The image pasted on top (a logo, a cut-out with transparency, a sticker).
    pub overlay: ImageRef,
    /// Left edge of the pasted image on the base, in pixels (may be negative); default 0.
    /// With another `anchor`, the offset inwards from that corner (or right/down from the
    /// centred position).
    #[serde(default)]
    pub x: i64,
    /// Top edge of the pasted image on the base, in pixels (may be negative); default 0.
    /// With another `anchor`, the offset inwards from that corner (or right/down from the
    /// centred position).
    #[serde(default)]
    pub y: i64,
    /// Where `x`, `y` are measured from: `top_left` (default), `top_right`, `bottom_left`,
    /// `bottom_right` or `center`, so a logo can go in a corner without knowing the sizes.
    #[serde(default)]
    pub anchor: Anchor,
    /// Scale factor applied to the pasted image first, more than 0 and at most 16; default 1.
    #[serde(default = "one")]
    pub scale: f64,
    /// Extra opacity 0..1 multiplied with the pasted image's own alpha; default 1.
    #[serde(default = "one_f32")]
    pub opacity: f32,
}

/// The point of the base the overlay position is measured from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// `x`, `y` is the overlay's top-left corner.
    #[default]
    TopLeft,
    /// `x`, `y` is the gap between the overlay's and the base's top-right corners.
    TopRight,
    /// `x`, `y` is the gap between the overlay's and the base's bottom-left corners.
    BottomLeft,
    /// `x`, `y` is the gap between the overlay's and the base's bottom-right corners.
    BottomRight,
    /// `x`, `y` moves the centred overlay right and down.
    Center,
}

impl Anchor {
    /// The overlay's top-left corner for offset `(x, y)`, `top` pasted on `base` (w, h).
    fn place(self, (x, y): (i64, i64), base: (u32, u32), top: (u32, u32)) -> (i64, i64) {
        let right = i64::from(base.0) - i64::from(top.0);
        let bottom = i64::from(base.1) - i64::from(top.1);
        match self {
            Anchor::TopLeft => (x, y),
            Anchor::TopRight => (right - x, y),
            Anchor::BottomLeft => (x, bottom - y),
            Anchor::BottomRight => (right - x, bottom - y),
            Anchor::Center => (right / 2 + x, bottom / 2 + y),
        }
    }
}

fn one() -> f64 {
    1.0
}

fn one_f32() -> f32 {
    1.0
}

/// Pastes images onto images.
#[derive(Debug, Clone, Copy, Default)]
pub struct OverlayImage;

/// The pasted image's own size: "at half its size", "at 30% of its size", "twice its size".
fn own_scale(clause: &Clause) -> Option<Value> {
    static OWN_SIZE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"\b(half|a quarter|quarter|a third|third|twice|double|(\d{1,3})\s*(?:%|per\s?cent)(?: of)?) (?:(?:its|the|their|it's) )?(?:own |original )?size\b",
        )
        .ok()
    });
    // "At half its size", "at half size"; "in the corner at half opacity, scaled to 20%".
    static SCALED_TO: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\bscaled? (?:down )?to (\d{1,3})\s*(?:%|per\s?cent)").ok()
    });
    if let Some(percent) = SCALED_TO
        .as_ref()
        .and_then(|pattern| pattern.captures(&clause.text))
        .and_then(|captures| captures.get(1)?.as_str().parse::<f64>().ok())
    {
        return Some(serde_json::json!(percent / 100.0));
    }
    let captures = OWN_SIZE.as_ref()?.captures(&clause.text)?;
    let factor = match captures.get(1)?.as_str() {
        "half" => 0.5,
        "a quarter" | "quarter" => 0.25,
        "a third" | "third" => 1.0 / 3.0,
        "twice" | "double" => 2.0,
        _ => captures.get(2)?.as_str().parse::<f64>().ok()? / 100.0,
    };
    Some(serde_json::json!((factor * 100.0).round() / 100.0))
}

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "put one image on another",
        examples: &[
            "put the logo on the first image at the bottom right, 50% opacity",
            "overlay the second image on the first at 20,30",
            "watermark the photo with this logo",
            "paste the sticker in the top left corner",
        ],
        cues: &[&[
            "overlay*",
            "superimpos*",
            "watermark*",
            "put ~ on",
            "put ~ onto",
            "put ~ over",
            "put ~ on top",
            "put ~ corner",
            // "Put it in the top left corner".
            "put it ~ corner",
            "stick it ~ corner",
            "pop it ~ corner",
            "move it ~ corner",
            "place it ~ corner",
            "place* ~ on",
            "place* ~ onto",
            "place* ~ over",
            "place* ~ corner",
            // "Place the logo (second image) in the top right corner": the logo is on top.
            "place* ~ logo*",
            "put ~ logo*",
            "add ~ logo*",
            "stick ~ logo*",
            "slap*",
            "plonk*",
            "pop ~ onto",
            "drop* ~ ~ into ~ corner",
            "drop* ~ ~ onto",
            "drop* ~ on top",
            "stick ~ onto",
            "drop ~ onto",
            "stick ~ on",
            "stick ~ corner",
            "logo* ~ corner",
            // "The logo (second image) goes in the bottom right corner of the first one".
            "goes in ~ corner",
            "goes on ~ corner",
            "go in ~ corner",
            "go on ~ corner",
            "sits in ~ corner",
            "sit in ~ corner",
            "paste* ~ on",
            "paste* ~ onto",
            "paste* ~ into",
            "paste* ~ corner",
            "paste* ~ logo*",
            "stamp*",
            "add ~ logo*",
            "stick ~ logo*",
            "stick ~ on",
            "stick ~ corner",
            "add ~ watermark*",
            "add ~ on top",
            "add ~ corner",
            "drop ~ on",
            "insert ~ logo*",
            "logo ~ corner",
        ]],
        unless: &[
            // "Put the cut-out on a 1:1 canvas" pads it.
            "canvas",
            "side by side",
            "grid",
            "mask*",
            "collage",
            "try on",
            "dress*",
            "wear*",
        ],
        input: Input::Pair {
            base: "base",
            top: "overlay",
            first_on_top: read::first_on_top,
        },
        slots: &[
            Slot {
                arg: "anchor",
                read: read::anchor,
            },
            Slot {
                arg: "x",
                read: read::x,
            },
            Slot {
                arg: "y",
                read: read::y,
            },
            Slot {
                arg: "opacity",
                read: read::opacity,
            },
            Slot {
                arg: "scale",
                read: own_scale,
            },
        ],
        chains: true,
        sizes_itself: true,
        // Pasting as is is for marks placed on a picture; "put my dog onto the beach" is a
        // generative composite.
        accept: Some(|clause| {
            clause.has_any(&[
                "overlay*",
                "superimpos*",
                "watermark*",
                "logo*",
                "sticker*",
                "stamp*",
                "icon*",
                "badge*",
                "signature*",
                "emoji*",
                "corner*",
                "opacity",
                "transparen*",
                // "Drop the cutout onto the beach shot": a cut-out pasted as it is.
                "cutout*",
                "cut out",
                "cut-out*",
            ]) || read::pastes_a_cut_out(clause)
                || read::anchor(clause).is_some()
                || read::opacity(clause).is_some()
        }),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(match facts.get("overlay_box").and_then(Value::as_array) {
            Some(edges) if edges.len() == 4 => {
                let edge = |index: usize| edges[index].as_i64().unwrap_or(0);
                format!(
                    "pasted the overlay onto the image at ({}, {})–({}, {})",
                    edge(0),
                    edge(1),
                    edge(2),
                    edge(3)
                )
            }
            _ => "pasted the overlay onto the image".to_owned(),
        })
    },
    facts: &[],
};

#[async_trait]
impl Tool for OverlayImage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "overlay_image"
    }

    fn description(&self) -> &'static str {
        "Paste one image on top of another at a pixel position (x, y) and scale, blending by its transparency and an opacity; `anchor` (top_left, top_right, bottom_left, bottom_right, center) measures x, y from a corner or the centre."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<OverlayImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: OverlayImageArgs = io::parse_args(self.name(), &args)?;
        if !parsed.scale.is_finite() || parsed.scale <= 0.0 || parsed.scale > 16.0 {
            return Err(ToolError::InvalidArguments {
                tool: "overlay_image",
                message: format!(
                    "`scale` is {}; it must be more than 0 and at most 16",
                    parsed.scale
                ),
            });
        }
        let (base_meta, base) = io::load_image(cx, "base", &parsed.base.id("base")?).await?;
        let (top_meta, top) = io::load_image(cx, "overlay", &parsed.overlay.id("overlay")?).await?;
        let (base, top) = (base.image, top.image);
        let (offset, anchor, opacity) = ((parsed.x, parsed.y), parsed.anchor, parsed.opacity);
        let scale = parsed.scale;
        let (out, overlay_box) = io::blocking(move || {
            let top = if (scale - 1.0).abs() > f64::EPSILON {
                let width = scaled_side(top.width(), scale, "scale")?;
                let height = scaled_side(top.height(), scale, "scale")?;
                vitrine_media::resize_exact(&top, width, height, ResizeFilter::Lanczos3)?
            } else {
                top
            };
            let placed = [top.width(), top.height()];
            let (x, y) = anchor.place(
                offset,
                (base.width(), base.height()),
                (top.width(), top.height()),
            );
            // Pasting entirely off the canvas is almost certainly a wrong position.
            if x >= i64::from(base.width())
                || y >= i64::from(base.height())
                || x + i64::from(top.width()) <= 0
                || y + i64::from(top.height()) <= 0
            {
                return Err(ToolError::InvalidArguments {
                    tool: "overlay_image",
                    message: format!(
                        "`x`, `y` = ({x}, {y}) put the {}×{} overlay entirely outside the {}×{} base",
                        top.width(),
                        top.height(),
                        base.width(),
                        base.height()
                    ),
                });
            }
            let params = OverlayParams { x, y, opacity };
            Ok((
                vitrine_media::overlay(&base, &top, &params)?,
                [x, y, x + i64::from(placed[0]), y + i64::from(placed[1])],
            ))
        })
        .await?;
        let (width, height) = (out.width(), out.height());
        let made = io::save_image(
            cx,
            out,
            Encoding::Auto,
            io::provenance(self.name(), &[&base_meta, &top_meta], &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "width": width,
                "height": height,
                "overlay_box": overlay_box,
            }),
        })
    }
}

/// `side × scale`, rounded, at least 1 and at most the output limit.
fn scaled_side(side: u32, scale: f64, param: &str) -> Result<u32, ToolError> {
    let scaled = (f64::from(side) * scale).round().max(1.0);
    if scaled > 65_535.0 {
        return Err(ToolError::InvalidArguments {
            tool: "overlay_image",
            message: format!("`{param}` {scale} makes the overlay {scaled} pixels wide or tall"),
        });
    }
    Ok(scaled as u32)
}
