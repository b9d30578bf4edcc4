//! [`estimate_layout_depth`]: validates the inputs, fixes the camera (horizon, pitch, height),
//! paints the empty scene, then the support surfaces, then everything standing.

use image::{GrayImage, RgbImage};

use super::class::ObjectClass;
use super::scene::{Scene, camera_height_from_object, estimate_horizon};
use super::shape::{Canvas, Placed, standing_distance};
use crate::camera::Camera;
use crate::depth_map::DepthMap;
use crate::error::SplatError;
use crate::pixel_box::PixelBox;

/// Camera height assumed when neither the caller nor a person in the photo tells: a photo
/// taken standing, at about eye level.
pub const DEFAULT_CAMERA_HEIGHT_M: f32 = 1.5;

/// One object the estimate should give volume to.
#[derive(Debug, Clone, Copy)]
pub struct LayoutObject<'a> {
    /// Box `[x0, y0, x1, y1]` in pixels, as a detector gives it.
    pub bbox: [f32; 4],
    /// Its shape family (see [`ObjectClass::from_label`]).
    pub class: ObjectClass,
    /// Its pixels (values ≥ 128), the image's size; `None` takes the whole box.
    pub mask: Option<&'a GrayImage>,
}

/// Tuning for [`estimate_layout_depth`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LayoutParams {
    /// The camera that took the image.
    pub camera: Camera,
    /// Height of the camera above the ground in metres; `None` estimates it from the people
    /// in the photo, else assumes [`DEFAULT_CAMERA_HEIGHT_M`].
    pub camera_height: Option<f32>,
    /// Horizon as a fraction of the image height from the top; `None` estimates it.
    pub horizon: Option<f32>,
    /// Horizontal distance of the backdrop (sky or back wall). Default 40 m.
    pub max_depth: f32,
}

impl Default for LayoutParams {
    fn default() -> Self {
        Self {
            camera: Camera::default(),
            camera_height: None,
            horizon: None,
            max_depth: 40.0,
        }
    }
}

/// Where the camera height of a [`LayoutEstimate`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CameraHeightSource {
    /// [`LayoutParams::camera_height`].
    Given,
    /// The people in the photo, taken as 1.7 m tall and standing on the ground.
    People,
    /// Neither: [`DEFAULT_CAMERA_HEIGHT_M`].
    Assumed,
}

/// What [`estimate_layout_depth`] produced.
#[derive(Debug, Clone, PartialEq)]
pub struct LayoutEstimate {
    /// The depth map (z-depth, metres if the camera height is right).
    pub depth: DepthMap,
    /// The horizon row used, in pixels from the top (may be fractional).
    pub horizon_row: f32,
    /// Camera pitch in degrees, positive looking down (from the horizon row).
    pub pitch_deg: f32,
    /// Camera height above the ground used, metres.
    pub camera_height: f32,
    /// Where the camera height comes from.
    pub camera_height_source: CameraHeightSource,
}

impl LayoutEstimate {
    /// World "up" in the camera's RUB frame: rotating points so that this becomes `+y` gives
    /// the gravity-up frame in which the estimate's support surfaces are horizontal.
    pub fn up(&self) -> [f32; 3] {
        let pitch = self.pitch_deg.to_radians();
        [0.0, pitch.cos(), pitch.sin()]
    }
}

