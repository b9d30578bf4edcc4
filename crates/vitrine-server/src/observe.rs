//! Request ids and the access log.
//!
//! Every request gets an id: the caller's `X-Request-Id` when it is a short
//! token, else a fresh `req_…`. The id is echoed as `X-Request-Id`, written
//! into every error body as `error.id` (the `vlmrun` SDK reports that field),
//! and carried by the `request` span, so each log line of the request names it.
//! The id lives in a task-local rather than in the request, because errors are
//! turned into responses far from any request (`ApiError::into_response`).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::Instrument as _;
use vitrine_wire::{ErrorBody, ErrorObject, random_hex};

use crate::AppState;

/// The header that carries the request id both ways.
pub(crate) const REQUEST_ID: &str = "x-request-id";

tokio::task_local! {
    static CURRENT: Arc<str>;
}

/// The id of the request this task serves, if any.
pub(crate) fn request_id() -> Option<String> {
    CURRENT.try_with(|id| id.to_string()).ok()
}

/// `future` with this request's id, for work a handler spawns on another task.
pub(crate) fn in_this_request<F: Future>(future: F) -> impl Future<Output = F::Output> {
    let id = CURRENT.try_with(Arc::clone).ok();
    async move {
        match id {
            Some(id) => CURRENT.scope(id, future).await,
            None => future.await,
        }
    }
}

/// A caller's id is kept only if it is a plain token, so it cannot forge log
/// lines or headers.
fn accepted(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// The outermost layer: id, span, access log line, metrics, and a JSON error
/// body for the few failures that do not come from [`crate::ApiError`] (axum's
/// own rejections, the timeout layer).
pub(crate) async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id: Arc<str> = request
        .headers()
        .get(REQUEST_ID)
        .and_then(|value| value.to_str().ok())
        .filter(|value| accepted(value))
        .map_or_else(|| format!("req_{}", random_hex(12)).into(), Arc::from);
    let method = request.method().clone();
    // The route template, not the path: ids in paths would make every line unique.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let span = tracing::info_span!("request", id = %id, method = %method, route = %route);
    let response = CURRENT
        .scope(Arc::clone(&id), next.run(request).instrument(span.clone()))
        .await;
    let mut response = if response.status().is_client_error() || response.status().is_server_error()
    {
        CURRENT
            .scope(Arc::clone(&id), as_json_error(response))
            .await
    } else {
        response
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .request(method.as_str(), &route, status, elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "vitrine::access",
            status,
            ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
            bytes = response
                .headers()
                .get(header::CONTENT_LENGTH)
                .and_then(|value| value.to_str().ok())
                .unwrap_or("-"),
            "{method} {route} {status}"
        );
    });
    response
}

/// Routes that send back bytes a caller uploaded or a tool made: a browser
/// must never run them as a page (an SVG or HTML upload with script in it).
const DOWNLOADS: [&str; 3] = [
    "/v1/artifacts",
    "/v1/files/{file_id}/content",
    "/v1/skills/download/{token}",
];

/// `nosniff` everywhere; on downloads also a Content-Security-Policy that
/// forbids every kind of active content and sandboxes the document.
pub(crate) async fn security_headers(request: Request, next: Next) -> Response {
    let download = request
        .extensions()
        .get::<MatchedPath>()
        .is_some_and(|path| DOWNLOADS.contains(&path.as_str()));
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if download {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; sandbox"),
        );
    }
    response
}

/// CORS for browser clients, from `--cors-origins`; without origins no CORS
/// headers are sent and browsers keep to the same origin.
pub(crate) fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let allow = if origins.iter().any(|origin| origin == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin.trim_end_matches('/')).ok()),
        )
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                HeaderName::from_static(REQUEST_ID),
            ])
            .expose_headers([
                HeaderName::from_static(REQUEST_ID),
                header::RETRY_AFTER,
                header::CONTENT_DISPOSITION,
            ])
            .max_age(Duration::from_secs(600)),
    )
}

/// Rewrites a non-JSON error response (axum's text rejections, the timeout
/// layer's empty 408) into the OpenAI error envelope with the request id.
async fn as_json_error(response: Response) -> Response {
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if is_json {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text).trim().to_owned();
    let status = parts.status;
    let message = match (status, text.is_empty()) {
        (StatusCode::REQUEST_TIMEOUT, _) => {
            "the request took longer than the server's time limit (--request-timeout)".to_owned()
        }
        (_, false) => text,
        (_, true) => status
            .canonical_reason()
            .unwrap_or("request failed")
            .to_owned(),
    };
    let body = ErrorBody {
        error: ErrorObject {
            message,
            kind: if status.is_server_error() {
                "server_error"
            } else {
                "invalid_request_error"
            }
            .into(),
            param: None,
            code: Some(
                match status {
                    StatusCode::REQUEST_TIMEOUT => "timeout",
                    StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
                    StatusCode::TOO_MANY_REQUESTS => "rate_limited",
                    _ if status.is_server_error() => "internal_error",
                    _ => "invalid_request",
                }
                .into(),
            ),
            id: request_id(),
        },
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    let mut json = axum::Json(body).into_response();
    *json.status_mut() = status;
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE {
            json.headers_mut().insert(name.clone(), value.clone());
        }
    }
    json
}

#[cfg(test)]
mod tests {
    use super::accepted;

    #[test]
    fn only_plain_tokens_are_taken_from_the_caller() {
        assert!(accepted("req_0123abcd"));
        assert!(accepted("2f1c-44:trace.7"));
        assert!(!accepted(""));
        assert!(!accepted("a b"));
        assert!(!accepted("evil\r\nSet-Cookie: x"));
        assert!(!accepted(&"a".repeat(65)));
    }
}
