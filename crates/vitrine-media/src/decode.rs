//! Decoding untrusted bytes into pixels, and probing their size without decoding.
//!
//! Order matters for safety: the byte limit is checked first, then the format is sniffed, then
//! only the header is parsed and the pixel limit checked, and only then is the pixel buffer
//! allocated. JPEG pixels come from libjpeg-turbo (the fastest decoder measured here, see
//! `/work/shared/research/crates.md` §3); every other format, and JPEGs libjpeg-turbo refuses
//! (CMYK, for instance), go through the `image` crate. EXIF orientation is applied so callers
//! always see the picture upright.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageDecoder, ImageReader, RgbImage, RgbaImage};
use serde::{Deserialize, Serialize};

use crate::error::{MediaError, Result};
use crate::format::ImageFormat;

/// Default cap on the input size: 64 MiB.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;
/// Default cap on the decoded size: 50 megapixels.
pub const DEFAULT_MAX_PIXELS: u64 = 50_000_000;

/// Limits enforced before any pixel buffer is allocated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodeLimits {
    /// Largest accepted input, in bytes.
    pub max_bytes: usize,
    /// Largest accepted `width × height`, read from the header.
    pub max_pixels: u64,
}

impl Default for DecodeLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// What [`probe`] learns from the header alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ImageInfo {
    /// Container format, from the magic bytes.
    pub format: ImageFormat,
    /// Width as displayed, i.e. after the EXIF orientation is applied.
    pub width: u32,
    /// Height as displayed, i.e. after the EXIF orientation is applied.
    pub height: u32,
    /// Whether the pixel format carries an alpha channel.
    pub has_alpha: bool,
}

/// A decoded, upright image.
#[derive(Debug, Clone)]
pub struct DecodedImage {
    /// The pixels: always `DynamicImage::ImageRgb8` or, when `has_alpha`, `ImageRgba8`.
    pub image: DynamicImage,
    /// Format the bytes were in.
    pub format: ImageFormat,
    /// Whether the source had an alpha channel (the pixels are then RGBA).
    pub has_alpha: bool,
}

impl DecodedImage {
    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.image.width()
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.image.height()
    }

    /// The pixels as RGB, dropping alpha if there was any.
    pub fn into_rgb(self) -> RgbImage {
        match self.image {
            DynamicImage::ImageRgb8(rgb) => rgb,
            other => other.to_rgb8(),
        }
    }

    /// The pixels as RGBA (opaque when the source had no alpha).
    pub fn into_rgba(self) -> RgbaImage {
        match self.image {
            DynamicImage::ImageRgba8(rgba) => rgba,
            other => other.to_rgba8(),
        }
    }
}

/// Reads format, displayed size and alpha from the header, without decoding pixels.
pub fn probe(bytes: &[u8]) -> Result<ImageInfo> {
    let format = sniff(bytes)?;
    let mut decoder = header_decoder(bytes, format)?;
    let (width, height) = decoder.dimensions();
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let (width, height) = if swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    };
    Ok(ImageInfo {
        format,
        width,
        height,
        has_alpha: decoder.color_type().has_alpha(),
    })
}

/// Decodes `bytes` into upright RGB or RGBA pixels, enforcing `limits` before allocating.
pub fn decode(bytes: &[u8], limits: &DecodeLimits) -> Result<DecodedImage> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooManyBytes {
            len: bytes.len(),
            max: limits.max_bytes,
        });
    }
    let format = sniff(bytes)?;
    let mut decoder = header_decoder(bytes, format)?;
    let (width, height) = decoder.dimensions();
    let pixels = u64::from(width) * u64::from(height);
    if pixels > limits.max_pixels {
        return Err(MediaError::TooManyPixels {
            width,
            height,
            pixels,
            max: limits.max_pixels,
        });
    }
    if pixels == 0 {
        return Err(decode_error(
            format,
            format!("the header announces a {width}×{height} image"),
        ));
    }
    // A broken EXIF block must not make an otherwise good photo unreadable.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let has_alpha = decoder.color_type().has_alpha();

    let turbo = if format == ImageFormat::Jpeg {
        decode_jpeg_turbo(bytes, width, height)
    } else {
        None
    };
    let mut image = match turbo {
        Some(rgb) => DynamicImage::ImageRgb8(rgb),
        None => {
            let decoded =
                DynamicImage::from_decoder(decoder).map_err(|error| decode_error(format, error))?;
            if has_alpha {
                DynamicImage::ImageRgba8(decoded.into_rgba8())
            } else {
                DynamicImage::ImageRgb8(decoded.into_rgb8())
            }
        }
    };
    image.apply_orientation(orientation);
    Ok(DecodedImage {
        image,
        format,
        has_alpha,
    })
}

