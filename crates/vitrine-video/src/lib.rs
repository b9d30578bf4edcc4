//! Video and audio operations for Vitrine, run through Debian's `ffmpeg` and `ffprobe`.
//!
//! This crate sits beside `vitrine-media`: pure operations on files, no HTTP, no artifact
//! store, no other Vitrine crate. The tools layer hands it input paths, an output path and
//! typed parameters (which derive `JsonSchema`, so a planner sees them as JSON Schema), and
//! gets typed results, encoded images, or files back.
//!
//! Every operation is a method on [`Ffmpeg`], which knows where the binaries are and the
//! [`Limits`] of a call: each subprocess is killed when its time limit passes or the future is
//! dropped, inputs longer than the duration limit are refused before decoding, and errors name
//! the parameter at fault (see [`VideoError`]).
//!
//! # Layout
//! - `engine`: [`Ffmpeg`] and [`Limits`].
//! - `process`: spawning with `kill_on_drop`, timeouts, stderr tails.
//! - `probe`: [`Ffmpeg::probe`] and [`Ffmpeg::probe_media`] via `ffprobe -of json`.
//! - `trim`: [`Ffmpeg::trim`], exact (re-encode) or on keyframes (stream copy).
//! - `cut`: [`Ffmpeg::cut`], a range removed and the rest joined.
//! - `frames`: [`Ffmpeg::extract_frames`], [`Ffmpeg::thumbnail`], [`Ffmpeg::frame_rgb`].
//! - `contact_sheet`: [`Ffmpeg::contact_sheet`].
//! - `transcode`: [`Ffmpeg::transcode_mp4`] for browser playback.
//! - `frames_to_mp4`: [`Ffmpeg::frames_to_mp4`] and [`Ffmpeg::frame_files_to_mp4`].
//! - `audio`: [`Ffmpeg::extract_audio_mp3`].
//! - `map_frames`: [`Ffmpeg::map_frames`] and [`Ffmpeg::map_frames_async`], a per-frame
//!   operation between two ffmpeg pipes.
//! - `raw_encoder`: the rawvideo-on-stdin encoder the last two share.
//! - `encoded`, `geometry`: image encoding and output sizes.

mod audio;
mod contact_sheet;
mod cut;
mod encoded;
mod engine;
mod error;
mod frames;
mod frames_to_mp4;
mod geometry;
mod map_frames;
mod probe;
mod process;
mod raw_encoder;
mod transcode;
mod trim;

pub use audio::ExtractAudioParams;
pub use contact_sheet::{ContactSheet, ContactSheetParams};
pub use cut::CutParams;
pub use encoded::{EncodedImage, ImageFormat, encode_image};
pub use engine::{Ffmpeg, Limits};
pub use error::VideoError;
pub use frames::{ExtractFramesParams, ExtractedFrame, FrameSelection, ThumbnailParams};
pub use image::RgbImage;
pub use map_frames::{MapFramesParams, MapFramesReport};
pub use probe::{AudioStreamInfo, MediaInfo, VideoInfo, VideoStreamInfo};
pub use transcode::TranscodeParams;
pub use trim::{TrimMode, TrimParams};
