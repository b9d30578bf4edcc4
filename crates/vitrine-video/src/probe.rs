//! `ffprobe -of json`: duration, frame rate, size and codecs of a media file.

use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::process;

/// What a caller usually wants to know about a video.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VideoInfo {
    /// Length of the file in seconds.
    pub duration_s: f64,
    /// Average frames per second of the first video stream.
    pub fps: f64,
    /// Displayed width in pixels (after any rotation the file asks for).
    pub width: u32,
    /// Displayed height in pixels (after any rotation the file asks for).
    pub height: u32,
    /// ffmpeg's name of the video codec, e.g. `h264`.
    pub video_codec: String,
    /// ffmpeg's name of the first audio stream's codec, e.g. `aac`, if there is audio.
    pub audio_codec: Option<String>,
    /// Whether the file has an audio stream.
    pub has_audio: bool,
    /// Number of frames: the container's count when it has one, else duration × fps.
    pub frame_count: u64,
}

/// Everything [`Ffmpeg::probe_media`] reports; works for audio-only files too.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MediaInfo {
    /// Length of the file in seconds.
    pub duration_s: f64,
    /// ffmpeg's container name(s), e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `mp3`.
    pub format_name: String,
    /// The first video stream (cover art in audio files is ignored).
    pub video: Option<VideoStreamInfo>,
    /// The first audio stream.
    pub audio: Option<AudioStreamInfo>,
}

/// The first video stream of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VideoStreamInfo {
    /// ffmpeg's codec name, e.g. `h264`.
    pub codec: String,
    /// Displayed width in pixels (after rotation).
    pub width: u32,
    /// Displayed height in pixels (after rotation).
    pub height: u32,
    /// Average frames per second.
    pub fps: f64,
    /// The same rate as ffmpeg's exact fraction, e.g. `30000/1001`.
    pub frame_rate: String,
    /// Number of frames: the container's count when it has one, else duration × fps.
    pub frame_count: u64,
}

/// The first audio stream of a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AudioStreamInfo {
    /// ffmpeg's codec name, e.g. `aac` or `mp3`.
    pub codec: String,
    /// Samples per second.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: u32,
}

impl Ffmpeg {
    /// Probes a file that must contain video.
    pub async fn probe(&self, input: &Path) -> Result<VideoInfo, VideoError> {
        let media = self.probe_media(input).await?;
        let video = media.video.ok_or_else(|| VideoError::NoVideoStream {
            path: input.to_owned(),
        })?;
        Ok(VideoInfo {
            duration_s: media.duration_s,
            fps: video.fps,
            width: video.width,
            height: video.height,
            video_codec: video.codec,
            has_audio: media.audio.is_some(),
            audio_codec: media.audio.map(|audio| audio.codec),
            frame_count: video.frame_count,
        })
    }

    /// Probes any media file (video, audio, or both).
    pub async fn probe_media(&self, input: &Path) -> Result<MediaInfo, VideoError> {
        if !tokio::fs::try_exists(input).await.unwrap_or(false) {
            return Err(VideoError::InputNotFound {
                path: input.to_owned(),
            });
        }
        let url = process::file_url(input);
        let args = [
            "-v".as_ref(),
            "error".as_ref(),
            "-protocol_whitelist".as_ref(),
            "file".as_ref(),
            "-print_format".as_ref(),
            "json".as_ref(),
            "-show_format".as_ref(),
            "-show_streams".as_ref(),
            url.as_os_str(),
        ];
        let stdout = match process::run(&self.ffprobe, args, self.limits.timeout).await {
            Ok(stdout) => stdout,
            Err(VideoError::ToolFailed { stderr, .. }) => {
                return Err(VideoError::UnreadableInput {
                    path: input.to_owned(),
                    stderr,
                });
            }
            Err(other) => return Err(other),
        };
        let info = parse(input, &stdout)?;
        refuse_playlists(input, &info)?;
        Ok(info)
    }
}

/// Demuxers whose files point at other files or at the network. Vitrine only takes
/// self-contained media, so these are refused before any ffmpeg call reads them.
const REFERENCING_FORMATS: [&str; 6] = ["hls", "applehttp", "concat", "dash", "sdp", "rtp"];

fn refuse_playlists(input: &Path, info: &MediaInfo) -> Result<(), VideoError> {
    let referencing = info
        .format_name
        .split(',')
        .any(|name| REFERENCING_FORMATS.contains(&name));
    if referencing {
        return Err(VideoError::UnreadableInput {
            path: input.to_owned(),
            stderr: format!(
                "`{}` files refer to other files or URLs and are not accepted",
                info.format_name
            ),
        });
    }
    Ok(())
}

/// ffprobe's JSON, only the parts used here. Numbers arrive as strings in ffprobe's output.
#[derive(Deserialize)]
struct Probe {
    #[serde(default)]
    streams: Vec<Stream>,
    format: Option<Format>,
}

#[derive(Deserialize)]
struct Format {
    format_name: Option<String>,
    duration: Option<String>,
}

#[derive(Deserialize)]
struct Stream {
    codec_type: Option<String>,
    codec_name: Option<String>,
    width: Option<u32>,
    height: Option<u32>,
    avg_frame_rate: Option<String>,
    r_frame_rate: Option<String>,
    nb_frames: Option<String>,
    duration: Option<String>,
    sample_rate: Option<String>,
    channels: Option<u32>,
    #[serde(default)]
    disposition: Disposition,
    #[serde(default)]
    side_data_list: Vec<SideData>,
    #[serde(default)]
    tags: Tags,
}

#[derive(Deserialize, Default)]
struct Disposition {
    #[serde(default)]
    attached_pic: u8,
}

#[derive(Deserialize)]
struct SideData {
    rotation: Option<f64>,
}