/// libjpeg-turbo decode; `None` when it refuses (CMYK, odd sampling) so the caller can fall back.
fn decode_jpeg_turbo(bytes: &[u8], width: u32, height: u32) -> Option<RgbImage> {
    let decoded = turbojpeg::decompress(bytes, turbojpeg::PixelFormat::RGB).ok()?;
    // The header parsers must agree, or the limit check above was about another image.
    if decoded.width != width as usize || decoded.height != height as usize {
        return None;
    }
    let row = decoded.width * 3;
    let pixels = if decoded.pitch == row {
        decoded.pixels
    } else {
        decoded
            .pixels
            .chunks(decoded.pitch)
            .flat_map(|line| &line[..row])
            .copied()
            .collect()
    };
    RgbImage::from_raw(width, height, pixels)
}

fn sniff(bytes: &[u8]) -> Result<ImageFormat> {
    ImageFormat::sniff(bytes).ok_or_else(|| MediaError::UnsupportedFormat {
        head: bytes
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect::<Vec<_>>()
            .join(" "),
    })
}

fn header_decoder(bytes: &[u8], format: ImageFormat) -> Result<impl ImageDecoder + '_> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.to_image_crate());
    // Our own `max_pixels` check runs right after the header is read and reports the size;
    // the crate's generic limits would fail earlier with a vaguer message.
    reader.no_limits();
    reader
        .into_decoder()
        .map_err(|error| decode_error(format, error))
}

fn decode_error(
    format: ImageFormat,
    error: impl Into<Box<dyn std::error::Error + Send + Sync>>,
) -> MediaError {
    MediaError::Decode {
        format,
        source: error.into(),
    }
}

