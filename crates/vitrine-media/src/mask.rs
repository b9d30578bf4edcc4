//! Masks: 8-bit single-channel images where 0 is outside, 255 inside, and values between are
//! partly inside (a feathered edge). Built from boxes and polygons, combined with set
//! operations, softened, thresholded.
//!
//! Polygons are rasterised here by an even-odd scanline fill sampled at pixel centres, which
//! [`crate::redact`] and [`crate::annotate`] reuse, so a polygon covers exactly the same pixels
//! whether it is blurred, drawn or turned into a mask.

use image::{GrayImage, Luma};
use libblur::{
    BlurImage, BlurImageMut, ConvolutionMode, EdgeMode, EdgeMode2D, FastBlurChannels,
    GaussianBlurParams, ThreadingPolicy,
};

use crate::error::{MediaError, Result};
use crate::geometry::region_rect;
use crate::shapes::{PixelRect, Point, Polygon, Region};

/// Calls `span(y, x_start, x_end)` for every run of pixels (end exclusive) whose centre lies
/// inside the polygon (even-odd rule), clipped to `width × height`.
pub(crate) fn polygon_spans(
    points: &[Point],
    width: u32,
    height: u32,
    mut span: impl FnMut(u32, u32, u32),
) {
    if points.len() < 3 || width == 0 || height == 0 {
        return;
    }
    let (min_y, max_y) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), point| {
            (low.min(point.y), high.max(point.y))
        });
    if !min_y.is_finite() || !max_y.is_finite() {
        return;
    }
    let first_row = (min_y - 0.5).ceil().clamp(0.0, f64::from(height)) as u32;
    let last_row = (max_y - 0.5).ceil().clamp(0.0, f64::from(height)) as u32;
    let mut crossings: Vec<f64> = Vec::new();
    for y in first_row..last_row {
        let center = f64::from(y) + 0.5;
        crossings.clear();
        for (index, start) in points.iter().enumerate() {
            let end = &points[(index + 1) % points.len()];
            if (start.y <= center) != (end.y <= center) {
                crossings
                    .push(start.x + (center - start.y) * (end.x - start.x) / (end.y - start.y));
            }
        }
        crossings.sort_by(f64::total_cmp);
        for pair in crossings.chunks_exact(2) {
            let x_start = (pair[0] - 0.5).ceil().clamp(0.0, f64::from(width)) as u32;
            let x_end = (pair[1] - 0.5).ceil().clamp(0.0, f64::from(width)) as u32;
            if x_end > x_start {
                span(y, x_start, x_end);
            }
        }
    }
}

/// A `width × height` mask with the polygon set to 255.
pub fn polygon_mask(width: u32, height: u32, polygon: &Polygon) -> Result<GrayImage> {
    polygon.validate("polygon")?;
    let mut mask = GrayImage::new(width, height);
    polygon_spans(&polygon.points, width, height, |y, x_start, x_end| {
        for x in x_start..x_end {
            mask.put_pixel(x, y, Luma([255]));
        }
    });
    Ok(mask)
}

/// A `width × height` mask with `rect` set to 255 (the part inside the mask, if it overhangs).
pub fn box_mask(width: u32, height: u32, rect: PixelRect) -> GrayImage {
    GrayImage::from_fn(width, height, |x, y| {
        let inside = x >= rect.x && x < rect.right() && y >= rect.y && y < rect.bottom();
        Luma([if inside { 255 } else { 0 }])
    })
}

/// A `width × height` mask of any [`Region`]; errors name `region` when it misses the image.
pub fn region_mask(width: u32, height: u32, region: &Region) -> Result<GrayImage> {
    match region {
        Region::Polygon(polygon) => {
            region_rect(region, "region", width, height, 0.0, 0.0)?;
            polygon_mask(width, height, polygon)
        }
        _ => Ok(box_mask(
            width,
            height,
            region_rect(region, "region", width, height, 0.0, 0.0)?,
        )),
    }
}

fn same_size(a: &GrayImage, b: &GrayImage) -> Result<()> {
    if a.dimensions() == b.dimensions() {
        return Ok(());
    }
    Err(MediaError::SizeMismatch {
        param: "mask",
        actual_width: b.width(),
        actual_height: b.height(),
        width: a.width(),
        height: a.height(),
    })
}

