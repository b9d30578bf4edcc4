//! Reading inputs from the store and writing outputs to it: the plumbing every tool shares.
//!
//! Decoding and encoding are CPU work and run in `spawn_blocking`; bytes go through the
//! store's staged blobs so a failed write leaves nothing behind.

use std::path::Path;
use std::sync::Arc;

use serde_json::Value;
use tokio::io::AsyncReadExt;
use vitrine_media::image::{DynamicImage, GrayImage, RgbImage};
use vitrine_media::{DecodeLimits, DecodedImage};
use vitrine_store::{ArtifactMeta, MediaInfo, NewArtifact, Provenance};
use vitrine_wire::{ArtifactId, ArtifactKind};

use crate::context::ToolContext;
use crate::error::ToolError;

/// Looks an artifact up in the caller's session and checks its kind.
pub async fn artifact(
    cx: &ToolContext,
    param: &str,
    id: &ArtifactId,
    kind: ArtifactKind,
) -> Result<ArtifactMeta, ToolError> {
    let meta = cx.store.artifact(&cx.tenant, &cx.session, id).await?;
    if meta.kind != kind {
        return Err(ToolError::WrongKind {
            param: param.to_owned(),
            id: id.to_string(),
            expected: kind,
            found: meta.kind,
        });
    }
    Ok(meta)
}

/// Reads an artifact's bytes, refusing ones over the input limit.
pub async fn read_bytes(cx: &ToolContext, meta: &ArtifactMeta) -> Result<Vec<u8>, ToolError> {
    if meta.size > cx.limits.max_input_bytes {
        return Err(ToolError::InvalidArguments {
            tool: "input",
            message: format!(
                "artifact `{}` is {} bytes, more than the limit of {} bytes",
                meta.id, meta.size, cx.limits.max_input_bytes
            ),
        });
    }
    let mut reader = cx.store.open(meta).await?;
    let mut bytes = Vec::with_capacity(usize::try_from(meta.size).unwrap_or(0));
    reader
        .read_to_end(&mut bytes)
        .await
        .map_err(|error| ToolError::Store(error.into()))?;
    Ok(bytes)
}

/// Copies an artifact into a temporary file (for ffmpeg and poppler, which read paths).
pub async fn to_temp_file(
    cx: &ToolContext,
    meta: &ArtifactMeta,
    extension: &str,
) -> Result<tempfile::TempPath, ToolError> {
    let file = tempfile::Builder::new()
        .prefix("vitrine-tool-")
        .suffix(&format!(".{extension}"))
        .tempfile()
        .map_err(|error| ToolError::Store(error.into()))?;
    let path = file.into_temp_path();
    let mut reader = cx.store.open(meta).await?;
    let mut out = tokio::fs::File::create(&path)
        .await
        .map_err(|error| ToolError::Store(error.into()))?;
    tokio::io::copy(&mut reader, &mut out)
        .await
        .map_err(|error| ToolError::Store(error.into()))?;
    Ok(path)
}

/// Loads and decodes an image argument: checks the id, the kind and the limits.
pub async fn load_image(
    cx: &ToolContext,
    param: &str,
    id: &ArtifactId,
) -> Result<(ArtifactMeta, DecodedImage), ToolError> {
    let meta = artifact(cx, param, id, ArtifactKind::Image).await?;
    let bytes = read_bytes(cx, &meta).await?;
    let limits = DecodeLimits {
        max_bytes: usize::try_from(cx.limits.max_input_bytes).unwrap_or(usize::MAX),
        max_pixels: cx.limits.max_pixels,
    };
    let decoded =
        blocking(move || vitrine_media::decode(&bytes, &limits).map_err(Into::into)).await?;
    Ok((meta, decoded))
}

/// Like [`load_image`], for a tool that will scale the picture down: `min_scale` gets the
/// upright size and answers the smallest scale it can work from, so a JPEG decodes at 1/2, 1/4
/// or 1/8 of its size when that is enough (see [`vitrine_media::decode_reduced`]); the result's
/// `source_size` keeps the full size.
pub async fn load_image_reduced(
    cx: &ToolContext,
    param: &str,
    id: &ArtifactId,
    min_scale: impl FnOnce(u32, u32) -> f64 + Send + 'static,
) -> Result<(ArtifactMeta, DecodedImage), ToolError> {
    let meta = artifact(cx, param, id, ArtifactKind::Image).await?;
    let bytes = read_bytes(cx, &meta).await?;
    let limits = DecodeLimits {
        max_bytes: usize::try_from(cx.limits.max_input_bytes).unwrap_or(usize::MAX),
        max_pixels: cx.limits.max_pixels,
    };
    let decoded = blocking(move || {
        vitrine_media::decode_reduced(&bytes, &limits, min_scale).map_err(Into::into)
    })
    .await?;
    Ok((meta, decoded))
}

