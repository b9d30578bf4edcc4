//! Shapes that locate things in an image: points, boxes (pixel or normalized), polygons,
//! regions, colours; and the integer [`PixelRect`] they resolve to once checked against an
//! image.
//!
//! Boxes are `[x0, y0, x1, y1]`: top-left corner inclusive, bottom-right corner exclusive, as
//! detectors emit them. Resolving a box rounds outwards (any partly covered pixel is in),
//! clamps to the image, and fails with a message that names the parameter when nothing is left.

use std::borrow::Cow;
use std::fmt;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};

/// The most vertices a polygon may have (rasterising costs rows × vertices).
pub const MAX_POLYGON_POINTS: usize = 100_000;

/// A point in pixel coordinates (x to the right, y down; fractions allowed).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Point {
    /// Horizontal position in pixels from the left edge.
    pub x: f64,
    /// Vertical position in pixels from the top edge.
    pub y: f64,
}

/// An axis-aligned box in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PixelBox {
    /// Left edge in pixels (inclusive).
    pub x0: f64,
    /// Top edge in pixels (inclusive).
    pub y0: f64,
    /// Right edge in pixels (exclusive); must be greater than `x0`.
    pub x1: f64,
    /// Bottom edge in pixels (exclusive); must be greater than `y0`.
    pub y1: f64,
}

/// An axis-aligned box in fractions of the image size: 0 is the left/top edge, 1 the right/bottom.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NormBox {
    /// Left edge as a fraction of the width, 0..1.
    pub x0: f64,
    /// Top edge as a fraction of the height, 0..1.
    pub y0: f64,
    /// Right edge as a fraction of the width, 0..1; greater than `x0`.
    pub x1: f64,
    /// Bottom edge as a fraction of the height, 0..1; greater than `y0`.
    pub y1: f64,
}

/// A closed polygon in pixel coordinates (the last point joins the first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Polygon {
    /// Vertices in order, at least 3.
    pub points: Vec<Point>,
}

/// An area of the image, in whichever form the caller has it; `shape` says which:
/// `"box"` and `"norm_box"` take `x0, y0, x1, y1`, `"polygon"` takes `points`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "shape", rename_all = "snake_case")]
pub enum Region {
    /// A box in pixels.
    Box(PixelBox),
    /// A box in fractions of the image size.
    NormBox(NormBox),
    /// A polygon in pixels.
    Polygon(Polygon),
}

/// A checked, non-empty rectangle of whole pixels that lies inside its image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub struct PixelRect {
    /// Left column (inclusive).
    pub x: u32,
    /// Top row (inclusive).
    pub y: u32,
    /// Width in pixels, at least 1.
    pub width: u32,
    /// Height in pixels, at least 1.
    pub height: u32,
}

/// An sRGB colour with alpha, written `#rrggbb` or `#rrggbbaa` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Color(pub [u8; 4]);

impl PixelBox {
    /// Builds a box from its edges.
    pub fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Self {
        Self { x0, y0, x1, y1 }
    }

    /// Width (`x1 - x0`).
    pub fn width(&self) -> f64 {
        self.x1 - self.x0
    }

    /// Height (`y1 - y0`).
    pub fn height(&self) -> f64 {
        self.y1 - self.y0
    }

    /// Grows the box by `pixels` on every side (shrinks when negative).
    pub fn padded(&self, pixels: f64) -> Self {
        Self::new(
            self.x0 - pixels,
            self.y0 - pixels,
            self.x1 + pixels,
            self.y1 + pixels,
        )
    }

    /// Grows the box by `ratio × width` left and right and `ratio × height` top and bottom.
    pub fn padded_by_ratio(&self, ratio: f64) -> Self {
        let (dx, dy) = (self.width() * ratio, self.height() * ratio);
        Self::new(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)
    }

