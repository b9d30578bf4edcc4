//! Running a closure over every frame of a clip, keeping its audio.
//!
//! Two ffmpeg processes form a pipeline: the decoder writes raw RGB24 frames to a pipe, this
//! crate reads one frame into a reused buffer, calls the closure on it, and writes it to the
//! encoder's stdin; the encoder also reads the source file for its audio track. Memory stays at
//! one frame whatever the clip's length.

use std::path::Path;

use image::RgbImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt};

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::geometry::fit_within_even;
use crate::process::{self, Args, Pipes};
use crate::raw_encoder::{EncoderSettings, RawEncoder};
use crate::transcode::check_crf;

/// Parameters of [`Ffmpeg::map_frames`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MapFramesParams {
    /// Scale frames down so neither side exceeds this many pixels before the closure sees
    /// them; omit to keep the size (rounded down to even numbers).
    #[serde(default)]
    pub max_side: Option<u32>,
    /// H.264 constant rate factor of the output, 0 (lossless) to 51 (worst); omit for 23.
    #[serde(default)]
    pub crf: Option<u8>,
}

/// What [`Ffmpeg::map_frames`] did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MapFramesReport {
    /// Number of frames passed through the closure.
    pub frames: u64,
    /// Width of the frames the closure saw, in pixels.
    pub width: u32,
    /// Height of the frames the closure saw, in pixels.
    pub height: u32,
    /// Frame rate of the output, frames per second.
    pub fps: f64,
}

impl Ffmpeg {
    /// Decodes `input`, calls `f(frame_index, timestamp_s, &mut frame)` on every frame in order,
    /// and encodes the frames into an H.264 MP4 at `output` with the input's audio (AAC).
    ///
    /// Frames come at the input's constant frame rate, so `timestamp_s` is
    /// `frame_index / fps`. The closure runs on the calling task, so it must be quick per
    /// frame; heavy per-frame work (a model, a big blur) belongs in
    /// [`Ffmpeg::map_frames_async`], which can hand each frame to a blocking pool. The whole
    /// call is bounded by [`crate::Limits::timeout`].
    pub async fn map_frames<F>(
        &self,
        input: &Path,
        output: &Path,
        params: &MapFramesParams,
        mut f: F,
    ) -> Result<MapFramesReport, VideoError>
    where
        F: FnMut(u64, f64, &mut RgbImage),
    {
        self.map_frames_async(input, output, params, |index, time, mut frame| {
            f(index, time, &mut frame);
            std::future::ready(Ok::<_, VideoError>(frame))
        })
        .await
    }

    /// Like [`Ffmpeg::map_frames`], but `f` takes each frame by value and returns a future of
    /// the processed frame (same size), so the work can run elsewhere (e.g. in
    /// `tokio::task::spawn_blocking`) while this task only moves bytes between the pipes. The
    /// first error `f` returns stops the pipeline (both ffmpeg processes are killed, the partial
    /// output removed) and is returned as is.
    pub async fn map_frames_async<F, Fut, E>(
        &self,
        input: &Path,
        output: &Path,
        params: &MapFramesParams,
        f: F,
    ) -> Result<MapFramesReport, E>
    where
        F: FnMut(u64, f64, RgbImage) -> Fut,
        Fut: Future<Output = Result<RgbImage, E>>,
        E: From<VideoError>,
    {
        if let Some(max_side) = params.max_side {
            self.check_side("max_side", max_side)?;
        }
        let crf = check_crf(params.crf)?;
        let info = self.checked_video(input).await?;
        let media = self.probe_media(input).await?;
        let frame_rate = media
            .video
            .map(|video| video.frame_rate)
            .unwrap_or_else(|| info.fps.to_string());
        let (width, height) = fit_within_even(info.width, info.height, params.max_side);

        let result = process::with_timeout(&self.ffmpeg, self.limits.timeout, async {
            let settings = EncoderSettings {
                width,
                height,
                frame_rate: frame_rate.clone(),
                audio_from: info.has_audio.then_some(input),
                crf,
                output,
            };
            self.pump(input, &settings, info.fps, f).await
        })
        .await;
        match result {
            Ok(frames) => Ok(MapFramesReport {
                frames,
                width,
                height,
                fps: info.fps,
            }),
            Err(error) => {
                process::remove_partial(output).await;
                Err(error)
            }
        }
    }

