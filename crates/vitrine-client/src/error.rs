//! [`ClientError`]: everything a call can fail with, classified so callers
//! match on a variant instead of on status codes.
//!
//! HTTP failures carry the server's OpenAI error envelope
//! (`{"error": {"message", "type", "param", "code"}}`) as an [`ApiError`]; the
//! `{"detail": "..."}` form some Orion servers use is read too, as the
//! `vlmrun` SDK does.

use std::path::PathBuf;

use reqwest::StatusCode;
use vitrine_wire::ErrorBody;

/// What the server said about a failed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status (for an error sent inside a stream, the status of the stream, 200).
    pub status: u16,
    /// The server's sentence about what was wrong and what to fix.
    pub message: String,
    /// OpenAI's error class, e.g. `invalid_request_error`.
    pub kind: Option<String>,
    /// A stable machine-readable code, e.g. `artifact_not_found`.
    pub code: Option<String>,
    /// The request field at fault, e.g. `session_id`.
    pub param: Option<String>,
}

impl ApiError {
    /// Reads an error body. Falls back to `{"detail": ...}` and then to the raw
    /// text, so a proxy's HTML error page still yields a message.
    pub(crate) fn from_body(status: u16, body: &[u8]) -> Self {
        if let Ok(envelope) = serde_json::from_slice::<ErrorBody>(body) {
            return ApiError {
                status,
                message: envelope.error.message,
                kind: Some(envelope.error.kind),
                code: envelope.error.code,
                param: envelope.error.param,
            };
        }
        let value: Option<serde_json::Value> = serde_json::from_slice(body).ok();
        let detail = value.as_ref().and_then(|value| {
            value
                .pointer("/error/message")
                .or_else(|| value.get("detail"))
                .and_then(serde_json::Value::as_str)
        });
        let message = match detail {
            Some(detail) => detail.to_owned(),
            None => {
                let text = String::from_utf8_lossy(body);
                let text = text.trim();
                if text.is_empty() {
                    StatusCode::from_u16(status)
                        .ok()
                        .and_then(|status| status.canonical_reason())
                        .unwrap_or("request failed")
                        .to_owned()
                } else {
                    text.chars().take(500).collect()
                }
            }
        };
        ApiError {
            status,
            message,
            kind: None,
            code: None,
            param: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} (HTTP {}", self.message, self.status)?;
        if let Some(param) = &self.param {
            write!(f, ", param `{param}`")?;
        }
        if let Some(code) = &self.code {
            write!(f, ", code `{code}`")?;
        }
        f.write_str(")")
    }
}

/// Everything a client call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// 400 or 422: the request was malformed; `param` usually names the field.
    #[error("bad request: {0}")]
    BadRequest(ApiError),
    /// 401 or 403: the API key is missing, wrong, or not allowed here.
    #[error("unauthorized: {0}")]
    Unauthorized(ApiError),
    /// 404: no such model, file, session or artifact (or it expired).
    #[error("not found: {0}")]
    NotFound(ApiError),
    /// 413: the body or upload is over the server's limit.
    #[error("payload too large: {0}")]
    PayloadTooLarge(ApiError),
    /// 429: too many requests (retried first, see [`crate::RetryPolicy`]).
    #[error("rate limited: {0}")]
    RateLimited(ApiError),
    /// 5xx: the server failed (502 and 503 are retried first, see [`crate::RetryPolicy`]).
    #[error("server error: {0}")]
    Server(ApiError),
    /// Any other non-success status (e.g. 408, 409).
    #[error("request failed: {0}")]
    Api(ApiError),
    /// The server reported a failure in the middle of a streamed answer.
    #[error("the stream reported an error: {0}")]
    Stream(ApiError),
    /// The request did not finish within the configured timeout.
    #[error("the request to `{url}` timed out")]
    Timeout {
        /// The URL that timed out.
        url: String,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// Connecting, sending or receiving failed below HTTP.
    #[error("could not talk to the server: {0}")]
    Transport(#[source] reqwest::Error),
    /// The server answered 2xx with something this client cannot read.
    #[error("unexpected response from `{endpoint}`: {detail}")]
    InvalidResponse {
        /// The endpoint, e.g. `GET /artifacts`.
        endpoint: String,
        /// What was wrong.
        detail: String,
    },
    /// An argument was rejected before anything was sent.
    #[error("invalid `{param}`: {message}")]
    InvalidArgument {
        /// The argument at fault.
        param: &'static str,
        /// Why.
        message: String,
    },
    /// Reading or writing a local file failed.
    #[error("cannot {action} `{}`: {source}", path.display())]
    Io {
        /// What was being done (`read`, `write`, `create`).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// An image artifact's bytes did not decode.
    #[error("artifact `{object_id}` is not a decodable image: {source}")]
    Image {
        /// The artifact id.
        object_id: String,
        /// The decoder's error.
        #[source]
        source: image::ImageError,
    },
    /// A structured answer did not deserialize into the requested type.
    #[error("the answer does not match the requested type `{type_name}`: {source}")]
    Parse {
        /// The Rust type asked for.
        type_name: &'static str,
        /// serde's error, with line and column.
        #[source]
        source: serde_json::Error,
    },
}

impl ClientError {
    /// Builds the variant for a non-success status and its body.
    pub(crate) fn from_status(status: u16, body: &[u8]) -> Self {
        let error = ApiError::from_body(status, body);
        match status {
            400 | 422 => ClientError::BadRequest(error),
            401 | 403 => ClientError::Unauthorized(error),
            404 => ClientError::NotFound(error),
            413 => ClientError::PayloadTooLarge(error),
            429 => ClientError::RateLimited(error),
            500..=599 => ClientError::Server(error),
            _ => ClientError::Api(error),
        }
    }

    /// Wraps a transport error, telling timeouts apart.
    pub(crate) fn transport(url: &str, error: reqwest::Error) -> Self {
        if error.is_timeout() {
            ClientError::Timeout {
                url: url.to_owned(),
                source: error,
            }
        } else {
            ClientError::Transport(error)
        }
    }

    /// The server's error details, for every variant that has them.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::BadRequest(error)
            | ClientError::Unauthorized(error)
            | ClientError::NotFound(error)
            | ClientError::PayloadTooLarge(error)
            | ClientError::RateLimited(error)
            | ClientError::Server(error)
            | ClientError::Api(error)
            | ClientError::Stream(error) => Some(error),
            _ => None,
        }
    }

    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|error| error.status)
    }

    /// Whether any request, even one that is not idempotent (a chat), may be
    /// sent again: the connection failed before a response, or the server
    /// said it did not take the request (429, 502, 503). Never other 4xx, 500
    /// (it may have acted), 501 (a provider is missing) or 504 (the work
    /// timed out): repeating those only delays the same answer.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::RateLimited(_) => true,
            ClientError::Server(error) => matches!(error.status, 502 | 503),
            ClientError::Transport(error) => error.is_connect(),
            _ => false,
        }
    }

    /// Whether an idempotent request (GET, PUT, DELETE) may be sent again:
    /// as [`ClientError::is_retryable`], and also after a client-side timeout
    /// or a connection that broke mid-request, since repeating it changes
    /// nothing on the server.
    pub fn is_retryable_if_idempotent(&self) -> bool {
        self.is_retryable()
            || match self {
                ClientError::Timeout { .. } => true,
                ClientError::Transport(error) => error.is_request() || error.is_body(),
                _ => false,
            }
    }

    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        ClientError::Io {
            action,
            path: path.into(),
            source,
        }
    }
}
