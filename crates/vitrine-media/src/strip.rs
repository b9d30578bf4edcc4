//! Removing EXIF, GPS, XMP, IPTC, comments and trailers from an image file while keeping its
//! pixels bit-exact.
//!
//! JPEG and PNG are rewritten block by block (see `container`): metadata segments and chunks
//! are dropped, everything else is copied byte for byte, so nothing is re-encoded. One case
//! needs more: an EXIF orientation other than 1 would otherwise be lost with the EXIF block and
//! the photo would show turned, so the rotation is applied first — losslessly in the DCT domain
//! by libjpeg-turbo when the size allows, else by re-encoding (reported).

use crate::container::{self, BlockKind};
use crate::decode::{DecodeLimits, decode};
use crate::encode::{encode_jpeg, encode_png};
use crate::error::{MediaError, Result};
use crate::format::ImageFormat;
use crate::metadata::read_metadata;

/// JPEG quality for the rare re-encode (a rotated photo whose size is not a multiple of the
/// JPEG block size): high, so the one generation of loss is invisible.
const REENCODE_JPEG_QUALITY: u8 = 95;

/// What [`strip_metadata`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stripped {
    /// The new file, in the same format as the input (PNG for formats Vitrine does not store).
    pub bytes: Vec<u8>,
    /// Its format.
    pub format: ImageFormat,
    /// What was removed: `exif`, `gps`, `xmp`, `iptc`, `comment`, `timestamp`,
    /// `other_metadata`, `trailing_data`; in the order first met, without repeats.
    pub removed: Vec<&'static str>,
    /// Size of the metadata blocks dropped, in bytes.
    pub removed_bytes: usize,
    /// Whether the pixels were re-encoded rather than copied (see [`Stripped::note`]).
    pub reencoded: bool,
    /// Why the file was changed beyond dropping blocks, when it was.
    pub note: Option<String>,
}

/// Removes every metadata block from `bytes`, keeping the pixels exactly where the format
/// allows (see the module docs).
pub fn strip_metadata(bytes: &[u8], limits: &DecodeLimits) -> Result<Stripped> {
    let found = read_metadata(bytes)?;
    let mut removed: Vec<&'static str> = Vec::new();
    let mut record = |name: &'static str| {
        if !removed.contains(&name) {
            removed.push(name);
        }
    };
    let format = found.format;
    let blocks = match format {
        ImageFormat::Jpeg => container::jpeg_blocks(bytes)?,
        ImageFormat::Png => container::png_blocks(bytes)?,
        _ => {
            // Not a format Vitrine stores: decode (first frame) and write a metadata-free PNG.
            for name in &found.blocks {
                record(name);
            }
            if found.gps.is_some() {
                record("gps");
            }
            let decoded = decode(bytes, limits)?;
            let png = encode_png(&decoded.image)?;
            return Ok(Stripped {
                removed_bytes: bytes.len().saturating_sub(png.len()),
                bytes: png,
                format: ImageFormat::Png,
                removed,
                reencoded: true,
                note: Some(format!(
                    "{} is rewritten as PNG, the lossless format Vitrine stores",
                    format.media_type()
                )),
            });
        }
    };
    let mut out = Vec::with_capacity(bytes.len());
    for block in &blocks {
        if block.kind.is_kept() {
            out.extend_from_slice(&bytes[block.range.clone()]);
        } else {
            record(block.kind.name());
            if block.kind == BlockKind::Exif && found.gps.is_some() {
                record("gps");
            }
        }
    }
    let removed_bytes = bytes.len() - out.len();
    let orientation = found
        .exif
        .as_ref()
        .and_then(|exif| exif.orientation)
        .filter(|orientation| (2..=8).contains(orientation));
    let Some(orientation) = orientation else {
        return Ok(Stripped {
            bytes: out,
            format,
            removed,
            removed_bytes,
            reencoded: false,
            note: None,
        });
    };
    let (bytes, reencoded, how) = upright(bytes, &out, format, orientation, limits)?;
    Ok(Stripped {
        bytes,
        format,
        removed,
        removed_bytes,
        reencoded,
        note: Some(format!(
            "the EXIF orientation ({orientation}) was applied to the pixels {how}, so the \
             picture still shows upright without it"
        )),
    })
}

