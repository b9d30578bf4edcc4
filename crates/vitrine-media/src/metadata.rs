//! Reading what an image file carries besides its pixels: colour type, EXIF fields, GPS
//! position, XMP, IPTC, comments, ICC profile.
//!
//! JPEG and PNG (the formats Vitrine stores) are walked block by block (see `container`), so
//! the report names exactly what [`crate::strip_metadata`] would remove. EXIF is parsed with
//! `kamadak-exif`; other formats fall back to what the `image` crate's decoders expose.

use std::io::Cursor;

use exif::{In, Tag, Value};
use image::{ExtendedColorType, ImageDecoder, ImageReader};
use serde::Serialize;

use crate::container::{self, BlockKind};
use crate::error::{MediaError, Result};
use crate::format::ImageFormat;

/// Comments longer than this are cut (with `…`), so a huge text chunk cannot flood the facts.
const MAX_COMMENT_CHARS: usize = 200;

/// What [`read_metadata`] finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageMetadata {
    /// The container format, from the magic bytes.
    pub format: ImageFormat,
    /// Stored width in pixels (before any EXIF orientation).
    pub width: u32,
    /// Stored height in pixels (before any EXIF orientation).
    pub height: u32,
    /// The colour model as stored: `rgb`, `rgba`, `gray`, `gray_alpha`, `cmyk`, ...
    pub color_type: &'static str,
    /// Bits per channel.
    pub bit_depth: u8,
    /// Channels per pixel.
    pub channels: u8,
    /// The EXIF block's fields, when there is one.
    pub exif: Option<ExifSummary>,
    /// The GPS position, when the EXIF block has a GPS directory.
    pub gps: Option<GpsPosition>,
    /// Whether an XMP packet is present.
    pub xmp: bool,
    /// Whether IPTC / Photoshop resources are present.
    pub iptc: bool,
    /// Whether an ICC colour profile is embedded.
    pub icc_profile: bool,
    /// Comments and text chunks (`keyword: text` for PNG), each cut to 200 characters.
    pub comments: Vec<String>,
    /// Names of the metadata blocks found, as `strip_metadata` reports them (`exif`, `xmp`,
    /// `comment`, `iptc`, `timestamp`, `other_metadata`, `trailing_data`), without repeats.
    pub blocks: Vec<&'static str>,
}

/// A few EXIF fields people ask about.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExifSummary {
    /// Camera maker (`Make`).
    pub make: Option<String>,
    /// Camera model (`Model`).
    pub model: Option<String>,
    /// When the photo was taken (`DateTimeOriginal`, else `DateTime`), as written: `YYYY:MM:DD HH:MM:SS`.
    pub date_taken: Option<String>,
    /// The EXIF orientation, 1 (upright) to 8.
    pub orientation: Option<u32>,
    /// The software that last wrote the file.
    pub software: Option<String>,
    /// How many EXIF fields there are in all.
    pub fields: usize,
}

/// Where a photo was taken, from its EXIF GPS directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct GpsPosition {
    /// Degrees north (negative: south), when recorded.
    pub latitude: Option<f64>,
    /// Degrees east (negative: west), when recorded.
    pub longitude: Option<f64>,
    /// Metres above sea level (negative: below), when recorded.
    pub altitude_m: Option<f64>,
}

