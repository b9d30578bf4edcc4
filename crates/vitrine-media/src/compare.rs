//! Comparing two images of the same size: per-pixel difference, SSIM, a difference heatmap and
//! the changed regions as boxes.

use image::{DynamicImage, GrayImage, Rgb, RgbImage, RgbaImage};

use crate::error::{MediaError, Result};

/// Side of the cells changed pixels are grouped in: changes closer than this merge into one
/// region, so a retouched word is one box rather than one per stroke.
const CELL: u32 = 8;

/// At most this many regions are listed (the largest first); the count says how many there are.
pub const MAX_REGIONS: usize = 64;

/// How two images are compared.
#[derive(Debug, Clone, Copy)]
pub struct CompareParams {
    /// A pixel counts as changed when some channel differs by more than this (0..=255); 0 makes
    /// every difference count, a few levels ignore JPEG noise.
    pub threshold: u8,
    /// Regions with fewer changed pixels than this are dropped as noise.
    pub min_region_pixels: u64,
}

impl Default for CompareParams {
    fn default() -> Self {
        CompareParams {
            threshold: 16,
            min_region_pixels: 4,
        }
    }
}

/// One changed region: the tight box around its changed pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangedRegion {
    /// `[x0, y0, x1, y1]` in pixels, `x1`/`y1` exclusive.
    pub bbox: [u32; 4],
    /// Changed pixels inside it.
    pub pixels: u64,
}

/// What [`compare`] found.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Mean absolute difference over all pixels and channels, 0..255.
    pub mean_difference: f64,
    /// The largest difference of any channel at any pixel, 0..255.
    pub max_difference: u8,
    /// Pixels where some channel differs by more than the threshold.
    pub changed_pixels: u64,
    /// Mean structural similarity of the luma, 1 for identical images.
    pub ssim: f64,
    /// The changed regions, largest first, at most [`MAX_REGIONS`].
    pub regions: Vec<ChangedRegion>,
    /// All regions found, listed or not.
    pub region_count: usize,
    /// Black where the images agree; red to yellow to white as the difference grows.
    pub heatmap: RgbImage,
}

/// Compares `a` with `b`, which must have the same size (resize one first otherwise).
pub fn compare(a: &DynamicImage, b: &DynamicImage, params: &CompareParams) -> Result<Comparison> {
    if (a.width(), a.height()) != (b.width(), b.height()) {
        return Err(MediaError::invalid(
            "images",
            format!(
                "{}×{} and {}×{}",
                a.width(),
                a.height(),
                b.width(),
                b.height()
            ),
            "compare images of the same size",
        ));
    }
    let (a, b) = (a.to_rgba8(), b.to_rgba8());
    let (width, height) = a.dimensions();
    let diff = difference(&a, &b);
    let mut heatmap = RgbImage::new(width, height);
    let mut changed = GrayImage::new(width, height);
    let (mut sum, mut max, mut changed_pixels) = (0_u64, 0_u8, 0_u64);
    for (x, y, pixel) in diff.enumerate_pixels() {
        let level = u8::try_from(pixel.0[0]).unwrap_or(u8::MAX);
        sum += u64::from(pixel.0[1]);
        max = max.max(level);
        heatmap.put_pixel(x, y, hot(u16::from(level)));
        if level > params.threshold {
            changed.put_pixel(x, y, image::Luma([255]));
            changed_pixels += 1;
        }
    }
    let samples = u64::from(width) * u64::from(height) * 4;
    let (regions, region_count) = regions(&changed, params.min_region_pixels);
    Ok(Comparison {
        mean_difference: if samples == 0 {
            0.0
        } else {
            sum as f64 / samples as f64
        },
        max_difference: max,
        changed_pixels,
        ssim: ssim(&luma(&a), &luma(&b), width, height),
        regions,
        region_count,
        heatmap,
    })
}