    /// Rounds outwards, clamps to a `width × height` image and checks something is left.
    /// `param` names the parameter in the error.
    pub fn resolve(&self, param: &'static str, width: u32, height: u32) -> Result<PixelRect> {
        let edges = [self.x0, self.y0, self.x1, self.y1];
        if edges.iter().any(|edge| !edge.is_finite()) {
            return Err(MediaError::invalid(
                param,
                self,
                "every edge must be a finite number",
            ));
        }
        if self.x1 <= self.x0 || self.y1 <= self.y0 {
            return Err(MediaError::EmptyRegion {
                param,
                value: self.to_string(),
            });
        }
        if self.x1 <= 0.0
            || self.y1 <= 0.0
            || self.x0 >= f64::from(width)
            || self.y0 >= f64::from(height)
        {
            return Err(MediaError::OutsideImage {
                param,
                value: self.to_string(),
                width,
                height,
            });
        }
        let clamp = |value: f64, max: u32| value.clamp(0.0, f64::from(max)) as u32;
        let (x0, y0) = (
            clamp(self.x0.floor(), width),
            clamp(self.y0.floor(), height),
        );
        let (x1, y1) = (clamp(self.x1.ceil(), width), clamp(self.y1.ceil(), height));
        Ok(PixelRect {
            x: x0,
            y: y0,
            width: x1 - x0,
            height: y1 - y0,
        })
    }
}

impl NormBox {
    /// Converts to pixels for a `width × height` image (no clamping).
    pub fn to_pixels(&self, width: u32, height: u32) -> PixelBox {
        let (w, h) = (f64::from(width), f64::from(height));
        PixelBox::new(self.x0 * w, self.y0 * h, self.x1 * w, self.y1 * h)
    }

    /// Converts to pixels, then [`PixelBox::resolve`]s; errors quote the normalized box.
    pub fn resolve(&self, param: &'static str, width: u32, height: u32) -> Result<PixelRect> {
        let edges = [self.x0, self.y0, self.x1, self.y1];
        if edges.iter().any(|edge| !edge.is_finite()) {
            return Err(MediaError::invalid(
                param,
                self,
                "every edge must be a finite number",
            ));
        }
        self.to_pixels(width, height)
            .resolve(param, width, height)
            .map_err(|error| match error {
                MediaError::EmptyRegion { param, .. } => MediaError::EmptyRegion {
                    param,
                    value: self.to_string(),
                },
                MediaError::OutsideImage {
                    param,
                    width,
                    height,
                    ..
                } => MediaError::OutsideImage {
                    param,
                    value: self.to_string(),
                    width,
                    height,
                },
                other => other,
            })
    }
}

impl Polygon {
    /// The smallest box holding every vertex; `None` when there are no points.
    pub fn bounds(&self) -> Option<PixelBox> {
        let first = self.points.first()?;
        let mut bounds = PixelBox::new(first.x, first.y, first.x, first.y);
        for point in &self.points {
            bounds.x0 = bounds.x0.min(point.x);
            bounds.y0 = bounds.y0.min(point.y);
            bounds.x1 = bounds.x1.max(point.x);
            bounds.y1 = bounds.y1.max(point.y);
        }
        Some(bounds)
    }

    /// Checks there are 3 to [`MAX_POLYGON_POINTS`] finite vertices.
    pub fn validate(&self, param: &'static str) -> Result<()> {
        if self.points.len() < 3 {
            return Err(MediaError::invalid(
                param,
                self,
                "a polygon needs at least 3 points",
            ));
        }
        if self.points.len() > MAX_POLYGON_POINTS {
            return Err(MediaError::invalid(
                param,
                self,
                format!("a polygon may have at most {MAX_POLYGON_POINTS} points"),
            ));
        }
        if self
            .points
            .iter()
            .any(|point| !point.x.is_finite() || !point.y.is_finite())
        {
            return Err(MediaError::invalid(
                param,
                self,
                "every point must be finite",
            ));
        }
        Ok(())
    }
}

impl Region {
    /// The bounding box of the region in pixels for a `width × height` image.
    pub fn bounds(&self, width: u32, height: u32) -> Option<PixelBox> {
        match self {
            Self::Box(pixel_box) => Some(*pixel_box),
            Self::NormBox(norm_box) => Some(norm_box.to_pixels(width, height)),
            Self::Polygon(polygon) => polygon.bounds(),
        }
    }
}