    /// Runs the decoder → closure → encoder loop; returns the number of frames.
    async fn pump<F, Fut, E>(
        &self,
        input: &Path,
        settings: &EncoderSettings<'_>,
        fps: f64,
        mut f: F,
    ) -> Result<u64, E>
    where
        F: FnMut(u64, f64, RgbImage) -> Fut,
        Fut: Future<Output = Result<RgbImage, E>>,
        E: From<VideoError>,
    {
        let mut args = Args::ffmpeg();
        args.input(input)
            .extend(["-map", "0:v:0", "-vf"])
            .push(format!(
                "scale={}:{}:flags=area,setsar=1",
                settings.width, settings.height
            ))
            // Constant frame rate, so frame N is at N / fps and lines up with the audio.
            .extend(["-fps_mode", "cfr", "-r", &settings.frame_rate])
            .extend(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        let mut decoder = process::spawn(
            &self.ffmpeg,
            args.0,
            Pipes {
                stdin: false,
                stdout: true,
            },
        )?;
        let decoder_stderr = tokio::spawn(process::read_all(decoder.stderr.take()));
        let Some(mut frames_in) = decoder.stdout.take() else {
            return Err(VideoError::MissingOutput("the decoder has no stdout".to_owned()).into());
        };
        let mut encoder = RawEncoder::start(self, settings)?;

        // One buffer travels decoder → closure → encoder and back, so memory stays at a frame.
        let mut frame = RgbImage::new(settings.width, settings.height);
        let mut index = 0u64;
        let loop_result = async {
            while read_frame(&mut frames_in, &mut frame).await? {
                let taken = std::mem::take(&mut frame);
                frame = f(index, index as f64 / fps, taken)
                    .await
                    .map_err(Stop::Frame)?;
                if frame.dimensions() != (settings.width, settings.height) {
                    let (width, height) = frame.dimensions();
                    return Err(Stop::Video(VideoError::MissingOutput(format!(
                        "frame {index} came back {width}x{height} from the per-frame \
                         operation, not {}x{}",
                        settings.width, settings.height
                    ))));
                }
                encoder.write(&frame).await?;
                index += 1;
            }
            Ok::<(), Stop<E>>(())
        }
        .await;
        drop(frames_in);
        let loop_result = match loop_result {
            // The caller's error is the cause; dropping the children kills them.
            Err(Stop::Frame(error)) => return Err(error),
            // The encoder failing is the root cause; the decoder only lost its reader.
            Err(Stop::Video(error @ VideoError::ToolFailed { .. })) => return Err(error.into()),
            Err(Stop::Video(error)) => Err(error),
            Ok(()) => Ok(()),
        };

        let status = process::wait(&self.ffmpeg, &mut decoder).await?;
        let stderr = decoder_stderr.await.unwrap_or_default();
        // A decoder failure explains a short read better than anything else.
        process::check_status(&self.ffmpeg, status, &stderr)?;
        loop_result?;
        if index == 0 {
            return Err(VideoError::MissingOutput(format!(
                "no frames decoded from `{}`",
                input.display()
            ))
            .into());
        }
        encoder.finish().await?;
        Ok(index)
    }
}

/// Why the frame loop stopped early: ffmpeg's side, or the caller's operation.
enum Stop<E> {
    Video(VideoError),
    Frame(E),
}

impl<E> From<VideoError> for Stop<E> {
    fn from(error: VideoError) -> Self {
        Stop::Video(error)
    }
}

/// Fills `frame` from `pipe`. `Ok(false)` at a clean end of stream; an error if the stream
/// ends inside a frame.
async fn read_frame(
    pipe: &mut (impl AsyncRead + Unpin),
    frame: &mut RgbImage,
) -> Result<bool, VideoError> {
    let buffer: &mut [u8] = frame;
    let mut filled = 0;
    while filled < buffer.len() {
        let read = pipe
            .read(&mut buffer[filled..])
            .await
            .map_err(|source| VideoError::io("reading a decoded frame", source))?;
        if read == 0 {
            return if filled == 0 {
                Ok(false)
            } else {
                Err(VideoError::MissingOutput(format!(
                    "the decoder stopped inside a frame ({filled} of {} bytes)",
                    buffer.len()
                )))
            };
        }
        filled += read;
    }
    Ok(true)
}
