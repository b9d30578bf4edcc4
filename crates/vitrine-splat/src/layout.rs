//! A classical depth estimate from scene layout, in the spirit of "photo pop-up" methods.
//!
//! **This is an approximation**, for when no depth model is configured. The scene is modelled
//! as a camera at `camera_height` over a flat ground, pitched so that the horizon falls on the
//! chosen row:
//! - a horizon row (given, or the strongest horizontal edge in a band around 30–50 % of the
//!   height, else 40 %), kept above the bottom edge of every object;
//! - the ground plane below the horizon, its depth growing towards the horizon;
//! - a vertical backdrop (sky or back wall) at `max_depth`, where the ground reaches it;
//! - every object (box, or box ∩ mask) a vertical surface facing the camera, standing on the
//!   ground where its lowest row (the box's bottom, or the mask's lowest row in the box)
//!   touches it.
//!
//! Depths are in metres when `camera_height` is right; treat them as relative otherwise.

use image::{GrayImage, RgbImage};

use crate::camera::Camera;
use crate::depth_map::DepthMap;
use crate::error::SplatError;

/// Tuning for [`estimate_layout_depth_with`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutParams {
    /// The camera that took the image.
    pub camera: Camera,
    /// Height of the camera above the ground, in metres. Default 1.5 (a handheld photo).
    pub camera_height: f32,
    /// Horizon as a fraction of the image height from the top; `None` estimates it.
    pub horizon: Option<f32>,
    /// Horizontal distance of the backdrop (sky or back wall). Default 40 m.
    pub max_depth: f32,
}

impl Default for LayoutParams {
    fn default() -> Self {
        Self {
            camera: Camera::default(),
            camera_height: 1.5,
            horizon: None,
            max_depth: 40.0,
        }
    }
}

/// What [`estimate_layout_depth_with`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutEstimate {
    /// The depth map (z-depth, metres if the camera height is right).
    pub depth: DepthMap,
    /// The horizon row used, in pixels from the top (may be fractional).
    pub horizon_row: f32,
}

/// [`estimate_layout_depth_with`] with default [`LayoutParams`], returning only the map.
///
/// `object_boxes` are `[x0, y0, x1, y1]` in pixels; `object_mask` (if any) has the image's
/// size and marks object pixels with values ≥ 128.
pub fn estimate_layout_depth(
    image: &RgbImage,
    object_boxes: &[[f32; 4]],
    object_mask: Option<&GrayImage>,
) -> Result<DepthMap, SplatError> {
    estimate_layout_depth_with(image, object_boxes, object_mask, &LayoutParams::default())
        .map(|estimate| estimate.depth)
}

