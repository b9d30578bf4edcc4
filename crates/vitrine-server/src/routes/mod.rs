//! The HTTP surface: one file per route group.

mod artifacts;
pub(crate) mod chat;
mod executions;
mod files;
mod health;
mod models;
mod playground;
mod skills;
mod usage;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{delete, get, post, put};
use tower_http::timeout::TimeoutLayer;

use crate::{ApiError, AppState};

/// The whole API, ready to serve.
pub fn router(state: AppState) -> Router {
    let limits = state.config.limits.clone();
    let uploads = Router::new()
        .route("/v1/files", post(files::upload).get(files::list))
        .route("/v1/files/upload/{file_id}", put(files::put_presigned))
        // Uploads stream to disk under their own, larger limit.
        .layer(DefaultBodyLimit::max(
            usize::try_from(limits.max_upload_bytes).unwrap_or(usize::MAX),
        ));
    let api = Router::new()
        .route("/v1/health", get(health::health))
        .route("/health", get(health::health))
        .route("/v1/ready", get(health::ready))
        .route("/metrics", get(crate::metrics::serve))
        .route("/v1/models", get(models::list_vlmrun))
        .route("/v1/openai/models", get(models::list_openai))
        .route("/v1/chat/completions", post(chat::completions))
        .route("/v1/openai/chat/completions", post(chat::completions))
        .route("/v1/agent/execute", post(executions::execute))
        .route("/v1/agent/executions", get(executions::list))
        .route("/v1/agent/executions/{execution_id}", get(executions::get))
        .route(
            "/v1/agent/executions/{execution_id}/cancel",
            post(executions::cancel),
        )
        .route(
            "/v1/agent/executions/{execution_id}/events",
            get(executions::events),
        )
        .route(
            "/v1/agent/executions/{execution_id}/deliveries",
            get(executions::deliveries),
        )
        .route("/v1/files/presigned-url", post(files::presigned_url))
        .route(
            "/v1/files/verify-upload/{file_id}",
            get(files::verify_upload),
        )
        .route("/v1/files/hash/{md5}", get(files::by_hash))
        .route("/v1/files/{file_id}", get(files::get).delete(files::delete))
        .route("/v1/files/{file_id}/content", get(files::content))
        .route(
            "/v1/artifacts",
            get(artifacts::get).delete(artifacts::delete),
        )
        .route("/v1/artifacts/list", get(artifacts::list))
        .route("/v1/artifacts/signed-urls", post(playground::sign))
        .route(
            "/v1/artifacts/signed/{session_id}/{object_id}",
            get(playground::get_signed),
        )
        .route("/", get(playground::index))
        .route("/playground/{name}", get(playground::asset))
        .route("/v1/skills", get(skills::list))
        .route("/v1/skills/lookup", post(skills::lookup_by_name))
        .route("/v1/skills/create", post(skills::create))
        .route("/v1/skills/download/{token}", get(skills::download))
        .route("/v1/skills/{skill_id}", get(skills::get))
        .route("/v1/skills/{skill_id}/update", post(skills::update))
        .route("/v1/skills/{skill_id}/download", get(skills::download_link))
        .route("/v1/usage", get(usage::report))
        .route(
            "/v1/sessions/{session_id}",
            delete(artifacts::delete_session),
        )
        .layer(DefaultBodyLimit::max(
            usize::try_from(limits.max_request_bytes).unwrap_or(usize::MAX),
        ))
        .merge(uploads)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), crate::limits::disk_floor))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            limits.request_timeout,
        ));
    let api = match crate::observe::cors(&state.config.cors_origins) {
        Some(cors) => api.layer(cors),
        None => api,
    };
    api.layer(from_fn(crate::observe::security_headers))
        .layer(from_fn_with_state(state.clone(), crate::observe::layer))
        .with_state(state)
}

/// Names the method and path, so a caller of an endpoint Vitrine does not
/// implement learns exactly that.
/// `?skip=&limit=` of the list endpoints that page the OpenAI way (files, executions).
#[derive(Debug, serde::Deserialize)]
struct Paging {
    #[serde(default)]
    skip: usize,
    #[serde(default = "default_page")]
    limit: usize,
}

fn default_page() -> usize {
    10
}

/// Refuses a page size outside 1..=1000, naming the parameter.
fn check_limit(limit: usize) -> Result<(), ApiError> {
    if limit == 0 || limit > 1000 {
        return Err(ApiError::bad_request(
            "`limit` must be between 1 and 1000",
            Some("limit".to_owned()),
        ));
    }
    Ok(())
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::NotFound {
        message: format!(
            "no such endpoint: {method} {}; Vitrine does not implement it (see the API table in README.md)",
            uri.path()
        ),
        param: None,
        code: "unknown_endpoint",
    }
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::invalid(
        "method_not_allowed",
        format!("`{method}` is not supported on `{}`", uri.path()),
        None,
    )
}
