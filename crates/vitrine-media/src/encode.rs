//! Encoding pixels to JPEG or PNG bytes that carry no metadata.
//!
//! JPEG goes through libjpeg-turbo (4:2:0, as fast as Pillow and OpenCV, see
//! `/work/shared/research/crates.md` §3); PNG through the `image` crate. Neither writer emits
//! EXIF, GPS or text chunks, so whatever a camera recorded in the source never leaks into an
//! artifact: decoding already dropped it and nothing here adds it back.

use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::{DynamicImage, ImageEncoder, RgbImage};
use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};
use crate::format::ImageFormat;

/// The default JPEG quality.
pub const DEFAULT_JPEG_QUALITY: u8 = 85;

/// A format Vitrine writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// Lossy JPEG; alpha is flattened onto white.
    Jpeg,
    /// Lossless PNG, keeps alpha.
    Png,
}

impl From<OutputFormat> for ImageFormat {
    fn from(format: OutputFormat) -> Self {
        match format {
            OutputFormat::Jpeg => ImageFormat::Jpeg,
            OutputFormat::Png => ImageFormat::Png,
        }
    }
}

/// Encoded bytes plus the format they are in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedImage {
    /// The file contents.
    pub bytes: Vec<u8>,
    /// Their format (use [`ImageFormat::media_type`] for a `Content-Type`).
    pub format: ImageFormat,
}

/// Encodes as JPEG at `quality` (1–100) with 4:2:0 chroma subsampling; gray images stay gray.
pub fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    if !(1..=100).contains(&quality) {
        return Err(MediaError::invalid(
            "quality",
            quality,
            "JPEG quality must be between 1 and 100",
        ));
    }
    let (pixels, format, subsamp) = match image {
        DynamicImage::ImageLuma8(gray) => (
            gray.as_raw(),
            turbojpeg::PixelFormat::GRAY,
            turbojpeg::Subsamp::Gray,
        ),
        DynamicImage::ImageRgb8(rgb) => (
            rgb.as_raw(),
            turbojpeg::PixelFormat::RGB,
            turbojpeg::Subsamp::Sub2x2,
        ),
        other => return encode_jpeg(&DynamicImage::ImageRgb8(flatten_on_white(other)), quality),
    };
    let channels = format.size();
    let width = image.width() as usize;
    let frame = turbojpeg::Image {
        pixels: pixels.as_slice(),
        width,
        pitch: width * channels,
        height: image.height() as usize,
        format,
    };
    let encode_error = |error: turbojpeg::Error| MediaError::Encode {
        format: ImageFormat::Jpeg,
        source: error.into(),
    };
    let mut compressor = turbojpeg::Compressor::new().map_err(encode_error)?;
    compressor
        .set_quality(i32::from(quality))
        .map_err(encode_error)?;
    compressor.set_subsamp(subsamp).map_err(encode_error)?;
    compressor.compress_to_vec(frame).map_err(encode_error)
}

/// Encodes as PNG (fast deflate, adaptive filters), keeping alpha and 16-bit depth.
pub fn encode_png(image: &DynamicImage) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let encoder =
        PngEncoder::new_with_quality(&mut bytes, CompressionType::Fast, FilterType::Adaptive);
    let image = match image {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_)
        | DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA16(_)
        | DynamicImage::ImageRgb16(_)
        | DynamicImage::ImageRgba16(_) => std::borrow::Cow::Borrowed(image),
        other => std::borrow::Cow::Owned(DynamicImage::ImageRgba8(other.to_rgba8())),
    };
    encoder
        .write_image(
            image.as_bytes(),
            image.width(),
            image.height(),
            image.color().into(),
        )
        .map_err(|error| MediaError::Encode {
            format: ImageFormat::Png,
            source: error.into(),
        })?;
    Ok(bytes)
}

/// Encodes in `format`; `quality` only matters for JPEG.
pub fn encode(image: &DynamicImage, format: OutputFormat, quality: u8) -> Result<Vec<u8>> {
    match format {
        OutputFormat::Jpeg => encode_jpeg(image, quality),
        OutputFormat::Png => encode_png(image),
    }
}

/// Picks PNG when some pixel is not fully opaque (alpha matters), JPEG at `quality` otherwise.
pub fn encode_auto(image: &DynamicImage, quality: u8) -> Result<EncodedImage> {
    let format = if alpha_is_used(image) {
        OutputFormat::Png
    } else {
        OutputFormat::Jpeg
    };
    Ok(EncodedImage {
        bytes: encode(image, format, quality)?,
        format: format.into(),
    })
}

/// True when the image has an alpha channel and at least one pixel is not fully opaque.
pub fn alpha_is_used(image: &DynamicImage) -> bool {
    match image {
        DynamicImage::ImageRgba8(rgba) => rgba.pixels().any(|pixel| pixel.0[3] != u8::MAX),
        DynamicImage::ImageLumaA8(gray) => gray.pixels().any(|pixel| pixel.0[1] != u8::MAX),
        other if other.color().has_alpha() => {
            other.to_rgba8().pixels().any(|pixel| pixel.0[3] != u8::MAX)
        }
        _ => false,
    }
}

