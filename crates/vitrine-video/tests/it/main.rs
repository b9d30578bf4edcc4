//! Integration tests for `vitrine-video`, run against the real `ffmpeg` and `ffprobe`.
//!
//! Every test renders its own clip with ffmpeg's `testsrc2` pattern and a `sine` tone into a
//! temporary directory, so nothing is checked in and nothing is downloaded.

mod support;

// Probing, limits and error messages.
mod probe;
// Exact and keyframe trims.
mod trim;
// A range removed from the middle.
mod cut;
// Frames, thumbnails and contact sheets.
mod frames;
// Transcoding, frames → MP4 and MP3 extraction.
mod encode;
// The per-frame closure pipeline.
mod map_frames;
// The JSON Schema of the parameter structs.
mod schema;
