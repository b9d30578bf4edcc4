//! The one place that turns failures into status codes and OpenAI error JSON.

use std::sync::Arc;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use vitrine_store::StoreError;
use vitrine_wire::{ErrorBody, ErrorObject};

/// A failure as the client will see it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The request is malformed or asks for something impossible.
    #[error("{message}")]
    BadRequest {
        /// What to fix.
        message: String,
        /// The field at fault.
        param: Option<String>,
        /// Stable code.
        code: &'static str,
    },
    /// No or wrong API key.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller is known but may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A tenant is over its request rate or concurrent-work limit: a 429 with `Retry-After`.
    #[error("{message}")]
    RateLimited {
        /// Which limit, and when to retry.
        message: String,
        /// Sent as `Retry-After`, in whole seconds.
        retry_after: std::time::Duration,
        /// Stable code.
        code: &'static str,
    },
    /// The server's disk is below its free-space floor (or filled during the write): a 507.
    #[error("{0}")]
    InsufficientStorage(String),
    /// The named thing does not exist for this caller.
    #[error("{message}")]
    NotFound {
        /// What was not found.
        message: String,
        /// The field at fault.
        param: Option<String>,
        /// Stable code.
        code: &'static str,
    },
    /// The body is over a size limit.
    #[error("{0}")]
    TooLarge(String),
    /// The bytes are not a kind of media the server handles.
    #[error("{0}")]
    UnsupportedMedia(String),
    /// A URL input could not be fetched (refused or failed upstream).
    #[error("{message}")]
    Fetch {
        /// What happened.
        message: String,
        /// The field at fault.
        param: Option<String>,
        /// Stable code.
        code: &'static str,
    },
    /// A store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A capability whose provider is not configured on this server.
    #[error("{0}")]
    NotConfigured(String),
    /// An external provider (depth, detection, images) failed: the client sees `message`,
    /// the log also `detail`, which says where the provider lives.
    #[error("{detail}")]
    Upstream {
        /// What went wrong, for the client.
        message: String,
        /// The full failure, for the log.
        detail: String,
    },
    /// The request was understood and run, but its result failed the server's own check (a
    /// redaction that still shows a face or readable PHI), so nothing is returned.
    #[error("{message}")]
    Unprocessable {
        /// What was checked and what remained.
        message: String,
        /// Stable code.
        code: &'static str,
    },
    /// The work took longer than its time limit.
    #[error("{0}")]
    Timeout(String),
    /// Anything else: logged in full, reported vaguely.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A 400 with a message and the offending parameter.
    pub fn bad_request(message: impl Into<String>, param: impl Into<Option<String>>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            param: param.into(),
            code: "invalid_request",
        }
    }

    /// A 400 with a specific code.
    pub fn invalid(code: &'static str, message: impl Into<String>, param: Option<String>) -> Self {
        ApiError::BadRequest {
            message: message.into(),
            param,
            code,
        }
    }

    /// Wraps any internal failure.
    pub fn internal(error: impl std::fmt::Display) -> Self {
        ApiError::Internal(error.to_string())
    }

    /// What the error body would say: an execution that fails reports this
    /// in `usage.message`.
    pub(crate) fn client_message(&self) -> String {
        let (status, ..) = self.classify();
        self.public_message(status)
    }

    fn classify(&self) -> (StatusCode, &'static str, Option<String>, &'static str) {
        match self {
            ApiError::BadRequest { param, code, .. } => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                param.clone(),
                code,
            ),
            ApiError::Unauthorized(_) => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                None,
                "invalid_api_key",
            ),
            ApiError::Forbidden(_) => {
                (StatusCode::FORBIDDEN, "permission_error", None, "forbidden")
            }
            ApiError::RateLimited { code, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                None,
                code,
            ),
            ApiError::InsufficientStorage(_) => (
                StatusCode::INSUFFICIENT_STORAGE,
                "server_error",
                None,
                "insufficient_storage",
            ),
            ApiError::Store(StoreError::Io(error))
                if error.kind() == std::io::ErrorKind::StorageFull =>
            {
                (
                    StatusCode::INSUFFICIENT_STORAGE,
                    "server_error",
                    None,
                    "insufficient_storage",
                )
            }
            ApiError::NotFound { param, code, .. } => (
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                param.clone(),
                code,
            ),
            ApiError::TooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                None,
                "body_too_large",
            ),
            ApiError::UnsupportedMedia(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "invalid_request_error",
                None,
                "unsupported_media",
            ),
            ApiError::Fetch { param, code, .. } => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                param.clone(),
                code,
            ),
            ApiError::NotConfigured(_) => (
                StatusCode::NOT_IMPLEMENTED,
                "invalid_request_error",
                None,
                "not_configured",
            ),
            ApiError::Upstream { .. } => (
                StatusCode::BAD_GATEWAY,
                "server_error",
                None,
                "provider_failed",
            ),
            ApiError::Unprocessable { code, .. } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request_error",
                None,
                code,
            ),
            ApiError::Timeout(_) => (StatusCode::GATEWAY_TIMEOUT, "server_error", None, "timeout"),
            ApiError::Store(StoreError::Unavailable { .. }) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "server_error",
                None,
                "storage_unavailable",
            ),
            ApiError::Store(error) if error.is_not_found() => (
                StatusCode::NOT_FOUND,
                "invalid_request_error",
                None,
                error.code(),
            ),
            ApiError::Store(StoreError::QuotaExceeded {
                scope: vitrine_store::QuotaScope::Session,
                ..
            }) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                None,
                "session_too_large",
            ),
            ApiError::Store(StoreError::QuotaExceeded {
                scope: vitrine_store::QuotaScope::Tenant,
                ..
            }) => (
                StatusCode::INSUFFICIENT_STORAGE,
                "insufficient_quota",
                None,
                "tenant_quota_exceeded",
            ),
            ApiError::Store(StoreError::TooLarge { .. }) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "invalid_request_error",
                None,
                "body_too_large",
            ),
            ApiError::Store(error) if error.is_client_error() => (
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                None,
                error.code(),
            ),
            ApiError::Store(_) | ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                None,
                "internal_error",
            ),
        }
    }

    /// The message a client may see: 5xx details stay in the logs, except
    /// where the message is written for the caller (timeouts, missing or failing providers).
    fn public_message(&self, status: StatusCode) -> String {
        if let ApiError::Upstream { message, .. } = self {
            message.clone()
        } else if let ApiError::Store(StoreError::QuotaExceeded { scope, .. }) = self {
            let setting = match scope {
                vitrine_store::QuotaScope::Session => {
                    "--max-session-mb; start a new session or delete artifacts of this one"
                }
                vitrine_store::QuotaScope::Tenant => {
                    "--tenant-quota-mb; delete files or sessions to make room"
                }
            };
            format!("{self} (the server's {setting})")
        } else if status == StatusCode::INSUFFICIENT_STORAGE
            && !matches!(self, ApiError::InsufficientStorage(_))
        {
            "the server's disk filled up during this request; nothing was kept, retry later".into()
        } else if let ApiError::Store(StoreError::Unavailable { service, .. }) = self {
            format!("{service} is unavailable right now; nothing was stored, retry shortly")
        } else if status.is_server_error()
            && !matches!(
                self,
                ApiError::NotConfigured(_)
                    | ApiError::Timeout(_)
                    | ApiError::InsufficientStorage(_)
            )
        {
            "the server failed to handle this request; it has been logged, retry later".into()
        } else {
            self.to_string()
        }
    }
}

