//! Hiding regions so that what is in them cannot be recognised: gaussian blur, pixelation or a
//! solid fill, over boxes, polygons or masks.
//!
//! Strength follows the region's size, because a fixed 10 px blur hides a 40 px face but not a
//! 400 px one: the default blur sigma is the region's short side / 6 and the default mosaic
//! block its short side / 8 (at least 4 px). Pixels outside the regions are never written;
//! the blur still reads a margin around a region so the inside blends instead of smearing its
//! own edge.

use fast_image_resize as fir;
use image::{DynamicImage, GrayImage, ImageBuffer, Pixel};
use libblur::{
    BlurImage, BlurImageMut, ConvolutionMode, EdgeMode, EdgeMode2D, FastBlurChannels,
    GaussianBlurParams, ThreadingPolicy,
};

use crate::error::{MediaError, Result};
use crate::geometry::{region_rect, to_8bit};
use crate::mask::{mask_bounds, polygon_spans};
use crate::params::{RedactMethod, RedactParams};
use crate::shapes::{Color, PixelRect, Point, Region};

/// Sigmas above this blur a downscaled copy instead of running a huge kernel at full size.
const EXACT_GAUSSIAN_MAX_SIGMA: f64 = 12.0;

/// Hides every region in `params` with the chosen method. RGB stays RGB, RGBA stays RGBA; other
/// pixel types are converted to 8-bit RGB(A) first.
pub fn redact(image: &DynamicImage, params: &RedactParams) -> Result<DynamicImage> {
    check_strength(params.strength)?;
    if !params.padding_ratio.is_finite() || !(0.0..=2.0).contains(&params.padding_ratio) {
        return Err(MediaError::invalid(
            "padding_ratio",
            params.padding_ratio,
            "must be between 0 and 2",
        ));
    }
    let (width, height) = (image.width(), image.height());
    let mut pieces = Vec::with_capacity(params.regions.len());
    for region in &params.regions {
        let rect = region_rect(region, "regions", width, height, 0.0, params.padding_ratio)?;
        let mask = match region {
            Region::Polygon(polygon) => Some(scaled_polygon_mask(
                &polygon.points,
                rect,
                params.padding_ratio,
            )),
            Region::Box(_) | Region::NormBox(_) => None,
        };
        pieces.push((rect, mask));
    }
    let mut out = to_rgb_or_rgba(image);
    for (rect, mask) in &pieces {
        apply(
            &mut out,
            *rect,
            mask.as_ref(),
            params.method,
            params.strength,
            params.color,
        )?;
    }
    Ok(out)
}

/// Hides the pixels where `mask` is non-zero (partial values blend). Strength is scaled to the
/// bounding box of the mask; `strength` multiplies it (0.25..4).
pub fn redact_mask(
    image: &DynamicImage,
    mask: &GrayImage,
    method: RedactMethod,
    strength: f64,
    color: Color,
) -> Result<DynamicImage> {
    check_strength(strength)?;
    if mask.dimensions() != (image.width(), image.height()) {
        return Err(MediaError::SizeMismatch {
            param: "mask",
            actual_width: mask.width(),
            actual_height: mask.height(),
            width: image.width(),
            height: image.height(),
        });
    }
    let mut out = to_rgb_or_rgba(image);
    let Some(rect) = mask_bounds(mask) else {
        return Ok(out);
    };
    let local = image::imageops::crop_imm(mask, rect.x, rect.y, rect.width, rect.height).to_image();
    apply(&mut out, rect, Some(&local), method, strength, color)?;
    Ok(out)
}

/// Gaussian-blurs `rect` of an RGB image in place with `sigma` (pixels outside `rect` are read
/// for context, never written). Exact up to sigma 12; above that a downscaled copy is blurred
/// and scaled back, which looks the same and costs a fraction.
pub fn gaussian_blur_rect(image: &mut image::RgbImage, rect: PixelRect, sigma: f64) -> Result<()> {
    check_rect(rect, image.width(), image.height())?;
    if !sigma.is_finite() || !(0.1..=500.0).contains(&sigma) {
        return Err(MediaError::invalid(
            "sigma",
            sigma,
            "must be between 0.1 and 500",
        ));
    }
    blur_into::<3, _>(image, rect, None, sigma)
}