impl PixelRect {
    /// The whole of a `width × height` image.
    pub fn full(width: u32, height: u32) -> Self {
        Self {
            x: 0,
            y: 0,
            width,
            height,
        }
    }

    /// Right edge (exclusive).
    pub fn right(&self) -> u32 {
        self.x + self.width
    }

    /// Bottom edge (exclusive).
    pub fn bottom(&self) -> u32 {
        self.y + self.height
    }

    /// The same rectangle as a [`PixelBox`].
    pub fn to_box(&self) -> PixelBox {
        PixelBox::new(
            f64::from(self.x),
            f64::from(self.y),
            f64::from(self.right()),
            f64::from(self.bottom()),
        )
    }
}

impl Color {
    /// Black, opaque.
    pub const BLACK: Self = Self([0, 0, 0, 255]);
    /// White, opaque.
    pub const WHITE: Self = Self([255, 255, 255, 255]);

    /// An opaque colour.
    pub const fn rgb(red: u8, green: u8, blue: u8) -> Self {
        Self([red, green, blue, 255])
    }

    /// The same colour with alpha `alpha`.
    pub const fn with_alpha(self, alpha: u8) -> Self {
        Self([self.0[0], self.0[1], self.0[2], alpha])
    }

    /// Parses `#rgb`, `#rrggbb` or `#rrggbbaa` (the `#` is optional).
    pub fn parse(text: &str) -> Option<Self> {
        let hex = text.strip_prefix('#').unwrap_or(text);
        if !hex.is_ascii() {
            return None;
        }
        let byte = |index: usize| u8::from_str_radix(hex.get(index..index + 2)?, 16).ok();
        match hex.len() {
            3 => {
                let nibble = |index: usize| {
                    u8::from_str_radix(hex.get(index..=index)?, 16)
                        .ok()
                        .map(|n| n * 17)
                };
                Some(Self([nibble(0)?, nibble(1)?, nibble(2)?, 255]))
            }
            6 => Some(Self([byte(0)?, byte(2)?, byte(4)?, 255])),
            8 => Some(Self([byte(0)?, byte(2)?, byte(4)?, byte(6)?])),
            _ => None,
        }
    }

    /// The RGB part as an `image` pixel.
    pub fn to_rgb(self) -> image::Rgb<u8> {
        image::Rgb([self.0[0], self.0[1], self.0[2]])
    }

    /// The colour as an `image` RGBA pixel.
    pub fn to_rgba(self) -> image::Rgba<u8> {
        image::Rgba(self.0)
    }
}

impl fmt::Display for Color {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, g, b, a] = self.0;
        if a == 255 {
            write!(f, "#{r:02x}{g:02x}{b:02x}")
        } else {
            write!(f, "#{r:02x}{g:02x}{b:02x}{a:02x}")
        }
    }
}

impl Serialize for Color {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Color {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let text = Cow::<str>::deserialize(deserializer)?;
        Self::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "`{text}` is not a colour like `#ff8800` or `#ff880080`"
            ))
        })
    }
}

impl JsonSchema for Color {
    fn schema_name() -> Cow<'static, str> {
        "Color".into()
    }

    fn json_schema(_generator: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$",
            "description": "An sRGB colour as hex: `#rrggbb`, or `#rrggbbaa` with alpha.",
            "examples": ["#ff0000", "#00000080"]
        })
    }
}

fn number(value: f64) -> String {
    // Integers print without ".0" so messages read like the JSON the caller sent.
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}")
    }
}

impl fmt::Display for PixelBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = [self.x0, self.y0, self.x1, self.y1].map(number);
        write!(f, "[{a}, {b}, {c}, {d}]")
    }
}

impl fmt::Display for NormBox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d] = [self.x0, self.y0, self.x1, self.y1].map(number);
        write!(f, "[{a}, {b}, {c}, {d}] (normalized)")
    }
}

