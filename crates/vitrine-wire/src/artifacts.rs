//! Artifact listings (`GET /v1/artifacts/list`).

use serde::{Deserialize, Serialize};

/// The artifacts of one session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtifactList {
    /// The session id.
    pub namespace_id: String,
    /// One entry per artifact, oldest first.
    pub items: Vec<ArtifactListItem>,
}

/// One artifact in a listing. The first three fields are what the SDK reads;
/// the rest describe the artifact for people and tools.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtifactListItem {
    /// The artifact id.
    pub object_id: String,
    /// A file name for downloads, `<id>.<ext>`.
    pub filename: Option<String>,
    /// Always `store`.
    pub source: String,
    /// Served `Content-Type`.
    pub content_type: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds after which it is gone.
    pub expires_at: u64,
    /// Pixel width, for images and videos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixel height, for images and videos.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// A title: a link's text for `url_` artifacts, a page's title for what a web tool made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where it came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provenance: Option<serde_json::Value>,
}
