//! `client.artifacts()`: download, list and delete the artifacts of a session.
//!
//! [`Artifacts::get`] returns typed content by the id's kind, as the `vlmrun`
//! SDK does: a decoded image for `img_`, a cached file for `vid_`, `aud_`,
//! `doc_` and `recon_`, an array for `arr_`, the URL for `url_`. Ids never
//! point at other bytes later in a session, so cached files are reused.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::CONTENT_TYPE;
use serde_json::Value;
use vitrine_wire::{ArtifactKind, ArtifactList};

use crate::npy::NpyArray;
use crate::{Client, ClientError};

/// An artifact's content, typed by its kind.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Artifact {
    /// `img_`: the decoded image.
    Image(image::DynamicImage),
    /// `vid_` (`.mp4`), `aud_` (`.mp3`), `doc_` (`.pdf`), `recon_` (`.spz`):
    /// the path of the cached download.
    File(PathBuf),
    /// `arr_`: the `.npy` array.
    Array(NpyArray),
    /// `url_`: the URL the artifact names.
    Url(String),
}

impl Artifact {
    /// The image, if this is an `img_` artifact.
    pub fn into_image(self) -> Option<image::DynamicImage> {
        match self {
            Artifact::Image(image) => Some(image),
            _ => None,
        }
    }

    /// The cached file, if this is a `vid_`, `aud_`, `doc_` or `recon_` artifact.
    pub fn into_path(self) -> Option<PathBuf> {
        match self {
            Artifact::File(path) => Some(path),
            _ => None,
        }
    }

    /// The array, if this is an `arr_` artifact.
    pub fn into_array(self) -> Option<NpyArray> {
        match self {
            Artifact::Array(array) => Some(array),
            _ => None,
        }
    }

    /// The URL, if this is a `url_` artifact.
    pub fn into_url(self) -> Option<String> {
        match self {
            Artifact::Url(url) => Some(url),
            _ => None,
        }
    }
}

/// The artifacts resource.
#[derive(Debug, Clone)]
pub struct Artifacts {
    pub(crate) client: Client,
}

/// Checks the ids the way the `vlmrun` SDK does: a known kind prefix and
/// exactly six word characters after `_` (Vitrine's own are hex, other Orion
/// servers' need not be). The session id only has to be non-empty.
fn parse_ids(session_id: &str, object_id: &str) -> Result<ArtifactKind, ClientError> {
    if session_id.trim().is_empty() {
        return Err(ClientError::InvalidArgument {
            param: "session_id",
            message: "the session id is empty".into(),
        });
    }
    artifact_kind(object_id).ok_or_else(|| ClientError::InvalidArgument {
        param: "object_id",
        message: format!(
            "`{object_id}` is not an artifact id: expected `<kind>_<6 characters>` with kind one of img, vid, aud, doc, recon, arr, url"
        ),
    })
}

/// The kind of an artifact id such as `img_a1b2c3`, if it is one.
pub fn artifact_kind(object_id: &str) -> Option<ArtifactKind> {
    let (prefix, rest) = object_id.split_once('_')?;
    let kind = ArtifactKind::from_prefix(prefix)?;
    (rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
        .then_some(kind)
}

/// The file extension for a served content type, falling back to the kind's.
pub fn extension_for(kind: ArtifactKind, content_type: &str) -> &'static str {
    match content_type {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "video/mp4" => "mp4",
        "audio/mpeg" => "mp3",
        "application/pdf" => "pdf",
        _ => kind.extension(),
    }
}

impl Artifacts {
    /// The artifact's bytes and served `Content-Type`.
    pub async fn get_bytes_with_type(
        &self,
        session_id: &str,
        object_id: &str,
    ) -> Result<(Bytes, String), ClientError> {
        parse_ids(session_id, object_id)?;
        let (body, headers) = self
            .client
            .get_raw(
                "artifacts",
                &[("session_id", session_id), ("object_id", object_id)],
            )
            .await?;
        let content_type = headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok((body, content_type))
    }

    /// The artifact's raw bytes (the SDK's `raw_response=True`).
    pub async fn get_bytes(&self, session_id: &str, object_id: &str) -> Result<Bytes, ClientError> {
        Ok(self.get_bytes_with_type(session_id, object_id).await?.0)
    }

