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

/// Lines recognised per model run. Lines are sorted by width first, so a
/// batch wastes little padding (rapidocr batches 6 the same way).
const BATCH: usize = 8;

/// Recognises upright line crops; results are in the order of `crops`.
pub(crate) fn recognize_all(
    model: &OnnxModel,
    alphabet: &Alphabet,
    crops: &[RgbImage],
) -> Result<Vec<Recognized>, VisionError> {
    let normalization = Normalization::mean_std(ChannelOrder::Bgr, [0.5; 3], [0.5; 3]);
    let inputs: Vec<TensorF32> = crops
        .iter()
        .map(|crop| {
            let ratio = crop.width() as f32 / crop.height().max(1) as f32;
            let resized_width = ((INPUT_HEIGHT as f32 * ratio).ceil() as u32).max(1);
            to_nchw(&resize(crop, resized_width, INPUT_HEIGHT), &normalization)
        })
        .collect();
    let mut order: Vec<usize> = (0..inputs.len()).collect();
    order.sort_by_key(|&index| inputs[index].shape[3]);
    let mut results: Vec<Option<Recognized>> = vec![None; inputs.len()];
    for chunk in order.chunks(BATCH) {
        let width = chunk
            .iter()
            .map(|&index| inputs[index].shape[3])
            .max()
            .unwrap_or(1)
            .max(MIN_INPUT_WIDTH as usize);
        let batch = stack_padded(chunk.iter().map(|&index| &inputs[index]), width);
        let outputs = model.run(batch)?;
        let logits = outputs
            .first()
            .ok_or_else(|| VisionError::UnexpectedOutput {
                model: model.name,
                detail: "no output".to_owned(),
            })?;
        let (steps, classes) = match logits.shape.as_slice() {
            [b, t, c]
                if *b == chunk.len() && *c == alphabet.len() && logits.data.len() == b * t * c =>
            {
                (*t, *c)
            }
            shape => {
                return Err(VisionError::UnexpectedOutput {
                    model: model.name,
                    detail: format!(
                        "expected [{},T,{}] class scores, got {shape:?}",
                        chunk.len(),
                        alphabet.len()
                    ),
                });
            }
        };
        for (position, &index) in chunk.iter().enumerate() {
            let rows = &logits.data[position * steps * classes..(position + 1) * steps * classes];
            results[index] = Some(decode(
                alphabet,
                rows,
                classes,
                width,
                inputs[index].shape[3],
            ));
        }
    }
    Ok(results.into_iter().flatten().collect())
}

/// Greedy CTC decoding of one line's `[T, classes]` scores. `input_width`
/// is the padded width the model saw, `resized_width` the line's own.
fn decode(
    alphabet: &Alphabet,
    rows: &[f32],
    classes: usize,
    input_width: usize,
    resized_width: usize,
) -> Recognized {
    let steps = rows.len() / classes.max(1);
    let mut text = String::new();
    let mut probabilities = Vec::new();
    let mut char_positions = Vec::new();
    let mut previous = 0usize;
    // Each time step covers input_width / steps input columns.
    let column_per_step = input_width as f32 / steps.max(1) as f32;
    for step in 0..steps {
        let (best, probability) = best_class(&rows[step * classes..(step + 1) * classes]);
        if best != 0 && best != previous {
            let symbol = &alphabet.symbols[best];
            let centre = (step as f32 + 0.5) * column_per_step / resized_width.max(1) as f32;
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
    Recognized {
        text,
        confidence,
        char_positions,
    }
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

/// Stacks `[1, C, H, W_i]` tensors into `[B, C, H, width]`, zero-padding
/// each on the right.
fn stack_padded<'a>(tensors: impl Iterator<Item = &'a TensorF32>, width: usize) -> TensorF32 {
    let mut data = Vec::new();
    let mut batch = 0;
    let (mut channels, mut height) = (0, 0);
    for tensor in tensors {
        let old_width = tensor.shape[3];
        channels = tensor.shape[1];
        height = tensor.shape[2];
        for row in tensor.data.chunks_exact(old_width) {
            data.extend_from_slice(row);
            data.resize(data.len() + width.saturating_sub(old_width), 0.0);
        }
        batch += 1;
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
    fn stacking_pads_rows_with_zeros() {
        let a = TensorF32 {
            shape: vec![1, 1, 2, 2],
            data: vec![1.0, 2.0, 3.0, 4.0],
        };
        let b = TensorF32 {
            shape: vec![1, 1, 2, 1],
            data: vec![5.0, 6.0],
        };
        let stacked = stack_padded([&a, &b].into_iter(), 3);
        assert_eq!(stacked.shape, vec![2, 1, 2, 3]);
        assert_eq!(
            stacked.data,
            vec![1.0, 2.0, 0.0, 3.0, 4.0, 0.0, 5.0, 0.0, 0.0, 6.0, 0.0, 0.0]
        );
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
