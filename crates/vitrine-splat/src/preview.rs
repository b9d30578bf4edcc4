//! A small CPU splatting rasteriser for PNG previews of reconstructions.
//!
//! An orbit camera looks at the centre of the splats (robust bounds: 2nd–98th percentile per
//! axis) from far enough to frame them with a 50° field of view. For a single-view
//! reconstruction (98 % of the points in front of the origin) it orbits the per-axis median
//! instead, from no farther than the original camera. Yaw 0 and pitch 0 look down −z, the
//! direction of the camera that took the photo, so the preview then resembles the input; yaw
//! turns the viewpoint about the vertical axis, pitch raises it. Each gaussian is
//! projected with the usual EWA linearisation (3D covariance → 2D ellipse, plus a 0.3 px²
//! low-pass), sorted back to front and alpha-composited. Only the DC colour is shaded.

use image::{Rgb, RgbImage};

use crate::math::{Vec3, matrix_from_quaternion, sub};
use crate::types::{Splats, dc_to_rgb};

/// The colour of pixels no gaussian covers.
pub const PREVIEW_BACKGROUND: [u8; 3] = [24, 24, 28];
/// Field of view of the preview camera.
const PREVIEW_FOV_Y_DEG: f32 = 50.0;
/// Gaussians are drawn out to this many standard deviations.
const EXTENT_SIGMAS: f32 = 3.0;
/// No ellipse is drawn larger than this fraction of the image's longer side (a guard against
/// huge gaussians right in front of the camera).
const MAX_RADIUS_FRACTION: f32 = 0.25;

/// Renders `splats` into a `width`×`height` image from an orbit viewpoint (see the module docs).
/// An empty set (or a zero size) gives a background-only image.
pub fn render_preview(
    splats: &Splats,
    width: u32,
    height: u32,
    yaw_deg: f32,
    pitch_deg: f32,
) -> RgbImage {
    let mut image = RgbImage::from_pixel(width, height, Rgb(PREVIEW_BACKGROUND));
    if splats.is_empty() || width == 0 || height == 0 {
        return image;
    }
    let bounds = robust_bounds(&splats.positions);
    let focal = 0.5 * height as f32 / (0.5 * PREVIEW_FOV_Y_DEG.to_radians()).tan();
    let half_fov = (0.5 * PREVIEW_FOV_Y_DEG.to_radians())
        .tan()
        .min((0.5 * PREVIEW_FOV_Y_DEG.to_radians()).tan() * width as f32 / height as f32);
    let framing = 1.1 * bounds.radius / half_fov + bounds.radius;
    // A single-view reconstruction (nearly everything in front of the capturing camera at the
    // origin, looking down −z) is previewed around its median point from no farther than the
    // photo was taken: yaw 0 then puts the camera level with the median, in the photo's plane.
    // A whole scene's bounding sphere is mostly empty frustum, so framing it would be too far.
    let in_front = splats.positions.iter().filter(|p| p[2] < 0.0).count();
    let (centre, distance) = if in_front * 50 >= splats.len() * 49 && bounds.median[2] < 0.0 {
        (bounds.median, framing.min(-bounds.median[2]))
    } else {
        (bounds.centre, framing)
    };
    let radius = bounds.radius;
    let view = view_rotation(yaw_deg, pitch_deg);
    let (cx, cy) = (0.5 * width as f32, 0.5 * height as f32);
    let max_radius = MAX_RADIUS_FRACTION * width.max(height) as f32;

    // Project every gaussian: (depth, pixel centre, inverse 2D covariance, colour, alpha).
    let mut projected = Vec::with_capacity(splats.len());
    for i in 0..splats.len() {
        let relative = sub(splats.positions[i], centre);
        let v = mul(&view, relative);
        let (x, y, z) = (v[0], v[1], v[2] - distance);
        let t = -z;
        if t <= 0.01 * radius.max(1e-6) {
            continue;
        }
        let u = cx + focal * x / t;
        let w = cy - focal * y / t;
        // Covariance in view space: V R S² Rᵀ Vᵀ.
        let rotation = matrix_from_quaternion(splats.rotations[i]);
        let m = matmul(&view, &rotation);
        let s = splats.scales[i].map(|l| (2.0 * l).exp());
        let mut cov = [[0f32; 3]; 3];
        for r in 0..3 {
            for c in 0..3 {
                cov[r][c] = (0..3).map(|k| m[r][k] * s[k] * m[c][k]).sum();
            }
        }
        // Jacobian of (u, v) with respect to (x, y, z) at the centre.
        let j = [
            [focal / t, 0.0, focal * x / (t * t)],
            [0.0, -focal / t, -focal * y / (t * t)],
        ];
        let mut c2 = [[0f32; 2]; 2];
        for r in 0..2 {
            for c in 0..2 {
                c2[r][c] = (0..3)
                    .map(|a| (0..3).map(|b| j[r][a] * cov[a][b] * j[c][b]).sum::<f32>())
                    .sum();
            }
        }
        c2[0][0] += 0.3;
        c2[1][1] += 0.3;
        let det = c2[0][0] * c2[1][1] - c2[0][1] * c2[1][0];
        if det.is_nan() || det <= 0.0 || !u.is_finite() || !w.is_finite() {
            continue;
        }
        let inverse = [c2[1][1] / det, -c2[0][1] / det, c2[0][0] / det];
        let rx = (EXTENT_SIGMAS * c2[0][0].sqrt()).min(max_radius);
        let ry = (EXTENT_SIGMAS * c2[1][1].sqrt()).min(max_radius);
        if u + rx < 0.0 || w + ry < 0.0 || u - rx > width as f32 || w - ry > height as f32 {
            continue;
        }
        let color = splats.colors[i].map(|dc| dc_to_rgb(dc).clamp(0.0, 1.0) * 255.0);
        projected.push((t, [u, w], inverse, [rx, ry], color, splats.alphas[i]));
    }
    // Back to front: farthest first.
    projected.sort_by(|a, b| b.0.total_cmp(&a.0));

    let mut buffer: Vec<[f32; 3]> =
        vec![PREVIEW_BACKGROUND.map(f32::from); width as usize * height as usize];
    for (_, [u, w], inverse, [rx, ry], color, alpha) in projected {
        let x0 = (u - rx).floor().max(0.0) as u32;
        let x1 = ((u + rx).ceil().max(0.0) as u32).min(width - 1);
        let y0 = (w - ry).floor().max(0.0) as u32;
        let y1 = ((w + ry).ceil().max(0.0) as u32).min(height - 1);
        for py in y0..=y1 {
            for px in x0..=x1 {
                let dx = px as f32 + 0.5 - u;
                let dy = py as f32 + 0.5 - w;
                let power = -0.5
                    * (inverse[0] * dx * dx + 2.0 * inverse[1] * dx * dy + inverse[2] * dy * dy);
                let a = (alpha * power.exp()).min(0.99);
                if a < 1.0 / 255.0 {
                    continue;
                }
                let target = &mut buffer[py as usize * width as usize + px as usize];
                for c in 0..3 {
                    target[c] = target[c] * (1.0 - a) + color[c] * a;
                }
            }
        }
    }
    for (pixel, value) in image.pixels_mut().zip(buffer) {
        *pixel = Rgb(value.map(|v| v.round().clamp(0.0, 255.0) as u8));
    }
    image
}

