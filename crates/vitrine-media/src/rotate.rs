//! Rotation (exact quarter turns, bilinear for any other angle, optionally expanding the
//! canvas) and mirroring.

use image::{DynamicImage, GenericImageView, ImageBuffer, Rgba};

use crate::error::{MediaError, Result};
use crate::params::{Flip, RotateParams};
use crate::shapes::Color;

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

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// Each pixel encodes its own coordinates: red = x, green = y.
    fn coords(width: u32, height: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(width, height, |x, y| {
            Rgb([x as u8, y as u8, 0])
        }))
    }

    fn pixel(image: &DynamicImage, x: u32, y: u32) -> [u8; 4] {
        image.get_pixel(x, y).0
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
}
