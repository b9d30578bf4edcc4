//! Pulling the soundtrack out of a clip as an MP3 (libmp3lame).

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::probe::MediaInfo;
use crate::process::Args;

/// Parameters of [`Ffmpeg::extract_audio_mp3`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ExtractAudioParams {
    /// MP3 bit rate in kilobits per second, from 32 to 320.
    #[serde(default = "default_bitrate")]
    pub bitrate_kbps: u32,
}

impl Default for ExtractAudioParams {
    fn default() -> Self {
        Self {
            bitrate_kbps: default_bitrate(),
        }
    }
}

fn default_bitrate() -> u32 {
    192
}

impl Ffmpeg {
    /// Writes the first audio stream of `input` to `output` as an MP3, and probes the result.
    ///
    /// Fails with [`VideoError::NoAudioStream`] when the input is silent (has no audio stream).
    pub async fn extract_audio_mp3(
        &self,
        input: &Path,
        output: &Path,
        params: &ExtractAudioParams,
    ) -> Result<MediaInfo, VideoError> {
        let bitrate = params.bitrate_kbps;
        if !(32..=320).contains(&bitrate) {
            return Err(VideoError::param(
                "bitrate_kbps",
                format!("{bitrate} must be between 32 and 320"),
            ));
        }
        let info = self.checked_media(input).await?;
        if info.audio.is_none() {
            return Err(VideoError::NoAudioStream {
                path: input.to_owned(),
            });
        }
        let mut args = Args::ffmpeg();
        args.input(input)
            .extend([
                "-map",
                "0:a:0",
                "-vn",
                "-sn",
                "-dn",
                "-c:a",
                "libmp3lame",
                "-b:a",
            ])
            .push(format!("{bitrate}k"))
            .extend(["-f", "mp3"])
            .output(output);
        self.ffmpeg_to_file(args, output).await?;
        self.probe_media(output).await
    }
}
