//! `image_info`: what an image file is and carries: format, size, colour type, file size,
//! EXIF fields, GPS position, XMP, comments. Facts only.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Fact, FactKind, Input, Intent, Meaning, size};
use crate::refs::ImageRef;
use crate::tool::{OutputSpec, Tool, ToolOutput, Toolset};

/// Arguments of `image_info`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct ImageInfoArgs {
    /// The image to inspect.
    pub image: ImageRef,
}

/// Reports format and metadata.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImageInfo;

/// The format the user sent, when it is known and differs from what is stored: ingest stores
/// WebP, GIF, BMP and TIFF as PNG. Read from the provenance when ingest records it
/// (`original_content_type`), else guessed from the file name's extension.
fn original_format(meta: &ArtifactMeta) -> Option<String> {
    if let Some(recorded) = meta
        .provenance
        .params
        .get("original_content_type")
        .and_then(Value::as_str)
    {
        return (recorded != meta.content_type).then(|| recorded.to_owned());
    }
    let extension = meta
        .filename
        .as_deref()?
        .rsplit_once('.')?
        .1
        .to_ascii_lowercase();
    let guessed = match extension.as_str() {
        "webp" => "image/webp",
        "gif" => "image/gif",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        _ => return None,
    };
    (guessed != meta.content_type).then(|| guessed.to_owned())
}

const MEANING: Meaning = Meaning {
    intents: &[Intent {
        does: "tell an image's format, size, colour space and metadata (EXIF, GPS)",
        examples: &[
            "what did you receive?",
            "what format is this?",
            "how big is this image?",
            "does it have GPS data?",
            "when was this taken?",
        ],
        cues: &[&[
            "what did you receive",
            "what did you get",
            "what ~ you receive",
            "what ~ you got",
            "what ~ did i ~ send*",
            "what ~ did i ~ upload*",
            "what have i ~ sent",
            "what have i ~ uploaded",
            "what have you got",
            // "Tell me what arrived on your end", "what came through?".
            "what arrived",
            "what ~ has arrived",
            // "Which file actually landed on your side just now?"
            "which ~ arrived",
            "which ~ landed",
            "what ~ landed",
            "which ~ came through",
            "which ~ you ~ received",
            "which ~ you ~ got",
            "what came through",
            "what ~ came through",
            "what ~ you ~ received",
            "what ~ reached you",
            "what format",
            "which format",
            "file format",
            "file type",
            "what type of file",
            "what kind of file",
            "resolution",
            "dimensions",
            "how big",
            "how large",
            "what size",
            "which size",
            "file size",
            "how many pixels",
            "megapixel*",
            "width",
            "height",
            "metadata",
            "meta data",
            "exif",
            "gps",
            "geotag*",
            "location data",
            // "Is my location embedded in this file somewhere?"
            "location ~ embedded",
            "embedded ~ location",
            "location ~ in this file",
            "location ~ in the file",
            // Not "how far everything is from the camera".
            "what camera",
            "which camera",
            "camera model",
            "camera make",
            "camera settings",
            "camera ~ used",
            "camera ~ taken with",
            "when was ~ taken",
            // "Tell me when the photo was taken", "the coordinates of where it was shot".
            "when ~ was taken",
            "when ~ were taken",
            "when ~ was shot",
            "where ~ was taken",
            "where ~ was shot",
            "coordinates",
            "date taken",
            // "Is there a date it was taken?", "which phone took it?".
            "date ~ was ~ taken",
            "date ~ were ~ taken",
            // "What date does the camera say it was taken?"
            "date ~ ~ ~ ~ ~ was taken",
            "camera say* ~ taken",
            // Not "what phone number is on the card".
            "which phone took",
            "what phone took",
            "which phone ~ taken",
            "what phone ~ taken",
            "phone ~ took it",
            "phone ~ taken with",
            "colour space",
            "color space",
            "colour profile",
            "color profile",
            "bit depth",
            "alpha channel",
            // A question about transparency, not "just me on transparency".
            "is ~ transparen*",
            "has ~ transparen*",
            "any transparen*",
            "info about",
            "details about",
            "information about",
            "what is this file",
            "what file",
            "is ~ png or",
            "is ~ jpeg or",
            "is ~ jpg or",
            "is ~ webp or",
            "is it a png",
            "is it a jpeg",
            "is it a jpg",
            "is this a png",
            "is this a jpeg",
            "is this a jpg",
        ]],
        // "Width has to be 1080 pixels" says what it must become.
        unless: &[
            // "Bring it down to that width?": a size said before, to reach.
            "to that width",
            "to that height",
            "to that size",
            "has to be",
            "needs to be",
            "must be",
            "should be",
            // "1080 wide, height can follow": the other side is left to the resize.
            "can follow",
            "follows",
            // "Need this 1200 px wide, let the height follow": a size to reach.
            "follow",
            // "Halve the dimensions" changes them.
            "halve*",
            "double ~ dimension*",
            // "Knock it down to half its current dimensions", "a third of its size".
            "half ~ dimension*",
            "half ~ size",
            "third ~ dimension*",
            "quarter ~ dimension*",
            "double ~ size",
            "logo*",
            "opacity",
            // "Cut me out so the background is transparent" asks for a cut-out.
            "background",
            "@remove",
            "@hide",
            "wipe*",
            // "Reduce the file size" asks to compress.
            "reduc*",
            "compress*",
            "shrink*",
            "smaller",
            // Not all of `@make`: "is there a location saved in it" asks about the file.
            "make*",
            "creat*",
            "produce",
            "generat*",
            "render*",
            "turn*",
            "export*",
            "give me",
            "output*",
            "resiz*",
            "crop*",
            "convert*",
            "pdf",
            "page*",
            "three dimension*",
            "3d",
        ],
        input: Input::One {
            arg: "image",
            kind: ArtifactKind::Image,
        },
        ..Intent::DEFAULT
    }],
    summary: |_, facts| {
        let format = facts
            .get("original_format")
            .and_then(Value::as_str)
            .or_else(|| facts.get("format").and_then(Value::as_str))
            .unwrap_or("image");
        let mut told = format!(
            "it is a {} {} ({}, {} bytes)",
            size(facts),
            format.to_uppercase(),
            facts
                .get("color_type")
                .and_then(Value::as_str)
                .unwrap_or("unknown colour type"),
            facts.get("file_size").and_then(Value::as_u64).unwrap_or(0)
        );
        let exif = facts.get("exif_present").and_then(Value::as_bool) == Some(true);
        let gps = facts.get("gps_present").and_then(Value::as_bool) == Some(true);
        told.push_str(match (exif, gps) {
            (true, true) => ", with EXIF metadata including a GPS location",
            (true, false) => ", with EXIF metadata and no GPS location",
            _ => ", with no EXIF metadata",
        });
        Some(told)
    },
    facts: &[
        Fact {
            key: "format",
            kind: FactKind::Text,
            about: &["format", "type"],
        },
        Fact {
            key: "gps_present",
            kind: FactKind::Count,
            about: &["gps", "location"],
        },
    ],
};

