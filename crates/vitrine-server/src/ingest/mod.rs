//! Inputs → artifacts. Nothing downstream ever sees a URL, a data URL or a
//! file id: every media input of a request is stored in the session first
//! (or, for refs, checked to exist there with the right kind).

pub(crate) mod data_url;
pub(crate) mod fetch;
pub(crate) mod sniff;

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::json;
use tokio::io::AsyncReadExt;
use vitrine_store::{ArtifactMeta, MediaInfo, NewArtifact, Provenance, StagedBlob, StoreError};
use vitrine_wire::chat::{ContentPart, Message, MessageContent, UrlOrObject};
use vitrine_wire::{ArtifactId, ArtifactKind, FileId, SessionId};

use crate::{ApiError, AppState};
use data_url::{Base64Pieces, DataUrlError};
use fetch::shorten;
use sniff::{Sniffed, sniff};

/// Refs named in prose ("blur the faces in img_a1b2c3").
static REF_IN_TEXT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:img|vid|aud|doc|recon|arr|url)_[0-9a-f]{6}\b")
        .expect("the ref pattern is valid")
});

/// How an input reached the session.
#[derive(Debug, Clone)]
pub(crate) enum Origin {
    /// Fetched from a URL.
    Url(String),
    /// Decoded from a `data:` URL.
    DataUrl,
    /// Copied from an uploaded file.
    File(FileId),
    /// Already in the session.
    Ref,
}

/// One input of a request, now an artifact.
#[derive(Debug, Clone)]
pub(crate) struct Input {
    pub(crate) artifact: ArtifactMeta,
    pub(crate) origin: Origin,
    /// Where in the request it was given, e.g. `messages[0].content[1]`.
    pub(crate) param: String,
}

/// Ingests every media input of the messages into `session`.
pub(crate) async fn ingest_messages(
    state: &AppState,
    tenant: &str,
    session: &SessionId,
    session_is_new: bool,
    messages: &[Message],
) -> Result<Vec<Input>, ApiError> {
    let mut ingest = Ingest {
        state,
        tenant,
        session,
        session_is_new,
        seen: HashSet::new(),
        inputs: Vec::new(),
    };
    for (index, message) in messages.iter().enumerate() {
        match &message.content {
            None => {}
            Some(MessageContent::Text(text)) => {
                ingest
                    .refs_in_text(text, &format!("messages[{index}].content"))
                    .await?;
            }
            Some(MessageContent::Parts(parts)) => {
                for (part_index, part) in parts.iter().enumerate() {
                    let param = format!("messages[{index}].content[{part_index}]");
                    ingest.part(part, &param).await?;
                }
            }
        }
    }
    Ok(ingest.inputs)
}

/// Replaces each `data:` URL of the messages with the ref of the artifact it was stored as, so
/// a request does not hold a photo's base64 text (a third larger than the photo) while its
/// plan runs. `inputs` are what [`ingest_messages`] returned for these messages: data URLs are
/// stored in order and never deduplicated, so the n-th data URL is the n-th `DataUrl` input.
pub(crate) fn forget_inline_data(messages: &mut [Message], inputs: &[Input]) {
    let mut stored = inputs
        .iter()
        .filter(|input| matches!(input.origin, Origin::DataUrl))
        .map(|input| input.artifact.id.to_string());
    for message in messages {
        let Some(MessageContent::Parts(parts)) = &mut message.content else {
            continue;
        };
        for part in parts {
            let url = match part {
                ContentPart::ImageUrl { image_url: url }
                | ContentPart::VideoUrl { video_url: url }
                | ContentPart::AudioUrl { audio_url: url }
                | ContentPart::FileUrl { file_url: url } => match url {
                    UrlOrObject::Object(object) => &mut object.url,
                    UrlOrObject::Url(url) => url,
                },
                ContentPart::InputFile {
                    file_id: None,
                    file_url: Some(url),
                    ..
                } => url,
                _ => continue,
            };
            if url.trim_start().starts_with("data:") {
                match stored.next() {
                    Some(id) => *url = id,
                    None => return,
                }
            }
        }
    }
}

