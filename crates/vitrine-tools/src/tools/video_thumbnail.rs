//! `video_thumbnail`: one frame of a clip, at a given time or a third of the way in, scaled down.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::MediaInfo;
use vitrine_video::{Ffmpeg, ThumbnailParams};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read, size};
use crate::refs::VideoRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `video_thumbnail`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct VideoThumbnailArgs {
    /// The clip.
    pub video: VideoRef,
    /// When, how big and in which format.
    #[serde(flatten)]
    pub thumbnail: ThumbnailParams,
}

/// Makes video thumbnails.
#[derive(Debug, Clone, Copy, Default)]
pub struct VideoThumbnail;

/// The size and moment every wording fills.
const SLOTS: &[Slot] = &[
    Slot {
        arg: "max_side",
        read: |clause| Some(read::max_side(clause).unwrap_or(serde_json::json!(512))),
    },
    Slot {
        arg: "at_s",
        read: read::at_s,
    },
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "make a thumbnail image of a video",
            examples: &[
                "make a thumbnail for this video",
                "a poster frame at 12 seconds",
            ],
            cues: crate::tools::thumbnail::THUMBNAIL_CUES,
            // "For thumbnail options I'd like six stills spread evenly": several stills to choose
            // a thumbnail from.
            unless: &[
                "grid",
                "sheet",
                "contact",
                "thumbnail options",
                "thumbnail candidates",
                "stills",
                "frames",
            ],
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: SLOTS,
            chains: false,
            accept: None,
            ..Intent::DEFAULT
        },
        Intent {
            does: "take one still of a video at a moment",
            examples: &["grab a frame at 1:30", "a still from 12 seconds in"],
            cues: &[read::ONE_FRAME],
            // "A slideshow at one frame per second" is a rate, not a still.
            unless: &[
                "grid",
                "sheet",
                "contact",
                "every",
                "each",
                "per second",
                "a second",
                "fps",
            ],
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: SLOTS,
            accept: Some(read::one_frame_at),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| Some(format!("made a {} thumbnail of the video", size(facts))),
    facts: &[],
};

#[async_trait]
impl Tool for VideoThumbnail {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "video_thumbnail"
    }

    fn description(&self) -> &'static str {
        "Make a thumbnail image of a video: the frame at at_s seconds (default a third of the way in), at most max_side pixels."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<VideoThumbnailArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: VideoThumbnailArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        let input = io::to_temp_file(cx, &meta, "mp4").await?;
        let frame = Ffmpeg::new().thumbnail(&input, &parsed.thumbnail).await?;
        let made = io::save_bytes(
            cx,
            &frame.image.bytes,
            ArtifactKind::Image,
            frame.image.format.media_type(),
            MediaInfo {
                width: Some(frame.image.width),
                height: Some(frame.image.height),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &[&meta], &args),
            None,
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "timestamp_s": (frame.timestamp_s * 1000.0).round() / 1000.0,
                "width": frame.image.width,
                "height": frame.image.height,
            }),
        })
    }
}
