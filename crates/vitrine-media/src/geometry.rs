//! Geometry: crop, resize (fit / fill / exact / thumbnail) and aspect ratio. Rotation and flips
//! live in `rotate`, tone changes in `tone`.
//!
//! Resizing goes through `fast_image_resize` (SIMD convolution, ~6× Pillow's Lanczos on this
//! machine); alpha is premultiplied while filtering so transparent pixels don't bleed dark
//! fringes. Every size a caller asks for is checked against [`MAX_OUTPUT_PIXELS`] before any
//! buffer is allocated.

use fast_image_resize::{self as fir, PixelType, ResizeAlg, ResizeOptions};
use image::{DynamicImage, GenericImageView, ImageBuffer, RgbaImage};

use crate::error::{MediaError, Result};
use crate::params::{AspectMode, AspectParams, CropParams, ResizeFilter, ResizeMode, ResizeParams};
use crate::shapes::{Color, PixelRect, Region};

/// The largest image any operation here will create: 100 megapixels.
pub const MAX_OUTPUT_PIXELS: u64 = 100_000_000;

/// Crops to `params.region` grown by the padding and clamped to the image. Returns the cropped
/// image and the rectangle of the source it came from.
pub fn crop(image: &DynamicImage, params: &CropParams) -> Result<(DynamicImage, PixelRect)> {
    if !params.padding.is_finite()
        || !params.padding_ratio.is_finite()
        || params.padding_ratio < -0.49
    {
        let value = format!(
            "padding {} / padding_ratio {}",
            params.padding, params.padding_ratio
        );
        return Err(MediaError::invalid(
            "padding",
            value,
            "padding must be finite and padding_ratio above -0.49",
        ));
    }
    let (width, height) = image.dimensions();
    let rect = region_rect(
        &params.region,
        "region",
        width,
        height,
        params.padding,
        params.padding_ratio,
    )?;
    Ok((crop_rect(image, rect), rect))
}

/// Resolves a region (box, normalized box or polygon bounds), padded, to pixels in the image.
pub(crate) fn region_rect(
    region: &Region,
    param: &'static str,
    width: u32,
    height: u32,
    padding: f64,
    padding_ratio: f64,
) -> Result<PixelRect> {
    let bounds = match region {
        Region::Box(pixel_box) => *pixel_box,
        Region::NormBox(norm_box) => {
            // Validate in the caller's units first, so the message quotes what they sent.
            norm_box.resolve(param, width, height)?;
            norm_box.to_pixels(width, height)
        }
        Region::Polygon(polygon) => {
            polygon.validate(param)?;
            polygon
                .bounds()
                .ok_or_else(|| MediaError::invalid(param, polygon, "a polygon needs points"))?
        }
    };
    if padding == 0.0 && padding_ratio == 0.0 {
        return bounds.resolve(param, width, height);
    }
    // Check the unpadded box first: padding must not rescue a box that is empty or outside.
    bounds.resolve(param, width, height)?;
    bounds
        .padded_by_ratio(padding_ratio)
        .padded(padding)
        .resolve(param, width, height)
}

/// Copies a checked rectangle out of the image.
pub fn crop_rect(image: &DynamicImage, rect: PixelRect) -> DynamicImage {
    image.crop_imm(rect.x, rect.y, rect.width, rect.height)
}

/// Resizes according to `params` (see [`ResizeParams`]).
pub fn resize(image: &DynamicImage, params: &ResizeParams) -> Result<DynamicImage> {
    resize_from(image, image.dimensions(), params)
}

/// Resizes `image`, which shows a picture of `source` size possibly decoded at a reduced scale
/// (see [`crate::decode_reduced`]), exactly as [`resize`] would resize the full-size picture:
/// output sizes and crops are computed on `source`, then mapped onto the pixels at hand.
pub fn resize_from(
    image: &DynamicImage,
    source: (u32, u32),
    params: &ResizeParams,
) -> Result<DynamicImage> {
    let plan = plan_resize(source, params)?;
    check_source(source.0, source.1)?;
    let (width, height) = image.dimensions();
    let crop = if (width, height) == source {
        plan.crop
    } else {
        let (to_x, to_y) = (
            f64::from(width) / f64::from(source.0),
            f64::from(height) / f64::from(source.1),
        );
        let (left, top, crop_width, crop_height) =
            plan.crop
                .unwrap_or((0.0, 0.0, f64::from(source.0), f64::from(source.1)));
        Some((
            left * to_x,
            top * to_y,
            crop_width * to_x,
            crop_height * to_y,
        ))
    };
    resize_with(image, plan.width, plan.height, params.filter, crop)
}

