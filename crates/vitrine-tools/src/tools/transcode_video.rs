//! `transcode_video`: re-encode any clip as an MP4 that every browser plays.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_video::{Ffmpeg, TranscodeParams};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, duration_s, read, size};
use crate::refs::VideoRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `transcode_video`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TranscodeVideoArgs {
    /// The clip to re-encode (any container and codec ffmpeg reads: MOV, MKV, WebM, AVI, ...).
    pub video: VideoRef,
    /// Size limit and quality.
    #[serde(flatten)]
    pub transcode: TranscodeParams,
}

/// Re-encodes clips for browsers.
#[derive(Debug, Clone, Copy, Default)]
pub struct TranscodeVideo;

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "re-encode a video as a browser-playable MP4",
            examples: &[
                "convert this to mp4",
                "make it play in the browser",
                "transcode to h264",
                "re-encode the clip for the web",
            ],
            cues: &[&[
                "transcod*",
                "re encod*",
                "reencod*",
                "h 264",
                "h264",
                "x264",
                "avc",
                "browser*",
                "web friendly",
                "web compatible",
                "web playable",
                "web ready",
                "for the web",
                "mp4",
                "playable",
                "won't play",
                "doesn't play",
                "can't play",
                "compatib*",
            ]],
            // "They want an MP4 back, which I believe is what you give anyway": nothing to
            // change.
            unless: &[
                "slideshow",
                "audio",
                "mp3",
                "frame*",
                "@hide",
                "anyway",
                "what you give",
                "what you return",
                "by default",
                // "Can this be a looping gif instead of an mp4?": the MP4 is what is not wanted.
                "instead of ~ mp4",
                "instead of mp4",
                "rather than ~ mp4",
                "rather than mp4",
            ],
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: &[Slot {
                arg: "max_side",
                read: read::max_side,
            }],
            chains: true,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "make a video smaller (its longest side at most N pixels)",
            examples: &[
                "shrink the video so the long side is 640px",
                "downscale this clip to 720 pixels wide",
            ],
            cues: &[&[
                "shrink*",
                "downscal*",
                "down scal*",
                "scale*",
                "resiz*",
                "smaller",
                "reduc*",
                "downsiz*",
                "compress*",
                "make ~ small*",
                // "A version of the video no bigger than 720 px on the long side".
                "no bigger",
                "no larger",
                "not bigger",
                "not larger",
                "at most",
                // "Bring it down to 480 on the long side" (not "bring it down to 50 MB").
                "long side",
                "longest side",
                "long edge",
                "longest edge",
            ]],
            // Not "a cover image from 0:42, no larger than 640px": a still's size.
            unless: &[
                "slideshow",
                "audio",
                "mp3",
                "frame*",
                "@hide",
                "thumb*",
                "image*",
                "still*",
                "cover*",
                "picture*",
                "poster*",
                "snapshot*",
            ],
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: &[Slot {
                arg: "max_side",
                read: read::max_side,
            }],
            chains: true,
            accept: Some(|clause| read::max_side(clause).is_some()),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        Some(format!(
            "re-encoded the video as a browser-playable H.264 MP4 ({}, {:.2} s)",
            size(facts),
            duration_s(facts)
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for TranscodeVideo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "transcode_video"
    }

    fn description(&self) -> &'static str {
        "Re-encode a video as a browser-playable MP4 (H.264 yuv420p, AAC audio, fast start), optionally scaled down to max_side."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<TranscodeVideoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("video", ArtifactKind::Video)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: TranscodeVideoArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let transcode = &parsed.transcode;
        // ffmpeg sniffs the container, so the suffix only has to be a video one.
        io::video_to_mp4(
            cx,
            self.name(),
            &args,
            &id,
            "video",
            |input, output| async move {
                Ffmpeg::new()
                    .transcode_mp4(&input, &output, transcode)
                    .await
            },
        )
        .await
    }
}