/// Per pixel: the largest channel difference, and the sum over the four channels (for the mean).
/// A fully transparent pixel compares as transparent black, whatever colour it stores.
fn difference(a: &RgbaImage, b: &RgbaImage) -> image::ImageBuffer<image::LumaA<u16>, Vec<u16>> {
    let visible = |p: &image::Rgba<u8>| if p.0[3] == 0 { [0; 4] } else { p.0 };
    image::ImageBuffer::from_fn(a.width(), a.height(), |x, y| {
        let (p, q) = (visible(a.get_pixel(x, y)), visible(b.get_pixel(x, y)));
        let mut largest = 0_u16;
        let mut total = 0_u16;
        for channel in 0..4 {
            let d = u16::from(p[channel].abs_diff(q[channel]));
            largest = largest.max(d);
            total += d;
        }
        image::LumaA([largest, total])
    })
}

/// A "hot" colour ramp: 0 is black, small differences dark red, large ones yellow to white.
/// Differences are stretched ×3 so a 30-level change is plainly visible.
fn hot(level: u16) -> Rgb<u8> {
    let v = u32::from(level) * 3;
    let channel = |from: u32| u8::try_from(v.saturating_sub(from).min(255)).unwrap_or(255);
    Rgb([channel(0), channel(255), channel(510)])
}

/// BT.601 luma, composited over black so transparency counts.
fn luma(image: &RgbaImage) -> Vec<f32> {
    image
        .pixels()
        .map(|p| {
            let alpha = f32::from(p.0[3]) / 255.0;
            (0.299 * f32::from(p.0[0]) + 0.587 * f32::from(p.0[1]) + 0.114 * f32::from(p.0[2]))
                * alpha
        })
        .collect()
}

/// Side of the SSIM window, and its step.
const WINDOW: u32 = 8;
const STEP: u32 = 4;

/// Mean SSIM (Wang et al. 2004) of two luma planes `width` wide, over 8×8 windows every 4
/// pixels (each pixel is read about four times, no extra memory), with the usual constants for
/// 8-bit data. An image smaller than a window is one window.
fn ssim(a: &[f32], b: &[f32], width: u32, height: u32) -> f64 {
    const C1: f64 = (0.01 * 255.0) * (0.01 * 255.0);
    const C2: f64 = (0.03 * 255.0) * (0.03 * 255.0);
    let (window_w, window_h) = (WINDOW.min(width), WINDOW.min(height));
    if window_w == 0 || window_h == 0 {
        return 1.0;
    }
    let starts = |size: u32, window: u32| {
        let mut starts: Vec<u32> = (0..=size - window).step_by(STEP as usize).collect();
        // The last window reaches the far edge, so a change there is never missed.
        if starts.last() != Some(&(size - window)) {
            starts.push(size - window);
        }
        starts
    };
    let n = f64::from(window_w * window_h);
    let (mut total, mut windows) = (0.0, 0_u64);
    for &y0 in &starts(height, window_h) {
        for &x0 in &starts(width, window_w) {
            let (mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0);
            for y in y0..y0 + window_h {
                let row = (y * width) as usize;
                for x in x0..x0 + window_w {
                    let (p, q) = (
                        f64::from(a[row + x as usize]),
                        f64::from(b[row + x as usize]),
                    );
                    sa += p;
                    sb += q;
                    saa += p * p;
                    sbb += q * q;
                    sab += p * q;
                }
            }
            let (mean_a, mean_b) = (sa / n, sb / n);
            let var_a = (saa / n - mean_a * mean_a).max(0.0);
            let var_b = (sbb / n - mean_b * mean_b).max(0.0);
            let covariance = sab / n - mean_a * mean_b;
            total += ((2.0 * mean_a * mean_b + C1) * (2.0 * covariance + C2))
                / ((mean_a * mean_a + mean_b * mean_b + C1) * (var_a + var_b + C2));
            windows += 1;
        }
    }
    total / windows as f64
}

