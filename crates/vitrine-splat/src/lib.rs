//! Gaussian splats for Vitrine: the [`Splats`] type, the SPZ format (write version 3, read
//! versions 1 to 3), 3DGS PLY export, single-image reconstruction and a preview rasteriser.
//!
//! # Layout
//! - `types`: [`Splats`], the column-wise gaussian set and its conventions (RUB frame, log
//!   scales, `[x, y, z, w]` quaternions, 0..=1 alphas, SH DC colours);
//! - `spz`: the SPZ header, quantisation rules, writer ([`write_spz`]) and reader ([`read_spz`]);
//! - `ply`: the standard binary PLY that 3DGS tools load ([`write_ply`]);
//! - `camera`, `depth_map`: the pinhole [`Camera`] and the per-pixel [`DepthMap`];
//! - `layout`: a classical depth estimate from scene layout and object classes
//!   ([`estimate_layout_depth`]), an approximation for when no depth model is configured;
//! - `pixel_box`: integer pixel boxes shared by `mask` and `layout`;
//! - `mask`: a GrabCut-style mask from a detector box ([`refine_mask_from_box`]), minus the
//!   people in front of it ([`remove_people`]);
//! - `reconstruct`: depth + image (+ mask) → one gaussian per sampled pixel ([`reconstruct`]);
//! - `preview`: a back-to-front EWA splatting rasteriser for PNG previews ([`render_preview`]).
//!
//! The crate depends on no other Vitrine crate and runs no model: depth comes in as data.

mod camera;
mod depth_map;
mod error;
mod layout;
mod mask;
mod math;
mod pixel_box;
mod ply;
mod preview;
mod reconstruct;
mod spz;
mod types;

pub use camera::{Camera, DEFAULT_FOV_Y_DEG};
pub use depth_map::DepthMap;
pub use error::SplatError;
pub use layout::{
    CameraHeightSource, DEFAULT_CAMERA_HEIGHT_M, LayoutEstimate, LayoutObject, LayoutParams,
    ObjectClass, estimate_layout_depth,
};
pub use mask::{refine_mask_from_box, remove_people};
pub use ply::{ply_bytes, write_ply};
pub use preview::{PREVIEW_BACKGROUND, render_preview};
pub use reconstruct::{ReconstructParams, ReconstructStats, reconstruct, reconstruct_with_stats};
pub use spz::{
    FLAG_ANTIALIASED, FLAG_EXTENSIONS, SPZ_MAGIC, SpzHeader, SpzWriteOptions,
    choose_fractional_bits, read_spz, read_spz_header, write_spz,
};
pub use types::{Gaussian, SH_C0, Splats, dc_to_rgb, rgb_to_dc, sh_coefficients};
