//! A GrabCut-style object mask from a detector box, with no graph cut.
//!
//! Colour models are weighted k-means clusters with a variance each (a hard-assignment
//! stand-in for GrabCut's GMMs):
//! background from the pixels around the box, foreground from its centre. Each iteration labels
//! every pixel in the box by its nearer model, with a prior that favours background near the
//! box's edges and foreground near its centre (objects fill the middle of detector boxes),
//! then refits the foreground clusters. Majority filtering replaces the graph cut's
//! smoothness term; the result keeps the largest connected region and fills its holes.

use image::{GrayImage, Luma, RgbImage};

use crate::error::SplatError;
use crate::pixel_box::PixelBox;

/// Colour clusters per model.
const CLUSTERS: usize = 5;
/// Labelling iterations.
const ITERATIONS: usize = 4;
/// Weight of the spatial prior in nats (log-likelihood units): a pixel at the box's edge pays
/// this much more to be foreground, one at its centre this much more to be background. It
/// settles colours both models explain about equally well.
const SPATIAL_PRIOR: f32 = 2.0;
/// Smallest per-channel variance of a colour cluster (RGB in 0..=255), so flat colours do not
/// give infinitely sharp clusters.
const MIN_VARIANCE: f32 = 16.0;
/// Most samples fed to k-means per model; a regular subsample of the rest.
const MAX_SAMPLES: usize = 20_000;

type Color = [f32; 3];

/// A mask (255 object, 0 elsewhere) of the object inside `bounding_box` (`[x0, y0, x1, y1]`
/// in pixels), by colour-model iterations (see the module docs).
///
/// Falls back to the whole box when the box covers (almost) the whole image, leaving no
/// background to learn from, or when segmentation keeps less than 5 % of the box.
pub fn refine_mask_from_box(
    image: &RgbImage,
    bounding_box: [f32; 4],
) -> Result<GrayImage, SplatError> {
    let (width, height) = image.dimensions();
    let b = PixelBox::clamped(&bounding_box, width, height).ok_or_else(|| {
        SplatError::InvalidParameter {
            name: "box",
            reason: format!("`{bounding_box:?}` is not finite or covers no pixel of the image"),
        }
    })?;
    let mut mask = GrayImage::new(width, height);
    let fill_box = |mask: &mut GrayImage| {
        for y in b.y0..b.y1 {
            for x in b.x0..b.x1 {
                mask.put_pixel(x, y, Luma([255]));
            }
        }
    };
    let outside = width as usize * height as usize - b.width() as usize * b.height() as usize;
    if outside < (b.width() as usize * b.height() as usize) / 20 || b.width() < 4 || b.height() < 4
    {
        fill_box(&mut mask);
        return Ok(mask);
    }
    let pixel = |x: u32, y: u32| image.get_pixel(x, y).0.map(f32::from);

    // Background: a ring around the box as wide as a quarter of the box (the nearby context).
    let margin_x = (b.width() / 4).max(4);
    let margin_y = (b.height() / 4).max(4);
    let ring = PixelBox {
        x0: b.x0.saturating_sub(margin_x),
        y0: b.y0.saturating_sub(margin_y),
        x1: (b.x1 + margin_x).min(width),
        y1: (b.y1 + margin_y).min(height),
    };
    let mut background = Vec::new();
    for y in ring.y0..ring.y1 {
        for x in ring.x0..ring.x1 {
            if !(b.x0..b.x1).contains(&x) || !(b.y0..b.y1).contains(&y) {
                background.push(pixel(x, y));
            }
        }
    }
    let background_model = ColorModel::fit(&subsample(background));

    // Foreground starts from the middle half of the box.
    let mut foreground = Vec::new();
    for y in b.y0 + b.height() / 4..b.y1 - b.height() / 4 {
        for x in b.x0 + b.width() / 4..b.x1 - b.width() / 4 {
            foreground.push(pixel(x, y));
        }
    }
    let mut foreground_model = ColorModel::fit(&subsample(foreground));

    let (bw, bh) = (b.width() as usize, b.height() as usize);
    let mut labels = vec![false; bw * bh];
    for _ in 0..ITERATIONS {
        let mut samples = Vec::new();
        for j in 0..bh {
            for i in 0..bw {
                let color = pixel(b.x0 + i as u32, b.y0 + j as u32);
                // 0 at the box edge, 1 at its centre.
                let cx = 1.0 - ((i as f32 + 0.5) / bw as f32 * 2.0 - 1.0).abs();
                let cy = 1.0 - ((j as f32 + 0.5) / bh as f32 * 2.0 - 1.0).abs();
                let centrality = cx.min(cy);
                let fg = foreground_model.cost(color);
                let bg = background_model.cost(color);
                labels[j * bw + i] =
                    fg + SPATIAL_PRIOR * (1.0 - centrality) < bg + SPATIAL_PRIOR * centrality;
                // The prior decides labels, not what the colour model learns: refitting on
                // prior-won pixels would let background colours drift into the object model.
                if fg < bg && labels[j * bw + i] {
                    samples.push(color);
                }
            }
        }
        if samples.is_empty() {
            break;
        }
        foreground_model = ColorModel::fit(&subsample(samples));
    }

    majority_filter(&mut labels, bw, bh, 2);
    majority_filter(&mut labels, bw, bh, 2);
    keep_largest_region(&mut labels, bw, bh);
    fill_holes(&mut labels, bw, bh);

    let kept = labels.iter().filter(|&&l| l).count();
    if kept * 20 < bw * bh {
        fill_box(&mut mask);
        return Ok(mask);
    }
    for j in 0..bh {
        for i in 0..bw {
            if labels[j * bw + i] {
                mask.put_pixel(b.x0 + i as u32, b.y0 + j as u32, Luma([255]));
            }
        }
    }
    Ok(mask)
}