/// Reads the format, colour type and metadata of an image file without decoding its pixels.
pub fn read_metadata(bytes: &[u8]) -> Result<ImageMetadata> {
    let format = ImageFormat::sniff(bytes).ok_or_else(|| MediaError::UnsupportedFormat {
        head: bytes
            .iter()
            .take(8)
            .map(|byte| format!("{byte:02x}"))
            .collect::<Vec<_>>()
            .join(" "),
    })?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.to_image_crate());
    reader.no_limits();
    let mut decoder = reader.into_decoder().map_err(|error| MediaError::Decode {
        format,
        source: error.into(),
    })?;
    let (width, height) = decoder.dimensions();
    let (color_type, bit_depth, channels) = describe_color(decoder.original_color_type());
    let mut found = ImageMetadata {
        format,
        width,
        height,
        color_type,
        bit_depth,
        channels,
        exif: None,
        gps: None,
        xmp: false,
        iptc: false,
        icc_profile: false,
        comments: Vec::new(),
        blocks: Vec::new(),
    };
    match format {
        ImageFormat::Jpeg | ImageFormat::Png => read_blocks(bytes, &mut found)?,
        _ => {
            // Not stored by Vitrine (ingest turns these into PNG), so the decoder's view will do.
            if let Ok(Some(tiff)) = decoder.exif_metadata() {
                apply_exif(&tiff, &mut found);
            }
            found.xmp = matches!(decoder.xmp_metadata(), Ok(Some(_)));
            found.iptc = matches!(decoder.iptc_metadata(), Ok(Some(_)));
            found.icc_profile = matches!(decoder.icc_profile(), Ok(Some(_)));
            for (present, name) in [
                (found.exif.is_some(), "exif"),
                (found.xmp, "xmp"),
                (found.iptc, "iptc"),
            ] {
                if present {
                    found.blocks.push(name);
                }
            }
        }
    }
    Ok(found)
}

fn read_blocks(bytes: &[u8], found: &mut ImageMetadata) -> Result<()> {
    let jpeg = found.format == ImageFormat::Jpeg;
    let blocks = if jpeg {
        container::jpeg_blocks(bytes)?
    } else {
        container::png_blocks(bytes)?
    };
    for block in blocks {
        let payload = &bytes[block.payload.clone()];
        let name: [u8; 4] = if jpeg {
            [0; 4]
        } else {
            let start = block.range.start + 4;
            bytes
                .get(start..start + 4)
                .and_then(|slice| slice.try_into().ok())
                .unwrap_or([0; 4])
        };
        match block.kind {
            BlockKind::Image => {
                found.icc_profile |= if jpeg {
                    payload.starts_with(b"ICC_PROFILE\0")
                } else {
                    &name == b"iCCP"
                };
            }
            BlockKind::Exif => {
                if found.exif.is_none() {
                    let tiff = if jpeg {
                        container::jpeg_exif_tiff(payload)
                    } else if &name == b"eXIf" {
                        payload
                    } else {
                        // Hex in a text chunk: present, but not parsed.
                        &[]
                    };
                    apply_exif(tiff, found);
                    if found.exif.is_none() {
                        found.exif = Some(ExifSummary::default());
                    }
                }
            }
            BlockKind::Xmp => found.xmp = true,
            BlockKind::Iptc => found.iptc = true,
            BlockKind::Comment => {
                let text = if jpeg {
                    String::from_utf8_lossy(payload).into_owned()
                } else {
                    container::png_text(&name, payload)
                };
                found
                    .comments
                    .push(shorten(text.trim_end_matches('\0').trim()));
            }
            BlockKind::Timestamp | BlockKind::Other | BlockKind::Trailer => {}
        }
        if !block.kind.is_kept() && !found.blocks.contains(&block.kind.name()) {
            found.blocks.push(block.kind.name());
        }
    }
    Ok(())
}

fn shorten(text: &str) -> String {
    if text.chars().count() <= MAX_COMMENT_CHARS {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_COMMENT_CHARS).collect();
    cut.push('…');
    cut
}

