//! Geometry: crop, resize (fit / fill / exact / thumbnail), aspect ratio, rotation, flips, and
//! the per-pixel tone operations (grayscale, brightness, contrast).
//!
//! Resizing goes through `fast_image_resize` (SIMD convolution, ~6× Pillow's Lanczos on this
//! machine); alpha is premultiplied while filtering so transparent pixels don't bleed dark
//! fringes. Every size a caller asks for is checked against [`MAX_OUTPUT_PIXELS`] before any
//! buffer is allocated.

use fast_image_resize::{self as fir, PixelType, ResizeAlg, ResizeOptions};
use image::{DynamicImage, GenericImageView, ImageBuffer, Pixel, Rgba, RgbaImage};

use crate::error::{MediaError, Result};
use crate::params::{
    AdjustParams, AspectMode, AspectParams, CropParams, Flip, ResizeFilter, ResizeMode,
    ResizeParams, RotateParams,
};
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
    let (width, height) = image.dimensions();
    match (params.width, params.height) {
        (None, None) => Err(MediaError::invalid(
            "width",
            "null",
            "give `width`, `height` or both",
        )),
        (Some(target_width), None) => {
            let target_height = scaled(height, target_width, width);
            resize_exact(image, target_width, target_height, params.filter)
        }
        (None, Some(target_height)) => {
            let target_width = scaled(width, target_height, height);
            resize_exact(image, target_width, target_height, params.filter)
        }
        (Some(target_width), Some(target_height)) => match params.mode {
            ResizeMode::Exact => resize_exact(image, target_width, target_height, params.filter),
            ResizeMode::Fit => fit(image, target_width, target_height, params.filter),
            ResizeMode::Fill => fill(image, target_width, target_height, params.filter),
        },
    }
}