/// The smallest scale of a `source`-sized picture that still holds every pixel [`resize`]
/// samples for `params`: what shrink-on-load may decode at (1.0 when it must not shrink).
pub fn resize_min_scale(source: (u32, u32), params: &ResizeParams) -> f64 {
    // Nearest-neighbour keeps hard pixel edges, which a reduced decode would already have
    // averaged away.
    if params.filter == ResizeFilter::Nearest || source.0 == 0 || source.1 == 0 {
        return 1.0;
    }
    let Ok(plan) = plan_resize(source, params) else {
        return 1.0;
    };
    let (_, _, region_width, region_height) =
        plan.crop
            .unwrap_or((0.0, 0.0, f64::from(source.0), f64::from(source.1)));
    (f64::from(plan.width) / region_width)
        .max(f64::from(plan.height) / region_height)
        .min(1.0)
}

/// What a resize makes from a picture of a given size: the output size and the part of the
/// picture it samples (`left, top, width, height`; `None` for all of it).
struct ResizePlan {
    width: u32,
    height: u32,
    crop: Option<(f64, f64, f64, f64)>,
}

fn plan_resize(source: (u32, u32), params: &ResizeParams) -> Result<ResizePlan> {
    let (width, height) = source;
    let whole = |target_width: u32, target_height: u32| {
        check_size("width", target_width, "height", target_height)?;
        Ok(ResizePlan {
            width: target_width,
            height: target_height,
            crop: None,
        })
    };
    match (params.width, params.height) {
        (None, None) => match params.scale {
            Some(scale) if scale.is_finite() && (0.01..=8.0).contains(&scale) => {
                let by = |side: u32| ((f64::from(side) * f64::from(scale)).round() as u32).max(1);
                whole(by(width), by(height))
            }
            Some(scale) => Err(MediaError::invalid(
                "scale",
                scale.to_string(),
                "a factor between 0.01 and 8",
            )),
            None => Err(MediaError::invalid(
                "width",
                "null",
                "give `width`, `height`, both, or `scale`",
            )),
        },
        (Some(target_width), None) => whole(target_width, scaled(height, target_width, width)),
        (None, Some(target_height)) => whole(scaled(width, target_height, height), target_height),
        (Some(target_width), Some(target_height)) => match params.mode {
            ResizeMode::Exact => whole(target_width, target_height),
            ResizeMode::Fit => {
                let (fit_width, fit_height) = fit_size(source, target_width, target_height)?;
                whole(fit_width, fit_height)
            }
            ResizeMode::Fill => {
                check_size("width", target_width, "height", target_height)?;
                Ok(ResizePlan {
                    width: target_width,
                    height: target_height,
                    crop: Some(fill_crop(source, target_width, target_height)),
                })
            }
        },
    }
}

/// The size [`fit`] gives a `source`-sized picture.
fn fit_size(source: (u32, u32), max_width: u32, max_height: u32) -> Result<(u32, u32)> {
    check_size("width", max_width, "height", max_height)?;
    let (width, height) = source;
    let scale =
        (f64::from(max_width) / f64::from(width)).min(f64::from(max_height) / f64::from(height));
    let target_width = ((f64::from(width) * scale).round() as u32).clamp(1, max_width);
    let target_height = ((f64::from(height) * scale).round() as u32).clamp(1, max_height);
    Ok((target_width, target_height))
}

/// The centred part of a `source`-sized picture that [`fill`] scales to `width × height`.
fn fill_crop(source: (u32, u32), width: u32, height: u32) -> (f64, f64, f64, f64) {
    let (source_width, source_height) = source;
    let scale = (f64::from(width) / f64::from(source_width))
        .max(f64::from(height) / f64::from(source_height));
    let crop_width = f64::from(width) / scale;
    let crop_height = f64::from(height) / scale;
    let left = (f64::from(source_width) - crop_width) / 2.0;
    let top = (f64::from(source_height) - crop_height) / 2.0;
    (left, top, crop_width, crop_height)
}

