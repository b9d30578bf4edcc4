//! A depth estimate from scene layout and object classes, for when no depth model is
//! configured. **It is an approximation**: plausible geometry, not a measurement.
//!
//! The model, in the spirit of "photo pop-up" and "putting objects in perspective":
//! - the camera: a horizon row (given, or the strongest horizontal edge 30–50 % down the
//!   image, else 40 %) fixes its pitch; its height comes from the people in the photo (taken
//!   as 1.7 m tall, standing on the ground), else 1.5 m;
//! - the empty scene: a ground plane below the horizon and a backdrop at `max_depth`;
//! - support surfaces (tables, beds, seats): a horizontal plane at the class's height whose
//!   front edge stands over the box's bottom row, receding row by row up to its rear edge
//!   (the box's top for a table, the class's depth for a seat); legs stand on the ground
//!   where their runs in the mask end; seats get a vertical back rest at their rear;
//! - upright bodies (people, everything else): a vertical surface standing where the box
//!   meets the ground, or a support surface under it, bulging towards the camera by the
//!   class's typical cross-section;
//! - overlapping objects keep the nearest surface; backs nobody can see are left open.
//!
//! Depths are in metres when the camera height is right; treat them as relative otherwise.
//!
//! # Layout
//! - `class`: [`ObjectClass`] and the proportions each class assumes;
//! - `scene`: the camera frame, the horizon and camera-height estimates;
//! - `shape`: painting one object's depth;
//! - `estimate`: [`estimate_layout_depth`], putting it together.

mod class;
mod estimate;
mod scene;
mod shape;

pub use class::ObjectClass;
pub use estimate::{
    CameraHeightSource, DEFAULT_CAMERA_HEIGHT_M, LayoutEstimate, LayoutObject, LayoutParams,
    estimate_layout_depth,
};
