//! The crate's one error type.
//!
//! Every message names the offending field, parameter or file offset so a caller (and, through
//! the server, a user) can tell what to fix without reading this crate.

/// Everything that can go wrong when building, encoding, decoding or reconstructing splats.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SplatError {
    /// A per-gaussian array has a different length from `positions`.
    #[error("`{field}` holds {actual} entries but there are {expected} gaussians")]
    LengthMismatch {
        /// Which array is wrong (`scales`, `rotations`, `alphas`, `colors`, `sh`).
        field: &'static str,
        /// The length implied by the number of positions (and the SH degree for `sh`).
        expected: usize,
        /// The length found.
        actual: usize,
    },
    /// The spherical-harmonic degree is outside 0..=3.
    #[error("spherical-harmonic degree `{degree}` is not supported (SPZ v1-v3 allow 0 to 3)")]
    UnsupportedShDegree {
        /// The degree found.
        degree: u8,
    },
    /// A value is NaN or infinite.
    #[error("`{field}` of gaussian {index} is not finite")]
    NonFinite {
        /// Which attribute.
        field: &'static str,
        /// Which gaussian.
        index: usize,
    },
    /// An alpha is outside 0..=1.
    #[error("`alphas` of gaussian {index} is `{value}`, outside 0..=1")]
    AlphaOutOfRange {
        /// Which gaussian.
        index: usize,
        /// The value found.
        value: f32,
    },
    /// A rotation quaternion has (nearly) zero length, so it names no rotation.
    #[error("`rotations` of gaussian {index} has zero length and names no rotation")]
    ZeroQuaternion {
        /// Which gaussian.
        index: usize,
    },
    /// There is nothing to encode.
    #[error("the splat set is empty; SPZ readers reject files with zero points")]
    Empty,
    /// More gaussians than the format can count.
    #[error("{count} gaussians exceed the SPZ limit of {max}")]
    TooManyPoints {
        /// The number of gaussians.
        count: usize,
        /// The format's limit.
        max: usize,
    },
    /// A position does not fit the 24-bit fixed-point range, even with the fewest fractional
    /// bits allowed; the writer refuses rather than wrap.
    #[error(
        "position {axis} of gaussian {index} is `{value}`, outside the 24-bit fixed-point range \
         ±{limit} at `{fractional_bits}` fractional bits"
    )]
    PositionOutOfRange {
        /// Which gaussian.
        index: usize,
        /// `x`, `y` or `z`.
        axis: char,
        /// The coordinate.
        value: f32,
        /// The fractional bits in use.
        fractional_bits: u8,
        /// The largest magnitude representable at those fractional bits.
        limit: f32,
    },
    /// The requested number of fractional bits is not 0..=23.
    #[error("`fractional_bits` is `{value}`; a 24-bit signed fixed-point position allows 0 to 23")]
    InvalidFractionalBits {
        /// The value requested.
        value: u8,
    },
    /// The input is not a gzip stream.
    #[error("not an SPZ v1-v3 file: expected a gzip stream (bytes 1F 8B), found {found:02X?}")]
    NotGzip {
        /// The first bytes found.
        found: Vec<u8>,
    },
    /// The gzip stream is truncated or corrupt.
    #[error("the gzip stream is truncated or corrupt while reading {while_reading}")]
    Gzip {
        /// What was being read (`header`, `positions`, ...).
        while_reading: &'static str,
        /// The decoder's error.
        #[source]
        source: std::io::Error,
    },
    /// The decompressed data ends inside the 16-byte header.
    #[error("the decompressed data ends after {actual} bytes, inside the 16-byte SPZ header")]
    TruncatedHeader {
        /// Bytes that were present.
        actual: usize,
    },
    /// The header does not start with the SPZ magic.
    #[error("bad SPZ magic `{found:#010X}`, expected `0x5053474E` (\"NGSP\")")]
    BadMagic {
        /// The magic found.
        found: u32,
    },
    /// The header names a version this reader does not know.
    #[error("unsupported SPZ version `{version}`; this reader handles 1, 2 and 3")]
    UnsupportedVersion {
        /// The version found.
        version: u32,
    },
    /// The header declares zero points or more than the format allows.
    #[error("the header declares `{num_points}` points, which is not a valid count")]
    InvalidPointCount {
        /// The count declared.
        num_points: u32,
    },
    /// The header's fractional bits cannot decode a 24-bit position.
    #[error("the header declares `{value}` fractional bits; at most 23 are meaningful")]
    InvalidHeaderFractionalBits {
        /// The value found.
        value: u8,
    },
    /// The payload ends before all attribute streams the header implies.
    #[error(
        "the payload ends inside `{stream}`: the header declares {num_points} points, needing \
         {expected} bytes for that stream, but only {actual} remain"
    )]
    TruncatedPayload {
        /// The stream being read.
        stream: &'static str,
        /// The declared point count.
        num_points: u32,
        /// Bytes the stream needs.
        expected: usize,
        /// Bytes that were left.
        actual: usize,
    },
    /// The payload holds more bytes than the header's point count implies.
    #[error(
        "the payload has {extra} bytes after the last attribute stream: the header's point \
         count `{num_points}` does not match the data"
    )]
    TrailingBytes {
        /// The declared point count.
        num_points: u32,
        /// How many bytes are left over (at least).
        extra: usize,
    },
    /// Writing to the output failed.
    #[error("writing `{what}` failed")]
    Io {
        /// What was being written.
        what: &'static str,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input image, depth map or mask has the wrong size.
    #[error("`{what}` is {actual_width}x{actual_height} but the image is {width}x{height}")]
    DimensionMismatch {
        /// Which input (`depth`, `mask`).
        what: &'static str,
        /// The image width.
        width: u32,
        /// The image height.
        height: u32,
        /// The input's width.
        actual_width: u32,
        /// The input's height.
        actual_height: u32,
    },
    /// A parameter is outside its valid range.
    #[error("parameter `{name}` is invalid: {reason}")]
    InvalidParameter {
        /// The parameter's name.
        name: &'static str,
        /// Why it is invalid, with the value.
        reason: String,
    },
    /// Reconstruction kept no pixel at all.
    #[error("no pixel survived reconstruction: {reason}")]
    NothingReconstructed {
        /// Why (empty mask, no valid depth, every sample on a depth edge).
        reason: &'static str,
    },
}

impl SplatError {
    /// True when the error comes from bad input (a malformed file, bad parameters or
    /// inconsistent splats) rather than from the environment (an I/O failure).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Io { .. })
    }
}