#[derive(Deserialize, Default)]
struct Tags {
    rotate: Option<String>,
}

/// Turns ffprobe's JSON into [`MediaInfo`].
pub(crate) fn parse(path: &Path, json: &[u8]) -> Result<MediaInfo, VideoError> {
    let malformed = |reason: String| VideoError::ProbeOutput {
        path: path.to_owned(),
        reason,
    };
    let probe: Probe = serde_json::from_slice(json)
        .map_err(|error| malformed(format!("invalid JSON: {error}")))?;
    let format = probe
        .format
        .ok_or_else(|| malformed("no `format` section".to_owned()))?;
    let video_stream = probe.streams.iter().find(|stream| {
        stream.codec_type.as_deref() == Some("video") && stream.disposition.attached_pic == 0
    });
    let audio_stream = probe
        .streams
        .iter()
        .find(|stream| stream.codec_type.as_deref() == Some("audio"));

    let duration_s = number(format.duration.as_deref())
        .or_else(|| video_stream.and_then(|stream| number(stream.duration.as_deref())))
        .or_else(|| audio_stream.and_then(|stream| number(stream.duration.as_deref())))
        .filter(|duration| *duration > 0.0)
        .ok_or_else(|| malformed("the duration is unknown".to_owned()))?;

    let video = match video_stream {
        None => None,
        Some(stream) => Some(video_info(stream, duration_s).ok_or_else(|| {
            malformed("the video stream lacks a size or a frame rate".to_owned())
        })?),
    };
    let audio = audio_stream.map(|stream| AudioStreamInfo {
        codec: stream.codec_name.clone().unwrap_or_default(),
        sample_rate: number(stream.sample_rate.as_deref()).map_or(0, |rate| rate as u32),
        channels: stream.channels.unwrap_or(0),
    });
    Ok(MediaInfo {
        duration_s,
        format_name: format.format_name.unwrap_or_default(),
        video,
        audio,
    })
}

fn video_info(stream: &Stream, duration_s: f64) -> Option<VideoStreamInfo> {
    let (width, height) = (stream.width?, stream.height?);
    let (frame_rate, fps) = [&stream.avg_frame_rate, &stream.r_frame_rate]
        .into_iter()
        .flatten()
        .find_map(|rate| fraction(rate).map(|fps| (rate.clone(), fps)))?;
    // Phones store portrait video as landscape plus a rotation; ffmpeg applies it on decode.
    let rotation = stream
        .side_data_list
        .iter()
        .find_map(|side_data| side_data.rotation)
        .or_else(|| number(stream.tags.rotate.as_deref()))
        .unwrap_or(0.0);
    let quarter_turns = (rotation / 90.0).round() as i64;
    let (width, height) = if quarter_turns % 2 == 0 {
        (width, height)
    } else {
        (height, width)
    };
    let frame_count = number(stream.nb_frames.as_deref())
        .filter(|count| *count > 0.0)
        .unwrap_or((duration_s * fps).round()) as u64;
    Some(VideoStreamInfo {
        codec: stream.codec_name.clone().unwrap_or_default(),
        width,
        height,
        fps,
        frame_rate,
        frame_count,
    })
}

fn number(text: Option<&str>) -> Option<f64> {
    text?
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|value| value.is_finite())
}

/// Parses `num/den` (or a plain number); `0/0` and other non-positive rates give `None`.
fn fraction(text: &str) -> Option<f64> {
    let value = match text.split_once('/') {
        Some((numerator, denominator)) => {
            numerator.trim().parse::<f64>().ok()? / denominator.trim().parse::<f64>().ok()?
        }
        None => text.trim().parse::<f64>().ok()?,
    };
    (value.is_finite() && value > 0.0).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_rotated_phone_clip_and_skips_cover_art() {
        let json = br#"{
          "streams": [
            {"codec_type": "video", "codec_name": "mjpeg", "width": 600, "height": 600,
             "avg_frame_rate": "0/0", "r_frame_rate": "90000/1", "disposition": {"attached_pic": 1}},
            {"codec_type": "video", "codec_name": "h264", "width": 1920, "height": 1080,
             "avg_frame_rate": "30000/1001", "r_frame_rate": "30/1",
             "side_data_list": [{"side_data_type": "Display Matrix", "rotation": -90}]},
            {"codec_type": "audio", "codec_name": "aac", "sample_rate": "48000", "channels": 2}
          ],
          "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "duration": "2.002000"}
        }"#;
        let info = parse(Path::new("phone.mov"), json).expect("valid probe JSON");
        let video = info.video.expect("a video stream");
        assert_eq!((video.width, video.height), (1080, 1920));
        assert_eq!(video.codec, "h264");
        assert_eq!(video.frame_rate, "30000/1001");
        assert_eq!(video.frame_count, 60);
        let audio = info.audio.expect("an audio stream");
        assert_eq!(
            (audio.codec.as_str(), audio.sample_rate, audio.channels),
            ("aac", 48000, 2)
        );
    }

    #[test]
    fn audio_only_files_have_no_video() {
        let json = br#"{"streams": [{"codec_type": "audio", "codec_name": "mp3",
            "sample_rate": "44100", "channels": 1}],
            "format": {"format_name": "mp3", "duration": "3.03"}}"#;
        let info = parse(Path::new("a.mp3"), json).expect("valid probe JSON");
        assert!(info.video.is_none());
        assert!((info.duration_s - 3.03).abs() < 1e-9);
    }

    #[test]
    fn a_missing_duration_is_an_error() {
        let json = br#"{"streams": [], "format": {"format_name": "mp4"}}"#;
        let error = parse(Path::new("x.mp4"), json).expect_err("no duration");
        assert!(error.to_string().contains("duration is unknown"), "{error}");
    }
}
