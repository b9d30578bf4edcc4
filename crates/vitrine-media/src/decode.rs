//! Decoding untrusted bytes into pixels, and probing their size without decoding.
//!
//! Order matters for safety: the byte limit is checked first, then the format is sniffed, then
//! only the header is parsed and the pixel limit checked, and only then is the pixel buffer
//! allocated. JPEG pixels come from libjpeg-turbo (the fastest decoder measured here, see
//! `/work/shared/research/crates.md` §3); every other format, and JPEGs libjpeg-turbo refuses
//! (CMYK, for instance), go through the `image` crate. EXIF orientation is applied so callers
//! always see the picture upright.
//!
//! Shrink-on-load: a caller that will scale the picture down anyway can say so
//! ([`decode_reduced`]), and a JPEG is then decoded at 1/2, 1/4 or 1/8 of its size inside the
//! inverse DCT. A 36 MP photo meant for a 1024 px preview then never exists at full size in
//! memory (108 MB of RGB becomes 7 MB) and decodes several times faster.

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
    /// The encoded picture's upright size; larger than the pixels when [`decode_reduced`]
    /// decoded at a reduced scale.
    pub source_size: (u32, u32),
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
    decode_reduced(bytes, limits, |_, _| 1.0)
}

/// Like [`decode`], for a caller that will scale the picture down: `min_scale` gets the upright
/// size from the header and answers the smallest scale (of 1) the caller can work from without
/// losing detail in its output. JPEGs are then decoded at the smallest of 1/8, 1/4 or 1/2 that
/// is still at least that scale (libjpeg-turbo scales inside the inverse DCT); other formats,
/// and JPEGs only the fallback decoder reads, are decoded at full size. `source_size` of the
/// result keeps the full size, so output sizes can be computed as if nothing had been reduced.
pub fn decode_reduced(
    bytes: &[u8],
    limits: &DecodeLimits,
    min_scale: impl FnOnce(u32, u32) -> f64,
) -> Result<DecodedImage> {
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
    let source_size = if swaps_axes(orientation) {
        (height, width)
    } else {
        (width, height)
    };

    let turbo = if format == ImageFormat::Jpeg {
        let factor = jpeg_scale(min_scale(source_size.0, source_size.1));
        decode_jpeg_turbo(bytes, width, height, factor)
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
        source_size,
    })
}

/// The smallest DCT scaling factor at or above `min_scale`. Only 1/8, 1/4 and 1/2: libjpeg-turbo
/// has fast paths for them, and the caller's own resampling does the rest of the way.
fn jpeg_scale(min_scale: f64) -> turbojpeg::ScalingFactor {
    [
        turbojpeg::ScalingFactor::ONE_EIGHTH,
        turbojpeg::ScalingFactor::ONE_QUARTER,
        turbojpeg::ScalingFactor::ONE_HALF,
    ]
    .into_iter()
    .find(|factor| 1.0 / factor.denom() as f64 >= min_scale)
    .unwrap_or(turbojpeg::ScalingFactor::ONE)
}

