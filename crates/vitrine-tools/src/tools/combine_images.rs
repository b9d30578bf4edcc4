//! `combine_images`: several images side by side, stacked, or in a grid (a contact sheet).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::{Color, GridParams, MAX_GRID_IMAGES};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Input, Intent, Meaning, Slot, plural, read, size};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use vitrine_wire::ArtifactKind;

/// How the images are arranged.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// Rows of `columns` cells (default ⌈√n⌉ columns), left to right, top to bottom (the
    /// default).
    #[default]
    Grid,
    /// One row, left to right (before / after comparisons).
    SideBySide,
    /// One column, top to bottom.
    Stack,
}

/// Arguments of `combine_images`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct CombineImagesArgs {
    /// The images, in reading order; 1 to 256.
    #[schemars(length(min = 1, max = 256))]
    pub images: Vec<ImageRef>,
    /// `grid` (default), `side_by_side` or `stack`.
    #[serde(default)]
    pub layout: Layout,
    /// Number of columns for `grid`; default ⌈√n⌉. Ignored by the other layouts.
    #[serde(default)]
    pub columns: Option<u32>,
    /// Height of every cell in pixels; each image is fitted and centred inside. Default: the
    /// tallest image, scaled so the sheet stays under 4096 px wide.
    #[serde(default)]
    pub cell_height: Option<u32>,
    /// Gap between cells and around the sheet, in pixels, at most 512; default 8.
    #[serde(default = "eight")]
    pub gap: u32,
    /// Background colour, `#rrggbb` or `#rrggbbaa`; default white.
    #[serde(default = "white")]
    pub background: Color,
    /// Optional caption under each image, in order; missing entries get none.
    #[serde(default)]
    pub labels: Vec<String>,
}

fn eight() -> u32 {
    8
}

fn white() -> Color {
    Color::WHITE
}

/// Lays images out on one sheet.
#[derive(Debug, Clone, Copy, Default)]
pub struct CombineImages;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "put several images on one sheet",
        examples: &[
            "put them side by side",
            "make a collage of these photos",
            "stack the images vertically",
            "a 3 column grid of all the pictures",
            "combine them into one image",
        ],
        cues: &[&[
            "side by side",
            "next to each other",
            "next to one another",
            "beside each other",
            "grid",
            "collage*",
            "montage*",
            "stack*",
            "@make ~ one image",
            "@make ~ single image",
            "combin*",
            "merg*",
            "join*",
            "stitch*",
            "put ~ together",
            // "Stick the two shots together horizontally", "left and right".
            "stick* ~ together",
            "left and right",
            "put ~ in one",
            "before and after",
            "in a row",
            "one above the other",
            "one under the other",
            "on one sheet",
            "on one page",
        ]],
        unless: &[
            // "It's going in my portfolio and the grid there is portrait": a grid the picture
            // goes in, not one to make.
            "grid there",
            "the grid is",
            "grid ~ is portrait",
            "grid ~ is square",
            // "Stitch these five pics into a clip at 4 frames a second": a video.
            "clip",
            "fps",
            "frames a second",
            "frames per second",
            // "We only need one image of her wearing the dress": how many results, not a merge.
            "one image of",
            "one picture of",
            "single image of",
            "pdf*",
            "video*",
            "slideshow*",
            "mask*",
            "mp4",
            "movie",
            "tile*",
            "split*",
            "slic*",
            "chop*",
            "divid*",
            "cut ~ into",
            "puzzle",
            // "A 300px thumbnail of this for the product grid on our site": where it goes.
            "for the ~ grid",
            "for our ~ grid",
            "grid on our",
        ],
        input: Input::All {
            arg: "images",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "layout",
                read: read::layout,
            },
            Slot {
                arg: "columns",
                read: read::grid_columns,
            },
        ],
        chains: true,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "put {} on one {} sheet",
            plural(
                facts.get("images").and_then(Value::as_u64).unwrap_or(0),
                "image",
                "images"
            ),
            size(facts)
        ))
    },
    facts: &[],
};

#[async_trait]
impl Tool for CombineImages {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "combine_images"
    }

    fn description(&self) -> &'static str {
        "Put several images on one sheet: side by side, stacked, or in a grid, each fitted in an equal cell, with optional captions."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<CombineImagesArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: CombineImagesArgs = io::parse_args(self.name(), &args)?;
        let count = parsed.images.len();
        if count == 0 || count > MAX_GRID_IMAGES {
            return Err(ToolError::InvalidArguments {
                tool: "combine_images",
                message: format!("`images` has {count} entries; give 1 to {MAX_GRID_IMAGES}"),
            });
        }
        let columns = match parsed.layout {
            Layout::Grid => parsed.columns,
            Layout::SideBySide => Some(u32::try_from(count).unwrap_or(u32::MAX)),
            Layout::Stack => Some(1),
        };
        if columns == Some(0) {
            return Err(ToolError::InvalidArguments {
                tool: "combine_images",
                message: "`columns` is 0; it must be at least 1".to_owned(),
            });
        }
        let (metas, images) = io::load_images(cx, "images", &parsed.images).await?;
        let params = GridParams {
            columns,
            cell_height: parsed.cell_height,
            gap: parsed.gap,
            background: parsed.background,
            labels: parsed.labels,
        };
        let sheet = io::blocking(move || Ok(vitrine_media::grid(&images, &params)?)).await?;
        let columns = columns.unwrap_or_else(|| (count as f64).sqrt().ceil() as u32);
        let columns = columns.min(u32::try_from(count).unwrap_or(u32::MAX));
        let (width, height) = (sheet.width(), sheet.height());
        let parents: Vec<&vitrine_store::ArtifactMeta> = metas.iter().collect();
        let made = io::save_image(
            cx,
            sheet,
            Encoding::Auto,
            io::provenance(self.name(), &parents, &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "width": width,
                "height": height,
                "images": count,
                "columns": columns,
                "rows": u32::try_from(count).unwrap_or(u32::MAX).div_ceil(columns),
            }),
        })
    }
}
