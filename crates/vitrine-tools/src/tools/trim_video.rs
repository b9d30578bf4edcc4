//! `trim_video`: keep the range `[start_s, end_s)` of a clip as a new MP4.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_video::{Ffmpeg, TrimParams};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, duration_s, read};
use crate::refs::VideoRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `trim_video`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TrimVideoArgs {
    /// The clip to trim.
    pub video: VideoRef,
    /// Start, end and mode.
    #[serde(flatten)]
    pub trim: TrimParams,
}

/// Trims clips.
#[derive(Debug, Clone, Copy, Default)]
pub struct TrimVideo;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "cut a time range out of a video",
        examples: &[
            "trim the video from 5 to 12 seconds",
            "keep only 0:30 to 1:10",
            "cut the first 10 seconds",
            "give me the clip between 3s and 8s",
        ],
        cues: &[&[
            "trim*", "cut*", "clip*", "shorten*", "keep", "excerpt*", "extract*", "snip*", "chop*",
            "crop*", "grab*", "take*", "first", "last", "give*", "between", "from", "save*",
            "@make", "drop*", "@remove", "skip*", "discard*", "opening", "only", "just",
        ]],
        unless: &[
            "frame*",
            "still*",
            "screenshot*",
            "thumb*",
            "audio",
            "sound*",
            "mp3",
            // "Remove the background noise from 0:10 to 0:20": the sound, not the footage.
            "@remove ~ background noise",
            "@remove the noise",
            "@remove noise",
            "denois*",
        ],
        input: Input::One {
            arg: "video",
            kind: ArtifactKind::Video,
        },
        slots: &[
            Slot {
                arg: "start_s",
                read: read::start_s,
            },
            Slot {
                arg: "end_s",
                read: read::end_s,
            },
        ],
        chains: true,
        accept: Some(read::has_time_range),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| Some(format!("trimmed the video to {:.2} s", duration_s(facts))),
    facts: &[],
};

#[async_trait]
impl Tool for TrimVideo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "trim_video"
    }

    fn description(&self) -> &'static str {
        "Cut a time range (start_s to end_s, in seconds; without end_s, to the end) out of a video as a new MP4."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<TrimVideoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("video", ArtifactKind::Video)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: TrimVideoArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let trim = &parsed.trim;
        io::video_to_mp4(
            cx,
            self.name(),
            &args,
            &id,
            "mp4",
            |input, output| async move { Ffmpeg::new().trim(&input, &output, trim).await },
        )
        .await
    }
}
