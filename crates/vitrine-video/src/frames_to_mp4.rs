//! Encoding a sequence of RGB images (in memory or PNG/JPEG files) into an MP4.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use image::RgbImage;

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::probe::VideoInfo;
use crate::process;
use crate::raw_encoder::{EncoderSettings, RawEncoder};
use crate::transcode::check_crf;

/// Where the frames come from.
#[derive(Clone, Copy)]
enum Frames<'a> {
    Images(&'a [RgbImage]),
    /// Decoded one at a time, so memory stays at one frame.
    Files(&'a [PathBuf]),
}

impl<'a> Frames<'a> {
    fn len(self) -> usize {
        match self {
            Self::Images(images) => images.len(),
            Self::Files(paths) => paths.len(),
        }
    }

    async fn get(self, index: usize) -> Result<Cow<'a, RgbImage>, VideoError> {
        match self {
            Self::Images(images) => images
                .get(index)
                .map(Cow::Borrowed)
                .ok_or_else(|| VideoError::param(format!("frames[{index}]"), "does not exist")),
            Self::Files(paths) => {
                let param = format!("frames[{index}]");
                let path = paths
                    .get(index)
                    .ok_or_else(|| VideoError::param(&param, "does not exist"))?;
                let bytes = tokio::fs::read(path).await.map_err(|source| {
                    VideoError::io(format!("reading `{param}` ({})", path.display()), source)
                })?;
                let image = image::load_from_memory(&bytes).map_err(|error| {
                    VideoError::param(&param, format!("is not a PNG or JPEG image: {error}"))
                })?;
                Ok(Cow::Owned(image.into_rgb8()))
            }
        }
    }
}

impl Ffmpeg {
    /// Encodes `frames` (all the same size) at `fps` frames per second into an H.264 MP4 at
    /// `output`, and probes the result. Odd sizes are padded by one pixel.
    pub async fn frames_to_mp4(
        &self,
        frames: &[RgbImage],
        fps: f64,
        output: &Path,
    ) -> Result<VideoInfo, VideoError> {
        self.encode_frames(Frames::Images(frames), fps, output)
            .await
    }

    /// Like [`Ffmpeg::frames_to_mp4`], reading the frames from PNG or JPEG files one at a time.
    pub async fn frame_files_to_mp4(
        &self,
        frames: &[PathBuf],
        fps: f64,
        output: &Path,
    ) -> Result<VideoInfo, VideoError> {
        self.encode_frames(Frames::Files(frames), fps, output).await
    }

    async fn encode_frames(
        &self,
        frames: Frames<'_>,
        fps: f64,
        output: &Path,
    ) -> Result<VideoInfo, VideoError> {
        if frames.len() == 0 {
            return Err(VideoError::param("frames", "is empty"));
        }
        if !fps.is_finite() || fps <= 0.0 || fps > 240.0 {
            return Err(VideoError::param(
                "fps",
                format!("{fps} must be more than 0 and at most 240"),
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
        let first = frames.get(0).await?;
        let (width, height) = first.dimensions();
        self.check_side("frames[0] width", width)?;
        self.check_side("frames[0] height", height)?;
        drop(first);

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
            for index in 0..frames.len() {
                let frame = frames.get(index).await?;
                if frame.dimensions() != (width, height) {
                    let (other_width, other_height) = frame.dimensions();
                    return Err(VideoError::param(
                        format!("frames[{index}]"),
                        format!(
                            "is {other_width}x{other_height} but `frames[0]` is \
                             {width}x{height}; all frames must be the same size"
                        ),
                    ));
                }
                encoder.write(&frame).await?;
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
