//! Cutting a time range out of a clip, exactly (re-encode) or on keyframes (stream copy).

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::geometry::fit_within_even;
use crate::probe::VideoInfo;
use crate::process::{self, Args};

/// How [`Ffmpeg::trim`] cuts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrimMode {
    /// Re-encode (H.264 + AAC): the clip starts on the first frame at or after `start_s` and
    /// lasts `end_s - start_s` to within a frame. Slower.
    #[default]
    Exact,
    /// Copy the streams without re-encoding: fast and lossless, but the clip starts at the
    /// keyframe at or before `start_s`, so it may begin a little early.
    Keyframe,
}

/// Parameters of [`Ffmpeg::trim`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TrimParams {
    /// Start of the range to keep, in seconds from the beginning of the input.
    pub start_s: f64,
    /// End of the range to keep, in seconds from the beginning of the input; after `start_s`
    /// and at most the input's duration. Absent: the input's end ("everything after 0:30").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_s: Option<f64>,
    /// `exact` (re-encode, frame-accurate) or `keyframe` (stream copy, starts on a keyframe).
    #[serde(default)]
    pub mode: TrimMode,
}

/// Quality of re-encoded trims: visually lossless for most content.
const TRIM_CRF: u8 = 20;

impl Ffmpeg {
    /// Writes the range `[start_s, end_s)` of `input` to `output` as an MP4, and probes the result.
    pub async fn trim(
        &self,
        input: &Path,
        output: &Path,
        params: &TrimParams,
    ) -> Result<VideoInfo, VideoError> {
        let info = self.checked_video(input).await?;
        let end_s = check_range(params, info.duration_s)?;
        let length = end_s - params.start_s;

        let mut args = Args::ffmpeg();
        // `-ss` before `-i` seeks the input: exact when re-encoding, keyframe-aligned when copying.
        args.extend(["-ss", &process::seconds(params.start_s)])
            .input(input)
            .extend(["-t", &process::seconds(length)])
            .extend(["-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn"]);
        match params.mode {
            TrimMode::Exact => {
                // yuv420p needs even sizes; some sources (MJPEG, VP9, ...) have odd ones.
                let (width, height) = fit_within_even(info.width, info.height, None);
                args.push("-vf")
                    .push(format!("scale={width}:{height},setsar=1"));
                process::h264_args(&mut args, TRIM_CRF);
                process::aac_args(&mut args);
            }
            TrimMode::Keyframe => {
                args.extend(["-c", "copy", "-avoid_negative_ts", "make_zero"])
                    .extend(["-movflags", "+faststart"]);
            }
        }
        args.extend(["-f", "mp4"]).output(output);
        self.ffmpeg_to_file(args, output).await?;
        self.probe(output).await
    }
}

/// The end of a trim, the clip's own when `end_s` is absent, with the range checked by
/// [`check_span`].
fn check_range(params: &TrimParams, duration_s: f64) -> Result<f64, VideoError> {
    let end_s = params.end_s.unwrap_or(duration_s);
    check_span(params.start_s, end_s, duration_s)?;
    Ok(end_s)
}

/// Checks `0 <= start_s < end_s <= duration_s`, naming the offending parameter.
pub(crate) fn check_span(start_s: f64, end_s: f64, duration_s: f64) -> Result<(), VideoError> {
    if !start_s.is_finite() || start_s < 0.0 {
        return Err(VideoError::param(
            "start_s",
            format!("{start_s} s must be 0 or more"),
        ));
    }
    if !end_s.is_finite() || end_s <= start_s {
        return Err(VideoError::param(
            "end_s",
            format!("{end_s} s must be after `start_s` {start_s} s"),
        ));
    }
    // A millisecond of slack: durations printed by other tools are rounded.
    if end_s > duration_s + 1e-3 {
        return Err(VideoError::param(
            "end_s",
            format!("{end_s:.3} s is past the clip's duration {duration_s:.3} s"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(start_s: f64, end_s: f64) -> TrimParams {
        TrimParams {
            start_s,
            end_s: Some(end_s),
            mode: TrimMode::Exact,
        }
    }

    #[test]
    fn ranges_are_checked_and_errors_name_the_parameter() {
        assert!(check_range(&params(1.0, 2.0), 8.4).is_ok());
        assert!(check_range(&params(0.0, 8.4), 8.4).is_ok());
        let past = check_range(&params(1.0, 12.0), 8.4).expect_err("past the end");
        assert_eq!(
            past.to_string(),
            "`end_s` 12.000 s is past the clip's duration 8.400 s"
        );
        let backwards = check_range(&params(3.0, 2.0), 8.4).expect_err("end before start");
        assert!(
            backwards
                .to_string()
                .starts_with("`end_s` 2 s must be after")
        );
        let negative = check_range(&params(-1.0, 2.0), 8.4).expect_err("negative start");
        assert!(negative.to_string().starts_with("`start_s`"));
        assert!(check_range(&params(f64::NAN, 2.0), 8.4).is_err());
    }

    #[test]
    fn modes_read_as_snake_case() {
        let params: TrimParams =
            serde_json::from_str(r#"{"start_s": 1, "end_s": 2, "mode": "keyframe"}"#)
                .expect("valid params");
        assert_eq!(params.mode, TrimMode::Keyframe);
        let params: TrimParams =
            serde_json::from_str(r#"{"start_s": 1, "end_s": 2}"#).expect("valid params");
        assert_eq!(params.mode, TrimMode::Exact);
    }
}
