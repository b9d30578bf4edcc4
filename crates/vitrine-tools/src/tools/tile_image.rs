//! `tile_image`: slice an image into a grid of tiles, each a new image.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::TileParams;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io::{self, Encoding};
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `tile_image`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct TileImageArgs {
    /// The image to slice.
    pub image: ImageRef,
    /// Rows, columns (1 to 64 each) and overlap.
    #[serde(flatten)]
    pub tile: TileParams,
}

/// Slices images.
#[derive(Debug, Clone, Copy, Default)]
pub struct TileImage;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "slice an image into tiles",
        examples: &[
            "split it into 4 tiles",
            "cut the image into a 3x3 grid",
            "slice it in half",
            "chop it into quadrants",
        ],
        cues: &[&[
            "tile",
            // Not "the old kitchen with the hideous green tiles", tiles in the picture.
            "into ~ tiles",
            "into ~ ~ tiles",
            "in tiles",
            "as tiles",
            "tiles of",
            "tiles each",
            "equal tiles",
            "tiling",
            "split* ~ tile*",
            "split* ~ piece*",
            "split* ~ part*",
            "split* ~ grid",
            "split* ~ ~ grid",
            "cut* ~ ~ grid",
            "chop* ~ ~ grid",
            "split* ~ square*",
            "split* ~ quadrant*",
            "split* ~ half*",
            "split* ~ halves",
            "split* ~ section*",
            "slic*",
            "cut* ~ tile*",
            "cut* ~ piece*",
            "cut* ~ part*",
            "cut* ~ grid",
            "cut* ~ square*",
            "cut* ~ quadrant*",
            "cut* ~ half",
            "cut* ~ halves",
            "chop*",
            "divid*",
            "quadrants",
            // "Cut this panorama into thirds".
            "into thirds",
            "into quarters",
            "into fifths",
            "into sixths",
            // Not "shots work best for our product carousel" nor "so they fit the product
            // carousel", where the result goes.
            "into ~ carousel",
            "as a carousel",
            "carousel post*",
            "carousel slide*",
        ]],
        // "The names under their tiles": tiles of a screenshot, in a request to hide.
        // "Chop off the left half": a part taken away, not the picture cut into parts.
        unless: &[
            "video*",
            "clip",
            // "Chop this footage down …" (not "a still from the drone footage").
            "this footage",
            "footage down",
            "pdf",
            "@hide",
            "chop* ~ off",
            "cut* ~ off",
            // "Cut out just the top half of it" keeps a part.
            "top half",
            "bottom half",
            "left half",
            "right half",
            "keep*",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        slots: &[
            Slot {
                arg: "rows",
                read: read::rows,
            },
            Slot {
                arg: "columns",
                read: read::columns,
            },
        ],
        chains: false,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "cut the image into {}",
            plural(count(facts), "tile", "tiles")
        ))
    },
    facts: &[Fact {
        key: "count",
        kind: FactKind::Count,
        about: &["tile"],
    }],
};

#[async_trait]
impl Tool for TileImage {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "tile_image"
    }

    fn description(&self) -> &'static str {
        "Slice an image into rows × columns tiles (row by row), each a new image; facts give each tile's box in the source."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Image
    }

    fn parameters(&self) -> Value {
        io::schema_of::<TileImageArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::many("tiles", ArtifactKind::Image)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: TileImageArgs = io::parse_args(self.name(), &args)?;
        let (meta, decoded) = io::load_image(cx, "image", &parsed.image.id("image")?).await?;
        let source = decoded.image;
        let params = parsed.tile;
        let tiles = io::blocking(move || Ok(vitrine_media::tile(&source, &params)?)).await?;
        let provenance = io::provenance(self.name(), &[&meta], &args);
        let mut artifacts = Vec::with_capacity(tiles.len());
        let mut boxes = Vec::with_capacity(tiles.len());
        for (index, (rect, tile)) in tiles.into_iter().enumerate() {
            let made = io::save_image(cx, tile, Encoding::Auto, provenance.clone()).await?;
            boxes.push(json!({
                "row": index as u32 / params.columns,
                "column": index as u32 % params.columns,
                "box": [rect.x, rect.y, rect.right(), rect.bottom()],
            }));
            artifacts.push(MadeArtifact {
                output: "tiles".to_owned(),
                meta: made,
            });
        }
        Ok(ToolOutput {
            artifacts,
            facts: json!({
                "count": boxes.len(),
                "rows": params.rows,
                "columns": params.columns,
                "tiles": boxes,
            }),
        })
    }
}
