//! Parameter structs for every operation, as the tools layer receives them in JSON.
//!
//! Each derives `Serialize`, `Deserialize` and `schemars::JsonSchema`; the doc comment on every
//! field becomes its `description` in the JSON Schema a planner reads, so they say units,
//! ranges and defaults. Defaults are applied by serde, so `{}` is a valid value wherever every
//! field has one.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::shapes::{Color, PixelBox, Point, Region};

/// Cut a rectangle out of the image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CropParams {
    /// What to keep: a pixel box, a normalized box, or a polygon (cropped to its bounding box).
    pub region: Region,
    /// Extra margin around the region, in pixels, on every side (clamped to the image). Default 0.
    #[serde(default)]
    pub padding: f64,
    /// Extra margin as a fraction of the region's width (left/right) and height (top/bottom),
    /// e.g. 0.1 adds 10% on each side. Added to `padding`. Default 0.
    #[serde(default)]
    pub padding_ratio: f64,
}

/// How [`ResizeParams`] treats the aspect ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResizeMode {
    /// Scale to fit inside `width × height`, keeping the aspect ratio (the default).
    #[default]
    Fit,
    /// Scale to cover `width × height`, keeping the aspect ratio, then crop the centre.
    Fill,
    /// Stretch to exactly `width × height`.
    Exact,
}

/// The resampling filter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ResizeFilter {
    /// Nearest neighbour: blocky, keeps exact pixel values (masks, pixel art).
    Nearest,
    /// Bilinear: fast and soft.
    Bilinear,
    /// Catmull-Rom bicubic: sharp.
    CatmullRom,
    /// Lanczos3: the sharpest, best for photos (the default).
    #[default]
    Lanczos3,
}

/// Change the image size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResizeParams {
    /// Target width in pixels. When omitted it follows from `height` and the aspect ratio.
    #[serde(default)]
    pub width: Option<u32>,
    /// Target height in pixels. When omitted it follows from `width` and the aspect ratio.
    #[serde(default)]
    pub height: Option<u32>,
    /// `fit` (inside the box, default), `fill` (cover and crop) or `exact` (stretch). Only
    /// matters when both `width` and `height` are given.
    #[serde(default)]
    pub mode: ResizeMode,
    /// Resampling filter; default `lanczos3`.
    #[serde(default)]
    pub filter: ResizeFilter,
    /// A factor of the current size (0.5 halves both sides, 2 doubles them), for a resize
    /// given neither `width` nor `height`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0.01, max = 8.0))]
    pub scale: Option<f32>,
}

/// How [`AspectParams`] reaches the target ratio.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AspectMode {
    /// Add bars of `color` on two sides; nothing is lost (the default).
    #[default]
    Pad,
    /// Cut the centre out; nothing is added.
    Crop,
}

/// Bring the image to an aspect ratio such as "9:16".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AspectParams {
    /// Target width:height, as "9:16", "16:9", "1:1", or a decimal like "1.91".
    pub ratio: String,
    /// `pad` (default) or `crop`.
    #[serde(default)]
    pub mode: AspectMode,
    /// Colour of the bars when padding, `#rrggbb` or `#rrggbbaa`; default black.
    #[serde(default = "black")]
    pub color: Color,
}

/// Rotate by an angle.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RotateParams {
    /// Clockwise angle in degrees. Multiples of 90 are exact (no resampling).
    pub degrees: f64,
    /// Grow the canvas so no corner is cut off (default true); when false the size is kept.
    #[serde(default = "yes")]
    pub expand: bool,
    /// Colour of the uncovered corners for angles that are not multiples of 90; default black.
    /// With alpha below `ff` the result gets an alpha channel.
    #[serde(default = "black")]
    pub fill: Color,
}

/// A mirror axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Flip {
    /// Mirror left-right.
    Horizontal,
    /// Mirror top-bottom.
    Vertical,
}

/// Brightness, contrast, saturation and sharpness. Each amount is relative: 0 keeps the
/// image as it is, 0.2 makes it 20 % more, -0.2 20 % less.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AdjustParams {
    /// Brightness change, -1..1: every channel is multiplied by 1 + brightness (0.2: 20 %
    /// brighter, -1: black). Default 0.
    #[serde(default)]
    pub brightness: f32,
    /// Contrast change, -1..1: 0 keeps it, 0.5 stretches values away from mid-grey by 1.5×,
    /// -1 flattens everything to grey. Default 0.
    #[serde(default)]
    pub contrast: f32,
    /// Saturation change, -1..1: colours move away from (or toward) their grey by 1 +
    /// saturation; -1 is grayscale. Default 0.
    #[serde(default)]
    pub saturation: f32,
    /// Sharpening, 0..2: the unsharp-mask amount (1 adds the full difference from a blurred
    /// copy once). Default 0.
    #[serde(default)]
    pub sharpen: f32,
}

