//! `thumbnail`: shrink so the longest side fits.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning, Slot, read, size};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// Arguments of `thumbnail`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ThumbnailArgs {
    /// The image to change.
    pub image: ImageRef,
    /// Longest side of the result in pixels.
    pub max_side: u32,
}

/// Makes thumbnails.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thumbnail;

/// The words for a thumbnail, shared with `video_thumbnail`.
// Object words: "pad it to 16:9 for the youtube thumbnail" says where it goes.
pub(crate) const THUMBNAIL_CUES: &[&[&str]] = &[&[
    "=thumb*",
    "=thumbnail*",
    "preview image",
    // Not "my taskbar with loads of app icons".
    "as an icon",
    "into an icon",
    "icon size*",
    "poster frame",
    "cover image",
]];

/// The longest side, or 256.
fn longest_side(clause: &crate::meaning::Clause) -> Option<serde_json::Value> {
    Some(read::max_side(clause).unwrap_or(serde_json::json!(256)))
}

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "shrink an image so its longest side is at most N pixels",
            examples: &[
                "shrink it to 800px on the long side",
                "scale it down so neither side is over 1500 pixels",
                "make it small, longest side 400",
            ],
            cues: &[&[
                "shrink*",
                "scal*",
                "downscal*",
                "downsiz*",
                "downsampl*",
                "resiz*",
                "rescal*",
                "smaller",
                "small",
                "long* side",
                "long* edge",
                "max*",
                "no bigger",
                "no larger",
                "at most",
                "reduc*",
                "size",
            ]],
            // "Ignore small noise, use a threshold of 40" tunes a comparison.
            unless: &["3d", "file size", "kb", "mb", "bytes", "threshold", "noise"],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "max_side",
                read: longest_side,
            }],
            chains: true,
            describes_output: true,
            // Not the size of an area ("the rectangle at x 100 y 50 of size 300 by 200").
            accept: Some(|clause| {
                read::pixels(clause).is_some()
                    && !read::has_dimensions(clause)
                    && !read::names_region(clause)
            }),
            ..Intent::DEFAULT
        },
        Intent {
            does: "make a thumbnail of an image",
            examples: &[
                "make a thumbnail",
                "a 128 px thumbnail please",
                "give me a small preview image",
            ],
            cues: THUMBNAIL_CUES,
            // "The sofa as a 3D reconstruction, with a preview image": the reconstruction
            // comes with its preview.
            // "For thumbnail options I'd like six stills": stills to choose one from.
            unless: &[
                "grid",
                "sheet",
                "contact",
                "3d",
                "reconstruct*",
                "splat*",
                "thumbnail options",
                "thumbnail candidates",
            ],
            input: Input::One {
                arg: "image",
                kind: ArtifactKind::Image,
            },
            slots: &[Slot {
                arg: "max_side",
                read: longest_side,
            }],
            chains: true,
            describes_output: true,
            ..Intent::DEFAULT
        },
    ],
    summary: |_, facts| Some(format!("made a {} thumbnail", size(facts))),
    facts: &[],
};

#[async_trait]
impl Tool for Thumbnail {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "thumbnail"
    }

    fn description(&self) -> &'static str {
        "Shrink an image so its longest side is at most max_side pixels (never enlarges)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ThumbnailArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ThumbnailArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let max_side = parsed.max_side;
        // Shrink-on-load: a big JPEG is decoded no larger than the thumbnail needs.
        let (meta, decoded) = io::load_image_reduced(cx, "image", &id, move |width, height| {
            vitrine_media::thumbnail_min_scale((width, height), max_side)
        })
        .await?;
        let (width, height) = decoded.source_size;
        let out = io::blocking(move || {
            Ok(vitrine_media::thumbnail_from(
                &decoded.image,
                (width, height),
                max_side,
            )?)
        })
        .await?;
        io::single_image_output(
            cx,
            self.name(),
            &args,
            &meta,
            out,
            json!({"source_width": width, "source_height": height}),
        )
        .await
    }
}
