//! Perception with shipped models: faces, objects, text, PHI and a person
//! matte, all on CPU through ONNX Runtime.
//!
//! # Layout
//! - [`store`]: [`Models`] loads every model once from a directory filled by
//!   `scripts/fetch-models.sh` and exposes one method per capability.
//! - `engine`: one ONNX Runtime session behind a mutex.
//! - [`faces`]: CenterFace, multi-scale, five landmarks.
//! - [`ocr`]: PP-OCRv6 small detector (DB) + recogniser (CTC).
//! - [`phi`]: regex-based PHI/PII finder over OCR lines (no model).
//! - [`objects`]: NanoDet-m, COCO-80.
//! - `matte`: selfie-segmentation person matte, refined per person.
//!
//! Images come in as [`image::RgbImage`]; results are plain serde structs
//! (with JSON schemas). Inference is blocking CPU work: call it from a
//! blocking pool, never on an async runtime's worker threads. This crate
//! depends on no other Vitrine crate.

mod coco;
mod engine;
mod error;
pub mod faces;
mod geometry;
mod matte;
pub mod objects;
pub mod ocr;
pub mod phi;
mod preprocess;
pub mod store;

pub use coco::{COCO_LABELS, coco_class_id, match_coco_label};
pub use error::VisionError;
pub use faces::{Face, FaceOptions};
pub use objects::{Detection, ObjectOptions};
pub use ocr::TextLine;
pub use phi::{PhiFinding, PhiKind, PhiMatch, find_phi, find_phi_in_line, find_phi_in_text};
pub use store::{ModelOptions, Models};