fn combine(a: &GrayImage, b: &GrayImage, operation: impl Fn(u8, u8) -> u8) -> Result<GrayImage> {
    same_size(a, b)?;
    let pixels = a
        .as_raw()
        .iter()
        .zip(b.as_raw())
        .map(|(x, y)| operation(*x, *y))
        .collect();
    GrayImage::from_raw(a.width(), a.height(), pixels).ok_or_else(|| MediaError::Internal {
        operation: "mask",
        reason: "buffer size".into(),
    })
}

/// Pixel-wise maximum: inside either mask.
pub fn union(a: &GrayImage, b: &GrayImage) -> Result<GrayImage> {
    combine(a, b, u8::max)
}

/// Pixel-wise minimum: inside both masks.
pub fn intersection(a: &GrayImage, b: &GrayImage) -> Result<GrayImage> {
    combine(a, b, u8::min)
}

/// Inside `a` but not inside `b`.
pub fn subtract(a: &GrayImage, b: &GrayImage) -> Result<GrayImage> {
    combine(a, b, |x, y| x.min(255 - y))
}

/// Swaps inside and outside.
pub fn invert(mask: &GrayImage) -> GrayImage {
    let mut out = mask.clone();
    out.pixels_mut()
        .for_each(|pixel| pixel.0[0] = 255 - pixel.0[0]);
    out
}

/// 255 where the value is at least `level`, 0 elsewhere.
pub fn threshold(mask: &GrayImage, level: u8) -> GrayImage {
    let mut out = mask.clone();
    out.pixels_mut()
        .for_each(|pixel| pixel.0[0] = if pixel.0[0] >= level { 255 } else { 0 });
    out
}

/// The widest feather: its kernel is already 193 taps, and a wider edge looks like a blur.
pub const MAX_FEATHER_RADIUS: f32 = 64.0;

/// Softens the edge over about `radius` pixels on each side (gaussian, sigma = radius / 2).
pub fn feather(mask: &GrayImage, radius: f32) -> Result<GrayImage> {
    if !radius.is_finite() || !(0.0..=MAX_FEATHER_RADIUS).contains(&radius) {
        return Err(MediaError::invalid(
            "radius",
            radius,
            format!("feather radius must be between 0 and {MAX_FEATHER_RADIUS} pixels"),
        ));
    }
    if radius < 0.5 {
        return Ok(mask.clone());
    }
    let sigma = f64::from(radius) / 2.0;
    let kernel = (2.0 * (3.0 * sigma).ceil() + 1.0) as u32;
    let (width, height) = mask.dimensions();
    let source = BlurImage::borrow(mask.as_raw(), width, height, FastBlurChannels::Plane);
    let mut target = BlurImageMut::alloc(width, height, FastBlurChannels::Plane);
    libblur::gaussian_blur(
        &source,
        &mut target,
        GaussianBlurParams::new(kernel, sigma),
        EdgeMode2D::new(EdgeMode::Clamp),
        ThreadingPolicy::Single,
        ConvolutionMode::FixedPoint,
    )
    .map_err(|error| MediaError::Internal {
        operation: "feather",
        reason: error.to_string(),
    })?;
    GrayImage::from_raw(width, height, target.data.borrow().to_vec()).ok_or_else(|| {
        MediaError::Internal {
            operation: "feather",
            reason: "buffer size".into(),
        }
    })
}

/// The smallest rectangle holding every non-zero pixel; `None` for an empty mask.
pub fn mask_bounds(mask: &GrayImage) -> Option<PixelRect> {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for (x, y, pixel) in mask.enumerate_pixels() {
        if pixel.0[0] > 0 {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x + 1);
            y1 = y1.max(y + 1);
        }
    }
    (x1 > x0).then(|| PixelRect {
        x: x0,
        y: y0,
        width: x1 - x0,
        height: y1 - y0,
    })
}

