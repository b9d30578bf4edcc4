//! `extract_frames`: still images out of a clip, at times, at intervals, or evenly spaced.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::MediaInfo;
use vitrine_video::ExtractFramesParams;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read};
use crate::refs::VideoRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `extract_frames`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ExtractFramesArgs {
    /// The clip.
    pub video: VideoRef,
    /// Which frames, their format and size.
    #[serde(flatten)]
    pub frames: ExtractFramesParams,
}

/// Extracts frames.
#[derive(Debug, Clone, Copy, Default)]
pub struct ExtractFrames;

/// Which frames, and their format, for every wording.
const SLOTS: &[Slot] = &[
    Slot {
        arg: "selection",
        read: read::frame_selection,
    },
    Slot {
        arg: "format",
        read: |_| Some(serde_json::json!("jpeg")),
    },
    Slot {
        arg: "max_side",
        read: read::side_in_pixels,
    },
];

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "extract still frames from a video",
            examples: &[
                "extract 10 frames",
                "grab a frame every 2 seconds",
                "give me stills at 1, 3 and 5 seconds",
                "split the video into images",
            ],
            cues: &[
                &[
                    "frame*",
                    "still*",
                    "screenshot*",
                    "screen grab*",
                    "screengrab*",
                    "snapshot*",
                    "keyframe*",
                    "images",
                    "pictures",
                    "photos",
                    "jpg*",
                    "pngs",
                ],
                &[
                    "extract*",
                    "grab*",
                    "get",
                    "sampl*",
                    "take*",
                    "pull*",
                    "sav*",
                    "export*",
                    "captur*",
                    "give*",
                    "split*",
                    "dump*",
                    "break*",
                    "@make",
                    "turn*",
                    "convert*",
                    "want",
                    "per second",
                    "a second",
                    "each second",
                    "every*",
                    "need",
                    "every",
                    // "Then 6 frames spread evenly from it".
                    "evenly",
                    "spread*",
                    "spaced",
                    "interval*",
                    "from it",
                    "out of it",
                ],
            ],
            unless: &[
                "contact sheet",
                "grid",
                "=storyboard",
                "sheet",
                "fps",
                "mp4",
                "slideshow",
                // "Otherwise people can still tell who's who": "still" as in yet.
                "can still",
                "could still",
                "would still",
                "still tell",
                "still recogni*",
                "still identif*",
                "still read*",
                // "Stitch them into a video at 2 frames per second" makes a video of pictures.
                "into a video",
                "into a ~ video",
                "into a clip",
                "into a ~ clip",
            ],
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: SLOTS,
            chains: false,
            // One still at one moment is a thumbnail (`video_thumbnail`), and so is what
            // a thumbnail is asked of (not "for thumbnail options, six stills").
            accept: Some(|clause| {
                !read::one_frame_at(clause)
                    && (!clause.has("thumb*")
                        || clause.has_any(&["thumbnail options", "thumbnail candidates"]))
            }),
            ..Intent::DEFAULT
        },
        Intent {
            does: "extract still frames from a video at given times",
            examples: &["frames at 10s, 25s and 40s"],
            cues: &[&[
                "frame*",
                "still*",
                "screenshot*",
                "snapshot*",
                "screen grab*",
                "screengrab*",
            ]],
            unless: &["contact sheet", "grid", "sheet", "thumb*"],
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: SLOTS,
            accept: Some(read::names_times),
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| {
        Some(format!(
            "extracted {}",
            plural(count(facts), "frame", "frames")
        ))
    },
    facts: &[Fact {
        key: "count",
        kind: FactKind::Count,
        about: &["frame"],
    }],
};

#[async_trait]
impl Tool for ExtractFrames {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "extract_frames"
    }

    fn description(&self) -> &'static str {
        "Extract still frames from a video: N evenly spaced, one every N seconds, or at given times."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ExtractFramesArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::many("frames", ArtifactKind::Image)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ExtractFramesArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        let input = io::to_temp_file(cx, &meta, "mp4").await?;
        let frames = cx.ffmpeg().extract_frames(&input, &parsed.frames).await?;
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let mut artifacts = Vec::with_capacity(frames.len());
        let mut times = Vec::with_capacity(frames.len());
        for frame in frames {
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
                provenance.clone(),
                None,
            )
            .await?;
            times.push((frame.timestamp_s * 1000.0).round() / 1000.0);
            artifacts.push(MadeArtifact {
                output: "frames".to_owned(),
                meta: made,
            });
        }
        Ok(ToolOutput {
            facts: json!({"count": artifacts.len(), "timestamps_s": times}),
            artifacts,
        })
    }
}
