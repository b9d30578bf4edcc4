//! Per-pixel tone changes: grayscale, brightness and contrast, false colour.

use image::{DynamicImage, Pixel};

use crate::error::{MediaError, Result};
use crate::geometry::to_8bit;
use crate::params::AdjustParams;

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