/// Parses a TIFF-structured EXIF block; a block that does not parse still counts as present.
fn apply_exif(tiff: &[u8], found: &mut ImageMetadata) {
    let Ok(exif) = exif::Reader::new().read_raw(tiff.to_vec()) else {
        return;
    };
    let text = |tag: Tag| {
        exif.get_field(tag, In::PRIMARY)
            .and_then(|field| ascii(&field.value))
    };
    found.exif = Some(ExifSummary {
        make: text(Tag::Make),
        model: text(Tag::Model),
        date_taken: text(Tag::DateTimeOriginal).or_else(|| text(Tag::DateTime)),
        orientation: exif
            .get_field(Tag::Orientation, In::PRIMARY)
            .and_then(|field| field.value.get_uint(0)),
        software: text(Tag::Software),
        fields: exif.fields().len(),
    });
    if exif
        .fields()
        .any(|field| field.tag.context() == exif::Context::Gps)
    {
        let signed = |value: Tag, reference: Tag, negative: &str| {
            let degrees = exif
                .get_field(value, In::PRIMARY)
                .and_then(|field| sexagesimal(&field.value))?;
            let flip = exif
                .get_field(reference, In::PRIMARY)
                .and_then(|field| ascii(&field.value))
                .is_some_and(|text| text.eq_ignore_ascii_case(negative));
            Some(if flip { -degrees } else { degrees })
        };
        let altitude = exif
            .get_field(Tag::GPSAltitude, In::PRIMARY)
            .and_then(|field| match &field.value {
                Value::Rational(values) => values.first().map(|value| value.to_f64()),
                _ => None,
            })
            .map(|metres| {
                let below = exif
                    .get_field(Tag::GPSAltitudeRef, In::PRIMARY)
                    .and_then(|field| field.value.get_uint(0))
                    == Some(1);
                if below { -metres } else { metres }
            });
        found.gps = Some(GpsPosition {
            latitude: signed(Tag::GPSLatitude, Tag::GPSLatitudeRef, "S"),
            longitude: signed(Tag::GPSLongitude, Tag::GPSLongitudeRef, "W"),
            altitude_m: altitude,
        });
    }
}

/// The first string of an ASCII field, trimmed; `None` when empty.
fn ascii(value: &Value) -> Option<String> {
    let Value::Ascii(strings) = value else {
        return None;
    };
    let text = String::from_utf8_lossy(strings.first()?)
        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
        .to_owned();
    (!text.is_empty()).then_some(text)
}

/// Degrees, minutes, seconds as decimal degrees (rounded to 1e-6, about 10 cm).
fn sexagesimal(value: &Value) -> Option<f64> {
    let Value::Rational(parts) = value else {
        return None;
    };
    let [degrees, minutes, seconds] =
        [0, 1, 2].map(|index| parts.get(index).map(|part| part.to_f64()));
    let total = degrees? + minutes.unwrap_or(0.0) / 60.0 + seconds.unwrap_or(0.0) / 3600.0;
    total.is_finite().then(|| (total * 1e6).round() / 1e6)
}