/// Groups changed pixels into regions: cells of [`CELL`]² holding a change, joined with their
/// 8 neighbours, each region boxed tightly around its changed pixels.
fn regions(changed: &GrayImage, min_pixels: u64) -> (Vec<ChangedRegion>, usize) {
    let (width, height) = changed.dimensions();
    let (columns, rows) = (width.div_ceil(CELL), height.div_ceil(CELL));
    let cell_index = |cx: u32, cy: u32| (cy * columns + cx) as usize;
    // Per cell: the tight box of its changed pixels and their count.
    let mut cells: Vec<Option<ChangedRegion>> = vec![None; (columns * rows) as usize];
    for (x, y, pixel) in changed.enumerate_pixels() {
        if pixel.0[0] == 0 {
            continue;
        }
        let cell = &mut cells[cell_index(x / CELL, y / CELL)];
        let region = cell.get_or_insert(ChangedRegion {
            bbox: [x, y, x + 1, y + 1],
            pixels: 0,
        });
        region.bbox = [
            region.bbox[0].min(x),
            region.bbox[1].min(y),
            region.bbox[2].max(x + 1),
            region.bbox[3].max(y + 1),
        ];
        region.pixels += 1;
    }
    let mut seen = vec![false; cells.len()];
    let mut found = Vec::new();
    for start in 0..cells.len() {
        if seen[start] || cells[start].is_none() {
            continue;
        }
        seen[start] = true;
        let mut stack = vec![start];
        let mut merged: Option<ChangedRegion> = None;
        while let Some(index) = stack.pop() {
            let Some(cell) = cells[index] else { continue };
            merged = Some(match merged {
                None => cell,
                Some(region) => ChangedRegion {
                    bbox: [
                        region.bbox[0].min(cell.bbox[0]),
                        region.bbox[1].min(cell.bbox[1]),
                        region.bbox[2].max(cell.bbox[2]),
                        region.bbox[3].max(cell.bbox[3]),
                    ],
                    pixels: region.pixels + cell.pixels,
                },
            });
            let (cx, cy) = (index as u32 % columns, index as u32 / columns);
            for ny in cy.saturating_sub(1)..=(cy + 1).min(rows - 1) {
                for nx in cx.saturating_sub(1)..=(cx + 1).min(columns - 1) {
                    let next = cell_index(nx, ny);
                    if !seen[next] && cells[next].is_some() {
                        seen[next] = true;
                        stack.push(next);
                    }
                }
            }
        }
        if let Some(region) = merged
            && region.pixels >= min_pixels
        {
            found.push(region);
        }
    }
    found.sort_by(|a, b| b.pixels.cmp(&a.pixels).then(a.bbox.cmp(&b.bbox)));
    let count = found.len();
    found.truncate(MAX_REGIONS);
    (found, count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            let v = (x.wrapping_mul(31) ^ y.wrapping_mul(17)).wrapping_mul(2_654_435_761) >> 24;
            Rgb([v as u8, (v as u8).wrapping_add(60), 200])
        })
    }

    #[test]
    fn identical_images_have_no_change_and_ssim_one() {
        let image = DynamicImage::ImageRgb8(noise(40, 30));
        let found = compare(&image, &image, &CompareParams::default()).expect("same size");
        assert_eq!(found.changed_pixels, 0);
        assert_eq!(found.region_count, 0);
        assert!((found.ssim - 1.0).abs() < 1e-9, "ssim {}", found.ssim);
        assert!(found.heatmap.pixels().all(|p| p.0 == [0, 0, 0]));
    }

    #[test]
    fn two_planted_changes_are_two_tight_boxes() {
        let before = noise(100, 80);
        let mut after = before.clone();
        for (x0, y0, x1, y1) in [(10, 12, 20, 18), (70, 50, 91, 77)] {
            for y in y0..y1 {
                for x in x0..x1 {
                    after.put_pixel(x, y, Rgb([255, 0, 0]));
                }
            }
        }
        let found = compare(
            &DynamicImage::ImageRgb8(before),
            &DynamicImage::ImageRgb8(after),
            &CompareParams::default(),
        )
        .expect("same size");
        assert_eq!(found.region_count, 2);
        assert_eq!(found.regions[0].bbox, [70, 50, 91, 77]);
        assert_eq!(found.regions[1].bbox, [10, 12, 20, 18]);
        assert!(found.ssim < 0.99);
    }

    #[test]
    fn different_sizes_are_refused() {
        let a = DynamicImage::ImageRgb8(noise(10, 10));
        let b = DynamicImage::ImageRgb8(noise(10, 11));
        assert!(compare(&a, &b, &CompareParams::default()).is_err());
    }
}
