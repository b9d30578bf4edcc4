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

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::{Extension, Router};
use tower_http::timeout::TimeoutLayer;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::{ApiError, AppState};

/// The whole API, ready to serve, with its OpenAPI document at `/openapi.json`.
pub fn router(state: AppState) -> Router {
    let limits = state.config.limits.clone();
    // Registered through `routes!`, every route is in the document (see `openapi`).
    let (uploads, upload_docs) = OpenApiRouter::new()
        .routes(routes!(files::upload, files::list))
        .routes(routes!(files::put_presigned))
        .split_for_parts();
    let (api, mut document) = OpenApiRouter::with_openapi(crate::openapi::ApiDoc::openapi())
        .routes(routes!(crate::openapi::serve))
        .routes(routes!(health::health))
        .routes(routes!(health::health_v1))
        .routes(routes!(health::ready))
        .routes(routes!(crate::metrics::serve))
        .routes(routes!(models::list_vlmrun))
        .routes(routes!(models::list_openai))
        .routes(routes!(chat::completions))
        .routes(routes!(chat::completions_openai))
        .routes(routes!(executions::execute))
        .routes(routes!(executions::list))
        .routes(routes!(executions::get))
        .routes(routes!(executions::cancel))
        .routes(routes!(executions::events))
        .routes(routes!(executions::deliveries))
        .routes(routes!(files::presigned_url))
        .routes(routes!(files::verify_upload))
        .routes(routes!(files::by_hash))
        .routes(routes!(files::get, files::delete))
        .routes(routes!(files::content))
        .routes(routes!(artifacts::get, artifacts::delete))
        .routes(routes!(artifacts::list))
        .routes(routes!(playground::sign))
        .routes(routes!(playground::get_signed))
        .routes(routes!(playground::index))
        .routes(routes!(playground::asset))
        .routes(routes!(skills::list))
        .routes(routes!(skills::lookup_by_name))
        .routes(routes!(skills::create))
        .routes(routes!(skills::download))
        .routes(routes!(skills::get))
        .routes(routes!(skills::update))
        .routes(routes!(skills::download_link))
        .routes(routes!(usage::report))
        .routes(routes!(artifacts::delete_session))
        .split_for_parts();
    document.merge(upload_docs);
    // Serialising a document built from static annotations cannot fail.
    let document = Arc::new(document.to_pretty_json().unwrap_or_default());
    let uploads = uploads
        // Uploads stream to disk under their own, larger limit.
        .layer(DefaultBodyLimit::max(
            usize::try_from(limits.max_upload_bytes).unwrap_or(usize::MAX),
        ));
    let api = api
        .layer(DefaultBodyLimit::max(
            usize::try_from(limits.max_request_bytes).unwrap_or(usize::MAX),
        ))
        .merge(uploads)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(Extension(document))
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
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