#[async_trait]
impl Tool for ImageInfo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "image_info"
    }

    fn description(&self) -> &'static str {
        "Report an image's format, size, colour type and file size, and its metadata: EXIF \
         (camera, date taken, orientation), GPS location present or not, XMP, comments (facts only)."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Core
    }

    fn parameters(&self) -> Value {
        io::schema_of::<ImageInfoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        &[]
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: ImageInfoArgs = io::parse_args(self.name(), &args)?;
        let id = parsed.image.id("image")?;
        let meta = io::artifact(cx, "image", &id, ArtifactKind::Image).await?;
        let bytes = io::read_bytes(cx, &meta).await?;
        let found = io::blocking(move || Ok(vitrine_media::read_metadata(&bytes)?)).await?;
        let orientation = found.exif.as_ref().and_then(|exif| exif.orientation);
        // Orientations 5–8 turn the picture a quarter: it shows with width and height swapped.
        let (width, height) = if orientation.is_some_and(|value| (5..=8).contains(&value)) {
            (found.height, found.width)
        } else {
            (found.width, found.height)
        };
        let exif = found.exif.as_ref().map(|exif| {
            json!({
                "make": exif.make,
                "model": exif.model,
                "date_taken": exif.date_taken,
                "orientation": exif.orientation,
                "software": exif.software,
                "fields": exif.fields,
            })
        });
        let gps = found.gps.map(|gps| {
            json!({
                "latitude": gps.latitude,
                "longitude": gps.longitude,
                "altitude_m": gps.altitude_m,
            })
        });
        let mut facts = json!({
            "format": found.format,
            "content_type": meta.content_type,
            "original_format": original_format(&meta),
            "filename": meta.filename,
            "file_size": meta.size,
            "width": width,
            "height": height,
            "color_type": found.color_type,
            "bit_depth": found.bit_depth,
            "channels": found.channels,
            "has_alpha": found.color_type.ends_with("alpha") || found.color_type == "rgba",
            "icc_profile": found.icc_profile,
            "exif_present": found.exif.is_some(),
            "exif": exif,
            "gps_present": found.gps.is_some(),
            "gps": gps,
            "xmp_present": found.xmp,
            "iptc_present": found.iptc,
            "comments_present": !found.comments.is_empty(),
            "comments": found.comments,
            "metadata": found.blocks,
        });
        // Converted on the way in (WebP, TIFF → PNG): the facts are the user's file's, read
        // by the server before the conversion, and the stored copy's are kept beside them.
        if let Some(original) = meta.provenance.params.get("original_metadata") {
            facts["stored_as"] = json!({
                "format": found.format,
                "metadata": found.blocks,
            });
            for (key, from) in [
                ("format", "format"),
                ("color_type", "color_type"),
                ("bit_depth", "bit_depth"),
                ("channels", "channels"),
                ("icc_profile", "icc_profile"),
                ("exif", "exif"),
                ("gps", "gps"),
                ("xmp_present", "xmp"),
                ("iptc_present", "iptc"),
                ("comments", "comments"),
                ("metadata", "blocks"),
            ] {
                facts[key] = original[from].clone();
            }
            facts["exif_present"] = json!(!original["exif"].is_null());
            facts["gps_present"] = json!(!original["gps"].is_null());
            facts["comments_present"] = json!(
                original["comments"]
                    .as_array()
                    .is_some_and(|comments| !comments.is_empty())
            );
        }
        Ok(ToolOutput {
            artifacts: Vec::new(),
            facts,
        })
    }
}
