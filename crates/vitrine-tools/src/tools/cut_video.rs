//! `cut_video`: take a time range out of the middle of a clip and join what is left.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_video::{CutParams, Ffmpeg};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, duration_s, read};
use crate::refs::VideoRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `cut_video`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CutVideoArgs {
    /// The clip to cut.
    pub video: VideoRef,
    /// The range to take out.
    #[serde(flatten)]
    pub cut: CutParams,
}

/// Takes parts out of clips.
#[derive(Debug, Clone, Copy, Default)]
pub struct CutVideo;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "take a part out of the middle of a video",
        examples: &[
            "remove the part from 0:10 to 0:20",
            "cut the ad between 1:00 and 1:30",
            "delete 2:00-2:30 and keep the rest",
            "skip the bit from 45 to 60 seconds",
        ],
        cues: &[&[
            "@remove", "drop*", "skip*", "lose", "discard*", "cut*", "chop*", "snip*", "edit*",
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
                read: |clause| read::removed_range(clause).map(|(start, _)| start.into()),
            },
            Slot {
                arg: "end_s",
                read: |clause| read::removed_range(clause).map(|(_, end)| end.into()),
            },
        ],
        chains: true,
        accept: Some(read::removes_a_middle_part),
        ..Intent::DEFAULT
    }],
    summary: |args, facts| {
        Some(format!(
            "took {:.2} s to {:.2} s out of the video, which now lasts {:.2} s",
            args.get("start_s").and_then(Value::as_f64).unwrap_or(0.0),
            args.get("end_s").and_then(Value::as_f64).unwrap_or(0.0),
            duration_s(facts)
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for CutVideo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "cut_video"
    }

    fn description(&self) -> &'static str {
        "Take the time range start_s to end_s (in seconds) out of a video and join what is before and after it, as a new MP4."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<CutVideoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("video", ArtifactKind::Video)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: CutVideoArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let cut = &parsed.cut;
        io::video_to_mp4(
            cx,
            self.name(),
            &args,
            &id,
            "mp4",
            |input, output| async move { Ffmpeg::new().cut(&input, &output, cut).await },
        )
        .await
    }
}
