//! The one error type of this crate.
//!
//! Messages name the parameter or file that caused them, so the tools layer can hand them to a
//! planner or a user unchanged. [`VideoError::is_client_error`] tells a caller whether the input
//! or the parameters were at fault (a 4xx) or the machine was (a 5xx).

use std::path::PathBuf;
use std::time::Duration;

/// Everything that can go wrong while probing, cutting or encoding media.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VideoError {
    /// The `ffmpeg` or `ffprobe` program could not be started because it is not installed.
    #[error(
        "`{program}` was not found; install FFmpeg (Debian/Ubuntu: `apt-get install ffmpeg`) or \
         point Vitrine at the binary"
    )]
    ToolNotInstalled {
        /// The program Vitrine tried to start.
        program: String,
    },

    /// The program exists but could not be started (permissions, too many processes, ...).
    #[error("could not start `{program}`")]
    Spawn {
        /// The program Vitrine tried to start.
        program: String,
        /// Why the operating system refused.
        #[source]
        source: std::io::Error,
    },

    /// A call ran past its time limit and was killed.
    #[error("`{program}` did not finish within {} s and was stopped", limit.as_secs_f64())]
    Timeout {
        /// The program that was killed.
        program: String,
        /// The limit that was exceeded.
        limit: Duration,
    },

    /// The program ran and failed; `stderr` holds the end of what it printed.
    #[error("`{program}` failed ({status}): {stderr}")]
    ToolFailed {
        /// The program that failed.
        program: String,
        /// Its exit status, as text.
        status: String,
        /// The last lines of its standard error.
        stderr: String,
    },

    /// The input file does not exist.
    #[error("input file `{}` does not exist", path.display())]
    InputNotFound {
        /// The missing path.
        path: PathBuf,
    },

    /// ffprobe could not read the input as media.
    #[error("`{}` is not a readable video or audio file: {stderr}", path.display())]
    UnreadableInput {
        /// The input that could not be read.
        path: PathBuf,
        /// The last lines of ffprobe's standard error.
        stderr: String,
    },

    /// The input has no video stream, but the operation needs one.
    #[error("`{}` has no video stream", path.display())]
    NoVideoStream {
        /// The input without video.
        path: PathBuf,
    },

    /// The input has no audio stream, but the operation needs one.
    #[error("`{}` has no audio stream to extract", path.display())]
    NoAudioStream {
        /// The input without audio.
        path: PathBuf,
    },

    /// The input is longer than the configured limit.
    #[error("`input` is {duration_s:.1} s long, over the limit of {limit_s:.1} s")]
    InputTooLong {
        /// The input's duration in seconds.
        duration_s: f64,
        /// The configured maximum in seconds.
        limit_s: f64,
    },

    /// The input's frames are larger than the configured limit.
    #[error("`input` frames are {width}x{height} pixels, over the limit of {limit} pixels")]
    InputTooLarge {
        /// Frame width in pixels.
        width: u32,
        /// Frame height in pixels.
        height: u32,
        /// The configured maximum number of pixels per frame.
        limit: u64,
    },

    /// A parameter was out of range or inconsistent; the message starts with its name.
    #[error("`{param}` {problem}")]
    InvalidParameter {
        /// The parameter's name as the caller spelled it, e.g. `end_s` or `times_s[2]`.
        param: String,
        /// What is wrong with it, e.g. "12.0 s is past the clip's duration 8.4 s".
        problem: String,
    },

    /// A call asks for more frames than [`crate::Limits::max_frames`] allows; nothing is
    /// sampled, so the caller never gets fewer frames than asked for without being told.
    #[error(
        "`{param}` asks for {asked} frames, more than the limit of {limit} per call; ask for fewer"
    )]
    TooManyFrames {
        /// The parameter that sets the count (`count`, `interval_s`, `times_s`).
        param: String,
        /// How many frames it works out to.
        asked: u64,
        /// The limit in force.
        limit: usize,
    },

    /// ffprobe printed something this crate could not understand.
    #[error("could not understand ffprobe's output for `{}`: {reason}", path.display())]
    ProbeOutput {
        /// The probed file.
        path: PathBuf,
        /// What was missing or malformed.
        reason: String,
    },

    /// ffmpeg produced less output than expected (for example no frame at a timestamp).
    #[error("`ffmpeg` produced no usable output: {0}")]
    MissingOutput(String),

    /// Reading or writing a file or pipe failed.
    #[error("{context}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// Encoding an image (PNG or JPEG) failed.
    #[error("could not encode the image")]
    ImageEncode(#[from] image::ImageError),
}

impl VideoError {
    /// True when the caller's input or parameters caused the error (an HTTP 4xx), false when
    /// the machine did (missing ffmpeg, a timeout, a crash: a 5xx).
    pub fn is_client_error(&self) -> bool {
        matches!(
            self,
            Self::InputNotFound { .. }
                | Self::UnreadableInput { .. }
                | Self::NoVideoStream { .. }
                | Self::NoAudioStream { .. }
                | Self::InputTooLong { .. }
                | Self::InputTooLarge { .. }
                | Self::InvalidParameter { .. }
                | Self::TooManyFrames { .. }
        )
    }

    /// A stable kebab-case code for this kind of error, for logs and API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ToolNotInstalled { .. } => "ffmpeg-not-installed",
            Self::Spawn { .. } => "ffmpeg-spawn-failed",
            Self::Timeout { .. } => "ffmpeg-timeout",
            Self::ToolFailed { .. } => "ffmpeg-failed",
            Self::InputNotFound { .. } => "input-not-found",
            Self::UnreadableInput { .. } => "unreadable-input",
            Self::NoVideoStream { .. } => "no-video-stream",
            Self::NoAudioStream { .. } => "no-audio-stream",
            Self::InputTooLong { .. } => "input-too-long",
            Self::InputTooLarge { .. } => "input-too-large",
            Self::InvalidParameter { .. } => "invalid-parameter",
            Self::TooManyFrames { .. } => "too-many-frames",
            Self::ProbeOutput { .. } => "probe-output-invalid",
            Self::MissingOutput(_) => "missing-output",
            Self::Io { .. } => "io",
            Self::ImageEncode(_) => "image-encode-failed",
        }
    }

    /// The parameter at fault, for an API error's `param` field: the name given in
    /// [`VideoError::InvalidParameter`], or `input` for errors about the input file.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            Self::InvalidParameter { param, .. } | Self::TooManyFrames { param, .. } => Some(param),
            Self::InputNotFound { .. }
            | Self::UnreadableInput { .. }
            | Self::NoVideoStream { .. }
            | Self::NoAudioStream { .. }
            | Self::InputTooLong { .. }
            | Self::InputTooLarge { .. } => Some("input"),
            _ => None,
        }
    }

    /// Builds an [`VideoError::InvalidParameter`].
    pub(crate) fn param(param: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::InvalidParameter {
            param: param.into(),
            problem: problem.into(),
        }
    }

    /// Builds an [`VideoError::Io`] with a description of what was being done.
    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