/// Scales to fit inside `max_width × max_height`, keeping the aspect ratio (may upscale).
pub fn fit(
    image: &DynamicImage,
    max_width: u32,
    max_height: u32,
    filter: ResizeFilter,
) -> Result<DynamicImage> {
    let (target_width, target_height) = fit_size(image.dimensions(), max_width, max_height)?;
    resize_exact(image, target_width, target_height, filter)
}

/// Scales to cover `width × height` keeping the aspect ratio, and crops the centre.
pub fn fill(
    image: &DynamicImage,
    width: u32,
    height: u32,
    filter: ResizeFilter,
) -> Result<DynamicImage> {
    check_size("width", width, "height", height)?;
    let crop = fill_crop(image.dimensions(), width, height);
    resize_with(image, width, height, filter, Some(crop))
}

/// Shrinks so the longer side is at most `max_side` pixels; never enlarges.
pub fn thumbnail(image: &DynamicImage, max_side: u32) -> Result<DynamicImage> {
    check_size("max_side", max_side, "max_side", max_side)?;
    let (width, height) = image.dimensions();
    if width.max(height) <= max_side {
        return Ok(image.clone());
    }
    fit(image, max_side, max_side, ResizeFilter::Lanczos3)
}

/// [`thumbnail`] of a picture of `source` size that `image` may show at a reduced scale.
pub fn thumbnail_from(
    image: &DynamicImage,
    source: (u32, u32),
    max_side: u32,
) -> Result<DynamicImage> {
    check_size("max_side", max_side, "max_side", max_side)?;
    check_source(source.0, source.1)?;
    if source.0.max(source.1) <= max_side {
        return Ok(image.clone());
    }
    let (width, height) = fit_size(source, max_side, max_side)?;
    resize_exact(image, width, height, ResizeFilter::Lanczos3)
}

/// The scale shrink-on-load may decode a `source`-sized picture at for [`thumbnail`].
pub fn thumbnail_min_scale(source: (u32, u32), max_side: u32) -> f64 {
    let longest = source.0.max(source.1);
    if longest == 0 {
        return 1.0;
    }
    (f64::from(max_side) / f64::from(longest)).min(1.0)
}

/// Resizes to exactly `width × height` (stretching if the ratio differs).
pub fn resize_exact(
    image: &DynamicImage,
    width: u32,
    height: u32,
    filter: ResizeFilter,
) -> Result<DynamicImage> {
    check_size("width", width, "height", height)?;
    resize_with(image, width, height, filter, None)
}

fn resize_with(
    image: &DynamicImage,
    width: u32,
    height: u32,
    filter: ResizeFilter,
    crop: Option<(f64, f64, f64, f64)>,
) -> Result<DynamicImage> {
    let algorithm = match filter {
        ResizeFilter::Nearest => ResizeAlg::Nearest,
        ResizeFilter::Bilinear => ResizeAlg::Convolution(fir::FilterType::Bilinear),
        ResizeFilter::CatmullRom => ResizeAlg::Convolution(fir::FilterType::CatmullRom),
        ResizeFilter::Lanczos3 => ResizeAlg::Convolution(fir::FilterType::Lanczos3),
    };
    let mut options = ResizeOptions::new().resize_alg(algorithm);
    if let Some((left, top, crop_width, crop_height)) = crop {
        options = options.crop(left, top, crop_width, crop_height);
    }
    check_source(image.width(), image.height())?;
    let (pixel_type, raw) = match image {
        DynamicImage::ImageLuma8(gray) => (PixelType::U8, gray.as_raw()),
        DynamicImage::ImageLumaA8(gray) => (PixelType::U8x2, gray.as_raw()),
        DynamicImage::ImageRgb8(rgb) => (PixelType::U8x3, rgb.as_raw()),
        DynamicImage::ImageRgba8(rgba) => (PixelType::U8x4, rgba.as_raw()),
        other => return resize_with(&to_8bit(other), width, height, filter, crop),
    };
    let internal = |error: &dyn std::fmt::Display| MediaError::Internal {
        operation: "resize",
        reason: error.to_string(),
    };
    let source = fir::images::ImageRef::new(image.width(), image.height(), raw, pixel_type)
        .map_err(|error| internal(&error))?;
    let mut target = fir::images::Image::new(width, height, pixel_type);
    fir::Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(|error| internal(&error))?;
    let pixels = target.into_vec();
    let built = match pixel_type {
        PixelType::U8 => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8),
        PixelType::U8x2 => {
            ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageLumaA8)
        }
        PixelType::U8x3 => {
            ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageRgb8)
        }
        _ => ImageBuffer::from_raw(width, height, pixels).map(DynamicImage::ImageRgba8),
    };
    built.ok_or_else(|| internal(&"the resized buffer has the wrong length"))
}

