//! Removing a time range from a clip and joining what is left around it.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::geometry::fit_within_even;
use crate::probe::VideoInfo;
use crate::process::{self, Args};
use crate::trim::check_span;

/// Parameters of [`Ffmpeg::cut`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CutParams {
    /// Start of the range to remove, in seconds from the beginning of the input.
    pub start_s: f64,
    /// End of the range to remove, in seconds from the beginning of the input; after `start_s`
    /// and at most the input's duration.
    pub end_s: f64,
}

/// Quality of the re-encoded result: visually lossless for most content.
const CUT_CRF: u8 = 20;

/// Parts shorter than this are not kept: a sliver of a frame would only add a glitch.
const SHORTEST_PART_S: f64 = 0.01;

impl Ffmpeg {
    /// Writes `input` without the range `[start_s, end_s)` to `output` as an MP4 (re-encoded,
    /// frame-accurate), and probes the result.
    pub async fn cut(
        &self,
        input: &Path,
        output: &Path,
        params: &CutParams,
    ) -> Result<VideoInfo, VideoError> {
        let info = self.checked_video(input).await?;
        let kept = kept_parts(params, info.duration_s)?;
        let has_audio = info.has_audio;

        // Each kept part is trimmed from the one input and the parts are concatenated, video
        // and audio alike, so the result plays straight through the removed range.
        let mut graph = String::new();
        let mut joined = String::new();
        for (index, (start, end)) in kept.iter().enumerate() {
            let range = match end {
                Some(end) => format!(
                    "start={}:end={}",
                    process::seconds(*start),
                    process::seconds(*end)
                ),
                None => format!("start={}", process::seconds(*start)),
            };
            graph.push_str(&format!(
                "[0:v:0]trim={range},setpts=PTS-STARTPTS[v{index}];"
            ));
            joined.push_str(&format!("[v{index}]"));
            if has_audio {
                graph.push_str(&format!(
                    "[0:a:0]atrim={range},asetpts=PTS-STARTPTS[a{index}];"
                ));
                joined.push_str(&format!("[a{index}]"));
            }
        }
        // concat's outputs are the video, then the audio; yuv420p needs even sizes.
        let outputs = if has_audio { "[joined][a]" } else { "[joined]" };
        let (width, height) = fit_within_even(info.width, info.height, None);
        graph.push_str(&format!(
            "{joined}concat=n={}:v=1:a={}{outputs};[joined]scale={width}:{height},setsar=1[v]",
            kept.len(),
            u8::from(has_audio)
        ));

        let mut args = Args::ffmpeg();
        args.input(input)
            .extend(["-filter_complex", &graph, "-map", "[v]"]);
        if has_audio {
            args.extend(["-map", "[a]"]);
        }
        args.extend(["-sn", "-dn"]);
        process::h264_args(&mut args, CUT_CRF);
        if has_audio {
            process::aac_args(&mut args);
        }
        args.extend(["-f", "mp4"]).output(output);
        self.ffmpeg_to_file(args, output).await?;
        self.probe(output).await
    }
}

/// The parts left around `[start_s, end_s)`, as (start, end) with `None` for the clip's end;
/// checks `0 <= start_s < end_s <= duration_s` and that something is left, naming the
/// offending parameter.
fn kept_parts(params: &CutParams, duration_s: f64) -> Result<Vec<(f64, Option<f64>)>, VideoError> {
    let CutParams { start_s, end_s } = *params;
    check_span(start_s, end_s, duration_s)?;
    let mut kept = Vec::new();
    if start_s >= SHORTEST_PART_S {
        kept.push((0.0, Some(start_s)));
    }
    if duration_s - end_s >= SHORTEST_PART_S {
        kept.push((end_s, None));
    }
    if kept.is_empty() {
        return Err(VideoError::param(
            "end_s",
            format!(
                "removing {start_s} s to {end_s} s leaves nothing of the {duration_s:.3} s clip"
            ),
        ));
    }
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cut(start_s: f64, end_s: f64) -> CutParams {
        CutParams { start_s, end_s }
    }

    #[test]
    fn the_parts_around_the_range_are_kept() {
        assert_eq!(
            kept_parts(&cut(1.0, 2.0), 4.0).expect("valid"),
            vec![(0.0, Some(1.0)), (2.0, None)]
        );
        assert_eq!(
            kept_parts(&cut(0.0, 2.0), 4.0).expect("valid"),
            vec![(2.0, None)]
        );
        assert_eq!(
            kept_parts(&cut(1.0, 4.0), 4.0).expect("valid"),
            vec![(0.0, Some(1.0))]
        );
    }

    #[test]
    fn bad_ranges_name_the_parameter() {
        let everything = kept_parts(&cut(0.0, 4.0), 4.0).expect_err("nothing left");
        assert!(everything.to_string().contains("leaves nothing"));
        let past = kept_parts(&cut(1.0, 12.0), 4.0).expect_err("past the end");
        assert!(past.to_string().starts_with("`end_s` 12.000 s is past"));
        let backwards = kept_parts(&cut(3.0, 2.0), 4.0).expect_err("end before start");
        assert!(backwards.to_string().starts_with("`end_s`"));
        assert!(kept_parts(&cut(-1.0, 2.0), 4.0).is_err());
    }
}