/// The blur sigma used for a region whose short side is `short_side` pixels.
pub fn blur_sigma_for(short_side: u32, strength: f64) -> f64 {
    (f64::from(short_side) / 6.0 * strength).max(1.0)
}

/// The mosaic block size used for a region whose short side is `short_side` pixels.
pub fn pixel_block_for(short_side: u32, strength: f64) -> u32 {
    ((f64::from(short_side) / 8.0 * strength).round() as u32).max(4)
}

fn check_strength(strength: f64) -> Result<()> {
    if strength.is_finite() && (0.25..=4.0).contains(&strength) {
        Ok(())
    } else {
        Err(MediaError::invalid(
            "strength",
            strength,
            "must be between 0.25 and 4",
        ))
    }
}

fn check_rect(rect: PixelRect, width: u32, height: u32) -> Result<()> {
    if rect.width == 0 || rect.height == 0 || rect.right() > width || rect.bottom() > height {
        return Err(MediaError::OutsideImage {
            param: "rect",
            value: rect.to_string(),
            width,
            height,
        });
    }
    Ok(())
}

fn to_rgb_or_rgba(image: &DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image.clone(),
        other => to_8bit(other),
    }
}

/// Rasterises the polygon (grown by `padding_ratio` around its centroid) into a rect-sized mask.
fn scaled_polygon_mask(points: &[Point], rect: PixelRect, padding_ratio: f64) -> GrayImage {
    let count = points.len().max(1) as f64;
    let (cx, cy) = points.iter().fold((0.0, 0.0), |(x, y), point| {
        (x + point.x / count, y + point.y / count)
    });
    let scale = 1.0 + 2.0 * padding_ratio;
    let local: Vec<Point> = points
        .iter()
        .map(|point| Point {
            x: cx + (point.x - cx) * scale - f64::from(rect.x),
            y: cy + (point.y - cy) * scale - f64::from(rect.y),
        })
        .collect();
    let mut mask = GrayImage::new(rect.width, rect.height);
    polygon_spans(&local, rect.width, rect.height, |y, x_start, x_end| {
        for x in x_start..x_end {
            mask.put_pixel(x, y, image::Luma([255]));
        }
    });
    mask
}

fn apply(
    image: &mut DynamicImage,
    rect: PixelRect,
    mask: Option<&GrayImage>,
    method: RedactMethod,
    strength: f64,
    color: Color,
) -> Result<()> {
    let short_side = rect.width.min(rect.height);
    match (image, method) {
        (DynamicImage::ImageRgb8(rgb), RedactMethod::Blur) => {
            blur_into::<3, _>(rgb, rect, mask, blur_sigma_for(short_side, strength))
        }
        (DynamicImage::ImageRgba8(rgba), RedactMethod::Blur) => {
            blur_into::<4, _>(rgba, rect, mask, blur_sigma_for(short_side, strength))
        }
        (DynamicImage::ImageRgb8(rgb), RedactMethod::Pixelate) => {
            pixelate_into::<3, _>(rgb, rect, mask, pixel_block_for(short_side, strength));
            Ok(())
        }
        (DynamicImage::ImageRgba8(rgba), RedactMethod::Pixelate) => {
            pixelate_into::<4, _>(rgba, rect, mask, pixel_block_for(short_side, strength));
            Ok(())
        }
        (DynamicImage::ImageRgb8(rgb), RedactMethod::Fill) => {
            fill_into::<3, _>(rgb, rect, mask, [color.0[0], color.0[1], color.0[2]]);
            Ok(())
        }
        (DynamicImage::ImageRgba8(rgba), RedactMethod::Fill) => {
            fill_into::<4, _>(rgba, rect, mask, color.0);
            Ok(())
        }
        _ => Err(MediaError::Internal {
            operation: "redact",
            reason: "pixels were not converted to RGB(A)".into(),
        }),
    }
}