/// 16-bit and float images become 8-bit RGB(A), the only depths the pipeline works in.
pub(crate) fn to_8bit(image: &DynamicImage) -> DynamicImage {
    if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    }
}

/// Refuses images without pixels, which no resampling or ratio maths can handle.
fn check_source(width: u32, height: u32) -> Result<()> {
    if width == 0 || height == 0 {
        return Err(MediaError::invalid(
            "image",
            format!("{width}×{height}"),
            "has no pixels",
        ));
    }
    Ok(())
}

fn scaled(side: u32, numerator: u32, denominator: u32) -> u32 {
    ((u64::from(side) * u64::from(numerator) + u64::from(denominator) / 2)
        / u64::from(denominator).max(1))
    .clamp(1, u64::from(u32::MAX)) as u32
}

fn check_size(
    width_param: &'static str,
    width: u32,
    height_param: &'static str,
    height: u32,
) -> Result<()> {
    if width == 0 {
        return Err(MediaError::invalid(
            width_param,
            width,
            "must be at least 1 pixel",
        ));
    }
    if height == 0 {
        return Err(MediaError::invalid(
            height_param,
            height,
            "must be at least 1 pixel",
        ));
    }
    if u64::from(width) * u64::from(height) > MAX_OUTPUT_PIXELS {
        return Err(MediaError::invalid(
            width_param,
            format!("{width}×{height}"),
            format!("the output would exceed {MAX_OUTPUT_PIXELS} pixels"),
        ));
    }
    Ok(())
}

/// Parses "9:16", "16:9" or "1.91" into width / height.
pub fn parse_ratio(ratio: &str) -> Result<f64> {
    let invalid = || {
        MediaError::invalid(
            "ratio",
            format!("\"{ratio}\""),
            "write it as \"W:H\" like \"9:16\" or a number like \"1.91\"",
        )
    };
    let value = match ratio.trim().split_once(':') {
        Some((w, h)) => {
            let w: f64 = w.trim().parse().map_err(|_| invalid())?;
            let h: f64 = h.trim().parse().map_err(|_| invalid())?;
            w / h
        }
        None => ratio.trim().parse().map_err(|_| invalid())?,
    };
    if value.is_finite() && (0.01..=100.0).contains(&value) {
        Ok(value)
    } else {
        Err(invalid())
    }
}

/// Pads with bars or crops the centre to reach `params.ratio`.
pub fn to_aspect(image: &DynamicImage, params: &AspectParams) -> Result<DynamicImage> {
    let ratio = parse_ratio(&params.ratio)?;
    let (width, height) = image.dimensions();
    check_source(width, height)?;
    let current = f64::from(width) / f64::from(height);
    let wider = ratio > current;
    match params.mode {
        AspectMode::Crop => {
            let (crop_width, crop_height) = if wider {
                (
                    width,
                    ((f64::from(width) / ratio).round() as u32).clamp(1, height),
                )
            } else {
                (
                    ((f64::from(height) * ratio).round() as u32).clamp(1, width),
                    height,
                )
            };
            let rect = PixelRect {
                x: (width - crop_width) / 2,
                y: (height - crop_height) / 2,
                width: crop_width,
                height: crop_height,
            };
            Ok(crop_rect(image, rect))
        }
        AspectMode::Pad => {
            let (canvas_width, canvas_height) = if wider {
                (
                    ((f64::from(height) * ratio).round() as u32).max(width),
                    height,
                )
            } else {
                (
                    width,
                    ((f64::from(width) / ratio).round() as u32).max(height),
                )
            };
            check_size("ratio", canvas_width, "ratio", canvas_height)?;
            let x = (canvas_width - width) / 2;
            let y = (canvas_height - height) / 2;
            Ok(place_on_canvas(
                image,
                canvas_width,
                canvas_height,
                x,
                y,
                params.color,
            ))
        }
    }
}

