//! Text reading (OCR) with PP-OCRv6 small: `detect` finds line boxes,
//! `recognize` reads each one; this module orders the lines for reading.

mod detect;
pub(crate) mod polygon;
mod recognize;

use image::RgbImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::OnnxModel;
use crate::error::{VisionError, check_image};

/// Lines whose mean character probability is below this are dropped
/// (rapidocr's `text_score`).
const MIN_CONFIDENCE: f32 = 0.5;

/// One line of text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TextLine {
    /// Axis-aligned bounds of `polygon`, `[x0, y0, x1, y1]` in pixels.
    pub bbox: [f32; 4],
    /// The line's (possibly rotated) box: top-left, top-right, bottom-right,
    /// bottom-left, in pixels; text runs from the first corner to the second.
    pub polygon: [[f32; 2]; 4],
    /// The recognised text.
    pub text: String,
    /// Mean probability of the recognised characters, 0–1.
    pub confidence: f32,
    /// For each `char` of `text`, its centre along the line as a fraction of
    /// the line's length (0 = left edge of the polygon, 1 = right edge).
    /// Used to locate sub-spans (e.g. PHI) inside the line.
    pub char_positions: Vec<f32>,
}

impl TextLine {
    /// Point at fraction `along` of the line's length (0 = left edge) and
    /// `across` of its height (0 = top edge), in image pixels.
    pub fn point_at(&self, along: f32, across: f32) -> [f32; 2] {
        let [top_left, top_right, _, bottom_left] = self.polygon;
        [
            top_left[0]
                + along * (top_right[0] - top_left[0])
                + across * (bottom_left[0] - top_left[0]),
            top_left[1]
                + along * (top_right[1] - top_left[1])
                + across * (bottom_left[1] - top_left[1]),
        ]
    }
}

/// The two PP-OCRv6 sessions and the recogniser's dictionary.
#[derive(Debug)]
pub(crate) struct TextReader {
    detector: OnnxModel,
    recognizer: OnnxModel,
    alphabet: recognize::Alphabet,
}

impl TextReader {
    pub(crate) fn new(detector: OnnxModel, recognizer: OnnxModel) -> Result<Self, VisionError> {
        let alphabet = recognize::Alphabet::from_model(&recognizer)?;
        Ok(Self {
            detector,
            recognizer,
            alphabet,
        })
    }

    pub(crate) fn read(&self, image: &RgbImage) -> Result<Vec<TextLine>, VisionError> {
        check_image(image)?;
        let detected = detect::detect_lines(&self.detector, image)?;
        let crops: Vec<RgbImage> = detected
            .iter()
            .map(|line| recognize::crop_upright(image, &line.rect))
            .collect();
        let recognized = recognize::recognize_all(&self.recognizer, &self.alphabet, &crops)?;
        let mut lines = Vec::new();
        for (detected, recognized) in detected.iter().zip(recognized) {
            let text = recognized.text.trim();
            if text.is_empty() || recognized.confidence < MIN_CONFIDENCE {
                continue;
            }
            // Trimming removed leading spaces: drop their positions too.
            let leading =
                recognized.text.chars().count() - recognized.text.trim_start().chars().count();
            let char_positions = recognized
                .char_positions
                .iter()
                .skip(leading)
                .take(text.chars().count())
                .copied()
                .collect();
            let polygon = detected.rect.corners();
            lines.push(TextLine {
                bbox: bounds(&polygon),
                polygon,
                text: text.to_owned(),
                confidence: recognized.confidence,
                char_positions,
            });
        }
        Ok(reading_order(lines))
    }
}

fn bounds(polygon: &[[f32; 2]; 4]) -> [f32; 4] {
    let xs = polygon.iter().map(|p| p[0]);
    let ys = polygon.iter().map(|p| p[1]);
    [
        xs.clone().fold(f32::MAX, f32::min),
        ys.clone().fold(f32::MAX, f32::min),
        xs.fold(f32::MIN, f32::max),
        ys.fold(f32::MIN, f32::max),
    ]
}

/// Top-to-bottom rows, left-to-right within a row. Two lines share a row
/// when their vertical centres are closer than half the shorter line's height.
pub(crate) fn reading_order(mut lines: Vec<TextLine>) -> Vec<TextLine> {
    let centre = |line: &TextLine| (line.bbox[1] + line.bbox[3]) / 2.0;
    let height = |line: &TextLine| line.bbox[3] - line.bbox[1];
    lines.sort_by(|a, b| centre(a).total_cmp(&centre(b)));
    let mut rows: Vec<Vec<TextLine>> = Vec::new();
    for line in lines {
        let joins = rows
            .last()
            .and_then(|row| row.first())
            .is_some_and(|first| {
                (centre(first) - centre(&line)).abs() < 0.5 * height(first).min(height(&line))
            });
        match rows.last_mut() {
            Some(row) if joins => row.push(line),
            _ => rows.push(vec![line]),
        }
    }
    rows.into_iter()
        .flat_map(|mut row| {
            row.sort_by(|a, b| a.bbox[0].total_cmp(&b.bbox[0]));
            row
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str, bbox: [f32; 4]) -> TextLine {
        TextLine {
            bbox,
            polygon: [
                [bbox[0], bbox[1]],
                [bbox[2], bbox[1]],
                [bbox[2], bbox[3]],
                [bbox[0], bbox[3]],
            ],
            text: text.to_owned(),
            confidence: 1.0,
            char_positions: Vec::new(),
        }
    }

    #[test]
    fn reading_order_is_rows_then_columns() {
        let lines = vec![
            line("second row", [0.0, 50.0, 100.0, 70.0]),
            line("right", [200.0, 12.0, 300.0, 32.0]),
            line("left", [0.0, 10.0, 100.0, 30.0]),
        ];
        let texts: Vec<String> = reading_order(lines).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["left", "right", "second row"]);
    }

    #[test]
    fn point_at_interpolates_the_polygon() {
        let line = line("x", [10.0, 20.0, 110.0, 40.0]);
        assert_eq!(line.point_at(0.5, 0.5), [60.0, 30.0]);
        assert_eq!(line.point_at(1.0, 0.0), [110.0, 20.0]);
    }
}