/// Robust extent of a point set.
struct Bounds {
    /// Centre of the 2nd–98th percentile box.
    centre: Vec3,
    /// Half-diagonal of that box.
    radius: f32,
    /// Per-axis median.
    median: Vec3,
}

fn robust_bounds(positions: &[[f32; 3]]) -> Bounds {
    let mut centre = [0f32; 3];
    let mut half = [0f32; 3];
    let mut median = [0f32; 3];
    for axis in 0..3 {
        let mut values: Vec<f32> = positions.iter().map(|p| p[axis]).collect();
        values.sort_by(f32::total_cmp);
        let at = |fraction: f32| values[((values.len() - 1) as f32 * fraction).round() as usize];
        let (lo, hi) = (at(0.02), at(0.98));
        centre[axis] = 0.5 * (lo + hi);
        half[axis] = 0.5 * (hi - lo);
        median[axis] = at(0.5);
    }
    let radius = (half[0] * half[0] + half[1] * half[1] + half[2] * half[2]).sqrt();
    Bounds {
        centre,
        radius: radius.max(1e-3),
        median,
    }
}

/// World → view rotation: the world turned by −yaw about y, then by pitch about x, which is
/// the camera orbiting by +yaw and rising by +pitch.
fn view_rotation(yaw_deg: f32, pitch_deg: f32) -> [[f32; 3]; 3] {
    let (sy, cy) = (-yaw_deg.to_radians()).sin_cos();
    let (sp, cp) = pitch_deg.to_radians().sin_cos();
    let yaw = [[cy, 0.0, sy], [0.0, 1.0, 0.0], [-sy, 0.0, cy]];
    let pitch = [[1.0, 0.0, 0.0], [0.0, cp, -sp], [0.0, sp, cp]];
    matmul(&pitch, &yaw)
}

fn mul(m: &[[f32; 3]; 3], v: Vec3) -> Vec3 {
    [
        m[0][0] * v[0] + m[0][1] * v[1] + m[0][2] * v[2],
        m[1][0] * v[0] + m[1][1] * v[1] + m[1][2] * v[2],
        m[2][0] * v[0] + m[2][1] * v[1] + m[2][2] * v[2],
    ]
}

fn matmul(a: &[[f32; 3]; 3], b: &[[f32; 3]; 3]) -> [[f32; 3]; 3] {
    let mut out = [[0f32; 3]; 3];
    for r in 0..3 {
        for c in 0..3 {
            out[r][c] = (0..3).map(|k| a[r][k] * b[k][c]).sum();
        }
    }
    out
}
