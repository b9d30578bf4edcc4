//! Tone changes: grayscale, brightness, contrast, saturation, sharpening, false colour.

use image::{DynamicImage, Pixel};

use crate::error::{MediaError, Result};
use crate::geometry::to_8bit;
use crate::params::AdjustParams;
use crate::privacy::gaussian;

/// Converts to 8-bit grayscale (keeping alpha when present), Rec. 709 luma.
pub fn grayscale(image: &DynamicImage) -> DynamicImage {
    if image.color().has_alpha() {
        DynamicImage::ImageLumaA8(image.to_luma_alpha8())
    } else {
        DynamicImage::ImageLuma8(image.to_luma8())
    }
}

/// Stops of the false-colour ramp, dark purple (0) through red and orange to pale yellow (255),
/// close to matplotlib's "inferno": monotonic in lightness, so it still reads in grayscale.
const RAMP: [[f32; 3]; 5] = [
    [0.0, 0.0, 4.0],
    [87.0, 16.0, 110.0],
    [188.0, 55.0, 84.0],
    [249.0, 142.0, 9.0],
    [252.0, 255.0, 164.0],
];

/// Colours an 8-bit gray image (a depth map, say) with a dark-to-bright ramp for viewing.
pub fn false_color(gray: &image::GrayImage) -> image::RgbImage {
    let segments = (RAMP.len() - 1) as f32;
    image::RgbImage::from_fn(gray.width(), gray.height(), |x, y| {
        let t = f32::from(gray.get_pixel(x, y).0[0]) / 255.0 * segments;
        let index = (t.floor() as usize).min(RAMP.len() - 2);
        let frac = t - index as f32;
        let (low, high) = (RAMP[index], RAMP[index + 1]);
        image::Rgb([0, 1, 2].map(|c| (low[c] + (high[c] - low[c]) * frac).round() as u8))
    })
}

/// Applies brightness, contrast, saturation and sharpening (see [`AdjustParams`]), in that
/// order, to the colour channels; alpha is kept.
pub fn adjust(image: &DynamicImage, params: &AdjustParams) -> Result<DynamicImage> {
    for (name, value, range) in [
        ("brightness", params.brightness, -1.0..=1.0),
        ("contrast", params.contrast, -1.0..=1.0),
        ("saturation", params.saturation, -1.0..=1.0),
        ("sharpen", params.sharpen, 0.0..=2.0),
    ] {
        if !range.contains(&value) {
            return Err(MediaError::invalid(
                name,
                value,
                format!("must be between {} and {}", range.start(), range.end()),
            ));
        }
    }
    let lut: [u8; 256] = std::array::from_fn(|value| {
        let normalized = value as f32 / 255.0 * (1.0 + params.brightness);
        let adjusted = (normalized - 0.5) * (1.0 + params.contrast) + 0.5;
        (adjusted * 255.0).round().clamp(0.0, 255.0) as u8
    });
    let factor = 1.0 + params.saturation;
    let mut out = to_8bit_any(image);
    match &mut out {
        DynamicImage::ImageLuma8(gray) => gray
            .pixels_mut()
            .for_each(|pixel| pixel.0[0] = lut[usize::from(pixel.0[0])]),
        DynamicImage::ImageLumaA8(gray) => gray
            .pixels_mut()
            .for_each(|pixel| pixel.0[0] = lut[usize::from(pixel.0[0])]),
        DynamicImage::ImageRgb8(rgb) => rgb.pixels_mut().for_each(|pixel| {
            pixel.apply(|channel| lut[usize::from(channel)]);
            saturate(&mut pixel.0, factor);
        }),
        DynamicImage::ImageRgba8(rgba) => rgba.pixels_mut().for_each(|pixel| {
            pixel.apply_without_alpha(|channel| lut[usize::from(channel)]);
            let mut rgb = [pixel.0[0], pixel.0[1], pixel.0[2]];
            saturate(&mut rgb, factor);
            pixel.0[..3].copy_from_slice(&rgb);
        }),
        _ => {}
    }
    if params.sharpen > 0.0 {
        out = sharpen(out, params.sharpen)?;
    }
    Ok(out)
}

/// Moves a pixel away from its Rec. 709 grey by `factor` (1 keeps it, 0 is grey).
fn saturate(rgb: &mut [u8; 3], factor: f32) {
    if factor == 1.0 {
        return;
    }
    let [r, g, b] = rgb.map(f32::from);
    let luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    for channel in rgb.iter_mut() {
        let moved = luma + (f32::from(*channel) - luma) * factor;
        *channel = moved.round().clamp(0.0, 255.0) as u8;
    }
}

