//! `contact_sheet`: evenly spaced frames of a clip in one grid image.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::MediaInfo;
use vitrine_video::ContactSheetParams;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, Slot, count, plural, read};
use crate::refs::VideoRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `contact_sheet`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ContactSheetArgs {
    /// The clip.
    pub video: VideoRef,
    /// Grid layout, tile size and format.
    #[serde(flatten)]
    pub sheet: ContactSheetParams,
}

/// Makes contact sheets.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactSheet;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "make a contact sheet of a video",
        examples: &[
            "make a contact sheet",
            "a storyboard of this clip",
            "show me a grid of 9 frames",
        ],
        cues: &[&[
            "contact sheet*",
            // "Frames … for the storyboard" says where frames go.
            "=storyboard*",
            "thumbnail grid",
            "thumbnail sheet",
            "grid of ~ frame*",
            "grid of ~ still*",
            "grid of ~ thumbnail*",
            "grid of ~ shot*",
            "grid of ~ screenshot*",
            "filmstrip",
            "film strip",
            "overview sheet",
            "overview image",
            "mosaic of ~ frame*",
            "collage of ~ frame*",
            "sheet of ~ frame*",
            "frames ~ grid",
            "frames ~ one image",
            "stills ~ grid",
            "summary image",
        ]],
        // "For a storyboard review on Monday": the meeting, not a sheet.
        unless: &[
            "storyboard review*",
            "storyboard meeting*",
            "storyboard session*",
        ],
        input: Input::One {
            arg: "video",
            kind: ArtifactKind::Video,
        },
        slots: &[
            // "3 rows by 4 columns" fixes the frames; otherwise a count, 4 to a row.
            Slot {
                arg: "rows",
                read: |clause| {
                    read::named_grid(clause)
                        .map(|(rows, _)| rows)
                        .or_else(|| read::sheet_size(clause).map(|(_, rows)| rows))
                        .map(|rows| serde_json::json!(rows))
                },
            },
            Slot {
                arg: "count",
                read: |clause| match read::named_grid(clause).or_else(|| read::sheet_size(clause)) {
                    Some(_) => None,
                    None => Some(serde_json::json!(read::thing_count(clause).unwrap_or(12))),
                },
            },
            Slot {
                arg: "columns",
                read: |clause| {
                    // "A 4 by 3 sheet": four across, unless "5 columns" says otherwise.
                    if read::named_grid(clause).is_none()
                        && read::said_columns(clause).is_none()
                        && let Some((columns, _)) = read::sheet_size(clause)
                    {
                        return Some(serde_json::json!(columns));
                    }
                    // "5 across", "in 5 columns".
                    if let Some(columns) = read::grid_columns(clause) {
                        return Some(columns);
                    }
                    let columns = match read::named_grid(clause) {
                        Some((_, columns)) => columns,
                        None => read::thing_count(clause).unwrap_or(12).clamp(1, 4),
                    };
                    Some(serde_json::json!(columns))
                },
            },
            Slot {
                arg: "format",
                read: |_| Some(serde_json::json!("jpeg")),
            },
        ],
        chains: false,
        accept: None,
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        Some(format!(
            "made a contact sheet of {}",
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
impl Tool for ContactSheet {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "contact_sheet"
    }

    fn description(&self) -> &'static str {
        "Make a contact sheet: evenly spaced frames of a video laid out in a grid image."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ContactSheetArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ContactSheetArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.video.id("video")?;
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        let input = io::to_temp_file(cx, &meta, "mp4").await?;
        let sheet = cx.ffmpeg().contact_sheet(&input, &parsed.sheet).await?;
        let made = io::save_bytes(
            cx,
            &sheet.image.bytes,
            ArtifactKind::Image,
            sheet.image.format.media_type(),
            MediaInfo {
                width: Some(sheet.image.width),
                height: Some(sheet.image.height),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &[&meta], &args),
            None,
        )
        .await?;
        let times: Vec<f64> = sheet
            .timestamps_s
            .iter()
            .map(|time| (time * 1000.0).round() / 1000.0)
            .collect();
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "count": times.len(),
                "columns": sheet.columns,
                "rows": sheet.rows,
                "timestamps_s": times,
                "width": sheet.image.width,
                "height": sheet.image.height,
            }),
        })
    }
}