/// libjpeg-turbo decode at `factor`; `None` when it refuses (CMYK, odd sampling) so the caller
/// can fall back to a full-size decode.
fn decode_jpeg_turbo(
    bytes: &[u8],
    width: u32,
    height: u32,
    factor: turbojpeg::ScalingFactor,
) -> Option<RgbImage> {
    let mut decompressor = turbojpeg::Decompressor::new().ok()?;
    let header = decompressor.read_header(bytes).ok()?;
    // The header parsers must agree, or the limit check above was about another image.
    if header.width != width as usize || header.height != height as usize {
        return None;
    }
    decompressor.set_scaling_factor(factor).ok()?;
    let scaled = header.scaled(factor);
    let (scaled_width, scaled_height) = (
        u32::try_from(scaled.width).ok()?,
        u32::try_from(scaled.height).ok()?,
    );
    let pitch = scaled.width * 3;
    let mut pixels = vec![0; pitch * scaled.height];
    let output = turbojpeg::Image {
        pixels: pixels.as_mut_slice(),
        width: scaled.width,
        pitch,
        height: scaled.height,
        format: turbojpeg::PixelFormat::RGB,
    };
    decompressor.decompress(bytes, output).ok()?;
    RgbImage::from_raw(scaled_width, scaled_height, pixels)
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
    use image::{GenericImageView, Rgb, Rgba};

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

    /// 2400×1600 with smooth gradients, fine stripes, hard edges and mild noise: detail at
    /// every scale, so a bad reduced decode shows.
    fn photo_like() -> RgbImage {
        let mut seed = 7_u32;
        RgbImage::from_fn(2400, 1600, |x, y| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = (seed >> 28) as i32 - 8;
            let stripes = if (x / 3 + y / 5) % 2 == 0 { 40 } else { 0 };
            let disc = if (x as i32 - 1200).pow(2) + (y as i32 - 800).pow(2) < 400_i32.pow(2) {
                90
            } else {
                0
            };
            let channel = |base: i32| (base + noise).clamp(0, 255) as u8;
            Rgb([
                channel((x * 255 / 2400) as i32 + stripes / 2),
                channel((y * 255 / 1600) as i32 - disc / 2 + stripes),
                channel(128 + disc - stripes),
            ])
        })
    }

    fn mean_abs_diff(a: &DynamicImage, b: &DynamicImage) -> f64 {
        let (a, b) = (a.to_rgb8(), b.to_rgb8());
        assert_eq!(a.dimensions(), b.dimensions());
        let total: u64 = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum();
        total as f64 / a.as_raw().len() as f64
    }

    #[test]
    fn shrink_on_load_matches_a_full_decode_then_resize() {
        use crate::params::{ResizeFilter, ResizeMode, ResizeParams};
        let jpeg = encode_jpeg(&DynamicImage::ImageRgb8(photo_like()), 90).expect("encode");
        let limits = DecodeLimits::default();
        let full = decode(&jpeg, &limits).expect("full decode");
        assert_eq!(full.source_size, (2400, 1600));
        let cases = [
            // 2400 → 512: 1/4 (600 px) is the smallest scale that still holds 512.
            (Some(512), None, ResizeMode::Fit, 600),
            // 2400 → 1000: 1/2.
            (Some(1000), None, ResizeMode::Fit, 1200),
            // Fill 300×300 crops a 1600×1600 centre: 300/1600 allows 1/4.
            (Some(300), Some(300), ResizeMode::Fill, 600),
            // 2400 → 250: 1/8 (300 px).
            (Some(250), Some(1000), ResizeMode::Fit, 300),
        ];
        for (width, height, mode, decoded_width) in cases {
            let params = ResizeParams {
                width,
                height,
                mode,
                filter: ResizeFilter::Lanczos3,
                scale: None,
            };
            let reduced = decode_reduced(&jpeg, &limits, |w, h| {
                crate::geometry::resize_min_scale((w, h), &params)
            })
            .expect("reduced decode");
            assert_eq!(reduced.source_size, (2400, 1600));
            assert_eq!(reduced.width(), decoded_width, "{params:?}");
            let expected = crate::geometry::resize(&full.image, &params).expect("resize");
            let got = crate::geometry::resize_from(&reduced.image, reduced.source_size, &params)
                .expect("resize reduced");
            assert_eq!(got.dimensions(), expected.dimensions(), "{params:?}");
            // Fine stripes near the output's Nyquist limit differ most (3.65 levels of 255 for
            // 1/2 → 1000 px on this picture); a broken reduced decode is off by tens.
            let diff = mean_abs_diff(&got, &expected);
            assert!(diff < 5.0, "{params:?}: mean abs diff {diff:.2}");
        }

        let thumb = decode_reduced(&jpeg, &limits, |w, h| {
            crate::geometry::thumbnail_min_scale((w, h), 200)
        })
        .expect("thumbnail decode");
        assert_eq!(thumb.width(), 300);
        let got = crate::geometry::thumbnail_from(&thumb.image, thumb.source_size, 200)
            .expect("thumbnail");
        let expected = crate::geometry::thumbnail(&full.image, 200).expect("thumbnail");
        assert!(mean_abs_diff(&got, &expected) < 5.0);
    }

    #[test]
    fn shrink_on_load_keeps_orientation_and_the_upright_source_size() {
        let jpeg = with_exif_orientation(
            &encode_jpeg(&DynamicImage::ImageRgb8(photo_like()), 90).expect("encode"),
            6,
        );
        let mut seen = None;
        let reduced = decode_reduced(&jpeg, &DecodeLimits::default(), |w, h| {
            seen = Some((w, h));
            0.25
        })
        .expect("decode");
        assert_eq!(seen, Some((1600, 2400)), "the caller sees the upright size");
        assert_eq!(reduced.source_size, (1600, 2400));
        assert_eq!(reduced.image.dimensions(), (400, 600));
        // Non-JPEG formats decode at full size whatever the caller allows.
        let png = encode_png(&DynamicImage::ImageRgb8(halves())).expect("encode");
        let full = decode_reduced(&png, &DecodeLimits::default(), |_, _| 0.125).expect("png");
        assert_eq!(full.image.dimensions(), (16, 8));
        assert_eq!(full.source_size, (16, 8));
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