/// Applies EXIF `orientation` to the stripped file `stripped` (of `original`): a lossless
/// libjpeg-turbo transform for JPEGs whose size allows it, else decode (which applies the
/// orientation) and re-encode.
fn upright(
    original: &[u8],
    stripped: &[u8],
    format: ImageFormat,
    orientation: u32,
    limits: &DecodeLimits,
) -> Result<(Vec<u8>, bool, &'static str)> {
    if format == ImageFormat::Jpeg {
        let op = match orientation {
            2 => turbojpeg::TransformOp::Hflip,
            3 => turbojpeg::TransformOp::Rot180,
            4 => turbojpeg::TransformOp::Vflip,
            5 => turbojpeg::TransformOp::Transpose,
            6 => turbojpeg::TransformOp::Rot90,
            7 => turbojpeg::TransformOp::Transverse,
            _ => turbojpeg::TransformOp::Rot270,
        };
        let mut transform = turbojpeg::Transform::op(op);
        // Refuse rather than trim edge blocks: trimming would change the picture.
        transform.perfect = true;
        if let Ok(turned) = turbojpeg::transform(&transform, stripped) {
            return Ok((turned.to_vec(), false, "losslessly"));
        }
    }
    let decoded = decode(original, limits)?;
    let bytes = match format {
        ImageFormat::Jpeg => encode_jpeg(&decoded.image, REENCODE_JPEG_QUALITY)?,
        ImageFormat::Png => encode_png(&decoded.image)?,
        other => {
            return Err(MediaError::Internal {
                operation: "strip_metadata",
                reason: format!("no upright path for {}", other.media_type()),
            });
        }
    };
    let how = if format == ImageFormat::Png {
        "by re-encoding the PNG losslessly"
    } else {
        "by re-encoding at quality 95 (its size is not a multiple of the JPEG block size)"
    };
    Ok((bytes, true, how))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::tests::exif_with_gps;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut out = vec![0xFF, marker];
        out.extend_from_slice(
            &u16::try_from(payload.len() + 2)
                .expect("short")
                .to_be_bytes(),
        );
        out.extend_from_slice(payload);
        out
    }

    fn photo() -> image::DynamicImage {
        image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(48, 32, |x, y| {
            image::Rgb([(x * 5) as u8, (y * 7) as u8, ((x + y) * 3) as u8])
        }))
    }

    #[test]
    fn jpeg_loses_exif_gps_xmp_and_comments_but_not_a_single_pixel_byte() {
        let plain = encode_jpeg(&photo(), 90).expect("encode");
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(exif_with_gps());
        let mut jpeg = plain[..2].to_vec();
        jpeg.extend(segment(0xE1, &exif));
        jpeg.extend(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>"));
        jpeg.extend(segment(0xED, b"Photoshop 3.0\08BIM"));
        jpeg.extend(segment(0xFE, b"shot at home"));
        jpeg.extend_from_slice(&plain[2..]);
        let stripped = strip_metadata(&jpeg, &DecodeLimits::default()).expect("strip");
        assert_eq!(
            stripped.bytes, plain,
            "exactly the metadata-free encoding is left"
        );
        assert_eq!(stripped.removed, ["exif", "gps", "xmp", "iptc", "comment"]);
        assert_eq!(stripped.removed_bytes, jpeg.len() - plain.len());
        assert!(!stripped.reencoded);
        let again = strip_metadata(&stripped.bytes, &DecodeLimits::default()).expect("again");
        assert!(again.removed.is_empty());
    }

    #[test]
    fn png_loses_text_and_exif_chunks_and_keeps_idat() {
        let plain = encode_png(&photo()).expect("png");
        let chunk = |name: &[u8; 4], data: &[u8]| {
            let mut out = u32::try_from(data.len())
                .expect("short")
                .to_be_bytes()
                .to_vec();
            out.extend_from_slice(name);
            out.extend_from_slice(data);
            out.extend_from_slice(&[0; 4]); // The walk does not check CRCs.
            out
        };
        // After the signature and IHDR (8 + 25 bytes).
        let mut png = plain[..33].to_vec();
        png.extend(chunk(b"eXIf", &exif_with_gps()));
        png.extend(chunk(b"tEXt", b"Comment\0secret"));
        png.extend(chunk(b"gAMA", &45455u32.to_be_bytes()));
        png.extend_from_slice(&plain[33..]);
        let stripped = strip_metadata(&png, &DecodeLimits::default()).expect("strip");
        assert_eq!(stripped.removed, ["exif", "gps", "comment"]);
        let mut expected = plain[..33].to_vec();
        expected.extend(chunk(b"gAMA", &45455u32.to_be_bytes()));
        expected.extend_from_slice(&plain[33..]);
        assert_eq!(
            stripped.bytes, expected,
            "gAMA is kept: it changes how pixels look"
        );
    }

    #[test]
    fn a_rotated_jpeg_is_turned_losslessly_before_its_orientation_goes() {
        // 48×32 with 4:2:0 sampling: whole 16×16 blocks, so the transform is perfect.
        let plain = encode_jpeg(&photo(), 90).expect("encode");
        let mut tiff = b"MM\0*\0\0\0\x08\0\x01".to_vec();
        tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0]);
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(tiff);
        let mut jpeg = plain[..2].to_vec();
        jpeg.extend(segment(0xE1, &exif));
        jpeg.extend_from_slice(&plain[2..]);
        let upright = decode(&jpeg, &DecodeLimits::default())
            .expect("decode")
            .into_rgb();
        let stripped = strip_metadata(&jpeg, &DecodeLimits::default()).expect("strip");
        assert!(!stripped.reencoded, "{:?}", stripped.note);
        let after = decode(&stripped.bytes, &DecodeLimits::default())
            .expect("decode")
            .into_rgb();
        assert_eq!(after.dimensions(), (32, 48));
        let worst = upright
            .as_raw()
            .iter()
            .zip(after.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max();
        // A DCT-domain rotation matches the decoder's own rotation up to rounding.
        assert!(worst.is_some_and(|worst| worst <= 3), "{worst:?}");
        assert!(read_metadata(&stripped.bytes).expect("read").exif.is_none());
    }
}