/// How many times one image's pixel limit several images loaded together may hold.
const MANY_IMAGES_PIXEL_FACTOR: u64 = 4;

/// Loads and decodes several image arguments, in order; errors name `param[index]`. Together
/// they may hold at most four times the one-image pixel limit, so a long list of huge photos
/// is refused instead of exhausting memory.
pub async fn load_images(
    cx: &ToolContext,
    param: &str,
    refs: &[crate::refs::ImageRef],
) -> Result<(Vec<ArtifactMeta>, Vec<DynamicImage>), ToolError> {
    let budget = cx
        .limits
        .max_pixels
        .saturating_mul(MANY_IMAGES_PIXEL_FACTOR);
    let mut total = 0_u64;
    let mut metas = Vec::with_capacity(refs.len());
    let mut images = Vec::with_capacity(refs.len());
    for (index, image) in refs.iter().enumerate() {
        let name = format!("{param}[{index}]");
        let (meta, decoded) = load_image(cx, &name, &image.id(&name)?).await?;
        total += u64::from(decoded.width()) * u64::from(decoded.height());
        if total > budget {
            return Err(ToolError::InvalidArguments {
                tool: "input",
                message: format!(
                    "`{param}` up to `{name}` hold {total} pixels, more than the limit of \
                     {budget} for one call; give fewer or smaller images"
                ),
            });
        }
        metas.push(meta);
        images.push(decoded.image);
    }
    Ok((metas, images))
}

/// Loads an `arr_` argument as an 8-bit mask (see [`vitrine_media::NpyArray::to_mask`]).
pub async fn load_mask(
    cx: &ToolContext,
    param: &str,
    mask: &crate::refs::ArrayRef,
) -> Result<(ArtifactMeta, GrayImage), ToolError> {
    let meta = artifact(cx, param, &mask.id(param)?, ArtifactKind::Array).await?;
    let bytes = read_bytes(cx, &meta).await?;
    let max_pixels = cx.limits.max_pixels;
    let id = meta.id.to_string();
    let param = param.to_owned();
    let mask = blocking(move || {
        let array = vitrine_media::read_npy(&bytes)?;
        let (height, width) = array.image_size()?;
        if u64::from(width) * u64::from(height) > max_pixels {
            return Err(ToolError::InvalidArguments {
                tool: "input",
                message: format!(
                    "`{param}` (`{id}`) is {width}×{height}, more than the limit of {max_pixels} pixels"
                ),
            });
        }
        Ok(array.to_mask()?)
    })
    .await?;
    Ok((meta, mask))
}

/// Stores an array as an `arr_` artifact: `.npy` bytes written off the async runtime, the
/// array's height and width as its size, `filename` as its name.
pub async fn save_array(
    cx: &ToolContext,
    array: vitrine_media::NpyArray,
    provenance: Provenance,
    filename: &str,
) -> Result<ArtifactMeta, ToolError> {
    let (npy, (height, width)) =
        blocking(move || Ok((vitrine_media::write_npy(&array)?, array.image_size()?))).await?;
    save_bytes(
        cx,
        &npy,
        ArtifactKind::Array,
        "application/octet-stream",
        MediaInfo {
            width: Some(width),
            height: Some(height),
            ..MediaInfo::default()
        },
        provenance,
        Some(filename.to_owned()),
    )
    .await
}

/// Stores a mask as an `arr_` artifact (`uint8` `.npy`, 0 outside, 255 inside).
pub async fn save_mask(
    cx: &ToolContext,
    mask: GrayImage,
    provenance: Provenance,
) -> Result<ArtifactMeta, ToolError> {
    let array = blocking(move || Ok(vitrine_media::NpyArray::from_gray(&mask))).await?;
    save_array(cx, array, provenance, "mask.npy").await
}

/// Encodes an image as PNG off the async runtime and hands it back with the bytes (for
/// providers and subprocesses that must see exactly the pixels Vitrine works on).
pub async fn encode_png(image: RgbImage) -> Result<(RgbImage, Vec<u8>), ToolError> {
    blocking(move || {
        let image = DynamicImage::ImageRgb8(image);
        let png = vitrine_media::encode_png(&image)?;
        // `into_rgb8` of an RGB image hands the buffer back without copying.
        Ok((image.into_rgb8(), png))
    })
    .await
}

