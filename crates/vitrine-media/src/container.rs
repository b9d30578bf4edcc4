//! Walking JPEG segments and PNG chunks, and naming the metadata each one carries.
//!
//! [`crate::read_metadata`] and [`crate::strip_metadata`] share this walk, so what `image_info`
//! reports present is exactly what `strip_metadata` removes. Nothing here decodes pixels: the
//! entropy-coded JPEG data and the PNG `IDAT` chunks are only skipped over.

use crate::error::{MediaError, Result};
use crate::format::ImageFormat;

/// What one block of a file holds, as far as privacy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BlockKind {
    /// Pixels, or what is needed to decode or show them right (tables, palette, ICC profile,
    /// JFIF/Adobe markers, PNG gamma): always kept.
    Image,
    /// An EXIF block (camera, dates, maybe GPS, maybe a thumbnail).
    Exif,
    /// An XMP packet.
    Xmp,
    /// IPTC / Photoshop resources.
    Iptc,
    /// A free-text comment (JPEG `COM`, PNG text chunks).
    Comment,
    /// A PNG `tIME` modification time.
    Timestamp,
    /// Any other application block (maker data, multi-picture index, unknown PNG chunks).
    Other,
    /// Bytes after the end of the image (camera trailers, appended previews).
    Trailer,
}

impl BlockKind {
    /// Whether `strip_metadata` keeps it.
    pub(crate) fn is_kept(self) -> bool {
        self == BlockKind::Image
    }

    /// The name facts use, e.g. `exif`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            BlockKind::Image => "image",
            BlockKind::Exif => "exif",
            BlockKind::Xmp => "xmp",
            BlockKind::Iptc => "iptc",
            BlockKind::Comment => "comment",
            BlockKind::Timestamp => "timestamp",
            BlockKind::Other => "other_metadata",
            BlockKind::Trailer => "trailing_data",
        }
    }
}

/// One block of a file: its byte range (header included) and what it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// What it holds.
    pub(crate) kind: BlockKind,
    /// Where it lies in the file, header included.
    pub(crate) range: std::ops::Range<usize>,
    /// Where its payload lies (after the marker/length or chunk header, before any CRC).
    pub(crate) payload: std::ops::Range<usize>,
}

const XMP_SIGNATURE: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
const XMP_EXTENSION_SIGNATURE: &[u8] = b"http://ns.adobe.com/xmp/extension/\0";

fn truncated(format: ImageFormat, what: &str) -> MediaError {
    MediaError::Decode {
        format,
        source: format!("the file is truncated or damaged: {what}").into(),
    }
}

/// The blocks of a JPEG, in file order; every byte of the file is in exactly one block.
pub(crate) fn jpeg_blocks(bytes: &[u8]) -> Result<Vec<Block>> {
    let format = ImageFormat::Jpeg;
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return Err(truncated(format, "no start-of-image marker"));
    }
    let mut blocks = vec![Block {
        kind: BlockKind::Image,
        range: 0..2,
        payload: 2..2,
    }];
    let mut position = 2;
    loop {
        if position >= bytes.len() {
            return Err(truncated(format, "no end-of-image marker"));
        }
        let start = position;
        if bytes[position] != 0xFF {
            return Err(truncated(
                format,
                &format!("expected a marker at byte {position}"),
            ));
        }
        // Any number of 0xFF fill bytes may precede a marker.
        while bytes.get(position + 1) == Some(&0xFF) {
            position += 1;
        }
        let Some(&marker) = bytes.get(position + 1) else {
            return Err(truncated(format, "a marker is cut off"));
        };
        let header_end = position + 2;
        match marker {
            0xD9 => {
                blocks.push(image_block(start..header_end));
                if header_end < bytes.len() {
                    blocks.push(Block {
                        kind: BlockKind::Trailer,
                        range: header_end..bytes.len(),
                        payload: header_end..bytes.len(),
                    });
                }
                return Ok(blocks);
            }
            // Standalone markers: no length field.
            0x01 | 0xD0..=0xD7 => {
                blocks.push(image_block(start..header_end));
                position = header_end;
            }
            _ => {
                let length = bytes
                    .get(header_end..header_end + 2)
                    .map(|pair| usize::from(u16::from_be_bytes([pair[0], pair[1]])))
                    .ok_or_else(|| truncated(format, "a segment length is cut off"))?;
                let end = header_end + length;
                if length < 2 || end > bytes.len() {
                    return Err(truncated(
                        format,
                        &format!("segment 0xFF{marker:02X} at byte {start} runs past the end"),
                    ));
                }
                let payload = header_end + 2..end;
                if marker == 0xDA {
                    // Start of scan: the entropy-coded data runs to the next real marker.
                    let data_end = scan_end(bytes, end);
                    blocks.push(image_block(start..data_end));
                    position = data_end;
                } else {
                    let kind = jpeg_segment_kind(marker, &bytes[payload.clone()]);
                    blocks.push(Block {
                        kind,
                        range: start..end,
                        payload,
                    });
                    position = end;
                }
            }
        }
    }
}

