//! Image → tensor conversion shared by the models.

use fast_image_resize as fir;
use image::RgbImage;
use image::imageops::{self, FilterType};

use crate::engine::TensorF32;

/// Channel order a model was trained with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChannelOrder {
    /// Red, green, blue.
    Rgb,
    /// Blue, green, red (models trained on OpenCV-decoded images).
    Bgr,
}

/// Per-channel affine normalisation `value * scale - offset[c]` applied in
/// the model's channel order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Normalization {
    pub(crate) order: ChannelOrder,
    pub(crate) scale: [f32; 3],
    pub(crate) offset: [f32; 3],
}

impl Normalization {
    /// `(value / 255 - mean) / std` per channel.
    pub(crate) fn mean_std(order: ChannelOrder, mean: [f32; 3], std: [f32; 3]) -> Self {
        let mut scale = [0.0; 3];
        let mut offset = [0.0; 3];
        for channel in 0..3 {
            scale[channel] = 1.0 / (255.0 * std[channel]);
            offset[channel] = mean[channel] / std[channel];
        }
        Self {
            order,
            scale,
            offset,
        }
    }

    /// Raw 0–255 values.
    pub(crate) fn raw(order: ChannelOrder) -> Self {
        Self {
            order,
            scale: [1.0; 3],
            offset: [0.0; 3],
        }
    }

    fn source_channel(&self, channel: usize) -> usize {
        match self.order {
            ChannelOrder::Rgb => channel,
            ChannelOrder::Bgr => 2 - channel,
        }
    }
}

/// Resizes to exactly `width`×`height` (bilinear, antialiased when shrinking).
///
/// `fast_image_resize` (SIMD) takes ~2 ms where `imageops::resize` took
/// 20–100 ms for a 1080p frame; `imageops` stays as the fallback for the
/// buffer-size errors a valid `RgbImage` cannot produce.
pub(crate) fn resize(image: &RgbImage, width: u32, height: u32) -> RgbImage {
    if image.width() == width && image.height() == height {
        return image.clone();
    }
    fast_resize(image, width, height)
        .unwrap_or_else(|| imageops::resize(image, width, height, FilterType::Triangle))
}

fn fast_resize(image: &RgbImage, width: u32, height: u32) -> Option<RgbImage> {
    let source = fir::images::ImageRef::new(
        image.width(),
        image.height(),
        image.as_raw(),
        fir::PixelType::U8x3,
    )
    .ok()?;
    let mut target = fir::images::Image::new(width, height, fir::PixelType::U8x3);
    let options = fir::ResizeOptions::new()
        .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Bilinear));
    fir::Resizer::new()
        .resize(&source, &mut target, &options)
        .ok()?;
    RgbImage::from_raw(width, height, target.into_vec())
}

/// NCHW tensor with batch 1.
pub(crate) fn to_nchw(image: &RgbImage, normalization: &Normalization) -> TensorF32 {
    to_nchw_padded(image, normalization, image.width(), image.height())
}

/// NCHW tensor with batch 1 of `width`×`height` (at least the image's size),
/// the image in the top-left corner and zeros right of and below it. Padding
/// to a network's stride instead of stretching keeps the aspect ratio and
/// saves a resize.
pub(crate) fn to_nchw_padded(
    image: &RgbImage,
    normalization: &Normalization,
    width: u32,
    height: u32,
) -> TensorF32 {
    let (image_width, image_height) = (image.width() as usize, image.height() as usize);
    let width = (width as usize).max(image_width);
    let height = (height as usize).max(image_height);
    let plane = width * height;
    let mut data = vec![0.0f32; 3 * plane];
    let pixels = image.as_raw();
    for channel in 0..3 {
        let source = normalization.source_channel(channel);
        let scale = normalization.scale[channel];
        let offset = normalization.offset[channel];
        let out = &mut data[channel * plane..(channel + 1) * plane];
        for (out_row, row) in out
            .chunks_exact_mut(width)
            .zip(pixels.chunks_exact(3 * image_width))
        {
            for (value, pixel) in out_row.iter_mut().zip(row.chunks_exact(3)) {
                *value = f32::from(pixel[source]) * scale - offset;
            }
        }
    }
    TensorF32 {
        shape: vec![1, 3, height, width],
        data,
    }
}

/// NHWC tensor with batch 1.
pub(crate) fn to_nhwc(image: &RgbImage, normalization: &Normalization) -> TensorF32 {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let mut data = Vec::with_capacity(3 * width * height);
    for pixel in image.as_raw().chunks_exact(3) {
        for channel in 0..3 {
            let source = normalization.source_channel(channel);
            data.push(
                f32::from(pixel[source]) * normalization.scale[channel]
                    - normalization.offset[channel],
            );
        }
    }
    TensorF32 {
        shape: vec![1, height, width, 3],
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nchw_puts_channels_in_planes_and_honours_bgr() {
        let image = RgbImage::from_raw(2, 1, vec![10, 20, 30, 40, 50, 60]).expect("6 bytes");
        let tensor = to_nchw(&image, &Normalization::raw(ChannelOrder::Bgr));
        assert_eq!(tensor.shape, vec![1, 3, 1, 2]);
        assert_eq!(tensor.data, vec![30.0, 60.0, 20.0, 50.0, 10.0, 40.0]);
    }

    #[test]
    fn padded_nchw_keeps_pixels_in_place_and_zeros_the_rest() {
        let image = RgbImage::from_raw(2, 1, vec![10, 20, 30, 40, 50, 60]).expect("6 bytes");
        let tensor = to_nchw_padded(&image, &Normalization::raw(ChannelOrder::Rgb), 3, 2);
        assert_eq!(tensor.shape, vec![1, 3, 2, 3]);
        let red = &tensor.data[..6];
        assert_eq!(red, &[10.0, 40.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    fn fast_resize_averages_when_shrinking() {
        let mut image = RgbImage::new(4, 2);
        for (x, _, pixel) in image.enumerate_pixels_mut() {
            *pixel = image::Rgb(if x % 2 == 0 { [0; 3] } else { [200; 3] });
        }
        let small = resize(&image, 2, 1);
        assert_eq!(small.dimensions(), (2, 1));
        // A point sample would give 0 or 200; an antialiased one mixes them.
        for pixel in small.pixels() {
            assert!((50..=150).contains(&pixel.0[0]), "{pixel:?}");
        }
    }

    #[test]
    fn mean_std_maps_extremes_to_expected_range() {
        let image = RgbImage::from_raw(2, 1, vec![0, 0, 0, 255, 255, 255]).expect("6 bytes");
        let normalization = Normalization::mean_std(ChannelOrder::Rgb, [0.5; 3], [0.5; 3]);
        let tensor = to_nhwc(&image, &normalization);
        for (value, expected) in tensor.data.iter().zip([-1.0, -1.0, -1.0, 1.0, 1.0, 1.0]) {
            assert!((value - expected).abs() < 1e-5);
        }
    }
}
