//! Single frames out of a clip: at chosen times, every N seconds, K evenly spaced, or one
//! thumbnail.
//!
//! Each frame is one short ffmpeg run that seeks to the time, scales, and writes raw RGB to a
//! pipe; this crate then encodes PNG or JPEG. Seeking per frame keeps memory at one frame and
//! makes the cost proportional to the number of frames, not the clip's length.

use std::path::Path;

use image::RgbImage;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::encoded::{EncodedImage, ImageFormat, encode_image};
use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::geometry::fit_within;
use crate::probe::VideoInfo;
use crate::process::{self, Args};

/// Which frames [`Ffmpeg::extract_frames`] takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum FrameSelection {
    /// The frames showing at these times.
    Times {
        /// Times in seconds from the start of the clip; each before the clip's end.
        times_s: Vec<f64>,
    },
    /// One frame every `interval_s` seconds, starting at 0.
    Every {
        /// Seconds between two frames; more than 0.
        interval_s: f64,
    },
    /// `count` frames spread evenly over the clip (the middle of `count` equal slices).
    Evenly {
        /// How many frames; at least 1.
        count: u32,
    },
}

/// Parameters of [`Ffmpeg::extract_frames`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExtractFramesParams {
    /// Which frames to take.
    pub selection: FrameSelection,
    /// `png` (default) or `jpeg`.
    #[serde(default)]
    pub format: ImageFormat,
    /// Scale frames down so neither side exceeds this many pixels; omit for full size.
    #[serde(default)]
    pub max_side: Option<u32>,
}

/// Parameters of [`Ffmpeg::thumbnail`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ThumbnailParams {
    /// Time of the frame in seconds; omit for a frame a third of the way in.
    #[serde(default)]
    pub at_s: Option<f64>,
    /// Largest side of the thumbnail in pixels.
    #[serde(default = "default_thumbnail_side")]
    pub max_side: u32,
    /// `png` (default) or `jpeg`.
    #[serde(default)]
    pub format: ImageFormat,
}

fn default_thumbnail_side() -> u32 {
    512
}

/// One extracted frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ExtractedFrame {
    /// The time the frame was taken at, in seconds.
    pub timestamp_s: f64,
    /// The encoded frame.
    pub image: EncodedImage,
}

impl Ffmpeg {
    /// Takes the frames `params.selection` asks for, in time order of the request.
    pub async fn extract_frames(
        &self,
        input: &Path,
        params: &ExtractFramesParams,
    ) -> Result<Vec<ExtractedFrame>, VideoError> {
        let info = self.checked_video(input).await?;
        if let Some(max_side) = params.max_side {
            self.check_side("max_side", max_side)?;
        }
        let times = self.frame_times(&params.selection, &info)?;
        let (width, height) = fit_within(info.width, info.height, params.max_side);
        let mut frames = Vec::with_capacity(times.len());
        for timestamp_s in times {
            let frame = self
                .decode_frame(input, &info, timestamp_s, width, height)
                .await?;
            frames.push(ExtractedFrame {
                timestamp_s,
                image: encode_image(&frame, params.format)?,
            });
        }
        Ok(frames)
    }

    /// One frame, scaled to fit `params.max_side`.
    pub async fn thumbnail(
        &self,
        input: &Path,
        params: &ThumbnailParams,
    ) -> Result<ExtractedFrame, VideoError> {
        let info = self.checked_video(input).await?;
        self.check_side("max_side", params.max_side)?;
        let timestamp_s = match params.at_s {
            Some(at_s) => {
                check_time("at_s", at_s, info.duration_s)?;
                at_s
            }
            None => info.duration_s / 3.0,
        };
        let (width, height) = fit_within(info.width, info.height, Some(params.max_side));
        let frame = self
            .decode_frame(input, &info, timestamp_s, width, height)
            .await?;
        Ok(ExtractedFrame {
            timestamp_s,
            image: encode_image(&frame, params.format)?,
        })
    }

