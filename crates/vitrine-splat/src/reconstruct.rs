//! Single-image reconstruction: image + depth (+ mask) → one gaussian per sampled pixel.
//!
//! Every kept pixel on a regular grid is back-projected through a pinhole [`Camera`]. Its
//! gaussian is a thin disc lying in the surface (the normal comes from the depth gradient),
//! as wide as the pixel's footprint at its depth (stretched along slanted surfaces), coloured
//! with the mean colour of the pixels it stands for.
//!
//! Depth discontinuities are where monocular depth is least trustworthy: models blur the jump
//! between a foreground edge and the background, leaving "flying pixels" with an in-between
//! depth. A sample is dropped when its inverse depth jumps by more than
//! [`ReconstructParams::depth_edge_threshold`] (relative) towards **both** neighbours along an
//! image axis or diagonal (a ramp or a spike). Samples with a jump on one side only are the real edges of a
//! surface and are kept, so objects are not eroded.

use image::{GrayImage, RgbImage};

use crate::camera::{Camera, Intrinsics};
use crate::depth_map::DepthMap;
use crate::error::SplatError;
use crate::math::{Vec3, cross, dot, length, normalize, quaternion_from_columns, scale, sub};
use crate::types::{Gaussian, Splats, rgb_to_dc};

/// Tuning for [`reconstruct`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconstructParams {
    /// Smallest sampling step in pixels (1 = every pixel).
    pub stride: u32,
    /// Upper bound on the number of gaussians; the step grows until the sample grid fits.
    pub max_points: usize,
    /// Relative inverse-depth jump per sampling step above which a sample counts as lying on
    /// a depth discontinuity (see the module docs). Default 0.1.
    pub depth_edge_threshold: f32,
    /// Mask values at or above this are kept. Default 128.
    pub mask_threshold: u8,
    /// Opacity of every gaussian, in (0, 1]. Default 0.95.
    pub opacity: f32,
    /// In-plane standard deviation as a fraction of the sample spacing. Default 0.6, so
    /// neighbouring discs overlap and the surface looks closed.
    pub footprint: f32,
    /// Standard deviation along the normal as a fraction of the in-plane one. Default 0.1.
    pub thickness: f32,
    /// Largest stretch of a disc along a slanted surface, relative to its fronto-parallel
    /// footprint. Default 16: ground seen at a grazing angle needs long discs to stay closed
    /// (a stretch of 16 covers surfaces down to about 4° from the line of sight).
    pub max_stretch: f32,
}

impl Default for ReconstructParams {
    fn default() -> Self {
        Self {
            stride: 1,
            max_points: 300_000,
            depth_edge_threshold: 0.1,
            mask_threshold: 128,
            opacity: 0.95,
            footprint: 0.6,
            thickness: 0.1,
            max_stretch: 16.0,
        }
    }
}

impl ReconstructParams {
    fn validate(&self) -> Result<(), SplatError> {
        let invalid =
            |name: &'static str, reason: String| Err(SplatError::InvalidParameter { name, reason });
        if self.stride == 0 {
            return invalid("stride", "must be at least 1".into());
        }
        if self.max_points == 0 {
            return invalid("max_points", "must be at least 1".into());
        }
        if self.depth_edge_threshold.is_nan() || self.depth_edge_threshold <= 0.0 {
            return invalid(
                "depth_edge_threshold",
                format!("`{}` must be positive", self.depth_edge_threshold),
            );
        }
        if !(self.opacity > 0.0 && self.opacity <= 1.0) {
            return invalid("opacity", format!("`{}` is not in (0, 1]", self.opacity));
        }
        for (name, value) in [
            ("footprint", self.footprint),
            ("thickness", self.thickness),
            ("max_stretch", self.max_stretch),
        ] {
            if !(value > 0.0 && value.is_finite()) {
                return invalid(name, format!("`{value}` must be positive"));
            }
        }
        Ok(())
    }
}

/// What [`reconstruct_with_stats`] did, for provenance and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReconstructStats {
    /// The sampling step used, in pixels (grown from `stride` to respect `max_points`).
    pub step: u32,
    /// Grid samples the mask kept with a valid depth.
    pub samples: usize,
    /// Of those, how many were dropped as lying on a depth discontinuity.
    pub dropped_at_depth_edges: usize,
}

/// Builds one gaussian per sampled pixel of `image` that the mask keeps and that has a valid
/// depth and does not lie on a depth discontinuity.
///
/// Positions are in metres (or the depth map's units) in the camera's RUB frame: the camera is
/// at the origin looking down −z. `depth` and `mask` must have the image's size. Fails on
/// mismatched sizes, invalid parameters, or when no pixel survives.
pub fn reconstruct(
    image: &RgbImage,
    depth: &DepthMap,
    mask: Option<&GrayImage>,
    camera: &Camera,
    params: &ReconstructParams,
) -> Result<Splats, SplatError> {
    reconstruct_with_stats(image, depth, mask, camera, params).map(|(splats, _)| splats)
}