/// Clears from `mask` every pixel a person matte marks (values ≥ 128): a colour model cut
/// from a box keeps a person standing in front of (or sitting behind) the object, but the
/// matte says those pixels are the person's. Mattes of another size are refused.
pub fn remove_people(mask: &mut GrayImage, mattes: &[&GrayImage]) -> Result<(), SplatError> {
    let (width, height) = mask.dimensions();
    for matte in mattes {
        if matte.dimensions() != (width, height) {
            return Err(SplatError::DimensionMismatch {
                what: "person matte",
                width,
                height,
                actual_width: matte.width(),
                actual_height: matte.height(),
            });
        }
        for (pixel, person) in mask.pixels_mut().zip(matte.pixels()) {
            if person.0[0] >= 128 {
                pixel.0[0] = 0;
            }
        }
    }
    Ok(())
}

/// A colour mixture: k-means clusters with their weight and isotropic variance, standing in
/// for GrabCut's Gaussian mixtures. Weights matter: a colour common around the box and rare
/// inside it (ground between table legs) is background, a colour rare around the box and
/// common inside it (dark fur beside a dark tyre) is foreground.
struct ColorModel {
    /// `(mean, 1 / (2 · variance), 1.5 · ln variance − ln weight)` per cluster, so a cost is
    /// a multiply and an add.
    clusters: Vec<(Color, f32, f32)>,
}

impl ColorModel {
    fn fit(samples: &[Color]) -> Self {
        let centres = kmeans(samples, CLUSTERS);
        let mut stats = vec![(0f32, 0f32); centres.len()];
        for &s in samples {
            let (best, d) = nearest_index(&centres, s);
            stats[best].0 += 1.0;
            stats[best].1 += d;
        }
        let total = samples.len().max(1) as f32;
        let clusters = centres
            .into_iter()
            .zip(stats)
            .filter(|(_, (count, _))| *count > 0.0)
            .map(|(mean, (count, squared))| {
                let variance = (squared / (3.0 * count)).max(MIN_VARIANCE);
                (
                    mean,
                    0.5 / variance,
                    1.5 * variance.ln() - (count / total).ln(),
                )
            })
            .collect();
        Self { clusters }
    }

    /// Negative log-likelihood (up to a constant) of the best cluster; infinite when empty.
    fn cost(&self, color: Color) -> f32 {
        self.clusters
            .iter()
            .map(|&(mean, inverse, offset)| distance(mean, color) * inverse + offset)
            .fold(f32::INFINITY, f32::min)
    }
}

fn nearest_index(centres: &[Color], color: Color) -> (usize, f32) {
    centres
        .iter()
        .enumerate()
        .map(|(i, &c)| (i, distance(c, color)))
        .fold((0, f32::INFINITY), |a, b| if b.1 < a.1 { b } else { a })
}

fn distance(a: Color, b: Color) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

fn subsample(samples: Vec<Color>) -> Vec<Color> {
    if samples.len() <= MAX_SAMPLES {
        return samples;
    }
    let step = samples.len().div_ceil(MAX_SAMPLES);
    samples.into_iter().step_by(step).collect()
}

/// Deterministic k-means: centres start at evenly spaced samples in luminance order.
fn kmeans(samples: &[Color], k: usize) -> Vec<Color> {
    if samples.is_empty() {
        return Vec::new();
    }
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| (a[0] + a[1] + a[2]).total_cmp(&(b[0] + b[1] + b[2])));
    let k = k.min(sorted.len());
    let mut centres: Vec<Color> = (0..k)
        .map(|i| sorted[(2 * i + 1) * sorted.len() / (2 * k)])
        .collect();
    for _ in 0..8 {
        let mut sums = vec![[0f32; 4]; k];
        for &s in samples {
            let (best, _) = nearest_index(&centres, s);
            for c in 0..3 {
                sums[best][c] += s[c];
            }
            sums[best][3] += 1.0;
        }
        for (centre, sum) in centres.iter_mut().zip(&sums) {
            if sum[3] > 0.0 {
                *centre = [sum[0] / sum[3], sum[1] / sum[3], sum[2] / sum[3]];
            }
        }
    }
    centres
}