/// A temporary path for an output file of ffmpeg or poppler (deleted on drop).
pub fn temp_output(prefix: &str, suffix: &str) -> Result<tempfile::TempPath, ToolError> {
    Ok(tempfile::Builder::new()
        .prefix(prefix)
        .suffix(suffix)
        .tempfile()
        .map_err(|error| ToolError::Store(error.into()))?
        .into_temp_path())
}

/// Runs one ffmpeg operation from the clip `id` (the `video` argument, copied to a local file
/// named with `extension`) to a new MP4, and stores that as the tool's `video` output with
/// `tool`'s provenance.
pub async fn video_to_mp4<F, Fut>(
    cx: &ToolContext,
    tool: &str,
    args: &Value,
    id: &ArtifactId,
    extension: &str,
    operate: F,
) -> Result<crate::tool::ToolOutput, ToolError>
where
    F: FnOnce(std::path::PathBuf, std::path::PathBuf) -> Fut,
    Fut: std::future::Future<Output = Result<vitrine_video::VideoInfo, vitrine_video::VideoError>>,
{
    let meta = artifact(cx, "video", id, ArtifactKind::Video).await?;
    let input = to_temp_file(cx, &meta, extension).await?;
    let output = temp_output(&format!("vitrine-{tool}-"), ".mp4")?;
    let info = operate(input.to_path_buf(), output.to_path_buf()).await?;
    video_output(cx, &output, &info, provenance(tool, &[&meta], args)).await
}

/// Stores an MP4 that ffmpeg wrote at `path` as the tool's `video` output, with the probed
/// size, duration and codecs as facts.
pub async fn video_output(
    cx: &ToolContext,
    path: &Path,
    info: &vitrine_video::VideoInfo,
    provenance: Provenance,
) -> Result<crate::tool::ToolOutput, ToolError> {
    let made = save_file(
        cx,
        path,
        ArtifactKind::Video,
        "video/mp4",
        MediaInfo {
            width: Some(info.width),
            height: Some(info.height),
            duration_s: Some(info.duration_s),
            pages: None,
            title: None,
        },
        provenance,
    )
    .await?;
    Ok(crate::tool::ToolOutput {
        artifacts: vec![crate::tool::MadeArtifact {
            output: "video".to_owned(),
            meta: made,
        }],
        facts: serde_json::json!({
            "duration_s": (info.duration_s * 1000.0).round() / 1000.0,
            "width": info.width,
            "height": info.height,
            "fps": (info.fps * 1000.0).round() / 1000.0,
            "frames": info.frame_count,
            "video_codec": info.video_codec,
            "has_audio": info.has_audio,
        }),
    })
}

/// Runs CPU work off the async runtime.
pub async fn blocking<T, F>(work: F) -> Result<T, ToolError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ToolError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(ToolError::join)?
}

/// Provenance for an output of `tool` made from `parents` with `args`.
pub fn provenance(tool: &str, parents: &[&ArtifactMeta], args: &Value) -> Provenance {
    Provenance {
        parents: parents.iter().map(|meta| meta.id.clone()).collect(),
        operation: tool.to_owned(),
        params: args.clone(),
    }
}

/// Stores `bytes` as a new artifact of the session.
pub async fn save_bytes(
    cx: &ToolContext,
    bytes: &[u8],
    kind: ArtifactKind,
    content_type: &str,
    media: MediaInfo,
    provenance: Provenance,
    filename: Option<String>,
) -> Result<ArtifactMeta, ToolError> {
    let mut blob = cx.store.stage(cx.limits.max_output_bytes).await?;
    blob.write(bytes).await?;
    let new = NewArtifact {
        kind,
        content_type: content_type.to_owned(),
        media,
        provenance,
        filename,
    };
    // The write and its note in the journal run as their own task: a step cut off mid-write
    // (its time limit, a client that hung up) cannot stop between the two, so the failed
    // run's rollback always sees the output, or the late save takes itself back.
    let (store, tenant, session, made) = (
        Arc::clone(&cx.store),
        cx.tenant.clone(),
        cx.session.clone(),
        cx.made.clone(),
    );
    tokio::spawn(async move {
        let meta = store.put(&tenant, &session, blob, new).await?;
        if made.record(meta.id.clone()) {
            return Ok(meta);
        }
        if let Err(error) = store.delete(&tenant, &session, &meta.id).await {
            tracing::warn!(%error, id = %meta.id, "could not delete an output saved after its run failed");
        }
        Err(ToolError::Internal(
            "the run had already failed; its late output was taken back".to_owned(),
        ))
    })
    .await
    .map_err(ToolError::join)?
}

