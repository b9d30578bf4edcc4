//! The SPZ version-3 writer.
//!
//! Positions are 24-bit fixed point. The reference writer always uses 12 fractional bits and
//! silently wraps coordinates beyond ±2048; we pick the number of fractional bits from the
//! data instead (at most 12, fewer when the scene is larger) or, when the caller fixes it,
//! refuse coordinates that do not fit.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::header::{FLAG_ANTIALIASED, HEADER_LEN, MAX_POINTS, SpzHeader};
use super::quantize::{
    SH_REST_BITS, SH1_BITS, encode_alpha, encode_color, encode_position, encode_rotation,
    encode_scale, encode_sh, position_limit,
};
use crate::error::SplatError;
use crate::types::{Splats, sh_coefficients};

/// The fractional bits the reference writer uses: a ±2048-unit range in steps of 1/4096.
const DEFAULT_FRACTIONAL_BITS: u8 = 12;

/// How [`write_spz`] encodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpzWriteOptions {
    /// Fractional bits of the fixed-point positions, 0..=23. `None` (the default) picks the
    /// largest value up to 12 at which every position fits.
    pub fractional_bits: Option<u8>,
    /// gzip level, 0 (store) to 9 (smallest); default 6.
    pub compression_level: u32,
}

impl Default for SpzWriteOptions {
    fn default() -> Self {
        Self {
            fractional_bits: None,
            compression_level: 6,
        }
    }
}

/// The largest number of fractional bits, at most 12, at which every position of `splats`
/// fits the 24-bit range; an error names the first coordinate that does not fit even with 0.
pub fn choose_fractional_bits(splats: &Splats) -> Result<u8, SplatError> {
    let mut worst = (0usize, 0usize, 0f32);
    for (index, p) in splats.positions.iter().enumerate() {
        for (axis, &value) in p.iter().enumerate() {
            if !value.is_finite() {
                return Err(SplatError::NonFinite {
                    field: "positions",
                    index,
                });
            }
            if value.abs() > worst.2.abs() {
                worst = (index, axis, value);
            }
        }
    }
    let (index, axis, value) = worst;
    (0..=DEFAULT_FRACTIONAL_BITS)
        .rev()
        .find(|&bits| encode_position(value, bits).is_some())
        .ok_or(SplatError::PositionOutOfRange {
            index,
            axis: axis_name(axis),
            value,
            fractional_bits: 0,
            limit: position_limit(0),
        })
}

/// Encodes `splats` as a gzip-compressed SPZ version-3 file.
///
/// Validates first ([`Splats::validate`]); refuses an empty set (readers reject zero points)
/// and positions outside the fixed-point range. Quaternions are normalised on the way out.
pub fn write_spz(splats: &Splats, options: &SpzWriteOptions) -> Result<Vec<u8>, SplatError> {
    let payload = encode_payload(splats, options)?;
    let level = options.compression_level.min(9);
    let mut encoder = GzEncoder::new(
        Vec::with_capacity(payload.len() / 2),
        Compression::new(level),
    );
    encoder
        .write_all(&payload)
        .map_err(|source| SplatError::Io {
            what: "gzip stream",
            source,
        })?;
    encoder.finish().map_err(|source| SplatError::Io {
        what: "gzip stream",
        source,
    })
}

/// The uncompressed payload: header followed by the six attribute streams.
pub(crate) fn encode_payload(
    splats: &Splats,
    options: &SpzWriteOptions,
) -> Result<Vec<u8>, SplatError> {
    splats.validate()?;
    let n = splats.len();
    if n == 0 {
        return Err(SplatError::Empty);
    }
    if n > MAX_POINTS {
        return Err(SplatError::TooManyPoints {
            count: n,
            max: MAX_POINTS,
        });
    }
    let fractional_bits = match options.fractional_bits {
        Some(bits) if bits > 23 => return Err(SplatError::InvalidFractionalBits { value: bits }),
        Some(bits) => bits,
        None => choose_fractional_bits(splats)?,
    };
    let header = SpzHeader {
        version: 3,
        num_points: n as u32,
        sh_degree: splats.sh_degree,
        fractional_bits,
        flags: if splats.antialiased {
            FLAG_ANTIALIASED
        } else {
            0
        },
    };
    let total: usize = HEADER_LEN + header.stream_lengths().iter().map(|s| s.1).sum::<usize>();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&header.to_bytes());

    for (index, p) in splats.positions.iter().enumerate() {
        for (axis, &value) in p.iter().enumerate() {
            let bytes =
                encode_position(value, fractional_bits).ok_or(SplatError::PositionOutOfRange {
                    index,
                    axis: axis_name(axis),
                    value,
                    fractional_bits,
                    limit: position_limit(fractional_bits),
                })?;
            out.extend_from_slice(&bytes);
        }
    }
    out.extend(splats.alphas.iter().map(|&a| encode_alpha(a)));
    out.extend(splats.colors.iter().flatten().map(|&c| encode_color(c)));
    out.extend(splats.scales.iter().flatten().map(|&s| encode_scale(s)));
    for &q in &splats.rotations {
        out.extend_from_slice(&encode_rotation(q));
    }
    let per_channel = sh_coefficients(splats.sh_degree);
    if per_channel > 0 {
        for chunk in splats.sh.chunks_exact(3 * per_channel) {
            for (k, &value) in chunk.iter().enumerate() {
                // Degree-1 coefficients (the first three per channel) keep more bits.
                let bits = if k / 3 < 3 { SH1_BITS } else { SH_REST_BITS };
                out.push(encode_sh(value, bits));
            }
        }
    }
    debug_assert_eq!(out.len(), total);
    Ok(out)
}

fn axis_name(axis: usize) -> char {
    ['x', 'y', 'z'].get(axis).copied().unwrap_or('?')
}
