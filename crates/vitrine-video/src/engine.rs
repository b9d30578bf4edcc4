//! [`Ffmpeg`]: where the binaries are and how far a call may go.
//!
//! Every operation of this crate is a method on [`Ffmpeg`], implemented in its own module
//! (`probe.rs`, `trim.rs`, ...). The struct only carries configuration, so it is cheap to clone
//! and safe to share between tasks.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::VideoError;
use crate::probe::{MediaInfo, VideoInfo};

/// Limits applied to every call, so one request cannot tie up the server.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Wall-clock limit for each ffmpeg/ffprobe process; a process past it is killed.
    pub timeout: Duration,
    /// Inputs longer than this many seconds are refused before any decoding starts.
    pub max_input_duration_s: f64,
    /// Inputs whose frames have more pixels than this are refused.
    pub max_input_pixels: u64,
    /// The most frames one `extract_frames` or `contact_sheet` call may return or use.
    pub max_frames: usize,
    /// The largest width or height an output image or video may have.
    pub max_output_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(300),
            max_input_duration_s: 30.0 * 60.0,
            // 4K UHD.
            max_input_pixels: 3840 * 2160,
            max_frames: 200,
            max_output_side: 4096,
        }
    }
}

/// Runs `ffmpeg` and `ffprobe` as subprocesses under [`Limits`].
///
/// ```no_run
/// # async fn demo() -> Result<(), vitrine_video::VideoError> {
/// let ffmpeg = vitrine_video::Ffmpeg::new();
/// let info = ffmpeg.probe("clip.mp4".as_ref()).await?;
/// println!("{} s at {} fps", info.duration_s, info.fps);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Ffmpeg {
    pub(crate) ffmpeg: PathBuf,
    pub(crate) ffprobe: PathBuf,
    pub(crate) limits: Limits,
}

impl Default for Ffmpeg {
    fn default() -> Self {
        Self::new()
    }
}

impl Ffmpeg {
    /// Uses `ffmpeg` and `ffprobe` from the `PATH` with default [`Limits`].
    pub fn new() -> Self {
        Self::with_programs("ffmpeg", "ffprobe")
    }

    /// Uses the given binaries (a name looked up on the `PATH`, or a path).
    pub fn with_programs(ffmpeg: impl Into<PathBuf>, ffprobe: impl Into<PathBuf>) -> Self {
        Self {
            ffmpeg: ffmpeg.into(),
            ffprobe: ffprobe.into(),
            limits: Limits::default(),
        }
    }

    /// Replaces the limits.
    #[must_use]
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Checks that both binaries start, and returns the first line of `ffmpeg -version`.
    pub async fn version(&self) -> Result<String, VideoError> {
        crate::process::run(&self.ffprobe, ["-version"], self.limits.timeout).await?;
        let stdout = crate::process::run(&self.ffmpeg, ["-version"], self.limits.timeout).await?;
        Ok(String::from_utf8_lossy(&stdout)
            .lines()
            .next()
            .unwrap_or_default()
            .to_owned())
    }

    /// Probes `input` and refuses it if it has no video or breaks a limit.
    pub(crate) async fn checked_video(&self, input: &Path) -> Result<VideoInfo, VideoError> {
        let info = self.probe(input).await?;
        self.check_duration(info.duration_s)?;
        let pixels = u64::from(info.width) * u64::from(info.height);
        if pixels > self.limits.max_input_pixels {
            return Err(VideoError::InputTooLarge {
                width: info.width,
                height: info.height,
                limit: self.limits.max_input_pixels,
            });
        }
        Ok(info)
    }

    /// Probes `input` (audio-only is fine) and refuses it if it is too long.
    pub(crate) async fn checked_media(&self, input: &Path) -> Result<MediaInfo, VideoError> {
        let info = self.probe_media(input).await?;
        self.check_duration(info.duration_s)?;
        Ok(info)
    }

    fn check_duration(&self, duration_s: f64) -> Result<(), VideoError> {
        if duration_s > self.limits.max_input_duration_s {
            return Err(VideoError::InputTooLong {
                duration_s,
                limit_s: self.limits.max_input_duration_s,
            });
        }
        Ok(())
    }

    /// Refuses an output side above [`Limits::max_output_side`] (or zero).
    pub(crate) fn check_side(&self, param: &str, side: u32) -> Result<(), VideoError> {
        if side == 0 || side > self.limits.max_output_side {
            return Err(VideoError::param(
                param,
                format!(
                    "{side} px must be between 1 and {} px",
                    self.limits.max_output_side
                ),
            ));
        }
        Ok(())
    }
}

impl Ffmpeg {
    /// Runs ffmpeg with `args` (which end with `output`) under the time limit, deleting a
    /// half-written `output` if it fails.
    pub(crate) async fn ffmpeg_to_file(
        &self,
        args: crate::process::Args,
        output: &Path,
    ) -> Result<(), VideoError> {
        let result = crate::process::run(&self.ffmpeg, args.0, self.limits.timeout).await;
        if result.is_err() {
            crate::process::remove_partial(output).await;
        }
        result.map(drop)
    }
}
