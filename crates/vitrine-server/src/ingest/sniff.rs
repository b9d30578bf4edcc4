//! The real type of some bytes, from their magic numbers, never from what the
//! sender claimed.

use std::io::Read;

use vitrine_wire::ArtifactKind;

/// A recognised media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Sniffed {
    pub(crate) kind: ArtifactKind,
    pub(crate) content_type: &'static str,
}

const fn sniffed(kind: ArtifactKind, content_type: &'static str) -> Option<Sniffed> {
    Some(Sniffed { kind, content_type })
}

/// Recognises images, video, audio, PDF, `.npy` and SPZ from the first bytes.
pub(crate) fn sniff(head: &[u8]) -> Option<Sniffed> {
    use ArtifactKind::*;
    let starts = |magic: &[u8]| head.starts_with(magic);
    if starts(&[0xff, 0xd8, 0xff]) {
        return sniffed(Image, "image/jpeg");
    }
    if starts(b"\x89PNG\r\n\x1a\n") {
        return sniffed(Image, "image/png");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WEBP" {
        return sniffed(Image, "image/webp");
    }
    if starts(b"GIF87a") || starts(b"GIF89a") {
        return sniffed(Image, "image/gif");
    }
    if starts(b"II*\0") || starts(b"MM\0*") {
        return sniffed(Image, "image/tiff");
    }
    if starts(b"BM") && head.len() >= 14 {
        return sniffed(Image, "image/bmp");
    }
    if head.len() >= 12 && &head[4..8] == b"ftyp" {
        return match &head[8..12] {
            b"M4A " | b"M4B " => sniffed(Audio, "audio/mp4"),
            b"qt  " => sniffed(Video, "video/quicktime"),
            _ => sniffed(Video, "video/mp4"),
        };
    }
    if starts(&[0x1a, 0x45, 0xdf, 0xa3]) {
        return sniffed(Video, "video/webm");
    }
    if starts(b"ID3")
        || (head.len() >= 2 && head[0] == 0xff && matches!(head[1], 0xfb | 0xf3 | 0xf2 | 0xe3))
    {
        return sniffed(Audio, "audio/mpeg");
    }
    if head.len() >= 12 && &head[..4] == b"RIFF" && &head[8..12] == b"WAVE" {
        return sniffed(Audio, "audio/wav");
    }
    if starts(b"OggS") {
        return sniffed(Audio, "audio/ogg");
    }
    if starts(b"fLaC") {
        return sniffed(Audio, "audio/flac");
    }
    if starts(b"%PDF-") {
        return sniffed(Document, "application/pdf");
    }
    if starts(b"\x93NUMPY") {
        return sniffed(Array, "application/octet-stream");
    }
    if starts(&[0x1f, 0x8b]) && is_spz(head) {
        return sniffed(Recon, "application/octet-stream");
    }
    None
}

/// SPZ is a gzip stream whose payload starts with the magic `NGSP`.
fn is_spz(head: &[u8]) -> bool {
    let mut magic = [0u8; 4];
    flate2::read::GzDecoder::new(head)
        .read_exact(&mut magic)
        .is_ok()
        && &magic == b"NGSP"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_common_media() {
        let cases: [(&[u8], &str); 7] = [
            (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
            (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png"),
            (b"RIFF\x10\0\0\0WEBPVP8 ", "image/webp"),
            (b"\0\0\0\x20ftypisom\0\0\x02\0", "video/mp4"),
            (b"ID3\x04\0\0\0\0\0\0", "audio/mpeg"),
            (b"%PDF-1.7\n", "application/pdf"),
            (b"\x93NUMPY\x01\0v\0", "application/octet-stream"),
        ];
        for (head, expected) in cases {
            assert_eq!(sniff(head).map(|s| s.content_type), Some(expected));
        }
        assert_eq!(sniff(b"hello world"), None);
        assert_eq!(sniff(b"<html>"), None);
    }
}