/// How a privacy region is hidden.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RedactMethod {
    /// Strong gaussian blur, sigma ≈ region short side / 6 (the default).
    #[default]
    Blur,
    /// Mosaic of blocks ≈ region short side / 8 pixels (at least 4).
    Pixelate,
    /// Solid `color`.
    Fill,
}

/// Hide regions (faces, plates, text) so they cannot be recognised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RedactParams {
    /// The regions to hide: boxes, normalized boxes or polygons. Default none.
    #[serde(default)]
    pub regions: Vec<Region>,
    /// `blur` (default), `pixelate` or `fill`.
    #[serde(default)]
    pub method: RedactMethod,
    /// Multiplies the blur sigma or block size, 0.25..4; default 1 (already unrecognisable).
    #[serde(default = "one")]
    pub strength: f64,
    /// Colour for `fill`; default black.
    #[serde(default = "black")]
    pub color: Color,
    /// Grow each region by this fraction of its size on every side before hiding, so hair and
    /// chin are covered too. Default 0.
    #[serde(default)]
    pub padding_ratio: f64,
}

/// One detection to draw: a box with an optional label and score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct BoxAnnotation {
    /// The box in pixels.
    #[serde(rename = "box")]
    pub bbox: PixelBox,
    /// Class name or caption drawn above the box.
    #[serde(default)]
    pub label: Option<String>,
    /// Confidence 0..1, drawn after the label as e.g. "0.93".
    #[serde(default)]
    pub score: Option<f64>,
    /// Box colour; by default picked from the palette by label, so one class keeps one colour.
    #[serde(default)]
    pub color: Option<Color>,
}

/// A marked point (keypoint, click, centroid).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PointAnnotation {
    /// Where, in pixels.
    pub point: Point,
    /// Optional text drawn beside the point.
    #[serde(default)]
    pub label: Option<String>,
    /// Dot colour; by default from the palette by label.
    #[serde(default)]
    pub color: Option<Color>,
}

/// A polygon outline, optionally filled translucently (segmentation contours, zones).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct PolygonAnnotation {
    /// Vertices in pixels, at least 3.
    pub points: Vec<Point>,
    /// Optional text drawn at the first vertex.
    #[serde(default)]
    pub label: Option<String>,
    /// Line colour; by default from the palette by label.
    #[serde(default)]
    pub color: Option<Color>,
    /// Also fill the inside with the colour at the style's `fill_opacity` (default true).
    #[serde(default = "yes")]
    pub fill: bool,
}

/// Free text on the image.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TextAnnotation {
    /// The text (one line).
    pub text: String,
    /// Top-left corner of the text, in pixels.
    pub position: Point,
    /// Text colour; default white on a dark label background.
    #[serde(default)]
    pub color: Option<Color>,
    /// Font size in pixels; default from the style.
    #[serde(default)]
    pub size: Option<f32>,
}

/// Shared look of annotations. Every field has an automatic default scaled to the image.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnnotateStyle {
    /// Line width in pixels; default ≈ image short side / 250, at least 2.
    #[serde(default)]
    pub line_width: Option<u32>,
    /// Label font size in pixels; default ≈ image short side / 40, at least 12.
    #[serde(default)]
    pub font_size: Option<f32>,
    /// Opacity of polygon and mask fills, 0..1; default 0.4.
    #[serde(default)]
    pub fill_opacity: Option<f32>,
}

/// Everything to draw on one image.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnnotateParams {
    /// Boxes with labels and scores.
    #[serde(default)]
    pub boxes: Vec<BoxAnnotation>,
    /// Points.
    #[serde(default)]
    pub points: Vec<PointAnnotation>,
    /// Polygons.
    #[serde(default)]
    pub polygons: Vec<PolygonAnnotation>,
    /// Free text.
    #[serde(default)]
    pub texts: Vec<TextAnnotation>,
    /// Line width, font size and fill opacity; automatic by default.
    #[serde(default)]
    pub style: AnnotateStyle,
}

/// Paste one image onto another.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct OverlayParams {
    /// Left edge of the pasted image on the base, in pixels (may be negative or overhang).
    pub x: i64,
    /// Top edge of the pasted image on the base, in pixels (may be negative or overhang).
    pub y: i64,
    /// Extra opacity 0..1 multiplied with the pasted image's own alpha; default 1.
    #[serde(default = "one_f32")]
    pub opacity: f32,
}

