//! Re-encoding any clip as an MP4 every browser plays: H.264 yuv420p, AAC, even sizes,
//! `+faststart`.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::geometry::fit_within_even;
use crate::probe::VideoInfo;
use crate::process::{self, Args};

/// Parameters of [`Ffmpeg::transcode_mp4`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TranscodeParams {
    /// Scale down so neither side exceeds this many pixels; omit to keep the size.
    #[serde(default)]
    pub max_side: Option<u32>,
    /// H.264 constant rate factor from 0 (lossless) to 51 (worst); omit for 23.
    #[serde(default)]
    pub crf: Option<u8>,
}

/// x264's own default quality.
const DEFAULT_CRF: u8 = 23;

impl Ffmpeg {
    /// Re-encodes `input` into a browser-playable MP4 at `output`, and probes the result.
    pub async fn transcode_mp4(
        &self,
        input: &Path,
        output: &Path,
        params: &TranscodeParams,
    ) -> Result<VideoInfo, VideoError> {
        if let Some(max_side) = params.max_side {
            self.check_side("max_side", max_side)?;
        }
        let crf = check_crf(params.crf)?;
        let info = self.checked_video(input).await?;
        let (width, height) = fit_within_even(info.width, info.height, params.max_side);
        let mut args = Args::ffmpeg();
        args.input(input)
            .extend(["-map", "0:v:0", "-map", "0:a:0?", "-sn", "-dn", "-vf"])
            .push(format!("scale={width}:{height},setsar=1"));
        process::h264_args(&mut args, crf);
        process::aac_args(&mut args);
        args.extend(["-f", "mp4"]).output(output);
        self.ffmpeg_to_file(args, output).await?;
        self.probe(output).await
    }
}

/// Checks an optional CRF, returning the one to use.
pub(crate) fn check_crf(crf: Option<u8>) -> Result<u8, VideoError> {
    match crf {
        None => Ok(DEFAULT_CRF),
        Some(crf) if crf <= 51 => Ok(crf),
        Some(crf) => Err(VideoError::param(
            "crf",
            format!("{crf} must be between 0 and 51"),
        )),
    }
}
