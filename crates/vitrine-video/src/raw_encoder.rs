//! An ffmpeg process that reads raw RGB frames on stdin and writes an H.264 MP4, optionally
//! taking the audio track from another file. Shared by `frames_to_mp4` and `map_frames`.

use std::path::{Path, PathBuf};

use image::RgbImage;
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin};
use tokio::task::JoinHandle;

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::process::{self, Args, Pipes};

/// A running encoder. Dropping it kills the process.
pub(crate) struct RawEncoder {
    program: PathBuf,
    output: PathBuf,
    child: Child,
    stdin: Option<ChildStdin>,
    /// Drains stderr while frames are written; a full stderr pipe would stall the encoder.
    stderr: JoinHandle<Vec<u8>>,
}

/// What the encoder should produce.
pub(crate) struct EncoderSettings<'a> {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Frame rate as ffmpeg reads it (`25`, `30000/1001`, `12.5`).
    pub(crate) frame_rate: String,
    /// Take the first audio stream (if any) from this file.
    pub(crate) audio_from: Option<&'a Path>,
    pub(crate) crf: u8,
    pub(crate) output: &'a Path,
}

impl RawEncoder {
    /// Starts the encoder.
    pub(crate) fn start(
        ffmpeg: &Ffmpeg,
        settings: &EncoderSettings<'_>,
    ) -> Result<Self, VideoError> {
        let mut args = Args::ffmpeg();
        args.extend(["-f", "rawvideo", "-pix_fmt", "rgb24", "-s"])
            .push(format!("{}x{}", settings.width, settings.height))
            .extend(["-framerate", &settings.frame_rate, "-i", "pipe:0"]);
        if let Some(audio_from) = settings.audio_from {
            args.input(audio_from);
        }
        args.extend(["-map", "0:v:0"]);
        if settings.audio_from.is_some() {
            args.extend(["-map", "1:a:0?"]);
        }
        // yuv420p needs even sizes; pad odd ones by a pixel rather than fail.
        args.extend(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2,setsar=1"]);
        process::h264_args(&mut args, settings.crf);
        if settings.audio_from.is_some() {
            process::aac_args(&mut args);
        }
        args.extend(["-f", "mp4"]).output(settings.output);

        let mut child = process::spawn(
            &ffmpeg.ffmpeg,
            args.0,
            Pipes {
                stdin: true,
                stdout: false,
            },
        )?;
        let stdin = child.stdin.take();
        let stderr = tokio::spawn(process::read_all(child.stderr.take()));
        Ok(Self {
            program: ffmpeg.ffmpeg.clone(),
            output: settings.output.to_owned(),
            child,
            stdin,
            stderr,
        })
    }

    /// Sends one frame. If the encoder has died, returns its error.
    pub(crate) async fn write(&mut self, frame: &RgbImage) -> Result<(), VideoError> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(VideoError::MissingOutput(
                "the encoder's input is closed".to_owned(),
            ));
        };
        if let Err(source) = stdin.write_all(frame.as_raw()).await {
            // A broken pipe means ffmpeg exited; its stderr says why.
            self.stdin = None;
            self.wait_checked().await?;
            return Err(VideoError::io("writing a frame to ffmpeg", source));
        }
        Ok(())
    }

    /// Closes stdin and waits for the MP4 to be written.
    pub(crate) async fn finish(mut self) -> Result<(), VideoError> {
        if let Some(mut stdin) = self.stdin.take() {
            // Flush errors show up in the exit status below.
            let _ = stdin.shutdown().await;
        }
        self.wait_checked().await
    }

    async fn wait_checked(&mut self) -> Result<(), VideoError> {
        let status = process::wait(&self.program, &mut self.child).await?;
        let stderr = (&mut self.stderr).await.unwrap_or_default();
        let result = process::check_status(&self.program, status, &stderr);
        if result.is_err() {
            process::remove_partial(&self.output).await;
        }
        result
    }
}

impl Drop for RawEncoder {
    fn drop(&mut self) {
        // The child is killed by `kill_on_drop`; stop draining its stderr too.
        self.stderr.abort();
    }
}
