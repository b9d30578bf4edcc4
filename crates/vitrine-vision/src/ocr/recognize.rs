//! PP-OCRv6 text recognition: crop each detected line upright, resize to
//! 48 px high, run the CRNN and decode greedily (CTC) with the dictionary the
//! model carries in its ONNX metadata (`character`).

use image::RgbImage;

use crate::engine::{OnnxModel, TensorF32};
use crate::error::VisionError;
use crate::ocr::polygon::RotatedRect;
use crate::preprocess::{ChannelOrder, Normalization, resize, to_nchw};

/// Recogniser input height.
const INPUT_HEIGHT: u32 = 48;
/// Narrow crops are zero-padded to this width (rapidocr's `rec_img_shape`).
const MIN_INPUT_WIDTH: u32 = 320;

/// The CTC alphabet: index 0 is the blank, then the dictionary, then a space.
#[derive(Debug)]
pub(crate) struct Alphabet {
    symbols: Vec<String>,
}

impl Alphabet {
    /// Reads the dictionary from the model's metadata.
    pub(crate) fn from_model(model: &OnnxModel) -> Result<Self, VisionError> {
        let dictionary =
            model
                .metadata("character")?
                .ok_or_else(|| VisionError::UnexpectedOutput {
                    model: model.name,
                    detail: "metadata key `character` (the dictionary) is missing".to_owned(),
                })?;
        let mut symbols = vec![String::new()];
        symbols.extend(dictionary.split('\n').map(str::to_owned));
        symbols.push(" ".to_owned());
        Ok(Self { symbols })
    }

    fn len(&self) -> usize {
        self.symbols.len()
    }
}

/// Text of one line, its confidence and where each character sits.
#[derive(Debug, Clone)]
pub(crate) struct Recognized {
    pub(crate) text: String,
    pub(crate) confidence: f32,
    /// Centre of each char along the line, 0 = left edge, 1 = right edge.
    pub(crate) char_positions: Vec<f32>,
}

/// Crops `rect` out of `image` upright (bilinear), so the text reads left to
/// right along `rect.axis`.
pub(crate) fn crop_upright(image: &RgbImage, rect: &RotatedRect) -> RgbImage {
    let width = rect.width.round().max(1.0) as u32;
    let height = rect.height.round().max(1.0) as u32;
    let [top_left, ..] = rect.corners();
    let axis = rect.axis;
    let normal = rect.normal();
    let step_u = rect.width / width as f32;
    let step_v = rect.height / height as f32;
    let mut crop = RgbImage::new(width, height);
    for (x, y, pixel) in crop.enumerate_pixels_mut() {
        let u = (x as f32 + 0.5) * step_u;
        let v = (y as f32 + 0.5) * step_v;
        let source_x = top_left[0] + u * axis[0] + v * normal[0] - 0.5;
        let source_y = top_left[1] + u * axis[1] + v * normal[1] - 0.5;
        *pixel = sample_bilinear(image, source_x, source_y);
    }
    crop
}

fn sample_bilinear(image: &RgbImage, x: f32, y: f32) -> image::Rgb<u8> {
    let max_x = image.width() as f32 - 1.0;
    let max_y = image.height() as f32 - 1.0;
    let x = x.clamp(0.0, max_x);
    let y = y.clamp(0.0, max_y);
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as u32, y0 as u32);
    let x1 = (x0 + 1).min(image.width() - 1);
    let y1 = (y0 + 1).min(image.height() - 1);
    let p00 = image.get_pixel(x0, y0).0;
    let p10 = image.get_pixel(x1, y0).0;
    let p01 = image.get_pixel(x0, y1).0;
    let p11 = image.get_pixel(x1, y1).0;
    let mut out = [0u8; 3];
    for channel in 0..3 {
        let top = f32::from(p00[channel]) * (1.0 - fx) + f32::from(p10[channel]) * fx;
        let bottom = f32::from(p01[channel]) * (1.0 - fx) + f32::from(p11[channel]) * fx;
        out[channel] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    image::Rgb(out)
}

