//! `frames_to_video`: images as the frames of a new MP4, in order.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_media::image::{DynamicImage, Rgb, RgbImage};
use vitrine_media::{OverlayParams, ResizeFilter};
use vitrine_video::Ffmpeg;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, duration_s, plural, read};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// The most frames one call takes.
pub const MAX_FRAMES: usize = 1000;
/// The most bytes of decoded RGB frames held at once (all are in memory while encoding):
/// e.g. 130 frames of 1920×1080.
pub const MAX_FRAME_BYTES: u64 = 768 * 1024 * 1024;

/// Arguments of `frames_to_video`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct FramesToVideoArgs {
    /// The frames, in playback order. Frames whose size differs from the first are fitted
    /// inside it on black (letterboxed).
    #[schemars(length(min = 1, max = 1000))]
    pub images: Vec<ImageRef>,
    /// Frames per second, more than 0 and at most 240; default 2 (a slideshow). Each image is
    /// shown for 1/fps seconds.
    #[serde(default = "default_fps")]
    pub fps: f64,
}

fn default_fps() -> f64 {
    2.0
}

/// Makes clips from stills.
#[derive(Debug, Clone, Copy, Default)]
pub struct FramesToVideo;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "make a video (slideshow) from images",
        examples: &[
            "make a slideshow of these photos",
            "turn these images into a video at 2 fps",
            "stitch the pictures into an mp4, 3 seconds each",
        ],
        cues: &[&[
            "slide show*",
            "slideshow*",
            "time lapse",
            "timelapse",
            "stop motion",
            "@make ~ video*",
            "@make ~ movie*",
            "@make ~ clip*",
            "@make ~ mp4",
            "@make ~ animation",
            "combin* ~ video*",
            "stitch* ~ video*",
            "stitch* ~ mp4",
            "put ~ video*",
            "join* ~ video*",
            "assembl* ~ video*",
            "compil* ~ video*",
            "into a video",
            "into a movie",
            "into an mp4",
            "into a ~ video",
            "into a ~ movie",
            "into a ~ clip",
            // "I'd love to see it change through the seasons as a short video" (not "shown as
            // a video still", "a video call background").
            "as a short video",
            "as a little video",
            "as a quick video",
            "as one video",
            "as an mp4",
            "as a short movie",
        ]],
        // "The slideshow software stretches anything": the software, not a slideshow asked.
        unless: &[
            "frame* from",
            "thumb*",
            "slideshow software",
            "slideshow app*",
            "slideshow program*",
            "slideshow tool*",
        ],
        input: Input::All {
            arg: "images",
            kind: ArtifactKind::Image,
        },
        slots: &[Slot {
            arg: "fps",
            read: |clause| Some(read::fps(clause).unwrap_or(serde_json::json!(2.0))),
        }],
        chains: true,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "made a {:.2} s video of {}",
            duration_s(facts),
            plural(
                facts.get("frames").and_then(Value::as_u64).unwrap_or(0),
                "frame",
                "frames"
            )
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for FramesToVideo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "frames_to_video"
    }

    fn description(&self) -> &'static str {
        "Make an H.264 MP4 video from several images, one frame each in the order given, at fps frames per second."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<FramesToVideoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("video", ArtifactKind::Video)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: FramesToVideoArgs = io::parse_args(self.name(), &args)?;
        if parsed.images.is_empty() || parsed.images.len() > MAX_FRAMES {
            return Err(ToolError::InvalidArguments {
                tool: "frames_to_video",
                message: format!(
                    "`images` has {} entries; give 1 to {MAX_FRAMES} images",
                    parsed.images.len()
                ),
            });
        }
        // The server's frame limit (`--max-frames`) holds here too: a call over it fails
        // naming the limit, as sampling too many frames from a video does.
        if parsed.images.len() > cx.limits.max_frames {
            return Err(ToolError::Video(vitrine_video::VideoError::TooManyFrames {
                param: "images".to_owned(),
                asked: parsed.images.len() as u64,
                limit: cx.limits.max_frames,
            }));
        }
        // One image at a time, each turned into its RGB frame at once, and the budget checked
        // as soon as the first frame's size is known.
        let mut metas = Vec::with_capacity(parsed.images.len());
        let mut frames: Vec<RgbImage> = Vec::with_capacity(parsed.images.len());
        for (index, image) in parsed.images.iter().enumerate() {
            let param = format!("images[{index}]");
            let (meta, decoded) = io::load_image(cx, &param, &image.id(&param)?).await?;
            let size = frames.first().map(RgbImage::dimensions);
            let frame = io::blocking(move || to_frame(decoded.image, size)).await?;
            if index == 0 {
                check_budget(parsed.images.len(), frame.width(), frame.height())?;
            }
            metas.push(meta);
            frames.push(frame);
        }
        let output = io::temp_output("vitrine-frames-", ".mp4")?;
        let info = Ffmpeg::new()
            .frames_to_mp4(&frames, parsed.fps, &output)
            .await?;
        let parents: Vec<&vitrine_store::ArtifactMeta> = metas.iter().collect();
        io::video_output(
            cx,
            &output,
            &info,
            io::provenance(self.name(), &parents, &args),
        )
        .await
    }
}

/// Refuses a set of frames whose decoded pixels would not fit in [`MAX_FRAME_BYTES`].
fn check_budget(count: usize, width: u32, height: u32) -> Result<(), ToolError> {
    let bytes = count as u64 * u64::from(width) * u64::from(height) * 3;
    if bytes <= MAX_FRAME_BYTES {
        return Ok(());
    }
    Err(ToolError::InvalidArguments {
        tool: "frames_to_video",
        message: format!(
            "`images`: {count} frames of {width}×{height} need {} MiB decoded, over the limit \
             of {} MiB; give fewer or smaller images",
            bytes / (1024 * 1024),
            MAX_FRAME_BYTES / (1024 * 1024)
        ),
    })
}

/// The image as an RGB frame of `size` (the first frame's; `None` for the first itself):
/// other sizes are fitted inside it, centred on black.
fn to_frame(image: DynamicImage, size: Option<(u32, u32)>) -> Result<RgbImage, ToolError> {
    let Some((width, height)) = size else {
        return Ok(image.into_rgb8());
    };
    if image.width() == width && image.height() == height {
        return Ok(image.into_rgb8());
    }
    let fitted = vitrine_media::fit(&image, width, height, ResizeFilter::Lanczos3)?;
    let canvas = DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb([0; 3])));
    let placed = vitrine_media::overlay(
        &canvas,
        &fitted,
        &OverlayParams {
            x: i64::from((width - fitted.width()) / 2),
            y: i64::from((height - fitted.height()) / 2),
            opacity: 1.0,
        },
    )?;
    Ok(placed.into_rgb8())
}
