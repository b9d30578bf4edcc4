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

#[async_trait]
impl Tool for TrimVideo {
    fn name(&self) -> &'static str {
        "trim_video"
    }

    fn description(&self) -> &'static str {
        "Cut a time range (start_s to end_s, in seconds) out of a video as a new MP4."
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
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        let input = io::to_temp_file(cx, &meta, "mp4").await?;
        let output = io::temp_output("vitrine-trim-", ".mp4")?;
        let info = Ffmpeg::new().trim(&input, &output, &parsed.trim).await?;
        io::video_output(
            cx,
            &output,
            &info,
            io::provenance(self.name(), &[&meta], &args),
        )
        .await
    }
}