/// Stores a file's contents as a new artifact.
pub async fn save_file(
    cx: &ToolContext,
    path: &Path,
    kind: ArtifactKind,
    content_type: &str,
    media: MediaInfo,
    provenance: Provenance,
) -> Result<ArtifactMeta, ToolError> {
    let bytes = tokio::fs::read(path)
        .await
        .map_err(|error| ToolError::Store(error.into()))?;
    save_bytes(cx, &bytes, kind, content_type, media, provenance, None).await
}

/// How an image output is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// JPEG unless some pixel is transparent, then PNG.
    Auto,
    /// Always PNG (masks, line art, alpha mattes).
    Png,
}

/// Encodes (metadata-free) and stores an image.
pub async fn save_image(
    cx: &ToolContext,
    image: DynamicImage,
    encoding: Encoding,
    provenance: Provenance,
) -> Result<ArtifactMeta, ToolError> {
    let quality = cx.limits.jpeg_quality;
    let (width, height) = (image.width(), image.height());
    let (bytes, content_type) = blocking(move || {
        Ok(match encoding {
            Encoding::Auto => {
                let encoded = vitrine_media::encode_auto(&image, quality)?;
                (encoded.bytes, encoded.format.media_type())
            }
            Encoding::Png => (vitrine_media::encode_png(&image)?, "image/png"),
        })
    })
    .await?;
    let media = MediaInfo {
        width: Some(width),
        height: Some(height),
        ..MediaInfo::default()
    };
    save_bytes(
        cx,
        &bytes,
        ArtifactKind::Image,
        content_type,
        media,
        provenance,
        None,
    )
    .await
}

/// Parses a tool's arguments into its parameter struct, naming the field at fault.
pub fn parse_args<T: serde::de::DeserializeOwned>(
    tool: &'static str,
    args: &Value,
) -> Result<T, ToolError> {
    T::deserialize(args).map_err(|error| ToolError::InvalidArguments {
        tool,
        message: error.to_string(),
    })
}

/// The JSON Schema of a parameter struct, without the `$schema` and `title` noise.
pub fn schema_of<T: schemars::JsonSchema>() -> Value {
    let mut value = serde_json::to_value(schemars::schema_for!(T)).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("$schema");
        map.remove("title");
    }
    value
}

/// The whole run of a tool that maps one image to one image with a pure
/// `vitrine_media` operation: load and decode, run off the async runtime,
/// store with provenance, report source and output sizes.
pub async fn map_image<P: Send + 'static>(
    cx: &ToolContext,
    tool: &str,
    args: &Value,
    image: &ArtifactId,
    params: P,
    operation: fn(&DynamicImage, &P) -> Result<DynamicImage, vitrine_media::MediaError>,
) -> Result<crate::tool::ToolOutput, ToolError> {
    let (meta, decoded) = load_image(cx, "image", image).await?;
    let source = decoded.image;
    let (width, height) = (source.width(), source.height());
    let out = blocking(move || Ok(operation(&source, &params)?)).await?;
    let facts = serde_json::json!({"source_width": width, "source_height": height});
    single_image_output(cx, tool, args, &meta, out, facts).await
}

/// Stores a redacted image as the tool's `image` output with the tool's own facts (unlike
/// [`single_image_output`], no size facts are added).
pub async fn store_redacted(
    cx: &ToolContext,
    tool: &str,
    args: &Value,
    parent: &ArtifactMeta,
    redacted: DynamicImage,
    facts: Value,
) -> Result<crate::tool::ToolOutput, ToolError> {
    let made = save_image(
        cx,
        redacted,
        Encoding::Auto,
        provenance(tool, &[parent], args),
    )
    .await?;
    Ok(crate::tool::ToolOutput {
        artifacts: vec![crate::tool::MadeArtifact {
            output: "image".to_owned(),
            meta: made,
        }],
        facts,
    })
}

/// Stores `image` as the tool's single `image` output, with its size as facts.
pub async fn single_image_output(
    cx: &ToolContext,
    tool: &str,
    args: &Value,
    parent: &ArtifactMeta,
    image: DynamicImage,
    extra_facts: Value,
) -> Result<crate::tool::ToolOutput, ToolError> {
    let (width, height) = (image.width(), image.height());
    let made = save_image(cx, image, Encoding::Auto, provenance(tool, &[parent], args)).await?;
    let mut facts = serde_json::json!({"width": width, "height": height});
    if let (Value::Object(map), Value::Object(extra)) = (&mut facts, extra_facts) {
        map.extend(extra);
    }
    Ok(crate::tool::ToolOutput {
        artifacts: vec![crate::tool::MadeArtifact {
            output: "image".to_owned(),
            meta: made,
        }],
        facts,
    })
}