fn swaps_axes(orientation: Orientation) -> bool {
    matches!(
        orientation,
        Orientation::Rotate90
            | Orientation::Rotate270
            | Orientation::Rotate90FlipH
            | Orientation::Rotate270FlipH
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{encode_jpeg, encode_png};
    use image::{Rgb, Rgba};

    /// 16×8, left half red, right half blue.
    fn halves() -> RgbImage {
        RgbImage::from_fn(16, 8, |x, _| {
            if x < 8 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        })
    }

    /// Inserts a big-endian EXIF APP1 segment holding only `Orientation = value` after SOI.
    fn with_exif_orientation(jpeg: &[u8], value: u8) -> Vec<u8> {
        let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&[
            0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, value, 0, 0, 0, 0, 0, 0,
        ]);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend_from_slice(&tiff);
        let length = u16::try_from(app1.len() + 2).expect("tiny segment");
        let mut out = jpeg[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&length.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    fn near(a: [u8; 3], b: [u8; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) <= 40)
    }

    #[test]
    fn decodes_jpeg_pixels() {
        let jpeg = encode_jpeg(&DynamicImage::ImageRgb8(halves()), 95).expect("encode");
        let decoded = decode(&jpeg, &DecodeLimits::default()).expect("decode");
        assert_eq!(decoded.format, ImageFormat::Jpeg);
        assert!(!decoded.has_alpha);
        let rgb = decoded.into_rgb();
        assert_eq!(rgb.dimensions(), (16, 8));
        assert!(
            near(rgb.get_pixel(2, 4).0, [255, 0, 0]),
            "{:?}",
            rgb.get_pixel(2, 4)
        );
        assert!(
            near(rgb.get_pixel(13, 4).0, [0, 0, 255]),
            "{:?}",
            rgb.get_pixel(13, 4)
        );
    }

    #[test]
    fn applies_exif_orientation_6() {
        let jpeg = with_exif_orientation(
            &encode_jpeg(&DynamicImage::ImageRgb8(halves()), 95).expect("encode"),
            6,
        );
        let info = probe(&jpeg).expect("probe");
        assert_eq!((info.width, info.height), (8, 16));
        let rgb = decode(&jpeg, &DecodeLimits::default())
            .expect("decode")
            .into_rgb();
        assert_eq!(rgb.dimensions(), (8, 16));
        // Rotating 90° clockwise puts the left (red) half on top.
        assert!(
            near(rgb.get_pixel(4, 2).0, [255, 0, 0]),
            "{:?}",
            rgb.get_pixel(4, 2)
        );
        assert!(
            near(rgb.get_pixel(4, 13).0, [0, 0, 255]),
            "{:?}",
            rgb.get_pixel(4, 13)
        );
    }

    #[test]
    fn decodes_png_with_alpha_exactly() {
        let rgba = RgbaImage::from_fn(5, 3, |x, y| {
            Rgba([x as u8 * 40, y as u8 * 80, 7, if x == 0 { 0 } else { 200 }])
        });
        let png = encode_png(&DynamicImage::ImageRgba8(rgba.clone())).expect("encode");
        let info = probe(&png).expect("probe");
        assert_eq!(
            info,
            ImageInfo {
                format: ImageFormat::Png,
                width: 5,
                height: 3,
                has_alpha: true
            }
        );
        let decoded = decode(&png, &DecodeLimits::default()).expect("decode");
        assert!(decoded.has_alpha);
        assert_eq!(decoded.into_rgba(), rgba);
    }

    #[test]
    fn decodes_gif_and_bmp_first_frame() {
        let rgb = RgbImage::from_fn(6, 4, |x, _| {
            if x < 3 {
                Rgb([0, 255, 0])
            } else {
                Rgb([255, 255, 255])
            }
        });
        for format in [
            image::ImageFormat::Gif,
            image::ImageFormat::Bmp,
            image::ImageFormat::Tiff,
        ] {
            let mut bytes = Vec::new();
            DynamicImage::ImageRgb8(rgb.clone())
                .write_to(&mut Cursor::new(&mut bytes), format)
                .expect("write");
            let decoded = decode(&bytes, &DecodeLimits::default())
                .expect("decode")
                .into_rgb();
            assert_eq!(decoded.get_pixel(1, 1).0, [0, 255, 0], "{format:?}");
            assert_eq!(decoded.get_pixel(5, 3).0, [255, 255, 255], "{format:?}");
        }
    }

    #[test]
    fn decodes_webp_and_16_bit_png() {
        let rgba = RgbaImage::from_fn(6, 4, |x, y| {
            Rgba([x as u8 * 40, y as u8 * 60, 9, if y == 0 { 0 } else { 255 }])
        });
        let mut webp = Vec::new();
        DynamicImage::ImageRgba8(rgba.clone())
            .write_to(&mut Cursor::new(&mut webp), image::ImageFormat::WebP)
            .expect("lossless webp");
        let decoded = decode(&webp, &DecodeLimits::default()).expect("decode webp");
        assert_eq!(
            (decoded.format, decoded.has_alpha),
            (ImageFormat::Webp, true)
        );
        assert_eq!(decoded.into_rgba(), rgba);

        let deep = image::ImageBuffer::<image::Rgb<u16>, Vec<u16>>::from_fn(3, 2, |x, _| {
            image::Rgb([x as u16 * 30_000, 65_535, 0])
        });
        let png = encode_png(&DynamicImage::ImageRgb16(deep)).expect("16-bit png");
        let rgb = decode(&png, &DecodeLimits::default())
            .expect("decode")
            .into_rgb();
        assert_eq!(rgb.get_pixel(2, 1).0, [233, 255, 0]);
    }

    #[test]
    fn cmyk_jpeg_falls_back_to_the_pure_rust_decoder() {
        // libjpeg-turbo cannot turn CMYK into RGB; the image crate's decoder can.
        // Stored the Adobe way (inverted, as Photoshop writes CMYK): no cyan, full magenta and
        // yellow, no black, i.e. red.
        let cmyk = [255u8, 0, 0, 255].repeat(16 * 16);
        let frame = turbojpeg::Image {
            pixels: cmyk.as_slice(),
            width: 16,
            pitch: 64,
            height: 16,
            format: turbojpeg::PixelFormat::CMYK,
        };
        let jpeg = turbojpeg::compress(frame, 95, turbojpeg::Subsamp::None).expect("CMYK JPEG");
        assert!(
            turbojpeg::decompress(&jpeg, turbojpeg::PixelFormat::RGB).is_err(),
            "turbo refuses CMYK→RGB"
        );
        let rgb = decode(&jpeg, &DecodeLimits::default())
            .expect("fallback decode")
            .into_rgb();
        assert_eq!(rgb.dimensions(), (16, 16));
        let [r, g, b] = rgb.get_pixel(8, 8).0;
        assert!(r > 200 && g < 60 && b < 60, "{:?}", [r, g, b]);
    }

    #[test]
    fn enforces_byte_and_pixel_limits_before_decoding() {
        let png = encode_png(&DynamicImage::ImageRgb8(RgbImage::new(100, 100))).expect("encode");
        let small_bytes = DecodeLimits {
            max_bytes: 10,
            ..DecodeLimits::default()
        };
        assert!(matches!(
            decode(&png, &small_bytes),
            Err(MediaError::TooManyBytes { max: 10, .. })
        ));
        let small_pixels = DecodeLimits {
            max_pixels: 9_999,
            ..DecodeLimits::default()
        };
        let error = decode(&png, &small_pixels).expect_err("over the pixel limit");
        assert!(matches!(
            error,
            MediaError::TooManyPixels {
                width: 100,
                height: 100,
                pixels: 10_000,
                ..
            }
        ));
        assert!(
            error.to_string().contains("`max_pixels` = `9999`"),
            "{error}"
        );
    }

    #[test]
    fn huge_header_is_refused_without_allocating() {
        // A valid PNG signature and IHDR claiming 100000×100000, with no pixel data at all.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        let ihdr = [
            &100_000u32.to_be_bytes()[..],
            &100_000u32.to_be_bytes()[..],
            &[8, 2, 0, 0, 0],
        ]
        .concat();
        png.extend_from_slice(&ihdr);
        let crc = crc32(&[b"IHDR".as_slice(), &ihdr].concat());
        png.extend_from_slice(&crc.to_be_bytes());
        for chunk in [b"IDAT", b"IEND"] {
            png.extend_from_slice(&[0, 0, 0, 0]);
            png.extend_from_slice(chunk);
            png.extend_from_slice(&crc32(chunk).to_be_bytes());
        }
        let error = decode(&png, &DecodeLimits::default()).expect_err("too large");
        assert!(matches!(error, MediaError::TooManyPixels { .. }), "{error}");
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn rejects_garbage_and_truncated_input() {
        let error = decode(b"hello world", &DecodeLimits::default()).expect_err("not an image");
        assert!(error.to_string().contains("68 65 6c 6c"), "{error}");
        let jpeg = encode_jpeg(&DynamicImage::ImageRgb8(halves()), 90).expect("encode");
        assert!(decode(&jpeg[..20], &DecodeLimits::default()).is_err());
        assert!(probe(b"\x89PNG\r\n\x1a\n").is_err());
    }
}
