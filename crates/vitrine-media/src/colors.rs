//! Dominant colours, named the way people name them ("dark blue", "white").
//!
//! A histogram over names, not k-means: a grid of at most 96×96 pixels is sampled, each sample
//! gets one name from its hue, saturation and value, and the names covering the most samples
//! win. Counting names directly means two shades of one colour add up instead of splitting the
//! vote, and the result is deterministic.

use image::{DynamicImage, GenericImageView};
use serde::Serialize;

/// Samples per side of the grid.
const GRID: u32 = 96;

/// A colour name and the share of the picture it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColorShare {
    /// The name, e.g. `dark blue`.
    pub name: &'static str,
    /// Share of the sampled pixels, 0..1 (two decimals).
    pub share: f64,
}

/// The colours covering at least `min_share` of the picture, most first, at most `max`; when
/// none does, the single most common one. Transparent pixels are skipped.
pub fn dominant_colors(image: &DynamicImage, max: usize, min_share: f64) -> Vec<ColorShare> {
    let (width, height) = image.dimensions();
    let (columns, rows) = (width.min(GRID), height.min(GRID));
    let mut counts: Vec<(&'static str, u32)> = Vec::new();
    let mut total = 0u32;
    for row in 0..rows {
        for column in 0..columns {
            // Centres of an even grid.
            let x = ((2 * column + 1) * width / (2 * columns)).min(width - 1);
            let y = ((2 * row + 1) * height / (2 * rows)).min(height - 1);
            let [r, g, b, a] = image.get_pixel(x, y).0;
            if a < 128 {
                continue;
            }
            let name = color_name(r, g, b);
            total += 1;
            match counts.iter_mut().find(|(known, _)| *known == name) {
                Some((_, count)) => *count += 1,
                None => counts.push((name, 1)),
            }
        }
    }
    // Most first; ties in name order so the answer does not depend on scan order.
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let share = |count: u32| (f64::from(count) / f64::from(total.max(1)) * 100.0).round() / 100.0;
    let mut shares: Vec<ColorShare> = counts
        .iter()
        .filter(|(_, count)| f64::from(*count) >= min_share * f64::from(total))
        .take(max)
        .map(|(name, count)| ColorShare {
            name,
            share: share(*count),
        })
        .collect();
    if shares.is_empty()
        && let Some((name, count)) = counts.first()
    {
        shares.push(ColorShare {
            name,
            share: share(*count),
        });
    }
    shares
}

/// The everyday name of an sRGB colour.
pub fn color_name(r: u8, g: u8, b: u8) -> &'static str {
    let (hue, saturation, value) = hsv(r, g, b);
    if value < 0.18 {
        return "black";
    }
    if saturation < 0.15 || (saturation < 0.25 && value < 0.35) {
        return match value {
            v if v > 0.86 => "white",
            v if v > 0.62 => "light gray",
            v if v > 0.38 => "gray",
            _ => "dark gray",
        };
    }
    let dark = value < 0.45;
    let light = value > 0.8 && saturation < 0.45;
    match hue {
        h if (15.0..45.0).contains(&h) && value < 0.65 => "brown",
        h if (20.0..60.0).contains(&h) && saturation < 0.35 && value > 0.7 => "beige",
        h if !(15.0..345.0).contains(&h) => {
            if light {
                "pink"
            } else if dark {
                "dark red"
            } else {
                "red"
            }
        }
        h if h < 45.0 => "orange",
        h if h < 70.0 => {
            if dark {
                "olive"
            } else {
                "yellow"
            }
        }
        h if h < 165.0 => {
            if dark {
                "dark green"
            } else if light {
                "light green"
            } else {
                "green"
            }
        }
        h if h < 195.0 => {
            if dark {
                "teal"
            } else {
                "cyan"
            }
        }
        h if h < 255.0 => {
            if dark {
                "dark blue"
            } else if light {
                "light blue"
            } else {
                "blue"
            }
        }
        h if h < 290.0 => {
            if dark {
                "dark purple"
            } else {
                "purple"
            }
        }
        _ => {
            if dark {
                "dark purple"
            } else {
                "pink"
            }
        }
    }
}

/// Hue in degrees (0..360), saturation and value (0..1).
fn hsv(r: u8, g: u8, b: u8) -> (f64, f64, f64) {
    let [r, g, b] = [r, g, b].map(|channel| f64::from(channel) / 255.0);
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let hue = if delta == 0.0 {
        0.0
    } else if max == r {
        60.0 * ((g - b) / delta).rem_euclid(6.0)
    } else if max == g {
        60.0 * ((b - r) / delta + 2.0)
    } else {
        60.0 * ((r - g) / delta + 4.0)
    };
    let saturation = if max == 0.0 { 0.0 } else { delta / max };
    (hue, saturation, max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    #[test]
    fn names_common_colours() {
        for (rgb, name) in [
            ([0, 0, 0], "black"),
            ([255, 255, 255], "white"),
            ([128, 128, 128], "gray"),
            ([220, 30, 30], "red"),
            ([20, 40, 110], "dark blue"),
            ([40, 90, 230], "blue"),
            ([30, 160, 60], "green"),
            ([20, 80, 30], "dark green"),
            ([250, 220, 40], "yellow"),
            ([240, 140, 20], "orange"),
            ([120, 70, 30], "brown"),
            ([140, 60, 170], "purple"),
            ([250, 170, 200], "pink"),
            ([235, 220, 190], "beige"),
        ] {
            assert_eq!(color_name(rgb[0], rgb[1], rgb[2]), name, "{rgb:?}");
        }
    }

    #[test]
    fn finds_the_two_halves_most_first() {
        let image = DynamicImage::ImageRgb8(RgbImage::from_fn(300, 200, |x, _| {
            if x < 200 {
                Rgb([15, 30, 100])
            } else {
                Rgb([250, 250, 250])
            }
        }));
        let colors = dominant_colors(&image, 4, 0.1);
        let names: Vec<&str> = colors.iter().map(|color| color.name).collect();
        assert_eq!(names, ["dark blue", "white"]);
        assert!((colors[0].share - 0.67).abs() < 0.02, "{colors:?}");
    }
}