/// Number of pixels at least half inside (value ≥ 128).
pub fn mask_area(mask: &GrayImage) -> u64 {
    mask.as_raw().iter().filter(|value| **value >= 128).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(x: f64, y: f64) -> Point {
        Point { x, y }
    }

    #[test]
    fn polygon_mask_covers_pixel_centres() {
        // A right triangle with legs of 10 px: pixel (x, y) is in when x + 0.5 < 10 - (y + 0.5).
        let triangle = Polygon {
            points: vec![point(0.0, 0.0), point(10.0, 0.0), point(0.0, 10.0)],
        };
        let mask = polygon_mask(12, 12, &triangle).expect("mask");
        for (x, y, pixel) in mask.enumerate_pixels() {
            let inside = f64::from(x) + 0.5 < 10.0 - (f64::from(y) + 0.5);
            assert_eq!(pixel.0[0] == 255, inside, "({x}, {y})");
        }
        assert_eq!(mask_area(&mask), 45);
    }

    #[test]
    fn square_polygon_equals_box_mask_and_clips() {
        let square = Polygon {
            points: vec![
                point(2.0, 3.0),
                point(7.0, 3.0),
                point(7.0, 9.0),
                point(2.0, 9.0),
            ],
        };
        let rect = PixelRect {
            x: 2,
            y: 3,
            width: 5,
            height: 6,
        };
        assert_eq!(
            polygon_mask(10, 12, &square).expect("mask"),
            box_mask(10, 12, rect)
        );
        let huge = Polygon {
            points: vec![
                point(-50.0, -50.0),
                point(50.0, -50.0),
                point(50.0, 50.0),
                point(-50.0, 50.0),
            ],
        };
        assert_eq!(mask_area(&polygon_mask(8, 8, &huge).expect("mask")), 64);
        assert!(
            polygon_mask(
                8,
                8,
                &Polygon {
                    points: vec![point(0.0, 0.0), point(1.0, 1.0)]
                }
            )
            .is_err()
        );
    }

    #[test]
    fn set_operations() {
        let left = box_mask(
            10,
            1,
            PixelRect {
                x: 0,
                y: 0,
                width: 6,
                height: 1,
            },
        );
        let right = box_mask(
            10,
            1,
            PixelRect {
                x: 4,
                y: 0,
                width: 6,
                height: 1,
            },
        );
        assert_eq!(mask_area(&union(&left, &right).expect("union")), 10);
        assert_eq!(
            mask_bounds(&intersection(&left, &right).expect("and")),
            Some(PixelRect {
                x: 4,
                y: 0,
                width: 2,
                height: 1
            })
        );
        assert_eq!(
            mask_bounds(&subtract(&left, &right).expect("minus")),
            Some(PixelRect {
                x: 0,
                y: 0,
                width: 4,
                height: 1
            })
        );
        assert_eq!(
            mask_bounds(&invert(&left)),
            Some(PixelRect {
                x: 6,
                y: 0,
                width: 4,
                height: 1
            })
        );
        let error = union(&left, &GrayImage::new(3, 3)).expect_err("size");
        assert_eq!(
            error.to_string(),
            "`mask` is 3×3 but must match the 10×1 image"
        );
    }

    #[test]
    fn feather_softens_only_near_the_edge_and_threshold_restores() {
        let mask = box_mask(
            60,
            60,
            PixelRect {
                x: 20,
                y: 20,
                width: 20,
                height: 20,
            },
        );
        let soft = feather(&mask, 4.0).expect("feather");
        assert_eq!(soft.get_pixel(30, 30).0[0], 255, "centre stays inside");
        assert_eq!(soft.get_pixel(2, 2).0[0], 0, "far outside stays outside");
        let edge = soft.get_pixel(20, 30).0[0];
        assert!((90..=170).contains(&edge), "edge is half inside: {edge}");
        assert!(soft.get_pixel(18, 30).0[0] > 0, "feather reaches outside");
        // Thresholding at half restores the square except for slightly rounded corners.
        let hard = threshold(&soft, 128);
        assert!(
            mask_area(&hard).abs_diff(400) <= 12,
            "area {}",
            mask_area(&hard)
        );
        assert_eq!(
            mask_bounds(&hard),
            Some(PixelRect {
                x: 20,
                y: 20,
                width: 20,
                height: 20
            })
        );
        assert!(feather(&mask, -1.0).is_err());
    }

    #[test]
    fn region_mask_rejects_regions_outside() {
        let region = Region::Box(crate::shapes::PixelBox::new(50.0, 50.0, 60.0, 60.0));
        assert!(matches!(
            region_mask(10, 10, &region),
            Err(MediaError::OutsideImage { .. })
        ));
    }
}
