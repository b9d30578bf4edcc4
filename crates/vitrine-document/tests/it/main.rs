//! Integration tests for `vitrine-document`, against the real `pdfinfo` and `pdftoppm`.
//!
//! Test images are drawn in code, turned into PDFs by this crate, and rendered back by poppler,
//! so a round trip checks real pixels end to end.

mod support;

// Images → PDF → page count → rendered pages that match the images.
mod round_trip;
// Page selection, resolution limits and broken input.
mod errors;
// The JSON Schema of the parameter structs.
mod schema;
