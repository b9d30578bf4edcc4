//! Encoding within a byte budget ("under 200 KB for the upload form").
//!
//! JPEG quality goes down first, in steps of 10 to a floor of 40 (below it blocks show), and
//! only then is the picture made smaller, by a quarter per step, at the floor quality. PNG is
//! lossless, so for PNG only the size can give. Each step re-encodes from the original pixels,
//! never from the previous attempt, so losses do not pile up.

use image::DynamicImage;
use serde::Serialize;

use crate::encode::{OutputFormat, encode};
use crate::error::{MediaError, Result};
use crate::geometry::resize_exact;
use crate::params::ResizeFilter;

/// The lowest JPEG quality tried.
pub const MIN_BUDGET_QUALITY: u8 = 40;
/// Never shrink the longer side below this many pixels to meet a budget.
const MIN_BUDGET_SIDE: u32 = 16;

/// What [`encode_within`] made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetEncoded {
    /// The file.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// JPEG quality used (`None` for PNG).
    pub quality: Option<u8>,
    /// Width of the encoded picture.
    pub width: u32,
    /// Height of the encoded picture.
    pub height: u32,
    /// Whether it had to be made smaller than the input.
    pub downscaled: bool,
    /// How many encodings were tried.
    pub attempts: u32,
}

/// Encodes `image` as `format` (JPEG at `quality`), then, when `max_bytes` is given and the
/// file is larger, lowers the quality and then the size until it fits (see the module docs).
/// Fails, saying how close it came, when even a 16-pixel picture does not fit.
pub fn encode_within(
    image: &DynamicImage,
    format: OutputFormat,
    quality: u8,
    max_bytes: Option<usize>,
) -> Result<BudgetEncoded> {
    let fits = |bytes: &[u8]| max_bytes.is_none_or(|max| bytes.len() <= max);
    let (width, height) = (image.width(), image.height());
    let mut attempts = 1;
    let first = encode(image, format, quality)?;
    let is_jpeg = format == OutputFormat::Jpeg;
    let done = |bytes, quality, width, height, attempts| BudgetEncoded {
        bytes,
        quality: is_jpeg.then_some(quality),
        width,
        height,
        downscaled: (width, height) != (image.width(), image.height()),
        attempts,
    };
    if fits(&first) {
        return Ok(done(first, quality, width, height, attempts));
    }
    let mut floor = quality;
    if is_jpeg {
        // 85 → 75 → ... → 45 → 40: the tens below the asked quality, then the floor.
        let mut steps: Vec<u8> = (MIN_BUDGET_QUALITY + 5..quality)
            .rev()
            .filter(|step| step % 10 == 5)
            .collect();
        if quality > MIN_BUDGET_QUALITY {
            steps.push(MIN_BUDGET_QUALITY);
        }
        for step in steps {
            attempts += 1;
            let bytes = encode(image, format, step)?;
            floor = step;
            if fits(&bytes) {
                return Ok(done(bytes, step, width, height, attempts));
            }
        }
    }
    let (mut scaled_width, mut scaled_height) = (width, height);
    let mut smallest = first.len();
    let mut scale = 1.0_f64;
    while scaled_width.max(scaled_height) > MIN_BUDGET_SIDE {
        // Scaled from the original each time, so rounding does not drift the aspect ratio.
        scale *= 0.75;
        scaled_width = ((f64::from(width) * scale).round() as u32).max(1);
        scaled_height = ((f64::from(height) * scale).round() as u32).max(1);
        let smaller = resize_exact(image, scaled_width, scaled_height, ResizeFilter::Lanczos3)?;
        attempts += 1;
        let bytes = encode(&smaller, format, floor)?;
        smallest = bytes.len();
        if fits(&bytes) {
            return Ok(done(bytes, floor, scaled_width, scaled_height, attempts));
        }
    }
    Err(MediaError::invalid(
        "max_bytes",
        max_bytes.unwrap_or_default(),
        format!(
            "is too small: even a {scaled_width}×{scaled_height} {} is {smallest} bytes; allow more bytes",
            if is_jpeg { "JPEG at quality 40" } else { "PNG" }
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn noisy(width: u32, height: u32) -> DynamicImage {
        // A hash per pixel: incompressible detail, so size really depends on quality and size.
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            let h = (x.wrapping_mul(73_856_093) ^ y.wrapping_mul(19_349_663))
                .wrapping_mul(2_654_435_761);
            Rgb([(h >> 8) as u8, (h >> 16) as u8, (h >> 24) as u8])
        }))
    }

    #[test]
    fn jpeg_quality_drops_before_the_size_does() {
        let image = noisy(400, 300);
        let full = encode(&image, OutputFormat::Jpeg, 90).expect("q90").len();
        let at_60 = encode(&image, OutputFormat::Jpeg, 55).expect("q55").len();
        let budget = (full + at_60) / 2;
        let made = encode_within(&image, OutputFormat::Jpeg, 90, Some(budget)).expect("fits");
        assert!(made.bytes.len() <= budget);
        assert!(!made.downscaled);
        assert!(
            made.quality
                .is_some_and(|quality| (55..90).contains(&quality)),
            "{made:?}"
        );
    }

    #[test]
    fn then_the_picture_shrinks_and_an_impossible_budget_is_refused() {
        let image = noisy(400, 300);
        let made = encode_within(&image, OutputFormat::Png, 90, Some(60_000)).expect("fits");
        assert!(made.bytes.len() <= 60_000 && made.downscaled, "{made:?}");
        assert_eq!(made.quality, None);
        let ratio = f64::from(made.width) / f64::from(made.height);
        assert!((ratio - 4.0 / 3.0).abs() < 0.02, "aspect kept: {made:?}");
        let error = encode_within(&image, OutputFormat::Jpeg, 90, Some(100)).expect_err("tiny");
        assert!(error.to_string().contains("allow more bytes"), "{error}");
    }
}