/// [`reconstruct`], also reporting the sampling step and how many samples were dropped.
pub fn reconstruct_with_stats(
    image: &RgbImage,
    depth: &DepthMap,
    mask: Option<&GrayImage>,
    camera: &Camera,
    params: &ReconstructParams,
) -> Result<(Splats, ReconstructStats), SplatError> {
    camera.validate()?;
    params.validate()?;
    let (width, height) = image.dimensions();
    check_size("depth", (width, height), (depth.width(), depth.height()))?;
    if let Some(mask) = mask {
        check_size("mask", (width, height), mask.dimensions())?;
    }
    let keep = |x: u32, y: u32| {
        mask.is_none_or(|m| m.get_pixel(x, y).0[0] >= params.mask_threshold)
            && depth.get(x, y).is_some()
    };
    let step = choose_step(width, height, params, &keep);
    let Some(step) = step else {
        return Err(SplatError::NothingReconstructed {
            reason: if mask.is_some() {
                "the mask keeps no pixel with a valid depth"
            } else {
                "the depth map has no valid (finite, positive) value"
            },
        });
    };
    let sampler = Sampler {
        image,
        depth,
        intrinsics: Intrinsics::new(camera, width, height),
        step,
        params,
    };
    let mut splats = Splats::with_capacity(params.max_points.min(1 << 20));
    let mut samples = 0;
    for y in grid(height, step) {
        for x in grid(width, step) {
            if !keep(x, y) {
                continue;
            }
            samples += 1;
            if let Some(gaussian) = sampler.gaussian(x, y, &keep) {
                splats.push(gaussian);
            }
        }
    }
    if splats.is_empty() {
        return Err(SplatError::NothingReconstructed {
            reason: "every sample lies on a depth discontinuity; raise `depth_edge_threshold`",
        });
    }
    let stats = ReconstructStats {
        step,
        samples,
        dropped_at_depth_edges: samples - splats.len(),
    };
    Ok((splats, stats))
}

fn check_size(what: &'static str, image: (u32, u32), actual: (u32, u32)) -> Result<(), SplatError> {
    if image == actual {
        Ok(())
    } else {
        Err(SplatError::DimensionMismatch {
            what,
            width: image.0,
            height: image.1,
            actual_width: actual.0,
            actual_height: actual.1,
        })
    }
}

/// Sample coordinates along one axis: the centre of each `step`-wide cell.
fn grid(extent: u32, step: u32) -> impl Iterator<Item = u32> {
    (step / 2..extent).step_by(step as usize)
}

/// The smallest step ≥ `params.stride` whose grid keeps at most `max_points` samples, or
/// `None` when no pixel is kept at all.
fn choose_step(
    width: u32,
    height: u32,
    params: &ReconstructParams,
    keep: &impl Fn(u32, u32) -> bool,
) -> Option<u32> {
    let count = |step: u32| {
        grid(height, step)
            .map(|y| grid(width, step).filter(|&x| keep(x, y)).count())
            .sum::<usize>()
    };
    let kept = count(1);
    if kept == 0 {
        return None;
    }
    // Start from the step the kept area suggests, then walk up until the grid fits.
    let estimate = (kept as f64 / params.max_points as f64).sqrt().ceil() as u32;
    let mut step = params.stride.max(estimate).max(1);
    let longest = width.max(height).max(1);
    while step < longest && count(step) > params.max_points {
        step += 1;
    }
    // A grid can miss a small mask entirely; fall back to finer steps until something is hit.
    while step > 1 && count(step) == 0 {
        step -= 1;
    }
    Some(step)
}

struct Sampler<'a> {
    image: &'a RgbImage,
    depth: &'a DepthMap,
    intrinsics: Intrinsics,
    step: u32,
    params: &'a ReconstructParams,
}

