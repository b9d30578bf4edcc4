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
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// The most frames one call takes (all are decoded in memory before encoding).
pub const MAX_FRAMES: usize = 1000;

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

#[async_trait]
impl Tool for FramesToVideo {
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
        let (metas, images) = io::load_images(cx, "images", &parsed.images).await?;
        let frames = io::blocking(move || same_size_frames(images)).await?;
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

/// RGB frames all the size of the first: others are fitted inside it, centred on black.
fn same_size_frames(images: Vec<DynamicImage>) -> Result<Vec<RgbImage>, ToolError> {
    let Some(first) = images.first() else {
        return Ok(Vec::new());
    };
    let (width, height) = (first.width(), first.height());
    images
        .into_iter()
        .map(|image| {
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
        })
        .collect()
}