/// Recognises one upright line crop.
pub(crate) fn recognize(
    model: &OnnxModel,
    alphabet: &Alphabet,
    crop: &RgbImage,
) -> Result<Recognized, VisionError> {
    let ratio = crop.width() as f32 / crop.height().max(1) as f32;
    let resized_width = ((INPUT_HEIGHT as f32 * ratio).ceil() as u32).max(1);
    let resized = resize(crop, resized_width, INPUT_HEIGHT);
    let normalization = Normalization::mean_std(ChannelOrder::Bgr, [0.5; 3], [0.5; 3]);
    let tensor = pad_width(
        to_nchw(&resized, &normalization),
        resized_width.max(MIN_INPUT_WIDTH),
    );
    let input_width = tensor.shape[3];
    let outputs = model.run(tensor)?;
    let logits = outputs
        .first()
        .ok_or_else(|| VisionError::UnexpectedOutput {
            model: model.name,
            detail: "no output".to_owned(),
        })?;
    let (steps, classes) = match logits.shape.as_slice() {
        [1, t, c] if *c == alphabet.len() && logits.data.len() == t * c => (*t, *c),
        shape => {
            return Err(VisionError::UnexpectedOutput {
                model: model.name,
                detail: format!(
                    "expected [1,T,{}] class scores, got {shape:?}",
                    alphabet.len()
                ),
            });
        }
    };
    let mut text = String::new();
    let mut probabilities = Vec::new();
    let mut char_positions = Vec::new();
    let mut previous = 0usize;
    // Each time step covers input_width / steps input columns.
    let column_per_step = input_width as f32 / steps.max(1) as f32;
    for step in 0..steps {
        let row = &logits.data[step * classes..(step + 1) * classes];
        let (best, probability) = best_class(row);
        if best != 0 && best != previous {
            let symbol = &alphabet.symbols[best];
            let centre = (step as f32 + 0.5) * column_per_step / resized_width as f32;
            for _ in symbol.chars() {
                char_positions.push(centre.clamp(0.0, 1.0));
            }
            text.push_str(symbol);
            probabilities.push(probability);
        }
        previous = best;
    }
    let confidence = if probabilities.is_empty() {
        0.0
    } else {
        probabilities.iter().sum::<f32>() / probabilities.len() as f32
    };
    Ok(Recognized {
        text,
        confidence,
        char_positions,
    })
}

/// Arg-max and its probability. The model ends in a softmax; if a row does
/// not sum to ~1 the softmax is applied here.
fn best_class(row: &[f32]) -> (usize, f32) {
    let (mut best, mut best_value) = (0usize, f32::MIN);
    let mut sum = 0.0f32;
    for (index, &value) in row.iter().enumerate() {
        sum += value;
        if value > best_value {
            best = index;
            best_value = value;
        }
    }
    if (sum - 1.0).abs() < 0.01 && best_value >= 0.0 {
        return (best, best_value);
    }
    let denominator: f32 = row.iter().map(|&value| (value - best_value).exp()).sum();
    (best, 1.0 / denominator)
}

/// Zero-pads an NCHW tensor on the right to `width` columns.
fn pad_width(tensor: TensorF32, width: u32) -> TensorF32 {
    let [batch, channels, height, old_width] = [
        tensor.shape[0],
        tensor.shape[1],
        tensor.shape[2],
        tensor.shape[3],
    ];
    let width = width as usize;
    if width <= old_width {
        return tensor;
    }
    let mut data = vec![0.0f32; batch * channels * height * width];
    for row in 0..batch * channels * height {
        data[row * width..row * width + old_width]
            .copy_from_slice(&tensor.data[row * old_width..(row + 1) * old_width]);
    }
    TensorF32 {
        shape: vec![batch, channels, height, width],
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_keeps_rows_and_fills_zeros() {
        let tensor = TensorF32 {
            shape: vec![1, 1, 2, 2],
            data: vec![1.0, 2.0, 3.0, 4.0],
        };
        let padded = pad_width(tensor, 3);
        assert_eq!(padded.shape, vec![1, 1, 2, 3]);
        assert_eq!(padded.data, vec![1.0, 2.0, 0.0, 3.0, 4.0, 0.0]);
    }

    #[test]
    fn best_class_handles_probabilities_and_logits() {
        assert_eq!(best_class(&[0.1, 0.7, 0.2]), (1, 0.7));
        let (index, probability) = best_class(&[0.0, 2.0, 0.0]);
        assert_eq!(index, 1);
        assert!((probability - 0.787_8).abs() < 1e-3);
    }

    #[test]
    fn upright_crop_of_axis_aligned_rect_copies_pixels() {
        let image = RgbImage::from_fn(20, 10, |x, y| image::Rgb([x as u8 * 10, y as u8 * 20, 0]));
        let rect = RotatedRect {
            center: [10.0, 5.0],
            axis: [1.0, 0.0],
            width: 4.0,
            height: 2.0,
        };
        let crop = crop_upright(&image, &rect);
        assert_eq!(crop.dimensions(), (4, 2));
        assert_eq!(crop.get_pixel(0, 0), image.get_pixel(8, 4));
        assert_eq!(crop.get_pixel(3, 1), image.get_pixel(11, 5));
    }
}
