//! Test images drawn in code, and pixel comparisons.

use image::{ExtendedColorType, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};

/// A smooth colour field with hard-edged blocks (placed by `seed`), so both gradients and
/// edges count. No channel wraps around, so the only edges are the blocks'.
pub(crate) fn picture(width: u32, height: u32, seed: u8) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        let block = ((x + u32::from(seed)) / 40 + y / 40) % 3 == 0;
        let red = (x * 255 / width) as u8;
        let green = (y * 255 / height) as u8;
        let blue = seed / 2 + ((x + y) * 127 / (width + height)) as u8;
        if block {
            Rgb([255 - red, 40, blue / 2])
        } else {
            Rgb([red, green, blue])
        }
    })
}

pub(crate) fn png(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encode PNG");
    bytes
}

pub(crate) fn png_rgba(image: &RgbaImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgba8,
        )
        .expect("encode PNG");
    bytes
}

pub(crate) fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92)
        .write_image(
            image.as_raw(),
            image.width(),
            image.height(),
            ExtendedColorType::Rgb8,
        )
        .expect("encode JPEG");
    bytes
}

pub(crate) fn grey_jpeg(width: u32, height: u32) -> Vec<u8> {
    let pixels: Vec<u8> = (0..width * height)
        .map(|index| ((index % width) * 255 / width) as u8)
        .collect();
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 92)
        .write_image(&pixels, width, height, ExtendedColorType::L8)
        .expect("encode JPEG");
    bytes
}

/// A half-transparent red disc on a fully transparent background.
pub(crate) fn translucent_disc(side: u32) -> RgbaImage {
    let center = side as f32 / 2.0;
    RgbaImage::from_fn(side, side, |x, y| {
        let distance = ((x as f32 - center).powi(2) + (y as f32 - center).powi(2)).sqrt();
        if distance < center * 0.6 {
            Rgba([255, 0, 0, 128])
        } else {
            Rgba([0, 0, 255, 0])
        }
    })
}

/// Inserts an EXIF APP1 segment with the given orientation right after the SOI marker.
pub(crate) fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    // Big-endian TIFF: header, one IFD with one entry (0x0112 Orientation, SHORT, count 1).
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\0\x2a\0\0\0\x08");
    tiff.extend_from_slice(&1u16.to_be_bytes());
    tiff.extend_from_slice(&0x0112u16.to_be_bytes());
    tiff.extend_from_slice(&3u16.to_be_bytes());
    tiff.extend_from_slice(&1u32.to_be_bytes());
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&0u32.to_be_bytes());
    let mut segment = b"Exif\0\0".to_vec();
    segment.extend_from_slice(&tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&((segment.len() + 2) as u16).to_be_bytes());
    out.extend_from_slice(&segment);
    out.extend_from_slice(&jpeg[2..]);
    out
}

pub(crate) fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes).expect("decodable").to_rgb8()
}

/// Mean absolute difference per channel after the best registration shift of at most one pixel each way,
/// over the interior (a 1-pixel border is left out).
///
/// Poppler's image drawing may place an image up to a pixel off (and blends neighbours at
/// the seam), which is invisible but would swamp a strict per-pixel comparison of edges.
pub(crate) fn aligned_diff(rendered: &RgbImage, expected: &RgbImage) -> f64 {
    assert_eq!(rendered.dimensions(), expected.dimensions(), "sizes differ");
    let (width, height) = rendered.dimensions();
    let mut best = f64::MAX;
    for dy in -1i64..=1 {
        for dx in -1i64..=1 {
            let mut total = 0u64;
            let mut count = 0u64;
            for y in 1..i64::from(height) - 1 {
                for x in 1..i64::from(width) - 1 {
                    let left = rendered.get_pixel(x as u32, y as u32);
                    let right = expected.get_pixel((x + dx) as u32, (y + dy) as u32);
                    for channel in 0..3 {
                        total += u64::from(left[channel].abs_diff(right[channel]));
                        count += 1;
                    }
                }
            }
            best = best.min(total as f64 / count as f64);
        }
    }
    best
}