/// Copies `image` onto a new `width × height` canvas of `color` at (x, y). The result is RGBA
/// when either the image or the colour has alpha, RGB otherwise.
pub(crate) fn place_on_canvas(
    image: &DynamicImage,
    width: u32,
    height: u32,
    x: u32,
    y: u32,
    color: Color,
) -> DynamicImage {
    if image.color().has_alpha() || color.0[3] < u8::MAX {
        let mut canvas = RgbaImage::from_pixel(width, height, color.to_rgba());
        image::imageops::replace(&mut canvas, &image.to_rgba8(), i64::from(x), i64::from(y));
        DynamicImage::ImageRgba8(canvas)
    } else {
        let mut canvas = image::RgbImage::from_pixel(width, height, color.to_rgb());
        image::imageops::replace(&mut canvas, &image.to_rgb8(), i64::from(x), i64::from(y));
        DynamicImage::ImageRgb8(canvas)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{NormBox, PixelBox, Point, Polygon};
    use image::{Rgb, RgbImage, Rgba};

    /// Each pixel encodes its own coordinates: red = x, green = y.
    fn coords(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            Rgb([x as u8, y as u8, 0])
        }))
    }

    fn pixel(image: &DynamicImage, x: u32, y: u32) -> [u8; 4] {
        image.get_pixel(x, y).0
    }

    fn crop_params(region: Region) -> CropParams {
        CropParams {
            region,
            padding: 0.0,
            padding_ratio: 0.0,
        }
    }

    #[test]
    fn crops_pixel_box_exactly() {
        let (cropped, rect) = crop(
            &coords(100, 80),
            &crop_params(Region::Box(PixelBox::new(10.0, 20.0, 30.0, 25.0))),
        )
        .expect("crop");
        assert_eq!(
            rect,
            PixelRect {
                x: 10,
                y: 20,
                width: 20,
                height: 5
            }
        );
        assert_eq!(cropped.dimensions(), (20, 5));
        assert_eq!(pixel(&cropped, 0, 0), [10, 20, 0, 255]);
        assert_eq!(pixel(&cropped, 19, 4), [29, 24, 0, 255]);
    }

    #[test]
    fn crops_normalized_box_with_padding_clamped() {
        let params = CropParams {
            region: Region::NormBox(NormBox {
                x0: 0.0,
                y0: 0.5,
                x1: 0.5,
                y1: 1.0,
            }),
            padding: 5.0,
            padding_ratio: 0.0,
        };
        let (cropped, rect) = crop(&coords(100, 80), &params).expect("crop");
        // Left and bottom padding fall off the image and are clamped away.
        assert_eq!(
            rect,
            PixelRect {
                x: 0,
                y: 35,
                width: 55,
                height: 45
            }
        );
        assert_eq!(pixel(&cropped, 0, 0), [0, 35, 0, 255]);
    }

    #[test]
    fn crops_polygon_bounds_and_rejects_outside() {
        let polygon = Polygon {
            points: vec![
                Point { x: 5.0, y: 5.0 },
                Point { x: 15.0, y: 8.0 },
                Point { x: 9.0, y: 12.0 },
            ],
        };
        let (_, rect) =
            crop(&coords(50, 50), &crop_params(Region::Polygon(polygon))).expect("crop");
        assert_eq!(
            rect,
            PixelRect {
                x: 5,
                y: 5,
                width: 10,
                height: 7
            }
        );
        let error = crop(
            &coords(640, 480),
            &crop_params(Region::Box(PixelBox::new(700.0, 10.0, 5000.0, 20.0))),
        )
        .expect_err("outside");
        assert_eq!(
            error.to_string(),
            "`region` [700, 10, 5000, 20] lies outside the 640×480 image"
        );
        let error = crop(
            &coords(64, 48),
            &crop_params(Region::Box(PixelBox::new(10.0, 10.0, 10.0, 20.0))),
        )
        .expect_err("empty");
        assert!(
            matches!(
                error,
                MediaError::EmptyRegion {
                    param: "region",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn resize_modes_produce_expected_sizes() {
        let image = coords(200, 100);
        let by_width = resize(
            &image,
            &ResizeParams {
                width: Some(50),
                ..ResizeParams::default()
            },
        )
        .expect("width only");
        assert_eq!(by_width.dimensions(), (50, 25));
        let fitted = resize(
            &image,
            &ResizeParams {
                width: Some(60),
                height: Some(60),
                ..ResizeParams::default()
            },
        )
        .expect("fit");
        assert_eq!(fitted.dimensions(), (60, 30));
        let filled = resize(
            &image,
            &ResizeParams {
                width: Some(60),
                height: Some(60),
                mode: ResizeMode::Fill,
                ..ResizeParams::default()
            },
        )
        .expect("fill");
        assert_eq!(filled.dimensions(), (60, 60));
        // Fill keeps the centre: the middle column of the output comes from x ≈ 100.
        assert!(
            pixel(&filled, 30, 30)[0].abs_diff(100) <= 3,
            "{:?}",
            pixel(&filled, 30, 30)
        );
        let exact = resize(
            &image,
            &ResizeParams {
                width: Some(7),
                height: Some(9),
                mode: ResizeMode::Exact,
                ..ResizeParams::default()
            },
        )
        .expect("exact");
        assert_eq!(exact.dimensions(), (7, 9));
        assert!(resize(&image, &ResizeParams::default()).is_err());
        let halved = resize(
            &image,
            &ResizeParams {
                scale: Some(0.5),
                ..ResizeParams::default()
            },
        )
        .expect("scale");
        assert_eq!(halved.dimensions(), (100, 50));
        for bad in [0.0, -1.0, 9.0, f32::NAN] {
            let params = ResizeParams {
                scale: Some(bad),
                ..ResizeParams::default()
            };
            assert!(resize(&image, &params).is_err(), "scale {bad}");
        }
        assert!(resize_exact(&image, 0, 5, ResizeFilter::Nearest).is_err());
        assert!(resize_exact(&image, 100_000, 100_000, ResizeFilter::Nearest).is_err());
    }

    #[test]
    fn resize_of_flat_colour_stays_flat_and_keeps_alpha() {
        let rgba =
            DynamicImage::ImageRgba8(RgbaImage::from_pixel(40, 40, Rgba([200, 10, 50, 128])));
        let small = resize_exact(&rgba, 13, 7, ResizeFilter::Lanczos3).expect("resize");
        for (_, _, pixel) in small.pixels() {
            assert!(
                pixel
                    .0
                    .iter()
                    .zip([200u8, 10, 50, 128])
                    .all(|(a, b)| a.abs_diff(b) <= 1),
                "{pixel:?}"
            );
        }
        let nearest = resize_exact(&coords(10, 10), 5, 5, ResizeFilter::Nearest).expect("nearest");
        assert_eq!(pixel(&nearest, 1, 1)[..2], [3, 3]);
    }

    #[test]
    fn thumbnail_never_enlarges() {
        assert_eq!(
            thumbnail(&coords(40, 20), 100).expect("small").dimensions(),
            (40, 20)
        );
        assert_eq!(
            thumbnail(&coords(400, 100), 100)
                .expect("large")
                .dimensions(),
            (100, 25)
        );
    }

    #[test]
    fn aspect_pad_and_crop() {
        let image = coords(160, 90);
        let params = AspectParams {
            ratio: "9:16".into(),
            mode: AspectMode::Pad,
            color: Color::rgb(0, 0, 255),
        };
        let padded = to_aspect(&image, &params).expect("pad");
        assert_eq!(padded.dimensions(), (160, 284));
        assert_eq!(pixel(&padded, 80, 2), [0, 0, 255, 255]);
        assert_eq!(pixel(&padded, 80, 97 + 10), [80, 10, 0, 255]);
        let cropped = to_aspect(
            &image,
            &AspectParams {
                mode: AspectMode::Crop,
                ..params.clone()
            },
        )
        .expect("crop");
        assert_eq!(cropped.dimensions(), (51, 90));
        assert_eq!(pixel(&cropped, 0, 0), [54, 0, 0, 255]);
        let error = to_aspect(
            &image,
            &AspectParams {
                ratio: "tall".into(),
                ..params
            },
        )
        .expect_err("bad ratio");
        assert!(
            error.to_string().starts_with("`ratio` \"tall\" is invalid"),
            "{error}"
        );
        assert!((parse_ratio("1.91").expect("decimal") - 1.91).abs() < 1e-9);
        assert!(parse_ratio("1:0").is_err());
    }
}