/// Estimates a depth map from the scene layout (see the module docs). When a mask is given
/// without boxes, the mask's bounding box is the object.
pub fn estimate_layout_depth_with(
    image: &RgbImage,
    object_boxes: &[[f32; 4]],
    object_mask: Option<&GrayImage>,
    params: &LayoutParams,
) -> Result<LayoutEstimate, SplatError> {
    params.camera.validate()?;
    if !(params.camera_height > 0.0 && params.camera_height.is_finite()) {
        return Err(SplatError::InvalidParameter {
            name: "camera_height",
            reason: format!("`{}` must be positive", params.camera_height),
        });
    }
    if !(params.max_depth > 0.0 && params.max_depth.is_finite()) {
        return Err(SplatError::InvalidParameter {
            name: "max_depth",
            reason: format!("`{}` must be positive", params.max_depth),
        });
    }
    let (width, height) = image.dimensions();
    if width == 0 || height == 0 {
        return Err(SplatError::InvalidParameter {
            name: "image",
            reason: "is empty".into(),
        });
    }
    if let Some(mask) = object_mask
        && mask.dimensions() != (width, height)
    {
        return Err(SplatError::DimensionMismatch {
            what: "object_mask",
            width,
            height,
            actual_width: mask.width(),
            actual_height: mask.height(),
        });
    }
    let mut boxes = Vec::with_capacity(object_boxes.len());
    for (index, b) in object_boxes.iter().enumerate() {
        boxes.push(PixelBox::clamped(b, width, height).ok_or_else(|| {
            SplatError::InvalidParameter {
                name: "object_boxes",
                reason: format!("box {index} `{b:?}` is not finite or covers no pixel"),
            }
        })?);
    }
    if boxes.is_empty()
        && let Some(bounds) = object_mask.and_then(mask_bounds)
    {
        boxes.push(bounds);
    }

    let h = height as f32;
    let mut horizon = match params.horizon {
        Some(fraction) if (0.0..1.0).contains(&fraction) => fraction * h,
        Some(fraction) => {
            return Err(SplatError::InvalidParameter {
                name: "horizon",
                reason: format!("`{fraction}` is not a fraction of the height in [0, 1)"),
            });
        }
        None => estimate_horizon(image).unwrap_or(0.4 * h),
    };
    // Objects stand on the ground, so their contact rows lie below the horizon.
    if let Some(lowest_contact) = boxes.iter().map(|b| b.y1 as f32).reduce(f32::min) {
        horizon = horizon.min((lowest_contact - 0.03 * h).max(0.15 * h));
    }

    let geometry = Geometry::new(params, height, horizon);
    let mut values: Vec<f32> = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height {
        let d = geometry.scene_depth(y as f32 + 0.5);
        values.extend(std::iter::repeat_n(d, width as usize));
    }
    for b in &boxes {
        // The object meets the ground at its lowest row: the box's bottom, or with a mask the
        // lowest masked row inside the box (detector boxes are often loose).
        let lowest = object_mask
            .and_then(|m| {
                (b.y0..b.y1)
                    .rev()
                    .find(|&y| (b.x0..b.x1).any(|x| m.get_pixel(x, y).0[0] >= 128))
            })
            .unwrap_or(b.y1 - 1);
        let distance = geometry.contact_distance(lowest as f32 + 0.5);
        for y in b.y0..b.y1 {
            let d = geometry.wall_depth(y as f32 + 0.5, distance);
            for x in b.x0..b.x1 {
                let inside = object_mask.is_none_or(|m| m.get_pixel(x, y).0[0] >= 128);
                let value = &mut values[y as usize * width as usize + x as usize];
                if inside && d < *value {
                    *value = d;
                }
            }
        }
    }
    Ok(LayoutEstimate {
        depth: DepthMap::new(width, height, values)?,
        horizon_row: horizon,
    })
}

/// The scene's planes in camera coordinates (RUB). The horizon row fixes the camera's pitch
/// θ (`tan θ = (cy − horizon) / f`, positive when looking down), so world "up" is
/// `(0, cos θ, sin θ)` and the level forward direction is `(0, sin θ, −cos θ)`. A pixel row
/// `v` has the ray `r = (·, −(v − cy)/f, −1)`; a point at z-depth `d` on it is `d · r`.
struct Geometry {
    focal: f32,
    cy: f32,
    horizon: f32,
    sin: f32,
    cos: f32,
    camera_height: f32,
    /// Horizontal distance of the backdrop.
    far: f32,
}

impl Geometry {
    fn new(params: &LayoutParams, height: u32, horizon: f32) -> Self {
        let focal = params.camera.focal_px(height);
        let cy = 0.5 * height as f32;
        let pitch = ((cy - horizon) / focal).atan();
        Self {
            focal,
            cy,
            horizon,
            sin: pitch.sin(),
            cos: pitch.cos(),
            camera_height: params.camera_height,
            far: params.max_depth,
        }
    }

    /// z-depth of the ground plane (`up · X = −camera_height`) at row `v`, if below the horizon.
    fn ground_depth(&self, v: f32) -> Option<f32> {
        let below = v - self.horizon;
        (below > 0.0).then(|| self.focal * self.camera_height / (self.cos * below))
    }

    /// z-depth at row `v` of a vertical wall at horizontal distance `distance`
    /// (`forward · X = distance`), capped at ten times the backdrop distance for rays that
    /// point (nearly) straight up and never reach it.
    fn wall_depth(&self, v: f32, distance: f32) -> f32 {
        let along = self.cos - self.sin * (v - self.cy) / self.focal;
        let cap = 10.0 * self.far;
        if along > distance / cap {
            distance / along
        } else {
            cap
        }
    }

    /// Ground, or the backdrop where the ground is farther than it or absent.
    fn scene_depth(&self, v: f32) -> f32 {
        let wall = self.wall_depth(v, self.far);
        self.ground_depth(v).map_or(wall, |ground| ground.min(wall))
    }

    /// Horizontal distance of the ground point seen at row `v`, kept just in front of the
    /// backdrop (an object whose box ends above the horizon stands at the far wall).
    fn contact_distance(&self, v: f32) -> f32 {
        let distance = self.ground_depth(v).map_or(self.far, |d| {
            // forward · (d · r) with r's y = −(v − cy)/f and z = −1.
            d * (self.cos - self.sin * (v - self.cy) / self.focal)
        });
        distance.min(0.9 * self.far)
    }
}