struct Ingest<'a> {
    state: &'a AppState,
    tenant: &'a str,
    session: &'a SessionId,
    session_is_new: bool,
    seen: HashSet<ArtifactId>,
    inputs: Vec<Input>,
}

impl Ingest<'_> {
    async fn part(&mut self, part: &ContentPart, param: &str) -> Result<(), ApiError> {
        match part {
            ContentPart::Text { text } => self.refs_in_text(text, &format!("{param}.text")).await,
            ContentPart::ImageUrl { image_url } => {
                self.url(
                    image_url.url(),
                    Some(ArtifactKind::Image),
                    "image_url",
                    &format!("{param}.image_url.url"),
                )
                .await
            }
            ContentPart::VideoUrl { video_url } => {
                self.url(
                    video_url.url(),
                    Some(ArtifactKind::Video),
                    "video_url",
                    &format!("{param}.video_url.url"),
                )
                .await
            }
            ContentPart::AudioUrl { audio_url } => {
                self.url(
                    audio_url.url(),
                    Some(ArtifactKind::Audio),
                    "audio_url",
                    &format!("{param}.audio_url.url"),
                )
                .await
            }
            ContentPart::FileUrl { file_url } => {
                self.url(
                    file_url.url(),
                    None,
                    "file_url",
                    &format!("{param}.file_url"),
                )
                .await
            }
            ContentPart::InputFile {
                file_id: Some(file_id),
                ..
            } => self.file(file_id, &format!("{param}.file_id")).await,
            ContentPart::InputFile {
                file_url: Some(url),
                ..
            } => {
                self.url(url, None, "input_file", &format!("{param}.file_url"))
                    .await
            }
            ContentPart::InputFile { .. } => Err(ApiError::bad_request(
                "an `input_file` part needs a `file_id` (from `POST /v1/files`) or a `file_url`",
                Some(param.to_owned()),
            )),
            ContentPart::InputRef { id } => {
                self.reference(id, None, "input_ref", &format!("{param}.id"))
                    .await
            }
        }
    }

    fn admit(&mut self) -> Result<(), ApiError> {
        if self.inputs.len() >= self.state.config.limits.max_inputs {
            return Err(ApiError::invalid(
                "too_many_inputs",
                format!(
                    "a request may carry at most {} media inputs; split the work across requests in one session",
                    self.state.config.limits.max_inputs
                ),
                Some("messages".into()),
            ));
        }
        Ok(())
    }

    async fn refs_in_text(&mut self, text: &str, param: &str) -> Result<(), ApiError> {
        let ids: Vec<String> = REF_IN_TEXT
            .find_iter(text)
            .map(|m| m.as_str().to_owned())
            .collect();
        for id in ids {
            self.reference(&id, None, "text", param).await?;
        }
        Ok(())
    }

    async fn reference(
        &mut self,
        id: &str,
        expected: Option<ArtifactKind>,
        part_type: &str,
        param: &str,
    ) -> Result<(), ApiError> {
        let id: ArtifactId = id.parse().map_err(|error: vitrine_wire::IdError| {
            ApiError::bad_request(error.to_string(), Some(param.to_owned()))
        })?;
        if let Some(expected) = expected
            && id.kind() != expected
        {
            return Err(ApiError::invalid(
                "wrong_ref_kind",
                format!(
                    "`{param}` names `{id}`, a {} ref, but `{part_type}` takes {} refs (`{}_…`)",
                    id.kind(),
                    expected,
                    expected.prefix()
                ),
                Some(param.to_owned()),
            ));
        }
        if self.seen.contains(&id) {
            return Ok(());
        }
        let artifact = match self
            .state
            .store
            .artifact(self.tenant, self.session, &id)
            .await
        {
            Ok(artifact) => artifact,
            Err(StoreError::ArtifactNotFound { .. }) if self.session_is_new => {
                return Err(ApiError::NotFound {
                    message: format!(
                        "`{id}` is not an artifact of this new session: to use a ref from an earlier response, pass that response's `session_id` (OpenAI SDK: `extra_body={{\"session_id\": ...}}`)"
                    ),
                    param: Some(param.to_owned()),
                    code: "artifact_not_found",
                });
            }
            Err(StoreError::ArtifactNotFound { id, session }) => {
                return Err(ApiError::NotFound {
                    message: format!(
                        "`{id}` does not exist in session `{session}` (refs from other sessions cannot be used)"
                    ),
                    param: Some(param.to_owned()),
                    code: "artifact_not_found",
                });
            }
            Err(error) => return Err(error.into()),
        };
        self.admit()?;
        self.seen.insert(id);
        self.inputs.push(Input {
            artifact,
            origin: Origin::Ref,
            param: param.to_owned(),
        });
        Ok(())
    }

    async fn url(
        &mut self,
        url: &str,
        expected: Option<ArtifactKind>,
        part_type: &str,
        param: &str,
    ) -> Result<(), ApiError> {
        let url = url.trim();
        if url.parse::<ArtifactId>().is_ok() {
            return self.reference(url, expected, part_type, param).await;
        }
        self.admit()?;
        let max_bytes = self.state.fetcher.max_bytes();
        let mut blob = self.state.store.stage(max_bytes).await?;
        let origin = if let Some(data) = url.strip_prefix("data:") {
            write_data_url(data, &mut blob, max_bytes, param).await?;
            Origin::DataUrl
        } else {
            self.state.fetcher.fetch(url, &mut blob, param).await?;
            Origin::Url(shorten(url))
        };
        let provenance = match &origin {
            Origin::Url(url) => Provenance {
                operation: "ingest.url".into(),
                params: json!({ "url": url }),
                ..Provenance::default()
            },
            _ => Provenance {
                operation: "ingest.data_url".into(),
                ..Provenance::default()
            },
        };
        let artifact = self
            .store_blob(blob, expected, part_type, param, provenance, None)
            .await?;
        self.inputs.push(Input {
            artifact,
            origin,
            param: param.to_owned(),
        });
        Ok(())
    }

    async fn file(&mut self, file_id: &str, param: &str) -> Result<(), ApiError> {
        let id: FileId = file_id.parse().map_err(|error: vitrine_wire::IdError| {
            ApiError::bad_request(error.to_string(), Some(param.to_owned()))
        })?;
        self.admit()?;
        let file = self.state.store.file(self.tenant, &id).await?;
        let provenance = Provenance {
            operation: "ingest.file".into(),
            params: json!({ "file_id": id, "filename": file.filename }),
            ..Provenance::default()
        };
        let mut reader = self.state.store.open_file(&file).await?;
        let mut head = vec![0u8; 4096];
        let mut filled = 0;
        while filled < head.len() {
            let read = reader
                .read(&mut head[filled..])
                .await
                .map_err(StoreError::from)?;
            if read == 0 {
                break;
            }
            filled += read;
        }
        head.truncate(filled);
        let sniffed = sniff(&head).ok_or_else(|| unsupported(param))?;
        let artifact = if needs_probe(sniffed.kind) {
            // Media that is measured (pixels, duration, pages) and maybe
            // converted goes through a staged copy; arrays and splats are
            // linked in without copying.
            let mut blob = self.state.store.stage(file.bytes.max(1)).await?;
            blob.write(&head).await?;
            let mut buffer = vec![0u8; 64 * 1024];
            loop {
                let read = reader.read(&mut buffer).await.map_err(StoreError::from)?;
                if read == 0 {
                    break;
                }
                blob.write(&buffer[..read]).await?;
            }
            self.store_blob(
                blob,
                None,
                "input_file",
                param,
                provenance,
                Some(file.filename.clone()),
            )
            .await?
        } else {
            let new = NewArtifact {
                kind: sniffed.kind,
                content_type: sniffed.content_type.into(),
                media: MediaInfo::default(),
                provenance,
                filename: Some(file.filename.clone()),
            };
            self.state
                .store
                .put_from_file(self.tenant, self.session, &file, new)
                .await?
        };
        self.inputs.push(Input {
            artifact,
            origin: Origin::File(id),
            param: param.to_owned(),
        });
        Ok(())
    }

    /// Sniffs, checks and commits a staged input.
    async fn store_blob(
        &self,
        mut blob: StagedBlob,
        expected: Option<ArtifactKind>,
        part_type: &str,
        param: &str,
        mut provenance: Provenance,
        filename: Option<String>,
    ) -> Result<ArtifactMeta, ApiError> {
        blob.flush().await?;
        if blob.size() == 0 {
            return Err(ApiError::bad_request(
                format!("the input at `{param}` is empty"),
                Some(param.to_owned()),
            ));
        }
        let Sniffed { kind, content_type } =
            sniff(blob.head()).ok_or_else(|| unsupported(param))?;
        if let Some(expected) = expected
            && kind != expected
        {
            return Err(ApiError::invalid(
                "wrong_media_kind",
                format!(
                    "the input at `{param}` is {} ({content_type}), but `{part_type}` takes {}; send it as the matching part type",
                    article(kind),
                    expected.noun()
                ),
                Some(param.to_owned()),
            ));
        }
        let mut media = MediaInfo::default();
        let mut content_type = content_type.to_owned();
        if kind == ArtifactKind::Image {
            let max_pixels = self.state.config.limits.max_pixels;
            let path = blob.path().to_owned();
            let needs_png = !matches!(content_type.as_str(), "image/jpeg" | "image/png");
            let param_owned = param.to_owned();
            let (width, height, png, original) = tokio::task::spawn_blocking(move || {
                let (width, height, png) =
                    inspect_image(&path, max_pixels, needs_png, &param_owned)?;
                // What the user's own file carried (EXIF, GPS, XMP, comments), read before
                // the conversion drops it, so image_info and strip_metadata speak about it.
                let original = png
                    .is_some()
                    .then(|| std::fs::read(&path).ok())
                    .flatten()
                    .and_then(|bytes| vitrine_media::read_metadata(&bytes).ok())
                    .and_then(|found| serde_json::to_value(found).ok());
                Ok::<_, ApiError>((width, height, png, original))
            })
            .await
            .map_err(|error| {
                // A decoder panic on the caller's bytes: that request fails, the server does not.
                if error.is_panic() {
                    tracing::error!(%error, "the image decoder panicked on an input");
                    ApiError::invalid(
                        "undecodable_input",
                        format!("`{param}` could not be decoded: the image data is malformed"),
                        Some(param.to_owned()),
                    )
                } else {
                    ApiError::internal(error)
                }
            })??;
            media.width = Some(width);
            media.height = Some(height);
            if let Some(png) = png {
                // Clients assert `image/jpeg` or `image/png` on download, so
                // other formats are stored as PNG.
                let mut converted = self.state.store.stage(png.len() as u64).await?;
                converted.write(&png).await?;
                blob = converted;
                if !provenance.params.is_object() {
                    provenance.params = json!({});
                }
                provenance.params["original_content_type"] = json!(content_type);
                if let Some(original) = original {
                    provenance.params["original_metadata"] = original;
                }
                content_type = "image/png".into();
            }
        }
        match kind {
            ArtifactKind::Video | ArtifactKind::Audio => {
                self.measure_stream(blob.path(), kind, param, &mut media)
                    .await?;
                // Clients assert `video/mp4` and `audio/mpeg` on download, so
                // other containers are converted once, here.
                let target = if kind == ArtifactKind::Video {
                    "video/mp4"
                } else {
                    "audio/mpeg"
                };
                if content_type != target {
                    blob = self.convert_stream(blob, kind, param).await?;
                    content_type = target.into();
                }
            }
            ArtifactKind::Document => {
                let pages = vitrine_document::Poppler::new()
                    .page_count(vitrine_document::PdfInput::Path(blob.path()))
                    .await
                    .map_err(|error| {
                        if error.is_client_error() {
                            ApiError::invalid(
                                "invalid_document",
                                format!("the input at `{param}` is not a readable PDF"),
                                Some(param.to_owned()),
                            )
                        } else {
                            ApiError::internal(error)
                        }
                    })?;
                let max_pages = self.state.config.limits.max_pdf_pages;
                if pages > max_pages {
                    return Err(ApiError::invalid(
                        "too_many_pages",
                        format!(
                            "the PDF at `{param}` has {pages} pages; the limit is {max_pages} pages (--max-pdf-pages)"
                        ),
                        Some(param.to_owned()),
                    ));
                }
                media.pages = Some(pages);
            }
            _ => {}
        }
        let new = NewArtifact {
            kind,
            content_type,
            media,
            provenance,
            filename,
        };
        Ok(self
            .state
            .store
            .put(self.tenant, self.session, blob, new)
            .await?)
    }
}

