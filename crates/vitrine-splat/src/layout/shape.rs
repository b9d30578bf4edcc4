//! Depth for one object's pixels from its class's shape (see [`super`] for the model).
//!
//! Every object is painted into the scene's depth buffer with a depth test, so the nearest
//! surface wins where objects overlap: a person in front of a table stays in front of it.

use image::GrayImage;

use super::class::{ObjectClass, SupportShape};
use super::scene::Scene;
use crate::pixel_box::PixelBox;

/// An object placed in the image: its tight box (shrunk to its mask), class and mask.
pub(crate) struct Placed<'a> {
    pub(crate) bounds: PixelBox,
    pub(crate) class: ObjectClass,
    pub(crate) mask: Option<&'a GrayImage>,
}

impl Placed<'_> {
    fn covers(&self, x: u32, y: u32) -> bool {
        self.mask.is_none_or(|m| m.get_pixel(x, y).0[0] >= 128)
    }

    /// Centre row of the object's lowest pixel: where it touches what it stands on.
    fn bottom_row(&self) -> f32 {
        self.bounds.y1 as f32 - 0.5
    }
}

/// A horizontal surface in the scene that other objects can stand on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Surface {
    /// Height above the ground, metres.
    height: f32,
    /// Horizontal distances of its front and rear edges.
    front: f32,
    back: f32,
    /// Image columns it spans and the rows between its rear and front edges.
    columns: (u32, u32),
    rows: (f32, f32),
}

/// The depth buffer being painted.
pub(crate) struct Canvas<'s> {
    pub(crate) scene: &'s Scene,
    pub(crate) focal: f32,
    pub(crate) width: u32,
    pub(crate) values: Vec<f32>,
}

impl Canvas<'_> {
    fn paint(&mut self, x: u32, y: u32, depth: f32) {
        let value = &mut self.values[y as usize * self.width as usize + x as usize];
        if depth.is_finite() && depth > 0.0 && depth < *value {
            *value = depth;
        }
    }

    /// Metres per pixel on a vertical surface at `distance`, seen at row `v`.
    fn metres_per_pixel(&self, v: f32, distance: f32) -> f32 {
        self.scene.depth_at_distance(v, distance) / self.focal
    }

    /// Paints a table, bed or seat: a horizontal surface receding row by row between its
    /// front edge (above the contact of its front legs) and its rear edge, a back rest or the
    /// far part standing at the rear edge, and legs standing on the ground below the front
    /// edge. Returns the surface, for objects standing on it; `None` when the camera is not
    /// above the surface (it is then painted as an upright body).
    pub(crate) fn paint_support(
        &mut self,
        object: &Placed,
        shape: SupportShape,
    ) -> Option<Surface> {
        let scene = self.scene;
        let b = object.bounds;
        let bottom = object.bottom_row();
        let top = b.y0 as f32 + 0.5;
        let front = scene.contact_distance(bottom);
        let width_m = b.width() as f32 * self.metres_per_pixel(bottom, front);
        if shape.height >= scene.camera_height - 0.1 {
            self.paint_upright(object, front, 0.5);
            return None;
        }
        // The front edge sits where the class height puts it, kept inside the box so a wrong
        // camera height cannot push the whole object onto the surface or off it.
        let box_height = bottom - top;
        let typical_front_row = scene.row_of(front, shape.height);
        let front_row = typical_front_row.clamp(top + 0.15 * box_height, bottom - 0.1 * box_height);
        let height = scene.camera_height + front * scene.slope(front_row);
        if !(height > 0.0 && height < scene.camera_height) {
            self.paint_upright(object, front, 0.5);
            return None;
        }
        let typical_back = front + shape.depth_ratio * width_m;
        let back = if shape.depth_from_box_top {
            scene.plane_distance(top, height).map_or(typical_back, |d| {
                d.clamp(front + 0.2 * width_m, front + 1.5 * width_m)
            })
        } else {
            typical_back
        };
        let back_row = scene.row_of(back, height);
        // Legs whose runs end above the rear legs' contact row hang (an apron, a seat's edge)
        // and belong to the front.
        let back_contact_row = scene.row_of(back, 0.0) - 0.05 * box_height;

        for x in b.x0..b.x1 {
            // Lowest covered row of the run each pixel belongs to, scanning up the column.
            let mut run_bottom: Option<u32> = None;
            for y in (b.y0..b.y1).rev() {
                if !object.covers(x, y) {
                    run_bottom = None;
                    continue;
                }
                let run_end = *run_bottom.get_or_insert(y);
                let v = y as f32 + 0.5;
                let distance = if v <= back_row {
                    back
                } else if v <= front_row {
                    scene
                        .plane_distance(v, height)
                        .map_or(back, |d| d.clamp(front, back))
                } else {
                    let contact = run_end as f32 + 0.5;
                    if contact < back_contact_row {
                        front
                    } else {
                        scene.contact_distance(contact).clamp(front, back)
                    }
                };
                self.paint(x, y, scene.depth_at_distance(v, distance));
            }
        }
        Some(Surface {
            height,
            front,
            back,
            columns: (b.x0, b.x1),
            rows: (back_row, front_row),
        })
    }

    /// Paints an upright body standing at horizontal distance `distance`: each run of the
    /// object's pixels along a row (a torso, a leg, an arm) is the front half of an elliptic
    /// cross-section as wide as the run and `roundness` times as deep as it is half wide. The
    /// back half is not seen and not made.
    pub(crate) fn paint_upright(&mut self, object: &Placed, distance: f32, roundness: f32) {
        let b = object.bounds;
        for y in b.y0..b.y1 {
            let v = y as f32 + 0.5;
            let metres_per_pixel = self.metres_per_pixel(v, distance);
            let mut x = b.x0;
            while x < b.x1 {
                if !object.covers(x, y) {
                    x += 1;
                    continue;
                }
                let start = x;
                while x < b.x1 && object.covers(x, y) {
                    x += 1;
                }
                let half = 0.5 * (x - start) as f32;
                let middle = start as f32 + half;
                let half_depth = roundness * half * metres_per_pixel;
                for column in start..x {
                    let u = ((column as f32 + 0.5 - middle) / half).clamp(-1.0, 1.0);
                    let bulge = half_depth * (1.0 - u * u).sqrt();
                    let nearer = (distance - bulge).max(0.5 * distance);
                    self.paint(column, y, self.scene.depth_at_distance(v, nearer));
                }
            }
        }
    }
}

/// Where an upright object stands: on a support surface when its lowest row falls on that
/// surface's rows and its centre on its columns, else on the ground.
pub(crate) fn standing_distance(scene: &Scene, object: &Placed, surfaces: &[Surface]) -> f32 {
    let bottom = object.bottom_row();
    let centre = (object.bounds.x0 + object.bounds.x1) / 2;
    surfaces
        .iter()
        .filter(|s| {
            (s.rows.0..=s.rows.1).contains(&bottom) && (s.columns.0..s.columns.1).contains(&centre)
        })
        .filter_map(|s| {
            scene
                .plane_distance(bottom, s.height)
                .map(|d| d.clamp(s.front, s.back))
        })
        .reduce(f32::min)
        .unwrap_or_else(|| scene.contact_distance(bottom))
}
