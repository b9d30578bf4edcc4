//! Store errors, classified at the source so the server never matches deep.

use vitrine_wire::{ArtifactId, FileId, SessionId};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No such session for this tenant (or it belongs to another tenant).
    #[error("session `{0}` was not found; start a new session by omitting `session_id`")]
    SessionNotFound(SessionId),
    /// The session outlived its retention.
    #[error(
        "session `{0}` expired and its artifacts were deleted; start a new session by omitting `session_id`"
    )]
    SessionExpired(SessionId),
    /// No such artifact in the session.
    #[error("artifact `{id}` does not exist in session `{session}`")]
    ArtifactNotFound {
        /// The artifact asked for.
        id: ArtifactId,
        /// The session searched.
        session: SessionId,
    },
    /// The artifact outlived its retention.
    #[error("artifact `{0}` expired; artifacts are kept for the session's retention period")]
    ArtifactExpired(ArtifactId),
    /// The artifact was deleted by its owner.
    #[error("artifact `{0}` was deleted")]
    ArtifactDeleted(ArtifactId),
    /// No such file for this tenant.
    #[error("file `{0}` was not found")]
    FileNotFound(FileId),
    /// The file outlived its retention.
    #[error("file `{0}` expired; upload it again")]
    FileExpired(FileId),
    /// A presigned upload was not completed (or failed its checks).
    #[error("file `{0}` has not been uploaded yet; `PUT` its bytes to the presigned URL first")]
    UploadIncomplete(FileId),
    /// The presigned URL is wrong or out of date.
    #[error("the upload URL for file `{0}` is invalid or expired; request a new presigned URL")]
    UploadRejected(FileId),
    /// No such execution for this tenant.
    #[error("execution `{0}` was not found")]
    ExecutionNotFound(String),
    /// A body was larger than allowed.
    #[error("the body exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: u64,
    },
    /// No such skill (or version) for this tenant.
    #[error("skill `{0}` was not found; list your skills with `GET /v1/skills`")]
    SkillNotFound(String),
    /// A skill with this name already exists for this tenant.
    #[error(
        "a skill named `{0}` already exists; add a version with `POST /v1/skills/{{id}}/update`"
    )]
    SkillExists(String),
    /// A skill download link is wrong or out of date.
    #[error(
        "the skill download link is invalid or expired; ask `GET /v1/skills/{{id}}/download` for a new one"
    )]
    SkillDownloadRejected,
    /// A disk operation failed.
    #[error("storage I/O failed")]
    Io(#[from] std::io::Error),
    /// The metadata index failed.
    #[error("metadata index failed: {0}")]
    Index(String),
    /// A service the store depends on (object storage, the database) does not answer; the
    /// request may succeed when retried later.
    #[error("{service} is unavailable: {detail}")]
    Unavailable {
        /// Which service.
        service: &'static str,
        /// What the client library said.
        detail: String,
    },
    /// The store's settings are invalid.
    #[error("{0}")]
    Config(String),
    /// Committing these bytes would exceed a quota; nothing was stored.
    #[error(
        "storing {adding} more bytes would take {scope} past its limit of {limit} bytes ({stored} bytes stored); nothing was stored"
    )]
    QuotaExceeded {
        /// Which quota.
        scope: crate::model::QuotaScope,
        /// The limit in bytes.
        limit: u64,
        /// Bytes already stored in that scope.
        stored: u64,
        /// Bytes the write would add.
        adding: u64,
    },
}

impl StoreError {
    /// True when the thing asked for does not exist (any more) for this caller.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            StoreError::SessionNotFound(_)
                | StoreError::SessionExpired(_)
                | StoreError::ArtifactNotFound { .. }
                | StoreError::ArtifactExpired(_)
                | StoreError::ArtifactDeleted(_)
                | StoreError::FileNotFound(_)
                | StoreError::FileExpired(_)
                | StoreError::ExecutionNotFound(_)
                | StoreError::SkillNotFound(_)
                | StoreError::SkillDownloadRejected
        )
    }

    /// True when a service behind the store is down and a retry may succeed (HTTP 503).
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }

    /// True when the caller can fix the problem by changing the request.
    pub fn is_client_error(&self) -> bool {
        !matches!(
            self,
            StoreError::Io(_)
                | StoreError::Index(_)
                | StoreError::Unavailable { .. }
                | StoreError::Config(_)
        )
    }

    /// A stable machine-readable code for the error envelope.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::SessionNotFound(_) => "session_not_found",
            StoreError::SessionExpired(_) => "session_expired",
            StoreError::ArtifactNotFound { .. } => "artifact_not_found",
            StoreError::ArtifactExpired(_) => "artifact_expired",
            StoreError::ArtifactDeleted(_) => "artifact_deleted",
            StoreError::FileNotFound(_) => "file_not_found",
            StoreError::FileExpired(_) => "file_expired",
            StoreError::UploadIncomplete(_) => "upload_incomplete",
            StoreError::UploadRejected(_) => "upload_rejected",
            StoreError::ExecutionNotFound(_) => "execution_not_found",
            StoreError::TooLarge { .. } => "body_too_large",
            StoreError::SkillNotFound(_) => "skill_not_found",
            StoreError::SkillExists(_) => "skill_exists",
            StoreError::SkillDownloadRejected => "skill_download_rejected",
            StoreError::Io(_) => "storage_io",
            StoreError::Index(_) => "storage_index",
            StoreError::Unavailable { .. } => "storage_unavailable",
            StoreError::Config(_) => "storage_config",
            StoreError::QuotaExceeded {
                scope: crate::model::QuotaScope::Session,
                ..
            } => "session_too_large",
            StoreError::QuotaExceeded {
                scope: crate::model::QuotaScope::Tenant,
                ..
            } => "tenant_quota_exceeded",
        }
    }
}

macro_rules! index_error {
    ($($source:ty),*) => {$(
        impl From<$source> for StoreError {
            fn from(error: $source) -> Self {
                StoreError::Index(error.to_string())
            }
        }
    )*};
}

index_error!(
    redb::Error,
    redb::DatabaseError,
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError,
    serde_json::Error
);
