//! The scene frame of the layout estimate: a pinhole camera at some height over a flat ground,
//! pitched so that the horizon falls on a given row, and the two planes every depth comes
//! from: horizontal (ground, table tops, seats) and vertical facing the camera (legs, backs,
//! people, the backdrop).
//!
//! Camera coordinates are RUB (the camera looks down −z). With pitch θ (positive looking
//! down), world up is `(0, cos θ, sin θ)` and the level forward direction `(0, sin θ, −cos θ)`.
//! The ray through row `v` rises with the world slope `tan(atan((cy − v)/f) − θ)`: a point at
//! horizontal distance `D` on it is `D · slope` above the camera, and its z-depth is
//! `D · (cos θ − slope · sin θ)`, which is `D / (cos θ + sin θ · (cy − v)/f)`.

use image::RgbImage;

/// The camera and ground of one photo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scene {
    focal: f32,
    cy: f32,
    pitch: f32,
    sin: f32,
    cos: f32,
    /// Height of the camera above the ground, metres.
    pub(crate) camera_height: f32,
    /// Horizontal distance of the backdrop (sky or back wall).
    pub(crate) far: f32,
}

impl Scene {
    pub(crate) fn new(focal: f32, height: u32, horizon: f32, camera_height: f32, far: f32) -> Self {
        let cy = 0.5 * height as f32;
        let pitch = ((cy - horizon) / focal).atan();
        Self {
            focal,
            cy,
            pitch,
            sin: pitch.sin(),
            cos: pitch.cos(),
            camera_height,
            far,
        }
    }

    /// World slope of the ray through row `v` (its centre is `v`; pass `y + 0.5`).
    pub(crate) fn slope(&self, v: f32) -> f32 {
        (((self.cy - v) / self.focal).atan() - self.pitch).tan()
    }

    /// The row where a point at horizontal distance `distance` and `height` above the ground
    /// appears.
    pub(crate) fn row_of(&self, distance: f32, height: f32) -> f32 {
        let slope = (height - self.camera_height) / distance;
        self.cy - self.focal * (slope.atan() + self.pitch).tan()
    }

    /// z-depth at row `v` of the vertical surface at horizontal distance `distance`, capped at
    /// ten backdrops for rays that (nearly) never reach it.
    pub(crate) fn depth_at_distance(&self, v: f32, distance: f32) -> f32 {
        // Horizontal distance covered per unit of z-depth along the ray.
        let along = self.cos + (self.cy - v) / self.focal * self.sin;
        let cap = 10.0 * self.far;
        if along * cap > distance {
            distance / along
        } else {
            cap
        }
    }

    /// Horizontal distance at which the ray through row `v` meets the horizontal plane at
    /// `height` above the ground, if it does (in front of the camera).
    pub(crate) fn plane_distance(&self, v: f32, height: f32) -> Option<f32> {
        let distance = (height - self.camera_height) / self.slope(v);
        (distance.is_finite() && distance > 0.0).then_some(distance)
    }

    /// Where something whose lowest point is at row `v` touches the ground, kept in front of
    /// the backdrop (an object whose box ends above the horizon stands at the far wall).
    pub(crate) fn contact_distance(&self, v: f32) -> f32 {
        self.plane_distance(v, 0.0)
            .map_or(0.9 * self.far, |d| d.min(0.9 * self.far))
    }

    /// The empty scene at row `v`: ground, or the backdrop where the ground is farther or
    /// absent.
    pub(crate) fn background_depth(&self, v: f32) -> f32 {
        let distance = self
            .plane_distance(v, 0.0)
            .map_or(self.far, |d| d.min(self.far));
        self.depth_at_distance(v, distance)
    }

    /// Pitch of the camera in radians, positive looking down.
    pub(crate) fn pitch(&self) -> f32 {
        self.pitch
    }
}

/// The camera height that makes an upright object of `typical_height` metres, whose box spans
/// rows `top..bottom`, stand on the ground: with the contact at distance `D = −H / s_b` and the
/// top at `H + D · s_t`, `H = h / (1 − s_t / s_b)`. `None` when the bottom is not below the
/// horizon or the answer is implausible.
pub(crate) fn camera_height_from_object(
    scene: &Scene,
    top: f32,
    bottom: f32,
    typical_height: f32,
) -> Option<f32> {
    let bottom_slope = scene.slope(bottom);
    if bottom_slope >= -1e-4 {
        return None;
    }
    let ratio = scene.slope(top) / bottom_slope;
    let height = typical_height / (1.0 - ratio);
    (height.is_finite() && (0.3..=6.0).contains(&height)).then_some(height)
}

/// The row boundary with the strongest horizontal edge in the band 30–50 % of the height, if
/// it stands out (three times the median row's edge energy); otherwise `None`.
pub(crate) fn estimate_horizon(image: &RgbImage) -> Option<f32> {
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

    fn scene() -> Scene {
        // 55° field of view on 480 rows, horizon at row 120 (looking down), camera at 1.5 m.
        let focal = 240.0 / (27.5f32).to_radians().tan();
        Scene::new(focal, 480, 120.0, 1.5, 40.0)
    }

    #[test]
    fn rows_and_planes_agree() {
        let scene = scene();
        assert!(scene.slope(120.0).abs() < 1e-6, "the horizon is level");
        assert!(scene.pitch() > 0.0, "a horizon above the centre looks down");
        for (distance, height) in [(2.0, 0.0), (3.5, 0.75), (6.0, 1.7)] {
            let v = scene.row_of(distance, height);
            let back = scene.plane_distance(v, height).expect("below the camera");
            if height < 1.5 {
                assert!(
                    (back - distance).abs() < 1e-3 * distance,
                    "{back} vs {distance}"
                );
            }
        }
        // z-depth of the ground point 3 m ahead equals its camera-frame depth.
        let v = scene.row_of(3.0, 0.0);
        let (s, c) = scene.pitch().sin_cos();
        let expected = 3.0 * c + 1.5 * s;
        assert!((scene.depth_at_distance(v, 3.0) - expected).abs() < 1e-3);
        assert!((scene.contact_distance(v) - 3.0).abs() < 1e-3);
        assert!(scene.background_depth(10.0) > 30.0, "sky is the backdrop");
    }

    #[test]
    fn a_person_of_known_height_gives_the_camera_height() {
        let scene = scene();
        // A 1.7 m person 4 m away seen from 1.5 m.
        let top = scene.row_of(4.0, 1.7);
        let bottom = scene.row_of(4.0, 0.0);
        let height = camera_height_from_object(&scene, top, bottom, 1.7).expect("plausible");
        assert!((height - 1.5).abs() < 1e-3, "{height}");
        assert_eq!(camera_height_from_object(&scene, 10.0, 100.0, 1.7), None);
    }

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
}
