//! Encoding a sequence of RGB images into an MP4.

use std::path::Path;

use image::RgbImage;

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::probe::VideoInfo;
use crate::process;
use crate::raw_encoder::{EncoderSettings, RawEncoder};
use crate::transcode::check_crf;

impl Ffmpeg {
    /// Encodes `frames` (all the same size) at `fps` frames per second into an H.264 MP4 at
    /// `output`, and probes the result. Odd sizes are padded by one pixel.
    pub async fn frames_to_mp4(
        &self,
        frames: &[RgbImage],
        fps: f64,
        output: &Path,
    ) -> Result<VideoInfo, VideoError> {
        let Some(first) = frames.first() else {
            return Err(VideoError::param("frames", "is empty"));
        };
        if !fps.is_finite() || fps <= 0.0 || fps > 240.0 {
            return Err(VideoError::param(
                "fps",
                format!("{fps} must be more than 0 and at most 240"),
            ));
        }
        let (width, height) = first.dimensions();
        self.check_side("frames[0] width", width)?;
        self.check_side("frames[0] height", height)?;
        if let Some((index, frame)) = frames
            .iter()
            .enumerate()
            .find(|(_, frame)| frame.dimensions() != (width, height))
        {
            let (other_width, other_height) = frame.dimensions();
            return Err(VideoError::param(
                format!("frames[{index}]"),
                format!(
                    "is {other_width}x{other_height} but `frames[0]` is {width}x{height}; all \
                     frames must be the same size"
                ),
            ));
        }
        let duration_s = frames.len() as f64 / fps;
        if duration_s > self.limits.max_input_duration_s {
            return Err(VideoError::param(
                "frames",
                format!(
                    "make {duration_s:.1} s of video at {fps} fps, over the limit of {:.1} s",
                    self.limits.max_input_duration_s
                ),
            ));
        }

        let settings = EncoderSettings {
            width,
            height,
            frame_rate: fps.to_string(),
            audio_from: None,
            crf: check_crf(None)?,
            output,
        };
        let result = process::with_timeout(&self.ffmpeg, self.limits.timeout, async {
            let mut encoder = RawEncoder::start(self, &settings)?;
            for frame in frames {
                encoder.write(frame).await?;
            }
            encoder.finish().await
        })
        .await;
        if result.is_err() {
            process::remove_partial(output).await;
        }
        result?;
        self.probe(output).await
    }
}
