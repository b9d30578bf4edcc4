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
    /// `frame_index / fps`. The closure runs on the calling task; keep it quick per frame or
    /// call this from a blocking-friendly context. The whole call is bounded by
    /// [`crate::Limits::timeout`].
    pub async fn map_frames<F>(
        &self,
        input: &Path,
        output: &Path,
        params: &MapFramesParams,
        f: F,
    ) -> Result<MapFramesReport, VideoError>
    where
        F: FnMut(u64, f64, &mut RgbImage),
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
    async fn pump<F>(
        &self,
        input: &Path,
        settings: &EncoderSettings<'_>,
        fps: f64,
        mut f: F,
    ) -> Result<u64, VideoError>
    where
        F: FnMut(u64, f64, &mut RgbImage),
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
            return Err(VideoError::MissingOutput(
                "the decoder has no stdout".to_owned(),
            ));
        };
        let mut encoder = RawEncoder::start(self, settings)?;

        let mut frame = RgbImage::new(settings.width, settings.height);
        let mut index = 0u64;
        let loop_result = async {
            while read_frame(&mut frames_in, &mut frame).await? {
                f(index, index as f64 / fps, &mut frame);
                encoder.write(&frame).await?;
                index += 1;
            }
            Ok::<(), VideoError>(())
        }
        .await;
        drop(frames_in);
        // The encoder failing is the root cause; the decoder only lost its reader.
        if let Err(error @ VideoError::ToolFailed { .. }) = loop_result {
            return Err(error);
        }

        let status = process::wait(&self.ffmpeg, &mut decoder).await?;
        let stderr = decoder_stderr.await.unwrap_or_default();
        // A decoder failure explains a short read better than anything else.
        process::check_status(&self.ffmpeg, status, &stderr)?;
        loop_result?;
        if index == 0 {
            return Err(VideoError::MissingOutput(format!(
                "no frames decoded from `{}`",
                input.display()
            )));
        }
        encoder.finish().await?;
        Ok(index)
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