/// Colour model name, bits per channel and channel count of a stored colour type.
fn describe_color(color: ExtendedColorType) -> (&'static str, u8, u8) {
    let channels = color.channel_count();
    let bits = color.bits_per_pixel() / u16::from(channels.max(1));
    let name = match color {
        ExtendedColorType::A8 => "alpha",
        ExtendedColorType::L1
        | ExtendedColorType::L2
        | ExtendedColorType::L4
        | ExtendedColorType::L8
        | ExtendedColorType::L16 => "gray",
        ExtendedColorType::La1
        | ExtendedColorType::La2
        | ExtendedColorType::La4
        | ExtendedColorType::La8
        | ExtendedColorType::La16 => "gray_alpha",
        ExtendedColorType::Rgb1
        | ExtendedColorType::Rgb2
        | ExtendedColorType::Rgb4
        | ExtendedColorType::Rgb8
        | ExtendedColorType::Rgb16
        | ExtendedColorType::Rgb32F
        | ExtendedColorType::Bgr8 => "rgb",
        ExtendedColorType::Rgba1
        | ExtendedColorType::Rgba2
        | ExtendedColorType::Rgba4
        | ExtendedColorType::Rgba8
        | ExtendedColorType::Rgba16
        | ExtendedColorType::Rgba32F
        | ExtendedColorType::Bgra8 => "rgba",
        ExtendedColorType::Cmyk8 | ExtendedColorType::Cmyk16 => "cmyk",
        _ => "other",
    };
    (name, u8::try_from(bits).unwrap_or(u8::MAX), channels)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A little-endian TIFF block: IFD0 with Make, Model and a GPS pointer; a GPS IFD with
    /// 48°51'29.6"N 2°17'40.2"E.
    pub(crate) fn exif_with_gps() -> Vec<u8> {
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        let entry = |tag: u16, kind: u16, count: u32, value: u32| {
            [
                &tag.to_le_bytes()[..],
                &kind.to_le_bytes(),
                &count.to_le_bytes(),
                &value.to_le_bytes(),
            ]
            .concat()
        };
        // IFD0 at 8: 3 entries (2 + 3 × 12 + 4 = 42 bytes) → data from 50.
        let make_at = 50u32;
        let model_at = make_at + 6;
        let gps_at = model_at + 8;
        tiff.extend_from_slice(&3u16.to_le_bytes());
        tiff.extend(entry(0x010F, 2, 6, make_at));
        tiff.extend(entry(0x0110, 2, 8, model_at));
        tiff.extend(entry(0x8825, 4, 1, gps_at));
        tiff.extend_from_slice(&0u32.to_le_bytes());
        tiff.extend_from_slice(b"Canon\0");
        tiff.extend_from_slice(b"EOS 5D\0\0");
        // GPS IFD: 4 entries (2 + 48 + 4 = 54 bytes), then two rational triples.
        let lat_at = gps_at + 54;
        let lon_at = lat_at + 24;
        tiff.extend_from_slice(&4u16.to_le_bytes());
        tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
        tiff.extend(entry(0x0002, 5, 3, lat_at));
        tiff.extend(entry(0x0003, 2, 2, u32::from_le_bytes(*b"E\0\0\0")));
        tiff.extend(entry(0x0004, 5, 3, lon_at));
        tiff.extend_from_slice(&0u32.to_le_bytes());
        for (numerator, denominator) in [(48, 1), (51, 1), (296, 10), (2, 1), (17, 1), (402, 10)] {
            tiff.extend_from_slice(&u32::to_le_bytes(numerator));
            tiff.extend_from_slice(&u32::to_le_bytes(denominator));
        }
        tiff
    }

    #[test]
    fn reads_camera_and_gps_from_a_jpeg_exif_block() {
        let image = image::DynamicImage::ImageRgb8(image::RgbImage::new(20, 10));
        let plain = crate::encode_jpeg(&image, 90).expect("encode");
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend(exif_with_gps());
        let mut jpeg = plain[..2].to_vec();
        jpeg.extend_from_slice(&[0xFF, 0xE1]);
        jpeg.extend_from_slice(
            &u16::try_from(payload.len() + 2)
                .expect("short")
                .to_be_bytes(),
        );
        jpeg.extend_from_slice(&payload);
        jpeg.extend_from_slice(&plain[2..]);
        let found = read_metadata(&jpeg).expect("read");
        assert_eq!((found.width, found.height), (20, 10));
        assert_eq!(
            (found.color_type, found.bit_depth, found.channels),
            ("rgb", 8, 3)
        );
        let exif = found.exif.expect("exif");
        assert_eq!(exif.make.as_deref(), Some("Canon"));
        assert_eq!(exif.model.as_deref(), Some("EOS 5D"));
        let gps = found.gps.expect("gps");
        assert_eq!(gps.latitude, Some(48.858222));
        assert_eq!(gps.longitude, Some(2.294500));
        assert_eq!(found.blocks, ["exif"]);
    }

    #[test]
    fn a_plain_png_has_no_metadata() {
        let image = image::DynamicImage::ImageRgba8(image::RgbaImage::new(3, 2));
        let found = read_metadata(&crate::encode_png(&image).expect("png")).expect("read");
        assert_eq!((found.color_type, found.channels), ("rgba", 4));
        assert!(found.exif.is_none() && found.gps.is_none() && !found.xmp);
        assert!(found.blocks.is_empty() && found.comments.is_empty());
    }
}