/// Estimates a depth map from the scene layout and the objects in it (see [`super`]).
///
/// Fails on an empty image, a mask of the wrong size, a box outside the image or invalid
/// parameters.
pub fn estimate_layout_depth(
    image: &RgbImage,
    objects: &[LayoutObject],
    params: &LayoutParams,
) -> Result<LayoutEstimate, SplatError> {
    params.camera.validate()?;
    if let Some(height) = params.camera_height
        && !(height > 0.0 && height.is_finite())
    {
        return Err(SplatError::InvalidParameter {
            name: "camera_height",
            reason: format!("`{height}` must be positive"),
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
    let placed = place_objects(objects, width, height)?;

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
    // Furniture and people stand on the ground, so their contact rows lie below the horizon
    // (small things may stand on a table, above it).
    if let Some(lowest_contact) = placed
        .iter()
        .filter(|object| object.class != ObjectClass::Other)
        .map(|object| object.bounds.y1 as f32)
        .reduce(f32::min)
    {
        horizon = horizon.min((lowest_contact - 0.03 * h).max(0.15 * h));
    }

    let focal = params.camera.focal_px(height);
    let mut scene = Scene::new(
        focal,
        height,
        horizon,
        DEFAULT_CAMERA_HEIGHT_M,
        params.max_depth,
    );
    let (camera_height, camera_height_source) = match params.camera_height {
        Some(given) => (given, CameraHeightSource::Given),
        None => match people_camera_height(&scene, &placed, height) {
            Some(estimated) => (estimated, CameraHeightSource::People),
            None => (DEFAULT_CAMERA_HEIGHT_M, CameraHeightSource::Assumed),
        },
    };
    scene.camera_height = camera_height;

    let mut values = Vec::with_capacity(width as usize * height as usize);
    for y in 0..height {
        let depth = scene.background_depth(y as f32 + 0.5);
        values.extend(std::iter::repeat_n(depth, width as usize));
    }
    let mut canvas = Canvas {
        scene: &scene,
        focal,
        width,
        values,
    };
    let mut surfaces = Vec::new();
    for object in &placed {
        if let Some(shape) = object.class.support()
            && let Some(surface) = canvas.paint_support(object, shape)
        {
            surfaces.push(surface);
        }
    }
    for object in placed.iter().filter(|o| o.class.support().is_none()) {
        let distance = standing_distance(&scene, object, &surfaces);
        canvas.paint_upright(object, distance, object.class.roundness());
    }
    let values = canvas.values;
    Ok(LayoutEstimate {
        depth: DepthMap::new(width, height, values)?,
        horizon_row: horizon,
        pitch_deg: scene.pitch().to_degrees(),
        camera_height,
        camera_height_source,
    })
}

/// Checks and clamps the objects, shrinking each box to its mask.
fn place_objects<'a>(
    objects: &[LayoutObject<'a>],
    width: u32,
    height: u32,
) -> Result<Vec<Placed<'a>>, SplatError> {
    let mut placed = Vec::with_capacity(objects.len());
    for (index, object) in objects.iter().enumerate() {
        if let Some(mask) = object.mask
            && mask.dimensions() != (width, height)
        {
            return Err(SplatError::DimensionMismatch {
                what: "object mask",
                width,
                height,
                actual_width: mask.width(),
                actual_height: mask.height(),
            });
        }
        let bounds = PixelBox::clamped(&object.bbox, width, height).ok_or_else(|| {
            SplatError::InvalidParameter {
                name: "objects",
                reason: format!(
                    "box {index} `{:?}` is not finite or covers no pixel",
                    object.bbox
                ),
            }
        })?;
        // Detector boxes are often loose: the mask tells where the object really ends.
        let bounds = match object.mask {
            Some(mask) => match bounds.shrunk_to(mask) {
                Some(tight) => tight,
                None => continue,
            },
            None => bounds,
        };
        placed.push(Placed {
            bounds,
            class: object.class,
            mask: object.mask,
        });
    }
    Ok(placed)
}

/// The median camera height implied by the people whose whole standing body the photo shows
/// (boxes inside the frame and at least twice as tall as wide: a seated person is not 1.7 m).
fn people_camera_height(scene: &Scene, placed: &[Placed], height: u32) -> Option<f32> {
    let mut estimates: Vec<f32> = placed
        .iter()
        .filter(|o| o.bounds.y0 > 1 && o.bounds.y1 + 1 < height)
        .filter(|o| o.bounds.height() >= 2 * o.bounds.width())
        .filter_map(|o| {
            let typical = o.class.typical_height()?;
            camera_height_from_object(scene, o.bounds.y0 as f32, o.bounds.y1 as f32, typical)
        })
        .collect();
    if estimates.is_empty() {
        return None;
    }
    estimates.sort_by(f32::total_cmp);
    Some(estimates[estimates.len() / 2])
}