/// Scales to fit inside `max_width × max_height`, keeping the aspect ratio (may upscale).
pub fn fit(
    image: &DynamicImage,
    max_width: u32,
    max_height: u32,
    filter: ResizeFilter,
) -> Result<DynamicImage> {
    check_size("width", max_width, "height", max_height)?;
    let (width, height) = image.dimensions();
    let scale =
        (f64::from(max_width) / f64::from(width)).min(f64::from(max_height) / f64::from(height));
    let target_width = ((f64::from(width) * scale).round() as u32).clamp(1, max_width);
    let target_height = ((f64::from(height) * scale).round() as u32).clamp(1, max_height);
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
    let (source_width, source_height) = image.dimensions();
    let scale = (f64::from(width) / f64::from(source_width))
        .max(f64::from(height) / f64::from(source_height));
    let crop_width = f64::from(width) / scale;
    let crop_height = f64::from(height) / scale;
    let left = (f64::from(source_width) - crop_width) / 2.0;
    let top = (f64::from(source_height) - crop_height) / 2.0;
    resize_with(
        image,
        width,
        height,
        filter,
        Some((left, top, crop_width, crop_height)),
    )
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

/// Rotates clockwise by `params.degrees`; multiples of 90 are exact.
pub fn rotate(image: &DynamicImage, params: &RotateParams) -> Result<DynamicImage> {
    if !params.degrees.is_finite() {
        return Err(MediaError::invalid(
            "degrees",
            params.degrees,
            "must be a finite number",
        ));
    }
    let degrees = params.degrees.rem_euclid(360.0);
    let quarter = degrees / 90.0;
    if (quarter - quarter.round()).abs() < 1e-9 {
        return Ok(match quarter.round() as u32 % 4 {
            0 => image.clone(),
            1 => image.rotate90(),
            2 => image.rotate180(),
            _ => image.rotate270(),
        });
    }
    Ok(rotate_any(
        image,
        degrees.to_radians(),
        params.expand,
        params.fill,
    ))
}

/// Bilinear rotation about the centre; uncovered pixels get `fill`.
fn rotate_any(image: &DynamicImage, radians: f64, expand: bool, fill: Color) -> DynamicImage {
    let (width, height) = image.dimensions();
    let (sin, cos) = radians.sin_cos();
    let (out_width, out_height) = if expand {
        let w = f64::from(width) * cos.abs() + f64::from(height) * sin.abs();
        let h = f64::from(width) * sin.abs() + f64::from(height) * cos.abs();
        (
            (w - 1e-6).ceil().max(1.0) as u32,
            (h - 1e-6).ceil().max(1.0) as u32,
        )
    } else {
        (width, height)
    };
    let source = if image.color().has_alpha() || fill.0[3] < u8::MAX {
        DynamicImage::ImageRgba8(image.to_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.to_rgb8())
    };
    let (source_cx, source_cy) = (f64::from(width) / 2.0, f64::from(height) / 2.0);
    let (out_cx, out_cy) = (f64::from(out_width) / 2.0, f64::from(out_height) / 2.0);
    // Inverse map: each output pixel centre is rotated back (counter-clockwise) into the source.
    let source_at = |x: u32, y: u32| {
        let dx = f64::from(x) + 0.5 - out_cx;
        let dy = f64::from(y) + 0.5 - out_cy;
        (
            cos * dx + sin * dy + source_cx - 0.5,
            -sin * dx + cos * dy + source_cy - 0.5,
        )
    };
    match source {
        DynamicImage::ImageRgba8(rgba) => {
            let fill = fill.0;
            DynamicImage::ImageRgba8(ImageBuffer::from_fn(out_width, out_height, |x, y| {
                let (sx, sy) = source_at(x, y);
                Rgba(bilinear::<4>(rgba.as_raw(), width, height, sx, sy, fill))
            }))
        }
        other => {
            let rgb = other.to_rgb8();
            let fill = [fill.0[0], fill.0[1], fill.0[2]];
            DynamicImage::ImageRgb8(ImageBuffer::from_fn(out_width, out_height, |x, y| {
                let (sx, sy) = source_at(x, y);
                image::Rgb(bilinear::<3>(rgb.as_raw(), width, height, sx, sy, fill))
            }))
        }
    }
}

/// Samples an interleaved `N`-channel buffer at a fractional position; outside is `fill`.
pub(crate) fn bilinear<const N: usize>(
    raw: &[u8],
    width: u32,
    height: u32,
    x: f64,
    y: f64,
    fill: [u8; N],
) -> [u8; N] {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let texel = |ix: f64, iy: f64| -> [u8; N] {
        if ix < 0.0 || iy < 0.0 || ix >= f64::from(width) || iy >= f64::from(height) {
            return fill;
        }
        let offset = (iy as usize * width as usize + ix as usize) * N;
        let mut out = fill;
        if let Some(slice) = raw.get(offset..offset + N) {
            out.copy_from_slice(slice);
        }
        out
    };
    let (a, b, c, d) = (
        texel(x0, y0),
        texel(x0 + 1.0, y0),
        texel(x0, y0 + 1.0),
        texel(x0 + 1.0, y0 + 1.0),
    );
    let mut out = [0u8; N];
    for channel in 0..N {
        let top = f64::from(a[channel]) * (1.0 - fx) + f64::from(b[channel]) * fx;
        let bottom = f64::from(c[channel]) * (1.0 - fx) + f64::from(d[channel]) * fx;
        out[channel] = (top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

/// Mirrors the image.
pub fn flip(image: &DynamicImage, axis: Flip) -> DynamicImage {
    match axis {
        Flip::Horizontal => image.fliph(),
        Flip::Vertical => image.flipv(),
    }
}

/// Converts to 8-bit grayscale (keeping alpha when present), Rec. 709 luma.
pub fn grayscale(image: &DynamicImage) -> DynamicImage {
    if image.color().has_alpha() {
        DynamicImage::ImageLumaA8(image.to_luma_alpha8())
    } else {
        DynamicImage::ImageLuma8(image.to_luma8())
    }
}

/// Applies brightness and contrast (see [`AdjustParams`]) to the colour channels; alpha is kept.
pub fn adjust(image: &DynamicImage, params: &AdjustParams) -> Result<DynamicImage> {
    if !(-1.0..=1.0).contains(&params.brightness) {
        return Err(MediaError::invalid(
            "brightness",
            params.brightness,
            "must be between -1 and 1",
        ));
    }
    if !(-1.0..=1.0).contains(&params.contrast) {
        return Err(MediaError::invalid(
            "contrast",
            params.contrast,
            "must be between -1 and 1",
        ));
    }
    let lut: [u8; 256] = std::array::from_fn(|value| {
        let normalized = value as f32 / 255.0;
        let adjusted = (normalized - 0.5) * (1.0 + params.contrast) + 0.5 + params.brightness;
        (adjusted * 255.0).round().clamp(0.0, 255.0) as u8
    });
    let mut out = to_8bit_any(image);
    match &mut out {
        DynamicImage::ImageLuma8(gray) => gray
            .pixels_mut()
            .for_each(|pixel| pixel.0[0] = lut[usize::from(pixel.0[0])]),
        DynamicImage::ImageLumaA8(gray) => gray
            .pixels_mut()
            .for_each(|pixel| pixel.0[0] = lut[usize::from(pixel.0[0])]),
        DynamicImage::ImageRgb8(rgb) => rgb
            .pixels_mut()
            .for_each(|pixel| pixel.apply(|channel| lut[usize::from(channel)])),
        DynamicImage::ImageRgba8(rgba) => rgba
            .pixels_mut()
            .for_each(|pixel| pixel.apply_without_alpha(|channel| lut[usize::from(channel)])),
        _ => {}
    }
    Ok(out)
}

/// Keeps 8-bit gray and colour images as they are; converts everything else to 8-bit RGB(A).
fn to_8bit_any(image: &DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageRgb8(_)
        | DynamicImage::ImageRgba8(_) => image.clone(),
        other => to_8bit(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shapes::{NormBox, PixelBox, Point, Polygon};
    use image::{GrayImage, Luma, Rgb, RgbImage};

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

    #[test]
    fn right_angle_rotations_are_exact() {
        let image = coords(4, 3);
        let quarter = rotate(
            &image,
            &RotateParams {
                degrees: 90.0,
                expand: true,
                fill: Color::BLACK,
            },
        )
        .expect("90");
        assert_eq!(quarter.dimensions(), (3, 4));
        // Clockwise: the bottom-left source pixel (0, 2) lands top-left.
        assert_eq!(pixel(&quarter, 0, 0), [0, 2, 0, 255]);
        let back = rotate(
            &image,
            &RotateParams {
                degrees: -270.0,
                expand: true,
                fill: Color::BLACK,
            },
        )
        .expect("-270");
        assert_eq!(back, quarter);
        let half = rotate(
            &image,
            &RotateParams {
                degrees: 180.0,
                expand: false,
                fill: Color::BLACK,
            },
        )
        .expect("180");
        assert_eq!(pixel(&half, 0, 0), [3, 2, 0, 255]);
    }

    #[test]
    fn arbitrary_rotation_matches_exact_path_and_expands() {
        let image = coords(20, 10);
        let general = rotate_any(&image, 90f64.to_radians(), true, Color::BLACK);
        let exact = image.rotate90();
        assert_eq!(general.dimensions(), exact.dimensions());
        for (x, y, expected) in exact.pixels() {
            let got = general.get_pixel(x, y).0;
            assert!(
                got.iter().zip(expected.0).all(|(a, b)| a.abs_diff(b) <= 1),
                "({x},{y}) {got:?} vs {expected:?}"
            );
        }
        let tilted = rotate(
            &image,
            &RotateParams {
                degrees: 45.0,
                expand: true,
                fill: Color::rgb(255, 0, 255),
            },
        )
        .expect("45");
        assert_eq!(tilted.dimensions(), (22, 22));
        assert_eq!(pixel(&tilted, 0, 0), [255, 0, 255, 255], "corner is fill");
        let square = coords(20, 20);
        let transparent = rotate(
            &square,
            &RotateParams {
                degrees: 45.0,
                expand: false,
                fill: Color([0, 0, 0, 0]),
            },
        )
        .expect("45");
        assert_eq!(transparent.dimensions(), (20, 20));
        assert_eq!(
            pixel(&transparent, 0, 0)[3],
            0,
            "the corner now lies outside the source"
        );
        assert_eq!(pixel(&transparent, 10, 10)[3], 255);
    }

    #[test]
    fn flips_mirror_pixels() {
        let image = coords(5, 4);
        assert_eq!(pixel(&flip(&image, Flip::Horizontal), 0, 1), [4, 1, 0, 255]);
        assert_eq!(pixel(&flip(&image, Flip::Vertical), 0, 0), [0, 3, 0, 255]);
    }

    #[test]
    fn grayscale_and_adjust() {
        let red = DynamicImage::ImageRgb8(RgbImage::from_pixel(2, 2, Rgb([255, 0, 0])));
        let gray = grayscale(&red);
        assert_eq!(gray.color(), image::ColorType::L8);
        assert_eq!(gray.to_luma8().get_pixel(0, 0).0[0], 54); // Rec. 709: 0.2126 × 255
        let mid = DynamicImage::ImageLuma8(GrayImage::from_fn(3, 1, |x, _| {
            Luma([[70, 130, 190][x as usize]])
        }));
        let brighter = adjust(
            &mid,
            &AdjustParams {
                brightness: 0.2,
                contrast: 0.0,
            },
        )
        .expect("brightness");
        assert_eq!(brighter.to_luma8().as_raw(), &vec![121, 181, 241]);
        let contrasty = adjust(
            &mid,
            &AdjustParams {
                brightness: 0.0,
                contrast: 0.5,
            },
        )
        .expect("contrast");
        assert_eq!(contrasty.to_luma8().as_raw(), &vec![41, 131, 221]);
        assert!(
            adjust(
                &mid,
                &AdjustParams {
                    brightness: 2.0,
                    contrast: 0.0
                }
            )
            .is_err()
        );
    }
}
