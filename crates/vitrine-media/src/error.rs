//! The one error type of `vitrine-media`.
//!
//! Every operation returns [`MediaError`]. Messages are lowercase, name the offending parameter
//! in backticks and quote its value, so the tools layer can hand them to a planner (or a user)
//! unchanged: "`box` [10, 10, 5000, 20] lies outside the 640×480 image".

use crate::format::ImageFormat;

/// Result alias used across the crate.
pub type Result<T, E = MediaError> = std::result::Result<T, E>;

/// Everything that can go wrong in a media operation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// The input is larger than `max_bytes` allows.
    #[error("the input is `{len}` bytes, more than `max_bytes` = `{max}`")]
    TooManyBytes {
        /// Size of the input in bytes.
        len: usize,
        /// The configured limit.
        max: usize,
    },
    /// The image header announces more pixels than `max_pixels` allows.
    #[error("the image is {width}×{height} = `{pixels}` pixels, more than `max_pixels` = `{max}`")]
    TooManyPixels {
        /// Width from the header.
        width: u32,
        /// Height from the header.
        height: u32,
        /// `width × height`.
        pixels: u64,
        /// The configured limit.
        max: u64,
    },
    /// The magic bytes match no supported format.
    #[error("the input is not a JPEG, PNG, WebP, GIF, BMP or TIFF image (it starts with `{head}`)")]
    UnsupportedFormat {
        /// The first bytes of the input, in hex.
        head: String,
    },
    /// The bytes look like `format` but could not be decoded.
    #[error("could not decode the {format} image: {source}")]
    Decode {
        /// Format sniffed from the magic bytes.
        format: ImageFormat,
        /// What the decoder reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// An encoder failed.
    #[error("could not encode a {format} image: {source}")]
    Encode {
        /// The requested output format.
        format: ImageFormat,
        /// What the encoder reported.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A parameter has a value the operation cannot accept.
    #[error("`{param}` {value} is invalid: {reason}")]
    InvalidParam {
        /// Name of the parameter, as it appears in the parameter structs.
        param: &'static str,
        /// The value that was given, formatted for humans.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// A region lies completely outside the image.
    #[error("`{param}` {value} lies outside the {width}×{height} image")]
    OutsideImage {
        /// Name of the parameter.
        param: &'static str,
        /// The region that was given.
        value: String,
        /// Image width.
        width: u32,
        /// Image height.
        height: u32,
    },
    /// A region has no area (after clamping to the image).
    #[error("`{param}` {value} is empty: it covers no pixel")]
    EmptyRegion {
        /// Name of the parameter.
        param: &'static str,
        /// The region that was given.
        value: String,
    },
    /// Two inputs that must have the same size do not.
    #[error(
        "`{param}` is {actual_width}×{actual_height} but must match the {width}×{height} image"
    )]
    SizeMismatch {
        /// Name of the parameter whose size is wrong.
        param: &'static str,
        /// Its width.
        actual_width: u32,
        /// Its height.
        actual_height: u32,
        /// The width it must have.
        width: u32,
        /// The height it must have.
        height: u32,
    },
    /// A library call failed in a way valid input should not cause.
    #[error("internal error in `{operation}`: {reason}")]
    Internal {
        /// The operation that failed.
        operation: &'static str,
        /// What the library reported.
        reason: String,
    },
    /// A `.npy` buffer could not be read, or an array could not be written as one.
    #[error("invalid .npy data: {reason}")]
    Npy {
        /// What was wrong.
        reason: String,
    },
}

impl MediaError {
    /// Builds [`MediaError::InvalidParam`].
    pub fn invalid(
        param: &'static str,
        value: impl std::fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Self::InvalidParam {
            param,
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    /// True when the caller's input (bytes or parameters) caused the error; false for internal
    /// failures such as an encoder error.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Self::Encode { .. } | Self::Internal { .. })
    }

    /// A stable, kebab-case code for logs and API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooManyBytes { .. } => "too-many-bytes",
            Self::TooManyPixels { .. } => "too-many-pixels",
            Self::UnsupportedFormat { .. } => "unsupported-format",
            Self::Decode { .. } => "decode-failed",
            Self::Encode { .. } => "encode-failed",
            Self::InvalidParam { .. } => "invalid-parameter",
            Self::OutsideImage { .. } => "outside-image",
            Self::EmptyRegion { .. } => "empty-region",
            Self::SizeMismatch { .. } => "size-mismatch",
            Self::Internal { .. } => "internal",
            Self::Npy { .. } => "invalid-npy",
        }
    }
}