/// Writes `value` into pixel (x, y) of `rect`, blended by the mask weight there.
#[inline]
fn put<const N: usize>(raw: &mut [u8], stride: usize, x: u32, y: u32, value: &[u8], weight: u8) {
    let offset = y as usize * stride + x as usize * N;
    let Some(target) = raw.get_mut(offset..offset + N) else {
        return;
    };
    if weight == 255 {
        target.copy_from_slice(&value[..N]);
    } else if weight > 0 {
        let w = u32::from(weight);
        for (channel, new) in target.iter_mut().zip(value) {
            *channel = ((u32::from(*new) * w + u32::from(*channel) * (255 - w) + 127) / 255) as u8;
        }
    }
}

fn weight_at(mask: Option<&GrayImage>, x: u32, y: u32) -> u8 {
    mask.map_or(255, |mask| mask.get_pixel(x, y).0[0])
}

fn blur_into<const N: usize, P: Pixel<Subpixel = u8>>(
    image: &mut ImageBuffer<P, Vec<u8>>,
    rect: PixelRect,
    mask: Option<&GrayImage>,
    sigma: f64,
) -> Result<()> {
    let (width, height) = image.dimensions();
    let margin = (3.0 * sigma).ceil() as u32;
    let window = PixelRect {
        x: rect.x.saturating_sub(margin),
        y: rect.y.saturating_sub(margin),
        width: 0,
        height: 0,
    };
    let window = PixelRect {
        width: (rect.right() + margin).min(width) - window.x,
        height: (rect.bottom() + margin).min(height) - window.y,
        ..window
    };
    let stride = width as usize * N;
    let row_bytes = window.width as usize * N;
    let mut patch = Vec::with_capacity(row_bytes * window.height as usize);
    let raw: &mut [u8] = image.as_mut();
    for y in window.y..window.bottom() {
        let start = y as usize * stride + window.x as usize * N;
        patch.extend_from_slice(&raw[start..start + row_bytes]);
    }
    let blurred = if sigma <= EXACT_GAUSSIAN_MAX_SIGMA {
        gaussian::<N>(&patch, window.width, window.height, sigma)?
    } else {
        // Blur a downscaled copy and scale it back: a sigma of 50 px needs a 301-tap kernel at
        // full size but only a 31-tap one at 1/10 size, and a heavy blur has no detail to lose.
        let factor = (sigma / 5.0).ceil();
        let small_width = (f64::from(window.width) / factor).ceil().max(1.0) as u32;
        let small_height = (f64::from(window.height) / factor).ceil().max(1.0) as u32;
        let small = resample::<N>(
            &patch,
            (window.width, window.height),
            (small_width, small_height),
            fir::FilterType::Box,
        )?;
        let small = gaussian::<N>(&small, small_width, small_height, sigma / factor)?;
        resample::<N>(
            &small,
            (small_width, small_height),
            (window.width, window.height),
            fir::FilterType::Bilinear,
        )?
    };
    for y in rect.y..rect.bottom() {
        for x in rect.x..rect.right() {
            let weight = weight_at(mask, x - rect.x, y - rect.y);
            let offset =
                ((y - window.y) as usize * window.width as usize + (x - window.x) as usize) * N;
            put::<N>(raw, stride, x, y, &blurred[offset..offset + N], weight);
        }
    }
    Ok(())
}

fn blur_error(error: impl std::fmt::Display) -> MediaError {
    MediaError::Internal {
        operation: "blur",
        reason: error.to_string(),
    }
}

fn channels_of<const N: usize>() -> FastBlurChannels {
    if N == 4 {
        FastBlurChannels::Channels4
    } else {
        FastBlurChannels::Channels3
    }
}

/// Exact separable gaussian (fixed point, one thread) of an interleaved `N`-channel buffer.
pub(crate) fn gaussian<const N: usize>(
    pixels: &[u8],
    width: u32,
    height: u32,
    sigma: f64,
) -> Result<Vec<u8>> {
    let kernel = 2 * (3.0 * sigma).ceil() as u32 + 1;
    let source = BlurImage::borrow(pixels, width, height, channels_of::<N>());
    let mut target = BlurImageMut::alloc(width, height, channels_of::<N>());
    libblur::gaussian_blur(
        &source,
        &mut target,
        GaussianBlurParams::new(kernel, sigma),
        EdgeMode2D::new(EdgeMode::Clamp),
        ThreadingPolicy::Single,
        ConvolutionMode::FixedPoint,
    )
    .map_err(blur_error)?;
    Ok(target.data.borrow().to_vec())
}

