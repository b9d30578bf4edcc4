//! The few JPEG header fields needed to embed a JPEG in a PDF unchanged.

/// What a JPEG's start-of-frame segment says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct JpegHeader {
    /// Bits per sample; PDF's DCTDecode takes only 8.
    pub(crate) precision: u8,
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// 1 (grey), 3 (YCbCr/RGB) or 4 (CMYK/YCCK).
    pub(crate) components: u8,
}

/// Walks the marker segments up to the first start-of-frame (SOF0–SOF15 except DHT, JPG and
/// DAC, which share the range). Returns `None` for anything that is not a well-formed JPEG.
pub(crate) fn read(bytes: &[u8]) -> Option<JpegHeader> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut position = 2;
    loop {
        // Markers may be preceded by any number of 0xFF fill bytes.
        while *bytes.get(position)? == 0xFF && *bytes.get(position + 1)? == 0xFF {
            position += 1;
        }
        if *bytes.get(position)? != 0xFF {
            return None;
        }
        let marker = *bytes.get(position + 1)?;
        position += 2;
        // Markers without a length: TEM and RST0–RST7.
        if marker == 0x01 || (0xD0..=0xD7).contains(&marker) {
            continue;
        }
        // Start of scan (or end of image) before any frame header: malformed.
        if marker == 0xDA || marker == 0xD9 {
            return None;
        }
        let length = usize::from(u16::from_be_bytes([
            *bytes.get(position)?,
            *bytes.get(position + 1)?,
        ]));
        let is_frame = (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker);
        if is_frame {
            let segment = bytes.get(position + 2..position + length)?;
            return Some(JpegHeader {
                precision: *segment.first()?,
                height: u32::from(u16::from_be_bytes([*segment.get(1)?, *segment.get(2)?])),
                width: u32::from(u16::from_be_bytes([*segment.get(3)?, *segment.get(4)?])),
                components: *segment.get(5)?,
            });
        }
        position += length;
    }
}

#[cfg(test)]
mod tests {
    use image::ImageEncoder;

    use super::*;

    #[test]
    fn reads_the_frame_header_of_an_encoded_jpeg() {
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 80)
            .write_image(&[128; 7 * 5 * 3], 7, 5, image::ExtendedColorType::Rgb8)
            .expect("encode");
        let header = read(&jpeg).expect("a JPEG header");
        assert_eq!(
            header,
            JpegHeader {
                precision: 8,
                width: 7,
                height: 5,
                components: 3
            }
        );
        assert_eq!(read(b"\xFF\xD8\xFF\xDA"), None);
        assert_eq!(read(b"GIF89a"), None);
        assert_eq!(read(&jpeg[..20]), None);
    }
}