/// Composites onto white, the usual background for a JPEG of a transparent picture.
fn flatten_on_white(image: &DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.to_rgb8();
    }
    let rgba = image.to_rgba8();
    RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let over = |channel: u8| {
            ((u32::from(channel) * u32::from(a) + 255 * (255 - u32::from(a)) + 127) / 255) as u8
        };
        image::Rgb([over(r), over(g), over(b)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{GrayImage, Luma, Rgb, Rgba, RgbaImage};

    fn gradient() -> RgbImage {
        RgbImage::from_fn(64, 48, |x, y| Rgb([(x * 4) as u8, (y * 5) as u8, 128]))
    }

    fn decode_with_image(bytes: &[u8]) -> DynamicImage {
        image::load_from_memory(bytes).expect("the image crate reads what we wrote")
    }

    #[test]
    fn jpeg_round_trips_within_quality_error() {
        let source = gradient();
        let jpeg = encode_jpeg(&DynamicImage::ImageRgb8(source.clone()), 90).expect("encode");
        assert_eq!(&jpeg[..3], &[0xFF, 0xD8, 0xFF]);
        let back = decode_with_image(&jpeg).to_rgb8();
        assert_eq!(back.dimensions(), (64, 48));
        let worst = source
            .as_raw()
            .iter()
            .zip(back.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        assert!(
            worst.is_some_and(|worst| worst <= 12),
            "max channel error {worst:?}"
        );
    }

    #[test]
    fn jpeg_quality_changes_size_and_is_validated() {
        let image = DynamicImage::ImageRgb8(gradient());
        let low = encode_jpeg(&image, 10).expect("q10");
        let high = encode_jpeg(&image, 98).expect("q98");
        assert!(low.len() < high.len());
        let error = encode_jpeg(&image, 0).expect_err("q0");
        assert!(
            error.to_string().starts_with("`quality` 0 is invalid"),
            "{error}"
        );
    }

    #[test]
    fn jpeg_has_no_exif_segment() {
        let jpeg = encode_jpeg(&DynamicImage::ImageRgb8(gradient()), 85).expect("encode");
        assert!(!jpeg.windows(6).any(|window| window == b"Exif\0\0"));
        assert!(
            !jpeg.windows(2).any(|window| window == [0xFF, 0xE1]),
            "an APP1 segment was written"
        );
    }

    #[test]
    fn gray_jpeg_stays_gray() {
        let gray = GrayImage::from_fn(32, 32, |x, _| Luma([if x < 16 { 20 } else { 230 }]));
        let jpeg = encode_jpeg(&DynamicImage::ImageLuma8(gray), 90).expect("encode");
        let back = decode_with_image(&jpeg);
        assert_eq!(back.color(), image::ColorType::L8);
        assert!(back.to_luma8().get_pixel(4, 4).0[0].abs_diff(20) <= 4);
    }

    #[test]
    fn rgba_jpeg_is_flattened_on_white() {
        let clear = RgbaImage::from_pixel(16, 16, Rgba([255, 0, 0, 0]));
        let jpeg = encode_jpeg(&DynamicImage::ImageRgba8(clear), 95).expect("encode");
        let pixel = decode_with_image(&jpeg).to_rgb8().get_pixel(8, 8).0;
        assert!(pixel.iter().all(|channel| *channel >= 250), "{pixel:?}");
    }

    #[test]
    fn png_is_lossless_and_has_only_critical_chunks() {
        let rgba = RgbaImage::from_fn(7, 5, |x, y| Rgba([x as u8, y as u8, 200, (x * 30) as u8]));
        let png = encode_png(&DynamicImage::ImageRgba8(rgba.clone())).expect("encode");
        assert_eq!(decode_with_image(&png).to_rgba8(), rgba);
        for chunk in [b"eXIf", b"tEXt", b"iTXt", b"zTXt"] {
            assert!(
                !png.windows(4).any(|window| window == chunk),
                "found {:?}",
                std::str::from_utf8(chunk)
            );
        }
    }

    #[test]
    fn auto_picks_png_only_when_alpha_matters() {
        let opaque = DynamicImage::ImageRgba8(RgbaImage::from_pixel(4, 4, Rgba([1, 2, 3, 255])));
        assert_eq!(
            encode_auto(&opaque, 85).expect("opaque").format,
            ImageFormat::Jpeg
        );
        let mut holed = opaque.to_rgba8();
        holed.put_pixel(2, 2, Rgba([1, 2, 3, 10]));
        let encoded = encode_auto(&DynamicImage::ImageRgba8(holed), 85).expect("holed");
        assert_eq!(encoded.format, ImageFormat::Png);
        assert_eq!(&encoded.bytes[1..4], b"PNG");
    }
}