    /// The frame at `at_s` as RGB pixels, scaled to fit `max_side` if given.
    pub async fn frame_rgb(
        &self,
        input: &Path,
        at_s: f64,
        max_side: Option<u32>,
    ) -> Result<RgbImage, VideoError> {
        let info = self.checked_video(input).await?;
        check_time("at_s", at_s, info.duration_s)?;
        if let Some(max_side) = max_side {
            self.check_side("max_side", max_side)?;
        }
        let (width, height) = fit_within(info.width, info.height, max_side);
        self.decode_frame(input, &info, at_s, width, height).await
    }

    /// Resolves a [`FrameSelection`] to times, enforcing [`crate::Limits::max_frames`].
    pub(crate) fn frame_times(
        &self,
        selection: &FrameSelection,
        info: &VideoInfo,
    ) -> Result<Vec<f64>, VideoError> {
        let duration_s = info.duration_s;
        let max_frames = self.limits.max_frames;
        let too_many = |param: &str, count: f64| VideoError::TooManyFrames {
            param: param.to_owned(),
            asked: count as u64,
            limit: max_frames,
        };
        let times = match selection {
            FrameSelection::Times { times_s } => {
                if times_s.is_empty() {
                    return Err(VideoError::param("times_s", "is empty"));
                }
                if times_s.len() > max_frames {
                    return Err(too_many("times_s", times_s.len() as f64));
                }
                for (index, time) in times_s.iter().enumerate() {
                    check_time(&format!("times_s[{index}]"), *time, duration_s)?;
                }
                times_s.clone()
            }
            FrameSelection::Every { interval_s } => {
                let interval_s = *interval_s;
                if !interval_s.is_finite() || interval_s <= 0.0 {
                    return Err(VideoError::param(
                        "interval_s",
                        format!("{interval_s} s must be more than 0"),
                    ));
                }
                let count = (duration_s / interval_s).ceil();
                if count > max_frames as f64 {
                    return Err(too_many("interval_s", count));
                }
                (0..count as usize)
                    .map(|index| index as f64 * interval_s)
                    .filter(|time| *time < duration_s)
                    .collect()
            }
            FrameSelection::Evenly { count } => {
                if *count == 0 {
                    return Err(VideoError::param("count", "must be at least 1"));
                }
                if *count as usize > max_frames {
                    return Err(too_many("count", f64::from(*count)));
                }
                let slices = f64::from(*count);
                (0..*count)
                    .map(|index| duration_s * (f64::from(index) + 0.5) / slices)
                    .collect()
            }
        };
        Ok(times)
    }

