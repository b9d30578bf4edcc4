//! Encoded still images (PNG or JPEG) produced from video frames.

use image::{ExtendedColorType, ImageEncoder, RgbImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::VideoError;

/// Still-image format for frames, thumbnails and contact sheets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImageFormat {
    /// Lossless PNG.
    #[default]
    Png,
    /// JPEG at quality 90: much smaller for photographic content.
    Jpeg,
}

impl ImageFormat {
    /// The IANA media type, e.g. `image/png`.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }

    /// The usual file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Png => "png",
            Self::Jpeg => "jpg",
        }
    }
}

/// An encoded still image and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedImage {
    /// The PNG or JPEG bytes.
    pub bytes: Vec<u8>,
    /// The encoding of `bytes`.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// JPEG quality used for every JPEG this crate writes.
const JPEG_QUALITY: u8 = 90;

/// Encodes `image` as `format`.
pub fn encode_image(image: &RgbImage, format: ImageFormat) -> Result<EncodedImage, VideoError> {
    let mut bytes = Vec::new();
    let (width, height) = image.dimensions();
    match format {
        ImageFormat::Png => image::codecs::png::PngEncoder::new(&mut bytes).write_image(
            image.as_raw(),
            width,
            height,
            ExtendedColorType::Rgb8,
        )?,
        ImageFormat::Jpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY)
                .write_image(image.as_raw(), width, height, ExtendedColorType::Rgb8)?;
        }
    }
    Ok(EncodedImage {
        bytes,
        format,
        width,
        height,
    })
}
