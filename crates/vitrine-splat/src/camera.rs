//! The pinhole camera shared by reconstruction and the layout depth estimate.
//!
//! Pixel `(x, y)` has its centre at `(x + 0.5, y + 0.5)`; the principal point is the image
//! centre; pixels are square. Back-projected points are in the RUB frame: x right, y up, and
//! the camera at the origin looking down −z, so a point at depth `d` has `z = −d`.

use crate::error::SplatError;

/// Vertical field of view most phone and compact-camera photos have (about a 28 mm-equivalent
/// lens in landscape) when nothing better is known.
pub const DEFAULT_FOV_Y_DEG: f32 = 55.0;

/// A pinhole camera described by its vertical field of view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Camera {
    /// Vertical field of view in degrees, in (0, 180).
    pub fov_y_deg: f32,
}

impl Default for Camera {
    fn default() -> Self {
        Self {
            fov_y_deg: DEFAULT_FOV_Y_DEG,
        }
    }
}

impl Camera {
    /// Checks the field of view.
    pub fn validate(&self) -> Result<(), SplatError> {
        if self.fov_y_deg.is_finite() && self.fov_y_deg > 0.0 && self.fov_y_deg < 180.0 {
            Ok(())
        } else {
            Err(SplatError::InvalidParameter {
                name: "fov_y_deg",
                reason: format!("`{}` is not in (0, 180) degrees", self.fov_y_deg),
            })
        }
    }

    /// Focal length in pixels for an image `height` pixels tall.
    pub fn focal_px(&self, height: u32) -> f32 {
        0.5 * height as f32 / (0.5 * self.fov_y_deg.to_radians()).tan()
    }
}

/// A camera bound to an image size, for back-projection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Intrinsics {
    pub(crate) focal: f32,
    pub(crate) cx: f32,
    pub(crate) cy: f32,
}

impl Intrinsics {
    pub(crate) fn new(camera: &Camera, width: u32, height: u32) -> Self {
        Self {
            focal: camera.focal_px(height),
            cx: 0.5 * width as f32,
            cy: 0.5 * height as f32,
        }
    }

    /// The RUB point seen at pixel `(x, y)` (its centre) at depth `depth`.
    pub(crate) fn back_project(&self, x: f32, y: f32, depth: f32) -> [f32; 3] {
        [
            (x + 0.5 - self.cx) / self.focal * depth,
            -(y + 0.5 - self.cy) / self.focal * depth,
            -depth,
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ninety_degrees_puts_the_focal_length_at_half_the_height() {
        let camera = Camera { fov_y_deg: 90.0 };
        assert!((camera.focal_px(1000) - 500.0).abs() < 1e-3);
        let intrinsics = Intrinsics::new(&camera, 1000, 1000);
        // The top edge of the image is 45° up: y equals the depth.
        let p = intrinsics.back_project(499.5, -0.5, 2.0);
        assert!((p[0]).abs() < 1e-6 && (p[1] - 2.0).abs() < 1e-3 && p[2] == -2.0);
    }

    #[test]
    fn bad_fields_of_view_are_named() {
        let error = Camera { fov_y_deg: 0.0 }.validate().expect_err("zero fov");
        assert!(error.to_string().contains("fov_y_deg"));
    }
}