/// Resizes an interleaved `N`-channel buffer.
fn resample<const N: usize>(
    pixels: &[u8],
    from: (u32, u32),
    to: (u32, u32),
    filter: fir::FilterType,
) -> Result<Vec<u8>> {
    let pixel_type = if N == 4 {
        fir::PixelType::U8x4
    } else {
        fir::PixelType::U8x3
    };
    let source =
        fir::images::ImageRef::new(from.0, from.1, pixels, pixel_type).map_err(blur_error)?;
    let mut target = fir::images::Image::new(to.0, to.1, pixel_type);
    let options = fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(filter));
    fir::Resizer::new()
        .resize(&source, &mut target, &options)
        .map_err(blur_error)?;
    Ok(target.into_vec())
}

fn pixelate_into<const N: usize, P: Pixel<Subpixel = u8>>(
    image: &mut ImageBuffer<P, Vec<u8>>,
    rect: PixelRect,
    mask: Option<&GrayImage>,
    block: u32,
) {
    let stride = image.width() as usize * N;
    let raw: &mut [u8] = image.as_mut();
    for block_y in (rect.y..rect.bottom()).step_by(block as usize) {
        for block_x in (rect.x..rect.right()).step_by(block as usize) {
            let (x_end, y_end) = (
                (block_x + block).min(rect.right()),
                (block_y + block).min(rect.bottom()),
            );
            let mut sum = [0u64; N];
            for y in block_y..y_end {
                for x in block_x..x_end {
                    let offset = y as usize * stride + x as usize * N;
                    for (total, value) in sum.iter_mut().zip(&raw[offset..offset + N]) {
                        *total += u64::from(*value);
                    }
                }
            }
            let count = u64::from((x_end - block_x) * (y_end - block_y));
            let mean: [u8; N] =
                std::array::from_fn(|channel| ((sum[channel] + count / 2) / count) as u8);
            for y in block_y..y_end {
                for x in block_x..x_end {
                    put::<N>(
                        raw,
                        stride,
                        x,
                        y,
                        &mean,
                        weight_at(mask, x - rect.x, y - rect.y),
                    );
                }
            }
        }
    }
}