fn image_block(range: std::ops::Range<usize>) -> Block {
    Block {
        kind: BlockKind::Image,
        payload: range.clone(),
        range,
    }
}

/// The end of entropy-coded data starting at `from`: the first 0xFF not followed by a stuffed
/// zero, a restart marker or another fill byte.
fn scan_end(bytes: &[u8], from: usize) -> usize {
    let mut index = from;
    while index + 1 < bytes.len() {
        if bytes[index] == 0xFF {
            match bytes[index + 1] {
                0x00 | 0xD0..=0xD7 => index += 2,
                0xFF => index += 1,
                _ => return index,
            }
        } else {
            index += 1;
        }
    }
    bytes.len()
}

fn jpeg_segment_kind(marker: u8, payload: &[u8]) -> BlockKind {
    match marker {
        // APP0 (JFIF, JFXX) and APP14 ("Adobe", which says how to convert colours) are needed
        // to show the pixels right; so is an ICC profile in APP2.
        0xE0 | 0xEE => BlockKind::Image,
        0xE1 if payload.starts_with(b"Exif\0") => BlockKind::Exif,
        0xE1 if payload.starts_with(XMP_SIGNATURE)
            || payload.starts_with(XMP_EXTENSION_SIGNATURE) =>
        {
            BlockKind::Xmp
        }
        0xE2 if payload.starts_with(b"ICC_PROFILE\0") => BlockKind::Image,
        0xED => BlockKind::Iptc,
        0xFE => BlockKind::Comment,
        // Other application segments: maker notes, the multi-picture index (APP2 "MPF"), ...
        0xE1..=0xEF => BlockKind::Other,
        // Frame headers, tables, restart intervals: decoding needs them.
        _ => BlockKind::Image,
    }
}

/// The chunks of a PNG, in file order, after the 8-byte signature.
pub(crate) fn png_blocks(bytes: &[u8]) -> Result<Vec<Block>> {
    let format = ImageFormat::Png;
    if bytes.len() < 8 {
        return Err(truncated(format, "no PNG signature"));
    }
    let mut blocks = vec![image_block(0..8)];
    let mut position = 8;
    loop {
        let header = bytes
            .get(position..position + 8)
            .ok_or_else(|| truncated(format, "a chunk header is cut off"))?;
        let length = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let name: [u8; 4] = [header[4], header[5], header[6], header[7]];
        let payload = position + 8..position + 8 + length;
        let end = payload.end + 4;
        if end > bytes.len() {
            return Err(truncated(
                format,
                &format!(
                    "chunk `{}` at byte {position} runs past the end",
                    String::from_utf8_lossy(&name)
                ),
            ));
        }
        let kind = png_chunk_kind(&name, &bytes[payload.clone()]);
        blocks.push(Block {
            kind,
            range: position..end,
            payload,
        });
        position = end;
        if &name == b"IEND" {
            if position < bytes.len() {
                blocks.push(Block {
                    kind: BlockKind::Trailer,
                    range: position..bytes.len(),
                    payload: position..bytes.len(),
                });
            }
            return Ok(blocks);
        }
    }
}

/// Ancillary chunks that change how the pixels look or animate; every other ancillary chunk is
/// metadata.
const PNG_RENDERING_CHUNKS: &[&[u8; 4]] = &[
    b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"iCCP", b"sBIT", b"bKGD", b"pHYs", b"cICP", b"mDCV",
    b"cLLI", b"mDCv", b"cLLi", b"hIST", b"sPLT", b"acTL", b"fcTL", b"fdAT",
];

