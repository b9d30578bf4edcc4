//! The 16-byte SPZ header (all little-endian) and the stream sizes it implies.
//!
//! | offset | size | field |
//! |---|---|---|
//! | 0 | u32 | magic `0x5053474E` ("NGSP") |
//! | 4 | u32 | version (1, 2 or 3) |
//! | 8 | u32 | number of points |
//! | 12 | u8 | SH degree (0..=3) |
//! | 13 | u8 | fractional bits of the 24-bit fixed-point positions |
//! | 14 | u8 | flags: 0x1 antialiased, 0x2 extension records follow the streams |
//! | 15 | u8 | reserved, 0 |

use crate::error::SplatError;
use crate::types::sh_coefficients;

/// The SPZ magic number; little-endian on disk, so the file's first bytes read "NGSP".
pub const SPZ_MAGIC: u32 = 0x5053_474E;
/// Header flag: the splats were trained with antialiasing.
pub const FLAG_ANTIALIASED: u8 = 0x1;
/// Header flag: extension records follow the attribute streams.
pub const FLAG_EXTENSIONS: u8 = 0x2;
/// Length of the header in bytes.
pub(crate) const HEADER_LEN: usize = 16;
/// The largest point count readers accept (the reference uses `i32::MAX`).
pub(crate) const MAX_POINTS: usize = i32::MAX as usize;

/// A decoded SPZ header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpzHeader {
    /// Format version, 1..=3.
    pub version: u32,
    /// Number of gaussians.
    pub num_points: u32,
    /// Spherical-harmonic degree, 0..=3.
    pub sh_degree: u8,
    /// Fractional bits of the fixed-point positions (ignored by version 1, which uses float16).
    pub fractional_bits: u8,
    /// Flag bits ([`FLAG_ANTIALIASED`], [`FLAG_EXTENSIONS`]).
    pub flags: u8,
}

impl SpzHeader {
    /// The 16 header bytes.
    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut bytes = [0u8; HEADER_LEN];
        bytes[0..4].copy_from_slice(&SPZ_MAGIC.to_le_bytes());
        bytes[4..8].copy_from_slice(&self.version.to_le_bytes());
        bytes[8..12].copy_from_slice(&self.num_points.to_le_bytes());
        bytes[12] = self.sh_degree;
        bytes[13] = self.fractional_bits;
        bytes[14] = self.flags;
        bytes
    }

    /// Parses and checks 16 header bytes: magic, version 1..=3, a non-zero point count within
    /// the format's limit, SH degree 0..=3 and at most 23 fractional bits.
    pub fn parse(bytes: &[u8; HEADER_LEN]) -> Result<Self, SplatError> {
        let word = |at: usize| {
            u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let magic = word(0);
        if magic != SPZ_MAGIC {
            return Err(SplatError::BadMagic { found: magic });
        }
        let header = Self {
            version: word(4),
            num_points: word(8),
            sh_degree: bytes[12],
            fractional_bits: bytes[13],
            flags: bytes[14],
        };
        if !(1..=3).contains(&header.version) {
            return Err(SplatError::UnsupportedVersion {
                version: header.version,
            });
        }
        if header.num_points == 0 || header.num_points as usize > MAX_POINTS {
            return Err(SplatError::InvalidPointCount {
                num_points: header.num_points,
            });
        }
        if header.sh_degree > 3 {
            return Err(SplatError::UnsupportedShDegree {
                degree: header.sh_degree,
            });
        }
        if header.version >= 2 && header.fractional_bits > 23 {
            return Err(SplatError::InvalidHeaderFractionalBits {
                value: header.fractional_bits,
            });
        }
        Ok(header)
    }

    /// True when flag 0x1 (antialiased) is set.
    pub fn antialiased(&self) -> bool {
        self.flags & FLAG_ANTIALIASED != 0
    }

    /// The attribute streams in file order with their byte lengths.
    pub(crate) fn stream_lengths(&self) -> [(&'static str, usize); 6] {
        let n = self.num_points as usize;
        let position_bytes = if self.version == 1 { 6 } else { 9 };
        let rotation_bytes = if self.version >= 3 { 4 } else { 3 };
        [
            ("positions", n * position_bytes),
            ("alphas", n),
            ("colors", n * 3),
            ("scales", n * 3),
            ("rotations", n * rotation_bytes),
            ("sh", n * 3 * sh_coefficients(self.sh_degree)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> SpzHeader {
        SpzHeader {
            version: 3,
            num_points: 2,
            sh_degree: 1,
            fractional_bits: 12,
            flags: FLAG_ANTIALIASED,
        }
    }

    #[test]
    fn bytes_round_trip_and_start_with_ngsp() {
        let bytes = header().to_bytes();
        assert_eq!(&bytes[0..4], b"NGSP");
        assert_eq!(
            bytes,
            [b'N', b'G', b'S', b'P', 3, 0, 0, 0, 2, 0, 0, 0, 1, 12, 1, 0]
        );
        assert_eq!(SpzHeader::parse(&bytes).ok(), Some(header()));
    }

    #[test]
    fn parse_rejects_each_bad_field() {
        let mut bytes = header().to_bytes();
        bytes[0] = b'X';
        assert!(matches!(
            SpzHeader::parse(&bytes),
            Err(SplatError::BadMagic { .. })
        ));
        let mut bytes = header().to_bytes();
        bytes[4] = 4;
        assert!(matches!(
            SpzHeader::parse(&bytes),
            Err(SplatError::UnsupportedVersion { version: 4 })
        ));
        let mut bytes = header().to_bytes();
        bytes[8] = 0;
        assert!(matches!(
            SpzHeader::parse(&bytes),
            Err(SplatError::InvalidPointCount { num_points: 0 })
        ));
        let mut bytes = header().to_bytes();
        bytes[12] = 4;
        assert!(matches!(
            SpzHeader::parse(&bytes),
            Err(SplatError::UnsupportedShDegree { degree: 4 })
        ));
        let mut bytes = header().to_bytes();
        bytes[13] = 24;
        assert!(matches!(
            SpzHeader::parse(&bytes),
            Err(SplatError::InvalidHeaderFractionalBits { value: 24 })
        ));
    }

    #[test]
    fn stream_lengths_follow_version_and_degree() {
        let lengths: Vec<usize> = header().stream_lengths().iter().map(|s| s.1).collect();
        assert_eq!(lengths, vec![18, 2, 6, 6, 8, 18]);
        let v2 = SpzHeader {
            version: 2,
            sh_degree: 3,
            ..header()
        };
        let lengths: Vec<usize> = v2.stream_lengths().iter().map(|s| s.1).collect();
        assert_eq!(lengths, vec![18, 2, 6, 6, 6, 90]);
    }
}