impl fmt::Display for Polygon {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let points: Vec<String> = self
            .points
            .iter()
            .take(6)
            .map(|point| format!("({}, {})", number(point.x), number(point.y)))
            .collect();
        let more = if self.points.len() > 6 { ", …" } else { "" };
        write!(
            f,
            "[{}{more}] ({} points)",
            points.join(", "),
            self.points.len()
        )
    }
}

impl fmt::Display for PixelRect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}×{} at ({}, {})",
            self.width, self.height, self.x, self.y
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_rounds_outwards_and_clamps() {
        let rect = PixelBox::new(10.4, -5.0, 20.2, 30.0)
            .resolve("box", 640, 20)
            .expect("inside");
        assert_eq!(
            rect,
            PixelRect {
                x: 10,
                y: 0,
                width: 11,
                height: 20
            }
        );
    }

    #[test]
    fn resolve_names_the_parameter_and_value() {
        let error = PixelBox::new(700.0, 10.0, 5000.0, 20.0)
            .resolve("box", 640, 480)
            .expect_err("outside");
        assert_eq!(
            error.to_string(),
            "`box` [700, 10, 5000, 20] lies outside the 640×480 image"
        );
        let error = PixelBox::new(10.0, 10.0, 5.0, 20.0)
            .resolve("box", 640, 480)
            .expect_err("empty");
        assert_eq!(
            error.to_string(),
            "`box` [10, 10, 5, 20] is empty: it covers no pixel"
        );
        let error = PixelBox::new(f64::NAN, 0.0, 1.0, 1.0)
            .resolve("box", 640, 480)
            .expect_err("nan");
        assert!(error.to_string().contains("finite"), "{error}");
    }

    #[test]
    fn norm_box_resolves_against_image_size() {
        let rect = NormBox {
            x0: 0.25,
            y0: 0.5,
            x1: 0.75,
            y1: 1.0,
        }
        .resolve("box", 400, 200)
        .expect("ok");
        assert_eq!(
            rect,
            PixelRect {
                x: 100,
                y: 100,
                width: 200,
                height: 100
            }
        );
        let error = NormBox {
            x0: 1.2,
            y0: 0.0,
            x1: 1.5,
            y1: 1.0,
        }
        .resolve("norm_box", 400, 200)
        .expect_err("outside");
        assert_eq!(
            error.to_string(),
            "`norm_box` [1.2, 0, 1.5, 1] (normalized) lies outside the 400×200 image"
        );
    }

    #[test]
    fn colors_parse_and_print() {
        assert_eq!(Color::parse("#ff8000"), Some(Color([255, 128, 0, 255])));
        assert_eq!(Color::parse("00ff0080"), Some(Color([0, 255, 0, 128])));
        assert_eq!(Color::parse("#fff"), Some(Color::WHITE));
        assert_eq!(Color::parse("#ggg000"), None);
        assert_eq!(Color::parse("#ééé"), None);
        let json = serde_json::to_string(&Color([1, 2, 3, 4])).expect("json");
        assert_eq!(json, "\"#01020304\"");
        let back: Color = serde_json::from_str(&json).expect("parse");
        assert_eq!(back, Color([1, 2, 3, 4]));
        assert!(serde_json::from_str::<Color>("\"red\"").is_err());
    }

    #[test]
    fn region_json_is_tagged_by_shape() {
        let region: Region = serde_json::from_str(r#"{"shape":"box","x0":1,"y0":2,"x1":3,"y1":4}"#)
            .expect("box region");
        assert_eq!(region, Region::Box(PixelBox::new(1.0, 2.0, 3.0, 4.0)));
        let polygon: Region = serde_json::from_str(
            r#"{"shape":"polygon","points":[{"x":0,"y":0},{"x":4,"y":0},{"x":0,"y":4}]}"#,
        )
        .expect("polygon region");
        assert_eq!(
            polygon.bounds(10, 10),
            Some(PixelBox::new(0.0, 0.0, 4.0, 4.0))
        );
    }
}
