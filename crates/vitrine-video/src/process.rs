//! Starting ffmpeg/ffprobe: kill-on-drop, time limits, and stderr tails in errors.
//!
//! Every child is created with `kill_on_drop(true)`, and every wait is wrapped in a
//! `tokio::time::timeout`, so a timed-out or cancelled call never leaves a process behind:
//! dropping the future drops the `Child`, which kills it.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

use crate::error::VideoError;

/// How many bytes of a failed program's stderr go into the error.
const STDERR_TAIL_BYTES: usize = 1500;

/// Which of the child's standard streams are pipes (stderr always is).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Pipes {
    pub(crate) stdin: bool,
    pub(crate) stdout: bool,
}

/// Starts `program` with `args`, mapping "not found" to [`VideoError::ToolNotInstalled`].
pub(crate) fn spawn<I, S>(program: &Path, args: I, pipes: Pipes) -> Result<Child, VideoError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let stdio = |piped: bool| if piped { Stdio::piped() } else { Stdio::null() };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(stdio(pipes.stdin))
        .stdout(stdio(pipes.stdout))
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    tracing::debug!(?command, "starting");
    command.spawn().map_err(|source| {
        let program = program.display().to_string();
        if source.kind() == std::io::ErrorKind::NotFound {
            VideoError::ToolNotInstalled { program }
        } else {
            VideoError::Spawn { program, source }
        }
    })
}

/// Runs `program` to completion within `limit` and returns its stdout.
///
/// A non-zero exit becomes [`VideoError::ToolFailed`] carrying the end of stderr.
pub(crate) async fn run<I, S>(
    program: &Path,
    args: I,
    limit: Duration,
) -> Result<Vec<u8>, VideoError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let child = spawn(
        program,
        args,
        Pipes {
            stdin: false,
            stdout: true,
        },
    )?;
    let output = with_timeout(program, limit, async {
        child.wait_with_output().await.map_err(|source| {
            VideoError::io(format!("waiting for `{}`", program.display()), source)
        })
    })
    .await?;
    check_status(program, output.status, &output.stderr)?;
    Ok(output.stdout)
}

/// Awaits `future`, failing with [`VideoError::Timeout`] (and dropping, hence killing, any
/// child it owns) after `limit`.
pub(crate) async fn with_timeout<T, E: From<VideoError>>(
    program: &Path,
    limit: Duration,
    future: impl Future<Output = Result<T, E>>,
) -> Result<T, E> {
    match tokio::time::timeout(limit, future).await {
        Ok(result) => result,
        Err(_elapsed) => Err(VideoError::Timeout {
            program: program.display().to_string(),
            limit,
        }
        .into()),
    }
}

/// Turns a non-zero exit into [`VideoError::ToolFailed`].
pub(crate) fn check_status(
    program: &Path,
    status: ExitStatus,
    stderr: &[u8],
) -> Result<(), VideoError> {
    if status.success() {
        return Ok(());
    }
    Err(VideoError::ToolFailed {
        program: program.display().to_string(),
        status: status.to_string(),
        stderr: stderr_tail(stderr),
    })
}

/// The last [`STDERR_TAIL_BYTES`] of `stderr`, as trimmed text.
pub(crate) fn stderr_tail(stderr: &[u8]) -> String {
    let start = stderr.len().saturating_sub(STDERR_TAIL_BYTES);
    let text = String::from_utf8_lossy(&stderr[start..]);
    let text = text.trim();
    if text.is_empty() {
        "(no error output)".to_owned()
    } else {
        text.to_owned()
    }
}

/// Reads a pipe to its end, keeping everything (ffmpeg runs with `-loglevel error`, so stderr
/// stays small). Read errors end the read: the exit status tells the real story.
pub(crate) async fn read_all<R: AsyncRead + Unpin>(pipe: Option<R>) -> Vec<u8> {
    let mut buffer = Vec::new();
    if let Some(mut pipe) = pipe {
        let _ = pipe.read_to_end(&mut buffer).await;
    }
    buffer
}

/// Waits for `child` to exit.
pub(crate) async fn wait(program: &Path, child: &mut Child) -> Result<ExitStatus, VideoError> {
    child
        .wait()
        .await
        .map_err(|source| VideoError::io(format!("waiting for `{}`", program.display()), source))
}

/// Removes a half-written output after a failure; a missing file is fine.
pub(crate) async fn remove_partial(output: &Path) {
    if let Err(error) = tokio::fs::remove_file(output).await
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %output.display(), %error, "could not remove a partial output");
    }
}

/// Common leading arguments: quiet, no prompts, overwrite the output.
pub(crate) const FFMPEG_PREAMBLE: [&str; 4] = ["-hide_banner", "-loglevel", "error", "-y"];

/// A command line under construction.
#[derive(Debug, Default)]
pub(crate) struct Args(pub(crate) Vec<std::ffi::OsString>);

impl Args {
    /// Starts with [`FFMPEG_PREAMBLE`].
    pub(crate) fn ffmpeg() -> Self {
        let mut args = Self::default();
        args.extend(FFMPEG_PREAMBLE);
        args
    }

    /// Appends one argument.
    pub(crate) fn push(&mut self, arg: impl AsRef<OsStr>) -> &mut Self {
        self.0.push(arg.as_ref().to_owned());
        self
    }

    /// Appends `-i` for a local file, refusing every protocol but `file` so a crafted input
    /// (an HLS playlist or SDP file posing as a video) cannot make ffmpeg fetch URLs.
    pub(crate) fn input(&mut self, path: &Path) -> &mut Self {
        self.extend(["-protocol_whitelist", "file", "-i"])
            .push(file_url(path))
    }

    /// Appends the output file.
    pub(crate) fn output(&mut self, path: &Path) -> &mut Self {
        self.push(file_url(path))
    }

    /// Appends several arguments.
    pub(crate) fn extend<S: AsRef<OsStr>>(
        &mut self,
        args: impl IntoIterator<Item = S>,
    ) -> &mut Self {
        for arg in args {
            self.push(arg);
        }
        self
    }
}

/// `file:<path>`: ffmpeg then reads `path` as a local file even if it looks like a URL
/// (`http://...`), a protocol (`concat:...`) or an option (`-y`).
pub(crate) fn file_url(path: &Path) -> std::ffi::OsString {
    let mut url = std::ffi::OsString::from("file:");
    url.push(path.as_os_str());
    url
}

/// H.264 in yuv420p at the given quality, with the index up front so browsers start playing
/// before the download ends.
pub(crate) fn h264_args(args: &mut Args, crf: u8) {
    args.extend(["-c:v", "libx264", "-preset", "veryfast", "-crf"])
        .push(crf.to_string())
        .extend(["-pix_fmt", "yuv420p", "-movflags", "+faststart"]);
}

/// AAC at 128 kb/s.
pub(crate) fn aac_args(args: &mut Args) {
    args.extend(["-c:a", "aac", "-b:a", "128k"]);
}

/// Seconds as ffmpeg reads them, with microsecond precision.
pub(crate) fn seconds(value: f64) -> String {
    format!("{value:.6}")
}
