//! The OpenAI error envelope, which both the `openai` and `vlmrun` SDKs read.

use serde::{Deserialize, Serialize};

/// `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorObject,
}

/// The error object: what went wrong and what to fix.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorObject {
    /// A sentence that says what was wrong and what to do about it.
    pub message: String,
    /// OpenAI's error class, e.g. `invalid_request_error`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The request field at fault, if any.
    pub param: Option<String>,
    /// A stable machine-readable code, e.g. `artifact_expired`.
    pub code: Option<String>,
    /// The request id (also the `X-Request-Id` header), which the `vlmrun` SDK reports and
    /// the server's log lines carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}