/// An integer pixel box `[x0, x1) × [y0, y1)` inside the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PixelBox {
    pub(crate) x0: u32,
    pub(crate) y0: u32,
    pub(crate) x1: u32,
    pub(crate) y1: u32,
}

impl PixelBox {
    /// Rounds and clamps `[x0, y0, x1, y1]` to the image; `None` if not finite or empty.
    pub(crate) fn clamped(b: &[f32; 4], width: u32, height: u32) -> Option<Self> {
        if b.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let clamp = |v: f32, max: u32| v.round().clamp(0.0, max as f32) as u32;
        let x0 = clamp(b[0].min(b[2]), width);
        let x1 = clamp(b[0].max(b[2]), width);
        let y0 = clamp(b[1].min(b[3]), height);
        let y1 = clamp(b[1].max(b[3]), height);
        (x1 > x0 && y1 > y0).then_some(Self { x0, y0, x1, y1 })
    }

    pub(crate) fn width(&self) -> u32 {
        self.x1 - self.x0
    }

    pub(crate) fn height(&self) -> u32 {
        self.y1 - self.y0
    }
}

fn mask_bounds(mask: &GrayImage) -> Option<PixelBox> {
    let mut bounds: Option<PixelBox> = None;
    for (x, y, pixel) in mask.enumerate_pixels() {
        if pixel.0[0] >= 128 {
            let b = bounds.get_or_insert(PixelBox {
                x0: x,
                y0: y,
                x1: x + 1,
                y1: y + 1,
            });
            b.x0 = b.x0.min(x);
            b.x1 = b.x1.max(x + 1);
            b.y0 = b.y0.min(y);
            b.y1 = b.y1.max(y + 1);
        }
    }
    bounds
}

/// The row boundary with the strongest horizontal edge in the band 30–50 % of the height, if
/// it stands out (three times the median row's edge energy); otherwise `None`.
fn estimate_horizon(image: &RgbImage) -> Option<f32> {
    let (width, height) = image.dimensions();
    if height < 10 || width == 0 {
        return None;
    }
    let luma = |x: u32, y: u32| {
        let [r, g, b] = image.get_pixel(x, y).0;
        0.299 * f32::from(r) + 0.587 * f32::from(g) + 0.114 * f32::from(b)
    };
    // energy[r]: mean vertical luminance step between rows r and r + 1.
    let energy: Vec<f32> = (0..height - 1)
        .map(|y| {
            (0..width)
                .map(|x| (luma(x, y + 1) - luma(x, y)).abs())
                .sum::<f32>()
                / width as f32
        })
        .collect();
    let mut sorted = energy.clone();
    sorted.sort_by(f32::total_cmp);
    let median = sorted[sorted.len() / 2];
    let lo = (0.3 * height as f32) as usize;
    let hi = ((0.5 * height as f32) as usize).min(energy.len());
    let (row, peak) = (lo..hi)
        .map(|r| (r, energy[r]))
        .max_by(|a, b| a.1.total_cmp(&b.1))?;
    (peak > 3.0 * median.max(1.0)).then_some(row as f32 + 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgb;

    #[test]
    fn a_sharp_sky_ground_edge_becomes_the_horizon() {
        let image = RgbImage::from_fn(64, 100, |_, y| {
            if y < 42 {
                Rgb([120, 170, 230])
            } else {
                Rgb([90, 80, 60])
            }
        });
        assert_eq!(estimate_horizon(&image), Some(42.0));
        let flat = RgbImage::from_pixel(64, 100, Rgb([10, 10, 10]));
        assert_eq!(estimate_horizon(&flat), None);
    }

    #[test]
    fn boxes_are_clamped_and_empty_ones_refused() {
        let b = PixelBox::clamped(&[-5.0, 10.4, 30.6, 200.0], 20, 100).expect("overlaps");
        assert_eq!(
            b,
            PixelBox {
                x0: 0,
                y0: 10,
                x1: 20,
                y1: 100
            }
        );
        assert!(PixelBox::clamped(&[5.0, 5.0, 5.0, 9.0], 20, 20).is_none());
        assert!(PixelBox::clamped(&[f32::NAN, 0.0, 1.0, 1.0], 20, 20).is_none());
    }
}