impl Ingest<'_> {
    /// Duration and frame size of a video or audio input, with the duration
    /// limit enforced before anything decodes it.
    async fn measure_stream(
        &self,
        path: &std::path::Path,
        kind: ArtifactKind,
        param: &str,
        media: &mut MediaInfo,
    ) -> Result<(), ApiError> {
        let limits = &self.state.config.limits;
        let ffmpeg = vitrine_video::Ffmpeg::new();
        let info = ffmpeg.probe_media(path).await.map_err(|error| {
            if error.is_client_error() {
                ApiError::invalid(
                    "invalid_media",
                    format!(
                        "the input at `{param}` is not a readable {} file",
                        kind.noun()
                    ),
                    Some(param.to_owned()),
                )
            } else {
                ApiError::internal(error)
            }
        })?;
        let max = limits.max_duration.as_secs_f64();
        if info.duration_s > max {
            return Err(ApiError::invalid(
                "too_long",
                format!(
                    "the {} at `{param}` lasts {:.1} s; the limit is {max:.0} s (--max-duration)",
                    kind.noun(),
                    info.duration_s
                ),
                Some(param.to_owned()),
            ));
        }
        if kind == ArtifactKind::Video && info.video.is_none() {
            return Err(ApiError::invalid(
                "invalid_media",
                format!("the input at `{param}` has no video stream; send audio as `audio_url`"),
                Some(param.to_owned()),
            ));
        }
        media.duration_s = Some(info.duration_s);
        if let Some(video) = &info.video {
            let pixels = u64::from(video.width) * u64::from(video.height);
            if pixels > limits.max_pixels {
                return Err(ApiError::invalid(
                    "too_many_pixels",
                    format!(
                        "the video at `{param}` is {}×{}; the limit is {:.1} MP per frame (--max-megapixels)",
                        video.width,
                        video.height,
                        limits.max_pixels as f64 / 1e6
                    ),
                    Some(param.to_owned()),
                ));
            }
            media.width = Some(video.width);
            media.height = Some(video.height);
        }
        Ok(())
    }
}