/// Arrange several images in a contact sheet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct GridParams {
    /// Number of columns; default ⌈√n⌉. Use n for side by side, 1 for a vertical stack.
    #[serde(default)]
    pub columns: Option<u32>,
    /// Height of every cell in pixels; images are fitted inside. Default: the tallest image
    /// scaled so the sheet stays under 4096 px wide.
    #[serde(default)]
    pub cell_height: Option<u32>,
    /// Gap between cells and around the sheet, in pixels; default 8.
    #[serde(default = "eight")]
    pub gap: u32,
    /// Background colour; default white.
    #[serde(default = "white")]
    pub background: Color,
    /// Optional caption under each image, in order; missing entries get none.
    #[serde(default)]
    pub labels: Vec<String>,
}

/// Slice an image into a grid of tiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct TileParams {
    /// Number of tile rows, at least 1.
    pub rows: u32,
    /// Number of tile columns, at least 1.
    pub columns: u32,
    /// Pixels each tile extends into its neighbours (for detectors that need context); default 0.
    #[serde(default)]
    pub overlap: u32,
}

fn black() -> Color {
    Color::BLACK
}

fn white() -> Color {
    Color::WHITE
}

fn yes() -> bool {
    true
}

fn one() -> f64 {
    1.0
}

fn one_f32() -> f32 {
    1.0
}

fn eight() -> u32 {
    8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_in_from_minimal_json() {
        let redact: RedactParams =
            serde_json::from_str(r#"{"regions":[{"shape":"box","x0":1,"y0":1,"x1":5,"y1":5}]}"#)
                .expect("json");
        assert_eq!(redact.method, RedactMethod::Blur);
        assert_eq!(redact.strength, 1.0);
        assert_eq!(redact.color, Color::BLACK);
        let rotate: RotateParams = serde_json::from_str(r#"{"degrees":30}"#).expect("json");
        assert!(rotate.expand);
        let annotate: AnnotateParams = serde_json::from_str(
            r#"{"boxes":[{"box":{"x0":0,"y0":0,"x1":9,"y1":9},"label":"cat","score":0.9}]}"#,
        )
        .expect("json");
        assert_eq!(annotate.boxes[0].label.as_deref(), Some("cat"));
    }

    #[test]
    fn schemas_carry_field_descriptions() {
        let schema = serde_json::to_value(schemars::schema_for!(CropParams)).expect("schema");
        let padding = &schema["properties"]["padding"];
        assert!(
            padding["description"]
                .as_str()
                .is_some_and(|text| text.contains("pixels")),
            "{schema}"
        );
        let redact = serde_json::to_value(schemars::schema_for!(RedactParams)).expect("schema");
        let text = redact.to_string();
        assert!(
            text.contains("\"pixelate\"") && text.contains("\"pattern\""),
            "{text}"
        );
        assert_eq!(redact["properties"]["strength"]["default"], 1.0);
    }

    /// Walks a schema and returns the paths of object properties without a description.
    fn undocumented(value: &serde_json::Value, path: &str, missing: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                    for (name, property) in properties {
                        // A tag such as `"shape": {"const": "box"}` names its variant itself.
                        if property.get("description").is_none() && property.get("const").is_none()
                        {
                            missing.push(format!("{path}.{name}"));
                        }
                    }
                }
                for (key, child) in map {
                    undocumented(child, &format!("{path}/{key}"), missing);
                }
            }
            serde_json::Value::Array(items) => items
                .iter()
                .for_each(|item| undocumented(item, path, missing)),
            _ => {}
        }
    }

    #[test]
    fn every_field_of_every_parameter_struct_is_documented() {
        let schemas = [
            schemars::schema_for!(CropParams),
            schemars::schema_for!(ResizeParams),
            schemars::schema_for!(AspectParams),
            schemars::schema_for!(RotateParams),
            schemars::schema_for!(Flip),
            schemars::schema_for!(AdjustParams),
            schemars::schema_for!(RedactParams),
            schemars::schema_for!(AnnotateParams),
            schemars::schema_for!(OverlayParams),
            schemars::schema_for!(GridParams),
            schemars::schema_for!(TileParams),
        ];
        let mut missing = Vec::new();
        let mut properties = 0;
        for schema in schemas {
            let value = serde_json::to_value(&schema).expect("schema is JSON");
            properties += value.to_string().matches("\"description\"").count();
            undocumented(&value, "", &mut missing);
        }
        assert!(
            missing.is_empty(),
            "fields without a description: {missing:?}"
        );
        assert!(properties > 40, "only {properties} descriptions");
    }
}
