//! File objects of `/v1/files`, shaped as the `vlmrun` SDK parses them.

use serde::{Deserialize, Serialize};

/// Purposes the SDK accepts.
pub const FILE_PURPOSES: [&str; 7] = [
    "fine-tune",
    "assistants",
    "assistants_output",
    "batch",
    "batch_output",
    "vision",
    "datasets",
];

/// An uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileObject {
    /// `file-...`.
    pub id: String,
    /// The name it was uploaded with.
    pub filename: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Upload purpose.
    pub purpose: String,
    /// ISO 8601 time of upload.
    pub created_at: String,
    /// Always `file`.
    pub object: String,
    /// Never set: files are fetched through the API.
    pub public_url: Option<String>,
}

/// `POST /v1/files/presigned-url` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresignedUrlRequest {
    /// Name of the file to be uploaded.
    pub filename: String,
    /// Upload purpose.
    #[serde(default)]
    pub purpose: Option<String>,
    /// Seconds the URL stays valid.
    #[serde(default)]
    pub expiration: Option<u64>,
}

/// `POST /v1/files/presigned-url` answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresignedUrlResponse {
    /// The file id the upload will have.
    pub id: String,
    /// Where to `PUT` the bytes.
    pub url: String,
    /// Name of the file.
    pub filename: String,
    /// The `Content-Type` to send with the `PUT`.
    pub content_type: String,
    /// Always `PUT`.
    pub upload_method: String,
    /// Never set.
    pub public_url: Option<String>,
    /// ISO 8601 time the URL was made.
    pub created_at: String,
    /// Seconds the URL stays valid.
    pub expiration: u64,
    /// Always `PUT`.
    pub method: String,
}
