//! `extract_audio`: the soundtrack of a clip as an MP3.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::MediaInfo;
use vitrine_video::{ExtractAudioParams, Ffmpeg};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning};
use crate::refs::VideoRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `extract_audio`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExtractAudioArgs {
    /// The clip whose soundtrack to extract.
    pub video: VideoRef,
    /// The MP3 bit rate.
    #[serde(flatten)]
    pub audio: ExtractAudioParams,
}

/// Extracts soundtracks.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractAudio;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "extract the soundtrack of a video as MP3",
        examples: &[
            "extract the audio as mp3",
            "rip the soundtrack",
            "I just want the sound from this clip",
        ],
        cues: &[
            &[
                "audio",
                "soundtrack",
                "sound track",
                "sound",
                "mp3",
                "music",
                "voice*",
            ],
            &[
                "extract*", "get", "pull*", "rip*", "sav*", "export*", "separat*", "give*",
                "convert*", "turn*", "just", "only", "want", "need", "@make", "into", "to",
            ],
        ],
        unless: &[
            "add*",
            // A voice-over laid over the video is new sound, not the video's own.
            "voice-over*",
            "voiceover*",
            "voice over*",
            "laid over",
            "new",
            "generat*",
            "transcri*",
            "subtitle*",
            "what ~ say*",
            "remov*",
            // "Drop the audio", "ditch the sound": without it, not only it.
            "drop*",
            "ditch*",
            "delet*",
            "get rid",
            "eras*",
            "without",
            "mute",
            "keep*",
            // "… and the original audio kept": what stays with the video.
            "audio kept",
            "sound kept",
            "audio left",
            "sound left",
            "audio intact",
            "sound intact",
            "audio ~ untouched",
            "sound ~ untouched",
            // "I don't want the audio": the clip without it, not the audio alone.
            // "Convert it to mp4, I don't want to lose the audio": the sound kept with it.
            "lose ~ audio",
            "losing ~ audio",
            "lose ~ sound",
            "losing ~ sound",
            "don't want the audio",
            "dont want the audio",
            "don't want the sound",
            "dont want the sound",
            "no audio",
            "no sound",
        ],
        input: Input::One {
            arg: "video",
            kind: ArtifactKind::Video,
        },
        slots: &[],
        chains: false,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, _| Some("extracted the soundtrack as MP3".to_owned()),
    facts: &[],
};

#[async_trait]
impl Tool for ExtractAudio {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "extract_audio"
    }

    fn description(&self) -> &'static str {
        "Extract the soundtrack of a video as an MP3 audio file."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ExtractAudioArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("audio", ArtifactKind::Audio)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ExtractAudioArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        let input = io::to_temp_file(cx, &meta, "mp4").await?;
        let output = io::temp_output("vitrine-audio-", ".mp3")?;
        let info = Ffmpeg::new()
            .extract_audio_mp3(&input, &output, &parsed.audio)
            .await?;
        let made = io::save_file(
            cx,
            &output,
            ArtifactKind::Audio,
            "audio/mpeg",
            MediaInfo {
                duration_s: Some(info.duration_s),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &[&meta], &args),
        )
        .await?;
        let (sample_rate, channels) = info.audio.as_ref().map_or((None, None), |audio| {
            (Some(audio.sample_rate), Some(audio.channels))
        });
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "audio".to_owned(),
                meta: made,
            }],
            facts: json!({
                "duration_s": (info.duration_s * 1000.0).round() / 1000.0,
                "bitrate_kbps": parsed.audio.bitrate_kbps,
                "sample_rate": sample_rate,
                "channels": channels,
            }),
        })
    }
}