fn png_chunk_kind(name: &[u8; 4], payload: &[u8]) -> BlockKind {
    // An uppercase first letter marks a critical chunk (IHDR, PLTE, IDAT, IEND).
    if name[0].is_ascii_uppercase() || PNG_RENDERING_CHUNKS.contains(&name) {
        return BlockKind::Image;
    }
    match name {
        b"eXIf" => BlockKind::Exif,
        b"tIME" => BlockKind::Timestamp,
        b"tEXt" | b"zTXt" | b"iTXt" => {
            let keyword = payload.split(|byte| *byte == 0).next().unwrap_or_default();
            match keyword {
                b"XML:com.adobe.xmp" | b"Raw profile type xmp" => BlockKind::Xmp,
                // ImageMagick and exiftool store EXIF and IPTC as hex in text chunks.
                b"Raw profile type exif" | b"Raw profile type APP1" => BlockKind::Exif,
                b"Raw profile type iptc" | b"Raw profile type 8bim" => BlockKind::Iptc,
                _ => BlockKind::Comment,
            }
        }
        _ => BlockKind::Other,
    }
}

/// The TIFF bytes of a JPEG EXIF payload (after `Exif\0\0`).
pub(crate) fn jpeg_exif_tiff(payload: &[u8]) -> &[u8] {
    payload.get(6..).unwrap_or_default()
}

/// A PNG text chunk as `keyword: text` when it is stored uncompressed, else just `keyword`.
pub(crate) fn png_text(name: &[u8; 4], payload: &[u8]) -> String {
    let mut parts = payload.splitn(2, |byte| *byte == 0);
    let keyword = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let rest = parts.next().unwrap_or_default();
    let text = match name {
        b"tEXt" => Some(rest),
        // iTXt: compression flag, method, language\0, translated keyword\0, text.
        b"iTXt" if rest.first() == Some(&0) => rest
            .get(2..)
            .and_then(|after| after.splitn(3, |byte| *byte == 0).nth(2)),
        _ => None,
    };
    match text {
        Some(text) => format!("{keyword}: {}", String::from_utf8_lossy(text)),
        None => keyword,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_segments_cover_the_file_and_are_named() {
        let image = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(17, 9, |x, y| {
            image::Rgb([x as u8 * 15, y as u8 * 25, 90])
        }));
        let plain = crate::encode_jpeg(&image, 90).expect("encode");
        let mut jpeg = plain[..2].to_vec();
        for (marker, payload) in [
            (0xE1u8, b"Exif\0\0MM\0*\0\0\0\x08\0\0".as_slice()),
            (
                0xE1,
                b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".as_slice(),
            ),
            (0xFE, b"a comment".as_slice()),
        ] {
            jpeg.extend_from_slice(&[0xFF, marker]);
            jpeg.extend_from_slice(
                &u16::try_from(payload.len() + 2)
                    .expect("short")
                    .to_be_bytes(),
            );
            jpeg.extend_from_slice(payload);
        }
        jpeg.extend_from_slice(&plain[2..]);
        jpeg.extend_from_slice(b"TRAILER");
        let blocks = jpeg_blocks(&jpeg).expect("walk");
        let covered: usize = blocks.iter().map(|block| block.range.len()).sum();
        assert_eq!(covered, jpeg.len());
        let kinds: Vec<BlockKind> = blocks
            .iter()
            .map(|block| block.kind)
            .filter(|kind| !kind.is_kept())
            .collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Exif,
                BlockKind::Xmp,
                BlockKind::Comment,
                BlockKind::Trailer
            ]
        );
    }

    #[test]
    fn png_text_reads_plain_and_international_chunks() {
        assert_eq!(png_text(b"tEXt", b"Author\0Ada"), "Author: Ada");
        assert_eq!(
            png_text(b"iTXt", b"Comment\0\0\0en\0Kommentar\0hello"),
            "Comment: hello"
        );
        assert_eq!(png_text(b"zTXt", b"Comment\0\0x\x9c"), "Comment");
        assert_eq!(
            png_chunk_kind(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x/>"),
            BlockKind::Xmp
        );
        assert_eq!(png_chunk_kind(b"gAMA", b""), BlockKind::Image);
        assert_eq!(png_chunk_kind(b"vpAg", b""), BlockKind::Other);
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let error = jpeg_blocks(&[0xFF, 0xD8, 0xFF, 0xE1, 0x40, 0x00, 1, 2]).expect_err("cut");
        assert!(error.to_string().contains("runs past the end"), "{error}");
        assert!(png_blocks(b"\x89PNG\r\n\x1a\n\0\0").is_err());
    }
}