    /// Decodes the frame showing at `at_s`, scaled to exactly `width`×`height`, as RGB.
    pub(crate) async fn decode_frame(
        &self,
        input: &Path,
        info: &VideoInfo,
        at_s: f64,
        width: u32,
        height: u32,
    ) -> Result<RgbImage, VideoError> {
        let seek = seek_point(at_s, info.fps);
        let mut args = Args::ffmpeg();
        args.extend(["-ss", &process::seconds(seek)])
            .input(input)
            .extend(["-map", "0:v:0", "-frames:v", "1", "-vf"])
            .push(format!("scale={width}:{height}:flags=area,setsar=1"))
            .extend(["-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]);
        let pixels = process::run(&self.ffmpeg, args.0, self.limits.timeout).await?;
        let expected = width as usize * height as usize * 3;
        if pixels.len() < expected {
            return Err(VideoError::MissingOutput(format!(
                "no frame decoded at {at_s:.3} s of `{}`",
                input.display()
            )));
        }
        let mut pixels = pixels;
        pixels.truncate(expected);
        RgbImage::from_raw(width, height, pixels).ok_or_else(|| {
            VideoError::MissingOutput("a frame of the wrong size was decoded".to_owned())
        })
    }
}

/// Where to seek so ffmpeg's first frame is the one showing at `at_s`.
///
/// After an input seek ffmpeg returns the first frame whose timestamp is at or after the seek
/// point, which is the *next* frame unless `at_s` falls exactly on one, and nothing at all past
/// the last frame's start. Seeking half a frame before the start of the frame that contains
/// `at_s` lands on that frame even when the stream's timestamps are offset a little (copied
/// streams often start at 1 ms, say).
pub(crate) fn seek_point(at_s: f64, fps: f64) -> f64 {
    let fps = fps.max(1.0);
    let frame_index = (at_s * fps + 1e-6).floor();
    ((frame_index - 0.5) / fps).max(0.0)
}

/// Checks `0 <= time_s < duration_s`.
pub(crate) fn check_time(param: &str, time_s: f64, duration_s: f64) -> Result<(), VideoError> {
    if !time_s.is_finite() || time_s < 0.0 {
        return Err(VideoError::param(
            param,
            format!("{time_s} s must be 0 or more"),
        ));
    }
    if time_s >= duration_s {
        return Err(VideoError::param(
            param,
            format!("{time_s:.3} s is not before the clip's end at {duration_s:.3} s"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(duration_s: f64) -> VideoInfo {
        VideoInfo {
            duration_s,
            fps: 25.0,
            width: 320,
            height: 240,
            video_codec: "h264".to_owned(),
            audio_codec: None,
            has_audio: false,
            frame_count: (duration_s * 25.0) as u64,
        }
    }

    #[test]
    fn selections_resolve_to_times_inside_the_clip() {
        let ffmpeg = Ffmpeg::new();
        let every = ffmpeg
            .frame_times(&FrameSelection::Every { interval_s: 1.0 }, &info(3.0))
            .expect("valid");
        assert_eq!(every, vec![0.0, 1.0, 2.0]);
        let evenly = ffmpeg
            .frame_times(&FrameSelection::Evenly { count: 4 }, &info(4.0))
            .expect("valid");
        assert_eq!(evenly, vec![0.5, 1.5, 2.5, 3.5]);
    }

    #[test]
    fn seeks_land_half_a_frame_before_the_frame_showing() {
        assert_eq!(seek_point(0.0, 25.0), 0.0);
        assert_eq!(seek_point(0.03, 25.0), 0.0);
        assert!((seek_point(1.0, 25.0) - 0.98).abs() < 1e-9);
        assert!((seek_point(1.039, 25.0) - 0.98).abs() < 1e-9);
        assert!((seek_point(1.512, 25.0) - 1.46).abs() < 1e-9);
    }

    #[test]
    fn bad_selections_name_the_parameter() {
        let ffmpeg = Ffmpeg::new();
        let late = FrameSelection::Times {
            times_s: vec![1.0, 9.0],
        };
        let error = ffmpeg.frame_times(&late, &info(3.0)).expect_err("too late");
        assert!(
            error.to_string().starts_with("`times_s[1]` 9.000 s"),
            "{error}"
        );
        let dense = FrameSelection::Every { interval_s: 0.001 };
        let error = ffmpeg
            .frame_times(&dense, &info(3.0))
            .expect_err("too many");
        assert!(
            error.to_string().starts_with("`interval_s` asks for"),
            "{error}"
        );
        let none = FrameSelection::Evenly { count: 0 };
        assert!(ffmpeg.frame_times(&none, &info(3.0)).is_err());
    }

    #[test]
    fn selections_read_from_tagged_json() {
        let params: ExtractFramesParams = serde_json::from_str(
            r#"{"selection": {"mode": "evenly", "count": 3}, "format": "jpeg"}"#,
        )
        .expect("valid params");
        assert_eq!(params.selection, FrameSelection::Evenly { count: 3 });
        assert_eq!(params.format, ImageFormat::Jpeg);
        assert_eq!(params.max_side, None);
    }
}
