//! The SPZ reader for versions 1 to 3.
//!
//! The decoder never trusts the header's point count for allocation: each stream is read
//! through a `take` limit, so a small file that claims billions of points fails with
//! [`SplatError::TruncatedPayload`] instead of exhausting memory.

use std::io::Read;

use flate2::read::GzDecoder;

use super::header::{FLAG_EXTENSIONS, HEADER_LEN, SpzHeader};
use super::quantize::{
    decode_alpha, decode_color, decode_half, decode_position, decode_rotation,
    decode_rotation_first_three, decode_scale, decode_sh,
};
use crate::error::SplatError;
use crate::types::{Splats, sh_coefficients};

/// Reads and checks only the header of an SPZ file (decompressing 16 bytes).
pub fn read_spz_header(bytes: &[u8]) -> Result<SpzHeader, SplatError> {
    let mut decoder = open(bytes)?;
    read_header(&mut decoder)
}

/// Decodes an SPZ file (version 1, 2 or 3) into [`Splats`].
///
/// Rejects input that is not gzip, a corrupt or truncated gzip stream, a bad magic, an
/// unsupported version or SH degree, and a point count that does not match the payload
/// (too few bytes or bytes left over). Extension records (flag 0x2) are skipped. The result
/// passes [`Splats::validate`].
pub fn read_spz(bytes: &[u8]) -> Result<Splats, SplatError> {
    let mut decoder = open(bytes)?;
    let header = read_header(&mut decoder)?;
    let mut streams = Vec::with_capacity(6);
    for (stream, expected) in header.stream_lengths() {
        let mut buffer = Vec::new();
        (&mut decoder)
            .take(expected as u64)
            .read_to_end(&mut buffer)
            .map_err(|source| SplatError::Gzip {
                while_reading: stream,
                source,
            })?;
        if buffer.len() != expected {
            return Err(SplatError::TruncatedPayload {
                stream,
                num_points: header.num_points,
                expected,
                actual: buffer.len(),
            });
        }
        streams.push(buffer);
    }
    // Reading to the end also makes the decoder check the gzip CRC and length.
    let mut rest = Vec::new();
    decoder
        .read_to_end(&mut rest)
        .map_err(|source| SplatError::Gzip {
            while_reading: "end of stream",
            source,
        })?;
    if header.flags & FLAG_EXTENSIONS == 0 && !rest.is_empty() {
        return Err(SplatError::TrailingBytes {
            num_points: header.num_points,
            extra: rest.len(),
        });
    }
    let splats = decode(&header, &streams);
    // Only version-1 float16 positions can decode to non-finite values; refuse them here
    // rather than hand NaN to callers.
    splats.validate()?;
    Ok(splats)
}

fn open(bytes: &[u8]) -> Result<GzDecoder<&[u8]>, SplatError> {
    if !bytes.starts_with(&[0x1F, 0x8B]) {
        return Err(SplatError::NotGzip {
            found: bytes.iter().take(4).copied().collect(),
        });
    }
    Ok(GzDecoder::new(bytes))
}

fn read_header(decoder: &mut GzDecoder<&[u8]>) -> Result<SpzHeader, SplatError> {
    let mut buffer = Vec::with_capacity(HEADER_LEN);
    decoder
        .take(HEADER_LEN as u64)
        .read_to_end(&mut buffer)
        .map_err(|source| SplatError::Gzip {
            while_reading: "header",
            source,
        })?;
    let bytes: [u8; HEADER_LEN] =
        buffer
            .as_slice()
            .try_into()
            .map_err(|_| SplatError::TruncatedHeader {
                actual: buffer.len(),
            })?;
    SpzHeader::parse(&bytes)
}

/// Turns the six raw streams (already checked to have the right lengths) into floats.
fn decode(header: &SpzHeader, streams: &[Vec<u8>]) -> Splats {
    let empty = Vec::new();
    let stream = |i: usize| streams.get(i).unwrap_or(&empty);
    let (positions, alphas, colors, scales, rotations, sh) = (
        stream(0),
        stream(1),
        stream(2),
        stream(3),
        stream(4),
        stream(5),
    );
    let bits = header.fractional_bits;
    let positions = if header.version == 1 {
        positions
            .chunks_exact(6)
            .map(|c| {
                let half = |i: usize| decode_half(u16::from_le_bytes([c[i], c[i + 1]]));
                [half(0), half(2), half(4)]
            })
            .collect()
    } else {
        positions
            .chunks_exact(9)
            .map(|c| {
                [
                    decode_position([c[0], c[1], c[2]], bits),
                    decode_position([c[3], c[4], c[5]], bits),
                    decode_position([c[6], c[7], c[8]], bits),
                ]
            })
            .collect()
    };
    let rotations = if header.version >= 3 {
        rotations
            .chunks_exact(4)
            .map(|c| decode_rotation([c[0], c[1], c[2], c[3]]))
            .collect()
    } else {
        rotations
            .chunks_exact(3)
            .map(|c| decode_rotation_first_three([c[0], c[1], c[2]]))
            .collect()
    };
    let triples = |bytes: &[u8], f: fn(u8) -> f32| -> Vec<[f32; 3]> {
        bytes
            .chunks_exact(3)
            .map(|c| [f(c[0]), f(c[1]), f(c[2])])
            .collect()
    };
    debug_assert_eq!(
        sh.len(),
        header.num_points as usize * 3 * sh_coefficients(header.sh_degree)
    );
    Splats {
        positions,
        scales: triples(scales, decode_scale),
        rotations,
        alphas: alphas.iter().map(|&a| decode_alpha(a)).collect(),
        colors: triples(colors, decode_color),
        sh_degree: header.sh_degree,
        sh: sh.iter().map(|&s| decode_sh(s)).collect(),
        antialiased: header.antialiased(),
    }
}