fn fill_into<const N: usize, P: Pixel<Subpixel = u8>>(
    image: &mut ImageBuffer<P, Vec<u8>>,
    rect: PixelRect,
    mask: Option<&GrayImage>,
    color: [u8; N],
) {
    let stride = image.width() as usize * N;
    let raw: &mut [u8] = image.as_mut();
    for y in rect.y..rect.bottom() {
        for x in rect.x..rect.right() {
            put::<N>(
                raw,
                stride,
                x,
                y,
                &color,
                weight_at(mask, x - rect.x, y - rect.y),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::polygon_mask;
    use crate::shapes::{NormBox, PixelBox, Polygon};
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    /// A high-contrast checkerboard of 2-px squares, with a coloured stripe so channels differ.
    fn checker(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let on = ((x / 2) + (y / 2)) % 2 == 0;
            if on {
                Rgb([250, 240, 230])
            } else {
                Rgb([10, 20, (x % 256) as u8])
            }
        })
    }

    fn params(regions: Vec<Region>, method: RedactMethod) -> RedactParams {
        RedactParams {
            regions,
            method,
            strength: 1.0,
            color: Color::rgb(0, 255, 0),
            padding_ratio: 0.0,
        }
    }

    /// Standard deviation of the green channel over a rectangle: high for the checker, low once hidden.
    fn spread(image: &RgbImage, rect: PixelRect) -> f64 {
        let values: Vec<f64> = (rect.y..rect.bottom())
            .flat_map(|y| (rect.x..rect.right()).map(move |x| (x, y)))
            .map(|(x, y)| f64::from(image.get_pixel(x, y).0[1]))
            .collect();
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        (values
            .iter()
            .map(|value| (value - mean).powi(2))
            .sum::<f64>()
            / values.len() as f64)
            .sqrt()
    }

    fn assert_outside_untouched(
        before: &RgbImage,
        after: &RgbImage,
        inside: impl Fn(u32, u32) -> bool,
    ) {
        for (x, y, pixel) in before.enumerate_pixels() {
            if !inside(x, y) {
                assert_eq!(
                    after.get_pixel(x, y),
                    pixel,
                    "pixel ({x}, {y}) outside the region changed"
                );
            }
        }
    }

    #[test]
    fn blur_hides_box_and_leaves_outside_untouched() {
        let source = checker(120, 90);
        let rect = PixelRect {
            x: 30,
            y: 20,
            width: 48,
            height: 40,
        };
        let out = redact(
            &DynamicImage::ImageRgb8(source.clone()),
            &params(vec![Region::Box(rect.to_box())], RedactMethod::Blur),
        )
        .expect("blur")
        .to_rgb8();
        assert!(spread(&source, rect) > 100.0);
        assert!(
            spread(&out, rect) < 6.0,
            "still textured: {}",
            spread(&out, rect)
        );
        assert_outside_untouched(&source, &out, |x, y| {
            (30..78).contains(&x) && (20..60).contains(&y)
        });
    }

    #[test]
    fn large_regions_use_the_downscaled_blur_and_still_hide() {
        let source = checker(400, 300);
        let region = Region::NormBox(NormBox {
            x0: 0.1,
            y0: 0.1,
            x1: 0.9,
            y1: 0.9,
        });
        let out = redact(
            &DynamicImage::ImageRgb8(source.clone()),
            &params(vec![region], RedactMethod::Blur),
        )
        .expect("blur")
        .to_rgb8();
        let rect = PixelRect {
            x: 40,
            y: 30,
            width: 320,
            height: 240,
        };
        assert!(
            blur_sigma_for(240, 1.0) > EXACT_GAUSSIAN_MAX_SIGMA,
            "this test covers the downscaled path"
        );
        assert!(
            spread(&out, rect) < 6.0,
            "still textured: {}",
            spread(&out, rect)
        );
        assert_outside_untouched(&source, &out, |x, y| {
            (40..360).contains(&x) && (30..270).contains(&y)
        });
    }

    #[test]
    fn pixelate_makes_uniform_blocks_of_scaled_size() {
        let source = RgbImage::from_fn(100, 100, |x, y| Rgb([(x * 2) as u8, (y * 2) as u8, 7]));
        let rect = PixelRect {
            x: 10,
            y: 10,
            width: 64,
            height: 64,
        };
        let out = redact(
            &DynamicImage::ImageRgb8(source.clone()),
            &params(vec![Region::Box(rect.to_box())], RedactMethod::Pixelate),
        )
        .expect("pixelate")
        .to_rgb8();
        // Block = 64 / 8 = 8 px: the first block covers x, y in 10..18, mean of 20..34 = 27.
        assert_eq!(pixel_block_for(64, 1.0), 8);
        for y in 10..18 {
            for x in 10..18 {
                assert_eq!(out.get_pixel(x, y).0, [27, 27, 7], "({x}, {y})");
            }
        }
        assert_ne!(
            out.get_pixel(18, 10),
            out.get_pixel(17, 10),
            "next block differs"
        );
        assert_outside_untouched(&source, &out, |x, y| {
            (10..74).contains(&x) && (10..74).contains(&y)
        });
        assert_eq!(
            pixel_block_for(10, 1.0),
            4,
            "small regions still get 4 px blocks"
        );
    }

    #[test]
    fn polygon_fill_touches_exactly_the_polygon() {
        let source = checker(50, 50);
        let polygon = Polygon {
            points: vec![
                Point { x: 10.0, y: 5.0 },
                Point { x: 40.0, y: 20.0 },
                Point { x: 15.0, y: 45.0 },
            ],
        };
        let mask = polygon_mask(50, 50, &polygon).expect("mask");
        let out = redact(
            &DynamicImage::ImageRgb8(source.clone()),
            &params(vec![Region::Polygon(polygon)], RedactMethod::Fill),
        )
        .expect("fill")
        .to_rgb8();
        for (x, y, pixel) in out.enumerate_pixels() {
            if mask.get_pixel(x, y).0[0] == 255 {
                assert_eq!(pixel.0, [0, 255, 0]);
            } else {
                assert_eq!(pixel, source.get_pixel(x, y));
            }
        }
    }

    #[test]
    fn polygon_blur_leaves_the_rest_of_its_bounding_box() {
        let source = checker(80, 80);
        let polygon = Polygon {
            points: vec![
                Point { x: 10.0, y: 10.0 },
                Point { x: 70.0, y: 10.0 },
                Point { x: 10.0, y: 70.0 },
            ],
        };
        let mask = polygon_mask(80, 80, &polygon).expect("mask");
        let out = redact(
            &DynamicImage::ImageRgb8(source.clone()),
            &params(vec![Region::Polygon(polygon)], RedactMethod::Blur),
        )
        .expect("blur")
        .to_rgb8();
        assert_outside_untouched(&source, &out, |x, y| mask.get_pixel(x, y).0[0] > 0);
        assert!(
            spread(
                &out,
                PixelRect {
                    x: 12,
                    y: 12,
                    width: 20,
                    height: 20
                }
            ) < 10.0
        );
    }

    #[test]
    fn mask_redaction_keeps_rgba_and_alpha_outside() {
        let source = RgbaImage::from_fn(40, 40, |x, _| Rgba([200, 100, 50, (x * 6) as u8]));
        let mask = crate::mask::box_mask(
            40,
            40,
            PixelRect {
                x: 5,
                y: 5,
                width: 10,
                height: 10,
            },
        );
        let out = redact_mask(
            &DynamicImage::ImageRgba8(source.clone()),
            &mask,
            RedactMethod::Fill,
            1.0,
            Color([0, 0, 255, 255]),
        )
        .expect("fill");
        let out = out.as_rgba8().expect("still RGBA");
        assert_eq!(out.get_pixel(7, 7).0, [0, 0, 255, 255]);
        assert_eq!(out.get_pixel(30, 30), source.get_pixel(30, 30));
        let error = redact_mask(
            &DynamicImage::ImageRgba8(source),
            &GrayImage::new(2, 2),
            RedactMethod::Blur,
            1.0,
            Color::BLACK,
        )
        .expect_err("size");
        assert!(matches!(error, MediaError::SizeMismatch { .. }));
    }

    #[test]
    fn errors_name_the_parameter() {
        let image = DynamicImage::ImageRgb8(checker(64, 48));
        let outside = params(
            vec![Region::Box(PixelBox::new(100.0, 0.0, 120.0, 10.0))],
            RedactMethod::Blur,
        );
        let error = redact(&image, &outside).expect_err("outside");
        assert_eq!(
            error.to_string(),
            "`regions` [100, 0, 120, 10] lies outside the 64×48 image"
        );
        let weak = RedactParams {
            strength: 0.0,
            ..params(vec![], RedactMethod::Blur)
        };
        assert!(
            redact(&image, &weak)
                .expect_err("strength")
                .to_string()
                .starts_with("`strength` 0")
        );
    }

    #[test]
    fn exact_gaussian_rect_blur_for_benchmarks() {
        let mut image = checker(60, 60);
        let before = image.clone();
        let rect = PixelRect {
            x: 20,
            y: 20,
            width: 20,
            height: 20,
        };
        gaussian_blur_rect(&mut image, rect, 3.0).expect("blur");
        assert!(spread(&image, rect) < 20.0);
        assert_outside_untouched(&before, &image, |x, y| {
            (20..40).contains(&x) && (20..40).contains(&y)
        });
        assert!(
            gaussian_blur_rect(
                &mut image,
                PixelRect {
                    x: 50,
                    y: 50,
                    width: 20,
                    height: 5
                },
                3.0
            )
            .is_err()
        );
    }
}