/// Unsharp mask: adds `amount` × (image − gaussian blur). The blur radius grows a little with
/// the picture (sigma 1 up to 1000 px on the short side, at most 3) so "sharpen" looks alike
/// on a thumbnail and on a camera photo.
fn sharpen(image: DynamicImage, amount: f32) -> Result<DynamicImage> {
    let (width, height) = (image.width(), image.height());
    let sigma = (f64::from(width.min(height)) / 1000.0).clamp(1.0, 3.0);
    let combine = |raw: &mut [u8], blurred: &[u8], channels: usize, has_alpha: bool| {
        for (index, (value, soft)) in raw.iter_mut().zip(blurred).enumerate() {
            if has_alpha && index % channels == channels - 1 {
                continue;
            }
            let detail = f32::from(*value) - f32::from(*soft);
            *value = (f32::from(*value) + amount * detail)
                .round()
                .clamp(0.0, 255.0) as u8;
        }
    };
    Ok(match image {
        DynamicImage::ImageRgb8(mut rgb) => {
            let blurred = gaussian::<3>(rgb.as_raw(), width, height, sigma)?;
            combine(&mut rgb, &blurred, 3, false);
            DynamicImage::ImageRgb8(rgb)
        }
        DynamicImage::ImageRgba8(mut rgba) => {
            let blurred = gaussian::<4>(rgba.as_raw(), width, height, sigma)?;
            combine(&mut rgba, &blurred, 4, true);
            DynamicImage::ImageRgba8(rgba)
        }
        // Gray images are sharpened as RGB and stay gray (the channels stay equal).
        other => {
            let has_alpha = other.color().has_alpha();
            let sharpened = sharpen(DynamicImage::ImageRgba8(other.to_rgba8()), amount)?;
            if has_alpha {
                DynamicImage::ImageLumaA8(sharpened.to_luma_alpha8())
            } else {
                DynamicImage::ImageLuma8(sharpened.to_luma8())
            }
        }
    })
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
    use image::{GrayImage, Luma, Rgb, RgbImage};

    #[test]
    fn false_color_runs_dark_to_bright() {
        let ramp = GrayImage::from_fn(256, 1, |x, _| Luma([x as u8]));
        let colored = false_color(&ramp);
        assert_eq!(colored.get_pixel(0, 0).0, [0, 0, 4]);
        assert_eq!(colored.get_pixel(255, 0).0, [252, 255, 164]);
        let luma = |x: u32| {
            let [r, g, b] = colored.get_pixel(x, 0).0.map(u32::from);
            2126 * r + 7152 * g + 722 * b
        };
        assert!(
            (1..256).all(|x| luma(x) >= luma(x - 1)),
            "brighter with value"
        );
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
                ..AdjustParams::default()
            },
        )
        .expect("brightness");
        // 20 % brighter: 70 × 1.2 = 84, 130 × 1.2 = 156, 190 × 1.2 = 228.
        assert_eq!(brighter.to_luma8().as_raw(), &vec![84, 156, 228]);
        let contrasty = adjust(
            &mid,
            &AdjustParams {
                contrast: 0.5,
                ..AdjustParams::default()
            },
        )
        .expect("contrast");
        assert_eq!(contrasty.to_luma8().as_raw(), &vec![41, 131, 221]);
        let error = adjust(
            &mid,
            &AdjustParams {
                brightness: 2.0,
                ..AdjustParams::default()
            },
        )
        .expect_err("out of range");
        assert!(error.to_string().contains("between -1 and 1"), "{error}");
        assert!(
            adjust(
                &mid,
                &AdjustParams {
                    sharpen: -0.5,
                    ..AdjustParams::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn saturation_moves_colours_from_grey_and_sharpen_raises_edge_contrast() {
        let teal = DynamicImage::ImageRgb8(RgbImage::from_pixel(4, 4, Rgb([60, 140, 140])));
        let params = |saturation| AdjustParams {
            saturation,
            ..AdjustParams::default()
        };
        let [r, g, _] = adjust(&teal, &params(0.5))
            .expect("more")
            .to_rgb8()
            .get_pixel(1, 1)
            .0;
        assert!(g - r > 80, "spread grows from 80: {r} {g}");
        let gray = adjust(&teal, &params(-1.0)).expect("none").to_rgb8();
        let [r, g, b] = gray.get_pixel(1, 1).0;
        assert!(r == g && g == b, "{r} {g} {b}");

        let edge = DynamicImage::ImageRgb8(RgbImage::from_fn(20, 8, |x, _| {
            if x < 10 {
                Rgb([80, 80, 80])
            } else {
                Rgb([170, 170, 170])
            }
        }));
        let sharp = adjust(
            &edge,
            &AdjustParams {
                sharpen: 1.0,
                ..AdjustParams::default()
            },
        )
        .expect("sharpen")
        .to_rgb8();
        assert!(
            sharp.get_pixel(9, 4).0[0] < 80,
            "dark side darker at the edge"
        );
        assert!(
            sharp.get_pixel(10, 4).0[0] > 170,
            "light side lighter at the edge"
        );
        assert!(
            sharp.get_pixel(0, 4).0.iter().all(|v| v.abs_diff(80) <= 1),
            "flat areas unchanged"
        );
    }
}
