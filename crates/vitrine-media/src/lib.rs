//! Pure image operations for Vitrine: bytes or pixels in, bytes or pixels out.
//!
//! This crate sits under `vitrine-tools` and depends on no other Vitrine crate: no HTTP, no
//! store, no models. Images travel as [`image::DynamicImage`] (8-bit RGB or RGBA after
//! [`decode`]), masks as [`image::GrayImage`] (0 outside, 255 inside).
//!
//! # Layout
//! - [`format`](ImageFormat): formats and sniffing them from magic bytes.
//! - `decode`: [`decode`] with [`DecodeLimits`] checked before allocating, [`probe`] for
//!   header-only metadata, EXIF orientation applied.
//! - `encode`: [`encode_jpeg`], [`encode_png`], [`encode_auto`] (PNG only when alpha matters);
//!   no metadata is ever written.
//! - `geometry`: [`crop`], [`resize`] / [`fit`] / [`fill`] / [`thumbnail`], [`to_aspect`].
//! - `rotate`: [`rotate`] (exact quarter turns, any angle with expand), [`flip`].
//! - `tone`: [`grayscale`], [`adjust`] (brightness, contrast, saturation, sharpening).
//! - `colors`: [`dominant_colors`], named ("dark blue").
//! - `budget`: [`encode_within`] a byte budget (lower JPEG quality, then a smaller size).
//! - `metadata` and `strip` (over `container`'s JPEG segment / PNG chunk walk):
//!   [`read_metadata`] (colour type, EXIF, GPS, XMP, comments) and [`strip_metadata`]
//!   (drops them, pixels untouched).
//! - `privacy`: [`redact`] / [`redact_mask`]: blur, pixelate or fill regions, scaled to their size.
//! - `annotate`: [`annotate`] boxes, labels, scores, points, polygons, text; [`annotate_masks`].
//! - `compare`: [`compare`] two images: difference, SSIM, heatmap, changed regions.
//! - `compose`: [`overlay`], [`side_by_side`], [`grid`], [`tile`] / [`untile`].
//! - `mask`: masks from boxes and polygons; union, intersection, invert, feather, threshold.
//! - `npy`: [`read_npy`] / [`write_npy`] for masks and depth maps.
//! - `params` and `shapes`: the serde + JSON Schema parameter types the tools layer exposes.
//! - `error`: [`MediaError`], whose messages name the offending parameter and value.
//!
//! The heavy steps use the fastest crates measured on this project's hardware (libjpeg-turbo,
//! libblur, fast_image_resize); `bench/media/run.sh` compares the pipeline with Pillow and
//! OpenCV.

mod annotate;
mod budget;
mod colors;
mod compare;
mod compose;
mod container;
mod decode;
mod draw;
mod encode;
mod error;
mod format;
mod geometry;
pub mod mask;
mod metadata;
mod npy;
mod params;
mod privacy;
mod rotate;
mod shapes;
mod strip;
mod tone;

pub use annotate::{MaskOverlay, PALETTE, annotate, annotate_masks, color_for, resolved_style};
pub use budget::{BudgetEncoded, MIN_BUDGET_QUALITY, encode_within};
pub use colors::{ColorShare, color_name, dominant_colors};
pub use compare::{ChangedRegion, CompareParams, Comparison, MAX_REGIONS, compare};
pub use compose::{MAX_GRID_IMAGES, grid, overlay, side_by_side, tile, untile};
pub use decode::{
    DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS, DecodeLimits, DecodedImage, ImageInfo, decode,
    decode_reduced, probe,
};
pub use draw::text_size;
pub use encode::{
    DEFAULT_JPEG_QUALITY, EncodedImage, OutputFormat, alpha_is_used, encode, encode_auto,
    encode_jpeg, encode_png,
};
pub use error::{MediaError, Result};
pub use format::ImageFormat;
pub use geometry::{
    MAX_OUTPUT_PIXELS, crop, crop_rect, fill, fit, parse_ratio, resize, resize_exact, resize_from,
    resize_min_scale, thumbnail, thumbnail_from, thumbnail_min_scale, to_aspect,
};
pub use metadata::{ExifSummary, GpsPosition, ImageMetadata, read_metadata};
pub use npy::{NpyArray, NpyData, read_npy, write_npy};
pub use params::{
    AdjustParams, AnnotateParams, AnnotateStyle, AspectMode, AspectParams, BoxAnnotation,
    CropParams, Flip, GridParams, OverlayParams, PointAnnotation, PolygonAnnotation, RedactMethod,
    RedactParams, ResizeFilter, ResizeMode, ResizeParams, RotateParams, TextAnnotation, TileParams,
};
pub use privacy::{blur_sigma_for, gaussian_blur_rect, pixel_block_for, redact, redact_mask};
pub use rotate::{flip, rotate};
pub use shapes::{Color, MAX_POLYGON_POINTS, NormBox, PixelBox, PixelRect, Point, Polygon, Region};
pub use strip::{Stripped, strip_metadata};
pub use tone::{adjust, false_color, grayscale};

/// Re-export of the `image` crate, so callers use the same pixel types without a version clash.
pub use image;