impl Ingest<'_> {
    /// Re-encodes a video as H.264 MP4 or an audio track as MP3 into a new
    /// staged blob; the original is dropped (and its temp file deleted).
    async fn convert_stream(
        &self,
        blob: StagedBlob,
        kind: ArtifactKind,
        param: &str,
    ) -> Result<StagedBlob, ApiError> {
        let output = blob.path().with_extension(if kind == ArtifactKind::Video {
            "mp4"
        } else {
            "mp3"
        });
        let ffmpeg = vitrine_video::Ffmpeg::new();
        let converted = if kind == ArtifactKind::Video {
            ffmpeg
                .transcode_mp4(
                    blob.path(),
                    &output,
                    &vitrine_video::TranscodeParams::default(),
                )
                .await
                .map(|_| ())
        } else {
            ffmpeg
                .extract_audio_mp3(
                    blob.path(),
                    &output,
                    &vitrine_video::ExtractAudioParams::default(),
                )
                .await
                .map(|_| ())
        };
        let result = match converted {
            Ok(()) => self.stage_file(&output).await,
            Err(error) if error.is_client_error() => Err(ApiError::invalid(
                "invalid_media",
                format!(
                    "the {} at `{param}` could not be converted for download",
                    kind.noun()
                ),
                Some(param.to_owned()),
            )),
            Err(error) => Err(ApiError::internal(error)),
        };
        let _ = tokio::fs::remove_file(&output).await;
        result
    }

    async fn stage_file(&self, path: &std::path::Path) -> Result<StagedBlob, ApiError> {
        let mut file = tokio::fs::File::open(path)
            .await
            .map_err(StoreError::from)?;
        let length = file.metadata().await.map_err(StoreError::from)?.len();
        let mut staged = self.state.store.stage(length.max(1)).await?;
        let mut buffer = vec![0u8; 64 * 1024];
        loop {
            let read = file.read(&mut buffer).await.map_err(StoreError::from)?;
            if read == 0 {
                break;
            }
            staged.write(&buffer[..read]).await?;
        }
        staged.flush().await?;
        Ok(staged)
    }
}

