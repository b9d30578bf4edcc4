//! Integration tests for `vitrine-splat`, one binary (one module per area).

/// Back-projection of synthetic images with known depth.
mod reconstruction;
/// Layout depth, mask refinement and the preview, alone and chained.
mod scene;
/// SPZ: round trips, known-answer bytes, malformed files.
mod spz_format;
/// SPZ files we write, read back by the independent `spz` crate.
mod spz_interop;
/// Shared fixtures.
mod support;