/// Sets each label to the majority of its `(2r + 1)²` neighbourhood (summed-area table).
fn majority_filter(labels: &mut [bool], width: usize, height: usize, radius: usize) {
    let mut table = vec![0u32; (width + 1) * (height + 1)];
    for y in 0..height {
        for x in 0..width {
            table[(y + 1) * (width + 1) + x + 1] = u32::from(labels[y * width + x])
                + table[y * (width + 1) + x + 1]
                + table[(y + 1) * (width + 1) + x]
                - table[y * (width + 1) + x];
        }
    }
    for y in 0..height {
        for x in 0..width {
            let (x0, y0) = (x.saturating_sub(radius), y.saturating_sub(radius));
            let (x1, y1) = ((x + radius + 1).min(width), (y + radius + 1).min(height));
            let count = table[y1 * (width + 1) + x1] + table[y0 * (width + 1) + x0]
                - table[y0 * (width + 1) + x1]
                - table[y1 * (width + 1) + x0];
            let area = ((x1 - x0) * (y1 - y0)) as u32;
            labels[y * width + x] = 2 * count > area;
        }
    }
}

/// 4-connected components of pixels equal to `value`; returns a component id per pixel
/// (`usize::MAX` for other pixels) and each component's size and whether it touches the border.
fn components(
    labels: &[bool],
    width: usize,
    height: usize,
    value: bool,
) -> (Vec<usize>, Vec<(usize, bool)>) {
    let mut ids = vec![usize::MAX; labels.len()];
    let mut info = Vec::new();
    let mut stack = Vec::new();
    for start in 0..labels.len() {
        if labels[start] != value || ids[start] != usize::MAX {
            continue;
        }
        let id = info.len();
        let (mut size, mut border) = (0, false);
        ids[start] = id;
        stack.push(start);
        while let Some(p) = stack.pop() {
            size += 1;
            let (x, y) = (p % width, p / width);
            border |= x == 0 || y == 0 || x + 1 == width || y + 1 == height;
            let mut visit = |q: usize| {
                if labels[q] == value && ids[q] == usize::MAX {
                    ids[q] = id;
                    stack.push(q);
                }
            };
            if x > 0 {
                visit(p - 1);
            }
            if x + 1 < width {
                visit(p + 1);
            }
            if y > 0 {
                visit(p - width);
            }
            if y + 1 < height {
                visit(p + width);
            }
        }
        info.push((size, border));
    }
    (ids, info)
}

fn keep_largest_region(labels: &mut [bool], width: usize, height: usize) {
    let (ids, info) = components(labels, width, height, true);
    let Some(largest) = (0..info.len()).max_by_key(|&i| info[i].0) else {
        return;
    };
    for (label, id) in labels.iter_mut().zip(ids) {
        *label = id == largest;
    }
}

fn fill_holes(labels: &mut [bool], width: usize, height: usize) {
    let (ids, info) = components(labels, width, height, false);
    for (label, id) in labels.iter_mut().zip(ids) {
        if id != usize::MAX && !info[id].1 {
            *label = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_filter_removes_specks_and_holes_are_filled() {
        let (w, h) = (9, 9);
        let mut labels = vec![false; w * h];
        labels[4 * w + 4] = true; // a lone speck
        majority_filter(&mut labels, w, h, 1);
        assert!(labels.iter().all(|&l| !l));

        let mut ring = vec![false; w * h];
        for y in 2..7 {
            for x in 2..7 {
                ring[y * w + x] = !(x == 4 && y == 4);
            }
        }
        fill_holes(&mut ring, w, h);
        assert!(ring[4 * w + 4]);
        assert!(!ring[0]);
    }

    #[test]
    fn kmeans_finds_two_obvious_colours() {
        let mut samples = vec![[250.0, 0.0, 0.0]; 50];
        samples.extend(vec![[0.0, 0.0, 250.0]; 50]);
        let centres = kmeans(&samples, 2);
        assert!(nearest_index(&centres, [250.0, 0.0, 0.0]).1 < 1.0);
        assert!(nearest_index(&centres, [0.0, 0.0, 250.0]).1 < 1.0);
    }

    #[test]
    fn cluster_weights_decide_shared_colours() {
        // Green is common in the first model and rare in the second: green costs less in the
        // first, while a colour only the second has costs less there.
        let mut mostly_green = vec![[80.0, 120.0, 70.0]; 90];
        mostly_green.extend(vec![[140.0, 80.0, 40.0]; 10]);
        let mut mostly_brown = vec![[140.0, 80.0, 40.0]; 90];
        mostly_brown.extend(vec![[80.0, 120.0, 70.0]; 10]);
        let (a, b) = (
            ColorModel::fit(&mostly_green),
            ColorModel::fit(&mostly_brown),
        );
        assert!(a.cost([80.0, 120.0, 70.0]) < b.cost([80.0, 120.0, 70.0]));
        assert!(b.cost([140.0, 80.0, 40.0]) < a.cost([140.0, 80.0, 40.0]));
        assert_eq!(ColorModel::fit(&[]).cost([0.0; 3]), f32::INFINITY);
    }
}