/// Kinds whose inputs are measured (and maybe converted) before storing.
fn needs_probe(kind: ArtifactKind) -> bool {
    matches!(
        kind,
        ArtifactKind::Image | ArtifactKind::Video | ArtifactKind::Audio | ArtifactKind::Document
    )
}

fn article(kind: ArtifactKind) -> String {
    match kind {
        ArtifactKind::Image => "an image".into(),
        ArtifactKind::Audio => "an audio file".into(),
        ArtifactKind::Array => "an array".into(),
        other => format!("a {}", other.noun()),
    }
}

fn unsupported(param: &str) -> ApiError {
    ApiError::UnsupportedMedia(format!(
        "the input at `{param}` is not a recognised image (JPEG, PNG, WebP, GIF, BMP, TIFF), video (MP4, WebM), audio (MP3, WAV, OGG, FLAC, M4A), PDF, .npy or SPZ file"
    ))
}

/// Reads the dimensions from the header, enforces the pixel limit before any
/// decoding, and converts to PNG when asked.
fn inspect_image(
    path: &std::path::Path,
    max_pixels: u64,
    to_png: bool,
    param: &str,
) -> Result<(u32, u32, Option<Vec<u8>>), ApiError> {
    let unreadable = |error: &dyn std::fmt::Display| {
        ApiError::invalid(
            "invalid_image",
            format!("the image at `{param}` could not be read: {error}"),
            Some(param.to_owned()),
        )
    };
    let reader = || -> Result<_, ApiError> {
        image::ImageReader::open(path)
            .map_err(ApiError::internal)?
            .with_guessed_format()
            .map_err(ApiError::internal)
    };
    let (width, height) = reader()?.into_dimensions().map_err(|e| unreadable(&e))?;
    let pixels = u64::from(width) * u64::from(height);
    if pixels > max_pixels {
        return Err(ApiError::invalid(
            "too_many_pixels",
            format!(
                "the image at `{param}` is {width}×{height} ({:.1} MP); the limit is {:.1} MP (--max-megapixels)",
                pixels as f64 / 1e6,
                max_pixels as f64 / 1e6
            ),
            Some(param.to_owned()),
        ));
    }
    if width == 0 || height == 0 {
        return Err(unreadable(&"it has zero width or height"));
    }
    let png = if to_png {
        let mut decoder = reader()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(width);
        limits.max_image_height = Some(height);
        limits.max_alloc = Some(max_pixels.saturating_mul(8));
        decoder.limits(limits);
        let decoded = decoder.decode().map_err(|e| unreadable(&e))?;
        let mut bytes = std::io::Cursor::new(Vec::new());
        decoded
            .write_to(&mut bytes, image::ImageFormat::Png)
            .map_err(ApiError::internal)?;
        Some(bytes.into_inner())
    } else {
        None
    };
    Ok((width, height, png))
}

async fn write_data_url(
    data: &str,
    blob: &mut StagedBlob,
    max_bytes: u64,
    param: &str,
) -> Result<(), ApiError> {
    let invalid = |error: DataUrlError| {
        let message = match error {
            DataUrlError::Invalid(reason) => {
                format!("the data URL at `{param}` is not valid base64: {reason}")
            }
            other => other.to_string(),
        };
        ApiError::invalid("invalid_data_url", message, Some(param.to_owned()))
    };
    let payload = data_url::payload(data).map_err(invalid)?;
    if payload.len() as u64 / 4 * 3 > max_bytes {
        return Err(ApiError::TooLarge(format!(
            "the data URL at `{param}` is larger than the {} MB input limit; upload it with `POST /v1/files` instead",
            max_bytes / 1_000_000
        )));
    }
    let mut pieces = Base64Pieces::new(payload);
    while let Some(piece) = pieces.next_piece() {
        blob.write(piece.map_err(invalid)?)
            .await
            .map_err(|error| match error {
                StoreError::TooLarge { limit } => ApiError::TooLarge(format!(
                    "the data URL at `{param}` is larger than the {} MB input limit",
                    limit / 1_000_000
                )),
                other => other.into(),
            })?;
    }
    Ok(())
}
