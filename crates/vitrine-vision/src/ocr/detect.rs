//! PP-OCRv6 text detection: the DB (differentiable binarisation) network
//! gives a per-pixel text probability; thresholding, connected components,
//! minimum-area rectangles and "unclipping" (growing each shrunk text kernel
//! back to the full line) turn it into rotated line boxes. Parameters follow
//! rapidocr 3.10's defaults for this model.

use image::RgbImage;

use crate::engine::OnnxModel;
use crate::error::VisionError;
use crate::ocr::polygon::{RotatedRect, connected_components, min_area_rect};
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nchw};

/// Probability above which a pixel is text.
const BINARY_THRESHOLD: f32 = 0.3;
/// Minimum mean probability inside a candidate box.
const BOX_THRESHOLD: f32 = 0.5;
/// How far to grow kernels: distance = area × ratio / perimeter.
const UNCLIP_RATIO: f32 = 1.6;
/// Boxes whose short side (in detector pixels) is below this are noise.
const MIN_SIDE: f32 = 3.0;
/// rapidocr's `limit_type: min` / `limit_side_len: 736`: small images are
/// upscaled until their short side reaches this.
const MIN_SHORT_SIDE: f64 = 736.0;
/// … and nothing runs above this long side.
const MAX_LONG_SIDE: f64 = 2000.0;
/// At most this many candidates per image.
const MAX_CANDIDATES: usize = 1000;

/// A detected line: a rotated rectangle in image pixels and its score.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DetectedLine {
    pub(crate) rect: RotatedRect,
}

/// Runs the detector on `image` and returns line boxes in image pixels.
pub(crate) fn detect_lines(
    model: &OnnxModel,
    image: &RgbImage,
) -> Result<Vec<DetectedLine>, VisionError> {
    let (width, height) = image.dimensions();
    let (input_width, input_height) = input_size(width, height);
    let resized = resize(image, input_width, input_height);
    let normalization = Normalization::mean_std(ChannelOrder::Bgr, [0.5; 3], [0.5; 3]);
    let outputs = model.run(to_nchw(&resized, &normalization))?;
    let probability = outputs
        .first()
        .ok_or_else(|| VisionError::UnexpectedOutput {
            model: model.name,
            detail: "no output".to_owned(),
        })?;
    let (map_width, map_height) = match probability.shape.as_slice() {
        [1, 1, h, w] if probability.data.len() == h * w => (*w, *h),
        shape => {
            return Err(VisionError::UnexpectedOutput {
                model: model.name,
                detail: format!("expected a [1,1,H,W] probability map, got {shape:?}"),
            });
        }
    };
    let map = &probability.data;
    let mask = dilate_2x2(
        &map.iter()
            .map(|&p| p > BINARY_THRESHOLD)
            .collect::<Vec<_>>(),
        map_width,
        map_height,
    );
    let scale_x = width as f32 / map_width as f32;
    let scale_y = height as f32 / map_height as f32;
    let mut lines = Vec::new();
    for component in connected_components(&mask, map_width, map_height, 4)
        .into_iter()
        .take(MAX_CANDIDATES)
    {
        let points: Vec<[f32; 2]> = component
            .iter()
            .map(|&[x, y]| [x as f32, y as f32])
            .collect();
        let Some(kernel) = min_area_rect(&points) else {
            continue;
        };
        if kernel.width.min(kernel.height) < MIN_SIDE {
            continue;
        }
        if mean_inside(map, map_width, map_height, &kernel) < BOX_THRESHOLD {
            continue;
        }
        let area = kernel.width * kernel.height;
        let perimeter = 2.0 * (kernel.width + kernel.height);
        let grown = kernel.expanded(area * UNCLIP_RATIO / perimeter);
        if grown.width.min(grown.height) < MIN_SIDE + 2.0 {
            continue;
        }
        lines.push(DetectedLine {
            rect: to_image(&grown, scale_x, scale_y),
        });
    }
    Ok(lines)
}

/// Detector input size: rapidocr's resize rule, rounded to multiples of 32.
fn input_size(width: u32, height: u32) -> (u32, u32) {
    let (width_f, height_f) = (f64::from(width), f64::from(height));
    let mut ratio = 1.0;
    let short = width_f.min(height_f);
    if short < MIN_SHORT_SIDE {
        ratio = MIN_SHORT_SIDE / short;
    }
    let long = width_f.max(height_f) * ratio;
    if long > MAX_LONG_SIDE {
        ratio *= MAX_LONG_SIDE / long;
    }
    let round = |value: f64| (((value * ratio) / 32.0).round() as u32).max(1) * 32;
    (round(width_f), round(height_f))
}

/// Binary dilation with a 2×2 kernel anchored top-left (as OpenCV's default
/// anchor for an even kernel does): a pixel is set when it or its left, upper
/// or upper-left neighbour is set.
fn dilate_2x2(mask: &[bool], width: usize, height: usize) -> Vec<bool> {
    let mut out = mask.to_vec();
    for y in 0..height {
        for x in 0..width {
            let index = y * width + x;
            if mask[index] {
                continue;
            }
            let left = x > 0 && mask[index - 1];
            let up = y > 0 && mask[index - width];
            let up_left = x > 0 && y > 0 && mask[index - width - 1];
            out[index] = left || up || up_left;
        }
    }
    out
}

/// Mean probability over the map cells whose centre lies inside `rect`.
fn mean_inside(map: &[f32], width: usize, height: usize, rect: &RotatedRect) -> f32 {
    let corners = rect.corners();
    let min = |axis: usize| corners.iter().map(|c| c[axis]).fold(f32::MAX, f32::min);
    let max = |axis: usize| corners.iter().map(|c| c[axis]).fold(f32::MIN, f32::max);
    let x0 = min(0).floor().max(0.0) as usize;
    let y0 = min(1).floor().max(0.0) as usize;
    let x1 = (max(0).ceil() as usize).min(width - 1);
    let y1 = (max(1).ceil() as usize).min(height - 1);
    let (mut sum, mut count) = (0.0f32, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            // A half-pixel tolerance keeps one-pixel-thin kernels non-empty.
            if rect.expanded(0.5).contains([x as f32, y as f32]) {
                sum += map[y * width + x];
                count += 1;
            }
        }
    }
    if count == 0 { 0.0 } else { sum / count as f32 }
}

/// Maps a rectangle from detector-map cells to image pixels. Cell `i` covers
/// pixels `[i, i+1) × scale`, so centres shift by half a cell.
fn to_image(rect: &RotatedRect, scale_x: f32, scale_y: f32) -> RotatedRect {
    let corners = rect.corners();
    let mapped: Vec<[f32; 2]> = corners
        .iter()
        .map(|&[x, y]| [(x + 0.5) * scale_x, (y + 0.5) * scale_y])
        .collect();
    // Scaling can shear a rotated rectangle slightly; refit it.
    min_area_rect(&mapped).unwrap_or(*rect)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_size_upscales_small_and_caps_large_images() {
        assert_eq!(input_size(368, 200), (1344, 736));
        let (w, h) = input_size(4000, 3000);
        assert!(
            w <= 2016 && h <= 1504 && w % 32 == 0 && h % 32 == 0,
            "{w}x{h}"
        );
        assert_eq!(input_size(1920, 1080), (1920, 1088));
    }

    #[test]
    fn dilation_grows_right_and_down() {
        let mut mask = vec![false; 9];
        mask[4] = true;
        let out = dilate_2x2(&mask, 3, 3);
        let set: Vec<usize> = (0..9).filter(|&i| out[i]).collect();
        assert_eq!(set, vec![4, 5, 7, 8]);
    }
}
