//! Integration tests for `vitrine-splat`, one binary (one module per area).

/// Back-projection of synthetic images with known depth.
mod reconstruction;
/// A ray caster for test photos with a known layout.
mod render;
/// Layout depth, mask refinement and the preview on rendered tables, chairs and people.
mod scene;
/// SPZ: round trips, known-answer bytes, malformed files.
mod spz_format;
/// SPZ files we write, read back by the independent `spz` crate.
mod spz_interop;
/// Shared fixtures.
mod support;
