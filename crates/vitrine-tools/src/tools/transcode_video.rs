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

#[async_trait]
impl Tool for TranscodeVideo {
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
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        // ffmpeg sniffs the container, so the suffix only has to be a video one.
        let input = io::to_temp_file(cx, &meta, "video").await?;
        let output = io::temp_output("vitrine-transcode-", ".mp4")?;
        let info = Ffmpeg::new()
            .transcode_mp4(&input, &output, &parsed.transcode)
            .await?;
        io::video_output(
            cx,
            &output,
            &info,
            io::provenance(self.name(), &[&meta], &args),
        )
        .await
    }
}
