//! Metadata records kept by the store.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_wire::{ArtifactId, ArtifactKind, FileId, SessionId};

/// A session: a namespace of artifacts owned by one tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    /// Its id.
    pub id: SessionId,
    /// The tenant whose key made it.
    pub tenant: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds; moves forward as artifacts are added.
    pub expires_at: u64,
}

/// Where an artifact came from, so derived media can be traced to its source.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// Artifacts it was made from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parents: Vec<ArtifactId>,
    /// The producing operation, e.g. `ingest.url` or `image.blur`.
    pub operation: String,
    /// The operation's parameters.
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub params: Value,
}

/// Facts about the media that the caller already knows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MediaInfo {
    /// Pixel width.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Pixel height.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// Duration in seconds, for audio and video.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_s: Option<f64>,
    /// Page count, for documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// A title: a link's text for `url_`, a page's `<title>` for what a web tool made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// What a caller says about an artifact it is storing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewArtifact {
    /// Its kind, which picks the id prefix.
    pub kind: ArtifactKind,
    /// The `Content-Type` it will be served with.
    pub content_type: String,
    /// Dimensions, duration, pages.
    #[serde(default)]
    pub media: MediaInfo,
    /// Where it came from.
    pub provenance: Provenance,
    /// An original file name, if one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// Everything the store knows about an artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactMeta {
    /// Its id, unique within the session.
    pub id: ArtifactId,
    /// The session it lives in.
    pub session_id: SessionId,
    /// The tenant that owns the session.
    pub tenant: String,
    /// Its kind.
    pub kind: ArtifactKind,
    /// The `Content-Type` it is served with.
    pub content_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds after which it is gone.
    pub expires_at: u64,
    /// Dimensions, duration, pages.
    #[serde(default)]
    pub media: MediaInfo,
    /// Where it came from.
    pub provenance: Provenance,
    /// An original file name, if one is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filename: Option<String>,
}

/// An uploaded file (`/v1/files`), owned by a tenant, not a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// Its id.
    pub id: FileId,
    /// The tenant that uploaded it.
    pub tenant: String,
    /// The name it was uploaded with.
    pub filename: String,
    /// Upload purpose.
    pub purpose: String,
    /// Size in bytes (0 until a presigned upload completes).
    pub bytes: u64,
    /// Hex MD5, the SDK's upload-cache key.
    pub md5: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Unix seconds.
    pub created_at: u64,
    /// Unix seconds after which it is gone.
    pub expires_at: u64,
    /// False while a presigned upload is outstanding.
    pub complete: bool,
}

/// A presigned upload waiting for its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingUpload {
    /// The file it will become.
    pub file: FileRecord,
    /// The secret that authorises the `PUT`.
    pub token: String,
    /// Unix seconds after which the `PUT` is refused.
    pub upload_expires_at: u64,
}

/// Limits on stored bytes, checked in the metadata store when bytes are committed (so with
/// PostgreSQL they hold across replicas); `None` is no limit. Artifacts count against their
/// session and tenant, uploaded files against their tenant, until deleted or expired.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Quotas {
    /// Bytes one tenant may keep stored.
    pub tenant_bytes: Option<u64>,
    /// Bytes the artifacts of one session may add up to.
    pub session_bytes: Option<u64>,
}

/// Which quota a write would exceed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaScope {
    /// The tenant's stored bytes.
    Tenant,
    /// The session's size.
    Session,
}

impl std::fmt::Display for QuotaScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            QuotaScope::Tenant => "the tenant's stored bytes",
            QuotaScope::Session => "the session's size",
        })
    }
}

impl Quotas {
    /// Refuses adding `adding` bytes to `stored` under `limit`.
    pub fn check(
        limit: Option<u64>,
        scope: QuotaScope,
        stored: u64,
        adding: u64,
    ) -> Result<(), crate::StoreError> {
        match limit {
            Some(limit) if stored.saturating_add(adding) > limit => {
                Err(crate::StoreError::QuotaExceeded {
                    scope,
                    limit,
                    stored,
                    adding,
                })
            }
            _ => Ok(()),
        }
    }
}

/// What one sweep removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Artifacts whose bytes were deleted.
    pub artifacts: u64,
    /// Sessions that expired.
    pub sessions: u64,
    /// Uploaded files deleted.
    pub files: u64,
    /// Bytes freed on disk.
    pub bytes: u64,
}