    /// The artifact as typed content (see [`Artifact`]). File kinds are written
    /// to `<cache_dir>/<session>/<id>.<ext>` and served from there next time.
    pub async fn get(&self, session_id: &str, object_id: &str) -> Result<Artifact, ClientError> {
        let kind = parse_ids(session_id, object_id)?;
        let object = object_id;
        // Both ids are path components here: keep them to plain names.
        let safe = |text: &str| {
            text.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !safe(session_id) {
            return Err(ClientError::InvalidArgument {
                param: "session_id",
                message: format!("`{session_id}` has characters a session id never has"),
            });
        }
        let cached = self
            .client
            .cache_dir()
            .join(session_id)
            .join(format!("{object}.{}", kind.extension()));
        let is_file_kind = matches!(
            kind,
            ArtifactKind::Video
                | ArtifactKind::Audio
                | ArtifactKind::Document
                | ArtifactKind::Recon
        );
        if is_file_kind && tokio::fs::try_exists(&cached).await.unwrap_or(false) {
            return Ok(Artifact::File(cached));
        }
        let (bytes, content_type) = self.get_bytes_with_type(session_id, object_id).await?;
        let wrong_type = |expected: &str| ClientError::InvalidResponse {
            endpoint: format!("GET /artifacts ({object})"),
            detail: format!("expected `Content-Type: {expected}`, got `{content_type}`"),
        };
        match kind {
            ArtifactKind::Image => {
                if !content_type.starts_with("image/") {
                    return Err(wrong_type("image/jpeg or image/png"));
                }
                let image =
                    image::load_from_memory(&bytes).map_err(|source| ClientError::Image {
                        object_id: object.to_string(),
                        source,
                    })?;
                Ok(Artifact::Image(image))
            }
            ArtifactKind::Array => Ok(Artifact::Array(NpyArray::parse(object, &bytes)?)),
            ArtifactKind::Url => {
                let url = std::str::from_utf8(&bytes)
                    .map_err(|_| ClientError::InvalidResponse {
                        endpoint: format!("GET /artifacts ({object})"),
                        detail: "a URL artifact's body is not UTF-8 text".into(),
                    })?
                    .trim()
                    .to_owned();
                Ok(Artifact::Url(url))
            }
            ArtifactKind::Video
            | ArtifactKind::Audio
            | ArtifactKind::Document
            | ArtifactKind::Recon => {
                let expected = match kind {
                    ArtifactKind::Video => "video/",
                    ArtifactKind::Audio => "audio/",
                    ArtifactKind::Document => "application/pdf",
                    _ => "application/octet-stream",
                };
                if !content_type.starts_with(expected) {
                    return Err(wrong_type(expected));
                }
                write_atomically(&cached, &bytes).await?;
                Ok(Artifact::File(cached))
            }
        }
    }

    /// Downloads the artifact into `dir` as `<id>.<ext>`, the extension
    /// following the served type (`.png`/`.jpg`, `.mp4`, `.mp3`, `.pdf`,
    /// `.spz`, `.npy`, `.txt` for URLs). Returns the path written.
    pub async fn save(
        &self,
        session_id: &str,
        object_id: &str,
        dir: &Path,
    ) -> Result<PathBuf, ClientError> {
        let kind = parse_ids(session_id, object_id)?;
        let (bytes, content_type) = self.get_bytes_with_type(session_id, object_id).await?;
        let path = dir.join(format!(
            "{object_id}.{}",
            extension_for(kind, &content_type)
        ));
        write_atomically(&path, &bytes).await?;
        Ok(path)
    }

    /// The artifacts of a session, oldest first.
    pub async fn list(&self, session_id: &str) -> Result<ArtifactList, ClientError> {
        self.client
            .get_json("artifacts/list", &[("session_id", session_id)])
            .await
    }

    /// Deletes one artifact. Later `get`s of it answer 404.
    pub async fn delete(&self, session_id: &str, object_id: &str) -> Result<(), ClientError> {
        parse_ids(session_id, object_id)?;
        let _: Value = self
            .client
            .json_call(
                Method::DELETE,
                "artifacts",
                &[("session_id", session_id), ("object_id", object_id)],
                None,
            )
            .await?;
        Ok(())
    }

    /// Deletes a whole session and all its artifacts.
    pub async fn delete_session(&self, session_id: &str) -> Result<(), ClientError> {
        if session_id.is_empty()
            || !session_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ClientError::InvalidArgument {
                param: "session_id",
                message: format!("`{session_id}` is not a session id"),
            });
        }
        let _: Value = self
            .client
            .json_call(Method::DELETE, &format!("sessions/{session_id}"), &[], None)
            .await?;
        Ok(())
    }
}

/// Writes through a temporary file and renames, so a reader never sees half a file.
pub(crate) async fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    if let Some(parent) = path.parent() {
        tokio::fs::create_dir_all(parent)
            .await
            .map_err(|error| ClientError::io("create", parent, error))?;
    }
    let temporary = path.with_extension(format!("part-{}", vitrine_wire::random_hex(4)));
    tokio::fs::write(&temporary, bytes)
        .await
        .map_err(|error| ClientError::io("write", &temporary, error))?;
    tokio::fs::rename(&temporary, path).await.map_err(|error| {
        let _ = std::fs::remove_file(&temporary);
        ClientError::io("write", path, error)
    })
}
