//! `GET /openapi.json`: the OpenAPI 3.1 document of this server.
//!
//! It is generated from the handlers: each carries a `#[utoipa::path]` with its method, path,
//! parameters and responses, and the router registers every handler through utoipa-axum's
//! `routes!`, which both routes it and adds its operation to the document. A route cannot be
//! served without being documented, nor documented without being served.

use std::sync::Arc;

use axum::Extension;
use axum::http::header;
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi, ToSchema};
use vitrine_wire::ErrorBody;

/// The document's fixed parts; the paths come from the router.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vitrine",
        description = "Orion/OpenAI-compatible visual agent server. Every route needs `Authorization: Bearer <key>` unless its operation says `security: [{}]`."
    ),
    modifiers(&BearerKey),
    components(schemas(ErrorBody))
)]
pub(crate) struct ApiDoc;

/// API keys are bearer tokens; every operation needs one unless it opts out.
struct BearerKey;

impl Modify for BearerKey {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        components.add_security_scheme(
            "metrics_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "api_key",
            Vec::<String>::new(),
        )]);
    }
}

/// The failures every route may answer, in OpenAI's error shape; the status and `code` say
/// which (see `error.rs`).
#[derive(IntoResponses)]
#[expect(dead_code, reason = "a description for the document, never built")]
pub(crate) enum Errors {
    /// The request is wrong: bad input (400), no or wrong key (401), not allowed (403), not
    /// found (404), over a size limit (413), unsupported media (415), a failed check (422),
    /// over a rate or concurrency limit (429, with `Retry-After`).
    #[response(status = "4XX")]
    Client(ErrorBody),
    /// The server could not do it: internal (500), provider failed (502), not configured (501),
    /// storage unavailable (503), timeout (504), disk or quota full (507).
    #[response(status = "5XX")]
    Server(ErrorBody),
}

/// `GET /health`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct Health {
    /// Always `ok`.
    pub(crate) status: &'static str,
    /// The server's version.
    pub(crate) version: &'static str,
}

/// `GET /openapi.json`: this document.
#[utoipa::path(get, path = "/openapi.json", tag = "meta", security(()),
    responses((status = 200, description = "The OpenAPI 3.1 document of this server", content_type = "application/json")))]
pub(crate) async fn serve(Extension(document): Extension<Arc<String>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        document.as_str().to_owned(),
    )
}
