//! `strip_metadata`: remove EXIF, GPS, XMP, IPTC and comments from an image, keeping its
//! pixels bit-exact (the file is rewritten segment by segment, not re-encoded).

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::DecodeLimits;
use vitrine_store::MediaInfo;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning};
use crate::refs::ImageRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `strip_metadata`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct StripMetadataArgs {
    /// The image to clean.
    pub image: ImageRef,
}

/// Removes metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct StripMetadata;

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "remove an image's metadata (EXIF, GPS location, XMP, comments)",
        examples: &[
            "strip the exif",
            "remove the location data before I share this",
            "wipe the metadata",
        ],
        cues: &[&[
            "metadata",
            "meta data",
            "exif",
            "gps",
            "geotag*",
            "geo tag*",
            "location data",
            "location info*",
            "location tag*",
            // "Strip the location and camera info off this".
            "strip* ~ location",
            "xmp",
            "camera info*",
            "camera data",
            "camera detail*",
            // "Take the location out of the photo data".
            "location ~ out of",
            "photo data",
            "file data",
            // "Strip all that hidden data out of the picture".
            "hidden data",
            "hidden info*",
        ]],
        // "Where was it taken" asks; "I don't want strangers knowing where we live" tells why.
        unless: &[
            "what",
            "is there",
            "does it",
            "show*",
            "tell*",
            "read*",
            "list*",
            "any",
            "check*",
            "where was",
            "where is",
            "where's",
            "where ~ taken",
            "where ~ shot",
            "where it's from",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        chains: true,
        accept: Some(|clause| {
            clause.has_any(&[
                "@remove", "@hide", "wipe*", "clear*", "scrub*", "get rid", "no",
            ])
        }),
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let removed: Vec<&str> = facts
            .get("removed")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        Some(if removed.is_empty() {
            "found no metadata to remove".to_owned()
        } else {
            format!("removed the image's metadata ({})", removed.join(", "))
        })
    },
    facts: &[],
};

#[async_trait]
impl Tool for StripMetadata {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "strip_metadata"
    }

    fn description(&self) -> &'static str {
        "Remove EXIF (camera, dates), GPS location, XMP, IPTC and comments from an image before \
         sharing it; the pixels stay bit-exact (no re-encoding)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Core
    }

    fn parameters(&self) -> Value {
        io::schema_of::<StripMetadataArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        crate::tool::IMAGE_OUTPUT
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: StripMetadataArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let meta = io::artifact(cx, "image", &id, ArtifactKind::Image).await?;
        let bytes = io::read_bytes(cx, &meta).await?;
        let limits = DecodeLimits {
            max_bytes: usize::try_from(cx.limits.max_input_bytes).unwrap_or(usize::MAX),
            max_pixels: cx.limits.max_pixels,
        };
        let (stripped, info) = io::blocking(move || {
            let stripped = vitrine_media::strip_metadata(&bytes, &limits)?;
            let info = vitrine_media::probe(&stripped.bytes)?;
            Ok((stripped, info))
        })
        .await?;
        let made = io::save_bytes(
            cx,
            &stripped.bytes,
            ArtifactKind::Image,
            stripped.format.media_type(),
            MediaInfo {
                width: Some(info.width),
                height: Some(info.height),
                ..MediaInfo::default()
            },
            io::provenance(self.name(), &[&meta], &args),
            None,
        )
        .await?;
        // An input converted on the way in (WebP, TIFF → PNG) lost its metadata then; what the
        // user's own file carried is what this run keeps out of what is returned.
        let mut removed = stripped.removed.clone();
        let mut note = stripped.note.clone();
        if let Some((original_type, carried)) = original_metadata(&meta) {
            for name in carried.iter().copied() {
                if !removed.contains(&name) {
                    removed.push(name);
                }
            }
            if !carried.is_empty() {
                note = Some(format!(
                    "the {original_type} file as sent carried {}; the stored PNG copy, which is what is returned, has none of it",
                    carried.join(", ")
                ));
            }
        }
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "image".to_owned(),
                meta: made,
            }],
            facts: json!({
                "removed": removed,
                "removed_bytes": stripped.removed_bytes,
                "had_metadata": !removed.is_empty(),
                "gps_removed": removed.contains(&"gps"),
                "reencoded": stripped.reencoded,
                "note": note,
                "content_type": stripped.format.media_type(),
                "bytes": stripped.bytes.len(),
                "width": info.width,
                "height": info.height,
            }),
        })
    }
}

/// The content type and metadata blocks of the file the user sent, when ingest converted it
/// (recorded in the artifact's provenance by the server).
fn original_metadata(meta: &vitrine_store::ArtifactMeta) -> Option<(String, Vec<&'static str>)> {
    let params = &meta.provenance.params;
    let original_type = params.get("original_content_type")?.as_str()?.to_owned();
    let found = params.get("original_metadata")?;
    let mut carried = Vec::new();
    if !found["exif"].is_null() {
        carried.push("exif");
    }
    if !found["gps"].is_null() {
        carried.push("gps");
    }
    if found["xmp"] == true {
        carried.push("xmp");
    }
    if found["iptc"] == true {
        carried.push("iptc");
    }
    if found["comments"]
        .as_array()
        .is_some_and(|comments| !comments.is_empty())
    {
        carried.push("comment");
    }
    Some((original_type, carried))
}