impl Sampler<'_> {
    fn point(&self, x: u32, y: u32) -> Option<(Vec3, f32)> {
        let d = self.depth.get(x, y)?;
        Some((self.intrinsics.back_project(x as f32, y as f32, d), d))
    }

    /// Neighbour at `(x + dx·step, y + dy·step)`, if inside the image with a valid depth.
    fn neighbour(&self, x: u32, y: u32, dx: i64, dy: i64) -> Option<(Vec3, f32)> {
        let nx = i64::from(x) + dx * i64::from(self.step);
        let ny = i64::from(y) + dy * i64::from(self.step);
        let nx = u32::try_from(nx).ok()?;
        let ny = u32::try_from(ny).ok()?;
        self.point(nx, ny)
    }

    /// Relative inverse-depth jump from depth `d` to a neighbour, if the neighbour exists.
    fn jump(d: f32, neighbour: Option<(Vec3, f32)>) -> Option<f32> {
        neighbour.map(|(_, nd)| ((1.0 / nd) - (1.0 / d)).abs() * d)
    }

    /// True when the sample is a ramp or a spike: along one of the two image axes or the two
    /// diagonals, the inverse depth jumps past the threshold towards both neighbours.
    fn on_discontinuity(&self, x: u32, y: u32, d: f32) -> bool {
        let threshold = self.params.depth_edge_threshold;
        [(1, 0), (0, 1), (1, 1), (1, -1)].iter().any(|&(dx, dy)| {
            let forward = Self::jump(d, self.neighbour(x, y, dx, dy));
            let backward = Self::jump(d, self.neighbour(x, y, -dx, -dy));
            matches!((forward, backward), (Some(a), Some(b)) if a > threshold && b > threshold)
        })
    }

    /// The surface tangent per sampling step along one image axis, from the neighbours on
    /// the sides without a jump; `None` when neither side is usable.
    fn tangent(&self, x: u32, y: u32, d: f32, p: Vec3, axis: (i64, i64)) -> Option<Vec3> {
        let threshold = self.params.depth_edge_threshold;
        let usable = |n: Option<(Vec3, f32)>| {
            n.filter(|_| Self::jump(d, n).is_some_and(|j| j <= threshold))
                .map(|(q, _)| q)
        };
        let forward = usable(self.neighbour(x, y, axis.0, axis.1));
        let backward = usable(self.neighbour(x, y, -axis.0, -axis.1));
        match (forward, backward) {
            (Some(pf), Some(pb)) => Some(scale(sub(pf, pb), 0.5)),
            (Some(pf), None) => Some(sub(pf, p)),
            (None, Some(pb)) => Some(sub(p, pb)),
            (None, None) => None,
        }
    }

    fn gaussian(&self, x: u32, y: u32, keep: &impl Fn(u32, u32) -> bool) -> Option<Gaussian> {
        let (p, d) = self.point(x, y)?;
        if self.on_discontinuity(x, y, d) {
            return None;
        }
        let tu = self.tangent(x, y, d, p, (1, 0));
        let tv = self.tangent(x, y, d, p, (0, 1));
        let spacing = self.step as f32 * d / self.intrinsics.focal;
        let sigma = self.params.footprint * spacing;
        let limit = self.params.max_stretch * sigma;
        let toward_camera = normalize(scale(p, -1.0)).unwrap_or([0.0, 0.0, 1.0]);

        // Surface frame: normal from the two tangents (facing the camera), e1 along the image
        // x tangent, e2 completing a right-handed frame. Without tangents: face the camera.
        let frame = match (tu, tv) {
            (Some(tu), Some(tv)) => {
                let normal = normalize(cross(tu, tv)).map(|n| {
                    if dot(n, toward_camera) < 0.0 {
                        scale(n, -1.0)
                    } else {
                        n
                    }
                });
                normal.and_then(|n| {
                    let e1 = normalize(sub(tu, scale(n, dot(tu, n))))?;
                    let e2 = cross(n, e1);
                    let s1 = (self.params.footprint * length(tu)).clamp(sigma, limit);
                    let s2 = (self.params.footprint * dot(tv, e2).abs()).clamp(sigma, limit);
                    Some((e1, e2, n, s1, s2))
                })
            }
            _ => None,
        };
        let (e1, e2, n, s1, s2) = frame.unwrap_or_else(|| {
            let n = toward_camera;
            let e1 = normalize(cross([0.0, 1.0, 0.0], n)).unwrap_or([1.0, 0.0, 0.0]);
            (e1, cross(n, e1), n, sigma, sigma)
        });
        let s3 = self.params.thickness * s1.min(s2);
        Some(Gaussian {
            position: p,
            log_scale: [s1.ln(), s2.ln(), s3.ln()],
            rotation: quaternion_from_columns(e1, e2, n),
            alpha: self.params.opacity,
            color: self.mean_color(x, y, keep).map(rgb_to_dc),
        })
    }

    /// Mean colour (0..=1) of the kept pixels in the sample's cell.
    fn mean_color(&self, x: u32, y: u32, keep: &impl Fn(u32, u32) -> bool) -> [f32; 3] {
        let half = self.step / 2;
        let (width, height) = self.image.dimensions();
        let x0 = x.saturating_sub(half);
        let y0 = y.saturating_sub(half);
        let x1 = (x0 + self.step).min(width);
        let y1 = (y0 + self.step).min(height);
        let mut sum = [0u32; 3];
        let mut count = 0u32;
        for cy in y0..y1 {
            for cx in x0..x1 {
                if keep(cx, cy) {
                    let pixel = self.image.get_pixel(cx, cy).0;
                    for c in 0..3 {
                        sum[c] += u32::from(pixel[c]);
                    }
                    count += 1;
                }
            }
        }
        if count == 0 {
            let pixel = self.image.get_pixel(x, y).0;
            return pixel.map(|v| f32::from(v) / 255.0);
        }
        sum.map(|s| s as f32 / (255.0 * count as f32))
    }
}