/// Seconds a client should wait before retrying a 503 (object storage or the database away).
const RETRY_AFTER_SECS: &str = "2";

/// The unavailable service somewhere in `error`'s chain (a tool that could not store its
/// output, say), so that it answers 503 like the store itself would.
fn unavailable_cause(error: &(dyn std::error::Error + 'static)) -> Option<StoreError> {
    let mut current = Some(error);
    while let Some(error) = current {
        if let Some(StoreError::Unavailable { service, detail }) =
            error.downcast_ref::<StoreError>()
        {
            return Some(StoreError::Unavailable {
                service,
                detail: detail.clone(),
            });
        }
        current = error.source();
    }
    None
}

/// A storage limit a tool's write met (its output would take the session or tenant past its
/// quota, or the disk filled), so it answers 413 or 507 naming the setting like an input
/// would, not 400. The executor has deleted what the plan stored.
fn storage_limit(error: &vitrine_agent::AgentError) -> Option<StoreError> {
    match error.store_error()? {
        StoreError::QuotaExceeded {
            scope,
            limit,
            stored,
            adding,
        } => Some(StoreError::QuotaExceeded {
            scope: *scope,
            limit: *limit,
            stored: *stored,
            adding: *adding,
        }),
        StoreError::Io(io) if io.kind() == std::io::ErrorKind::StorageFull => Some(StoreError::Io(
            std::io::Error::new(io.kind(), io.to_string()),
        )),
        _ => None,
    }
}

impl From<vitrine_agent::AgentError> for ApiError {
    fn from(error: vitrine_agent::AgentError) -> Self {
        if let Some(unavailable) = unavailable_cause(&error) {
            return ApiError::Store(unavailable);
        }
        if let Some(limit) = storage_limit(&error) {
            return ApiError::Store(limit);
        }
        match error {
            vitrine_agent::AgentError::Store(store) => ApiError::Store(store),
            error if error.code() == "not_configured" => ApiError::NotConfigured(error.to_string()),
            error if error.code() == "provider_failed" => ApiError::Upstream {
                message: error.public_message(),
                detail: error.to_string(),
            },
            // `vitrine_tools::REDACTION_UNVERIFIED` (the tools crate is not a dependency here).
            error if error.code() == "redaction_unverified" => ApiError::Unprocessable {
                message: error.public_message(),
                code: "redaction_unverified",
            },
            error @ vitrine_agent::AgentError::Timeout { .. } => {
                // A step's limit is the server's `--tool-timeout`.
                let setting = if error.to_string().starts_with("step ") {
                    " (--tool-timeout)"
                } else {
                    ""
                };
                ApiError::Timeout(format!("{error}{setting}"))
            }
            // The frame limit is the server's `--max-frames`.
            error if error.code() == "too-many-frames" => ApiError::BadRequest {
                message: format!("{error} (--max-frames)"),
                param: error.param().map(str::to_owned),
                code: "too_many_frames",
            },
            error if error.is_client_error() => ApiError::BadRequest {
                message: error.to_string(),
                param: error.param().map(str::to_owned),
                code: error.code(),
            },
            error => ApiError::Internal(error.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, kind, param, code) = self.classify();
        if status.is_server_error() {
            tracing::error!(error = ?self, "request failed");
        } else {
            tracing::debug!(error = %self, %status, "request refused");
        }
        let body = ErrorBody {
            error: ErrorObject {
                message: self.public_message(status),
                kind: kind.into(),
                param,
                code: Some(code.into()),
                id: crate::observe::request_id(),
            },
        };
        let mut response = (status, Json(body)).into_response();
        if let ApiError::RateLimited { retry_after, .. } = &self {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(retry_after.as_secs().max(1)),
            );
        } else if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response.extensions_mut().insert(Arc::new(self.to_string()));
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_unverified_redaction_is_a_422_that_says_what_remains() {
        let error = ApiError::from(vitrine_agent::AgentError::Tool {
            step: "s1".to_owned(),
            tool: "blur_faces".to_owned(),
            source: Box::new(vitrine_tools::ToolError::RedactionUnverified {
                remaining: "1 face still detected (at 199,85–290,203)".to_owned(),
                passes: 3,
            }),
        });
        let response = error.into_response();
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
            .await
            .expect("body");
        let body: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        assert_eq!(body["error"]["code"], vitrine_tools::REDACTION_UNVERIFIED);
        assert_eq!(body["error"]["type"], "invalid_request_error");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(
            message.starts_with("step `s1` (`blur_faces`) failed: the redaction could not be verified: 1 face still detected (at 199,85–290,203) after 3 redaction passes"),
            "{message}"
        );
    }
}
