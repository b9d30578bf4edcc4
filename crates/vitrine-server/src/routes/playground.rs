//! The web playground at `/` and the signed artifact URLs it loads media through.
//!
//! The page's files are built from `web/` (see `web/README.md`) into
//! `crates/vitrine-server/playground/` and embedded here at compile time, so the
//! binary serves them without Node or the network. The page keeps the API key in
//! session storage and sends it as a Bearer header; media elements cannot, so it
//! asks `POST /v1/artifacts/signed-urls` for short-lived URLs
//! ([`crate::signed`]) and loads those, with single-range requests for video.

use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;
use vitrine_wire::{ArtifactId, SessionId};

use crate::auth::Tenant;
use crate::json::AppJson;
use crate::signed;
use crate::{ApiError, AppState};

/// One embedded file of the page.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: [Asset; 4] = [
    Asset {
        name: "index.html",
        content_type: "text/html; charset=utf-8",
        bytes: include_bytes!("../../playground/index.html"),
    },
    Asset {
        name: "app.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../playground/app.js"),
    },
    Asset {
        name: "app.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../playground/app.css"),
    },
    Asset {
        name: "splat.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../playground/splat.js"),
    },
];

/// Everything the page loads comes from this server. The splat renderer runs its
/// decoder in a blob-URL worker with WebAssembly, hence `blob:` and `wasm-unsafe-eval`.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
    worker-src 'self' blob:; img-src 'self' blob: data:; media-src 'self' blob:; \
    connect-src 'self' blob: data:; style-src 'self'; frame-src 'self'; object-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn etag(asset: &Asset) -> &'static str {
    static TAGS: OnceLock<Vec<String>> = OnceLock::new();
    let tags = TAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|asset| {
                let digest = Sha256::digest(asset.bytes);
                let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
                format!("\"{hex}\"")
            })
            .collect()
    });
    let index = ASSETS
        .iter()
        .position(|candidate| candidate.name == asset.name)
        .unwrap_or_default();
    tags[index].as_str()
}

fn serve_asset(asset: &Asset, headers: &HeaderMap) -> Response {
    let tag = etag(asset);
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|value| value.as_bytes() == tag.as_bytes())
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, asset.content_type)],
            Body::from(asset.bytes),
        )
            .into_response()
    };
    let out = response.headers_mut();
    out.insert(header::ETAG, HeaderValue::from_static(tag));
    // Revalidated on every load, so a new binary's page is never mixed with old scripts.
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    out.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    out.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_POLICY),
    );
    out.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// `GET /`: the page.
#[utoipa::path(get, path = "/", tag = "playground", security(()), responses((status = 200, description = "The web playground", content_type = "text/html")))]
pub(super) async fn index(headers: HeaderMap) -> Response {
    serve_asset(&ASSETS[0], &headers)
}

/// `GET /playground/{name}`: its scripts and styles.
#[utoipa::path(get, path = "/playground/{name}", tag = "playground", security(()), params(("name" = String, Path, description = "A script or stylesheet of the playground")), responses((status = 200, description = "The asset"), crate::openapi::Errors))]
pub(super) async fn asset(
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    ASSETS
        .iter()
        .find(|asset| asset.name == name)
        .map(|asset| serve_asset(asset, &headers))
        .ok_or_else(|| ApiError::NotFound {
            message: format!("the playground has no file `{name}`"),
            param: None,
            code: "not_found",
        })
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default()
}

fn parse_session(raw: &str) -> Result<SessionId, ApiError> {
    raw.parse().map_err(|error: vitrine_wire::IdError| {
        ApiError::bad_request(error.to_string(), Some("session_id".to_owned()))
    })
}

fn parse_object(raw: &str) -> Result<ArtifactId, ApiError> {
    raw.parse().map_err(|error: vitrine_wire::IdError| {
        ApiError::bad_request(error.to_string(), Some("object_id".to_owned()))
    })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SignRequest {
    session_id: String,
    /// The artifacts to sign; all of the session's when absent.
    #[serde(default)]
    object_ids: Option<Vec<String>>,
    /// Seconds the URLs live, 30..=3600 (default 900); never past the artifact's own expiry.
    #[serde(default)]
    ttl_seconds: Option<u64>,
}

/// `POST /v1/artifacts/signed-urls`: short-lived URLs for a session's artifacts.
#[utoipa::path(post, path = "/v1/artifacts/signed-urls", tag = "artifacts", request_body = SignRequest, responses((status = 200, description = "`{urls: {id: {url, expires_at}}}`", body = Object), crate::openapi::Errors))]
pub(super) async fn sign(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    AppJson(request): AppJson<SignRequest>,
) -> Result<Json<Value>, ApiError> {
    let ttl = request.ttl_seconds.unwrap_or(signed::DEFAULT_TTL);
    if !(signed::TTL_RANGE.0..=signed::TTL_RANGE.1).contains(&ttl) {
        return Err(ApiError::bad_request(
            format!(
                "`ttl_seconds` must be between {} and {}",
                signed::TTL_RANGE.0,
                signed::TTL_RANGE.1
            ),
            Some("ttl_seconds".to_owned()),
        ));
    }
    let session = parse_session(&request.session_id)?;
    let artifacts = match &request.object_ids {
        None => state.store.list(&tenant, &session).await?,
        Some(ids) => {
            if ids.len() > 1000 {
                return Err(ApiError::bad_request(
                    "`object_ids` holds more than 1000 ids",
                    Some("object_ids".to_owned()),
                ));
            }
            let mut artifacts = Vec::with_capacity(ids.len());
            for id in ids {
                let id = parse_object(id)?;
                artifacts.push(state.store.artifact(&tenant, &session, &id).await?);
            }
            artifacts
        }
    };
    let deadline = now() + ttl;
    let mut urls = Map::new();
    for artifact in &artifacts {
        let expires = deadline.min(artifact.expires_at);
        urls.insert(
            artifact.id.to_string(),
            json!({
                "url": signed::path(&tenant, session.as_str(), artifact.id.as_str(), expires),
                "expires_at": expires,
            }),
        );
    }
    Ok(Json(json!({
        "object": "signed_urls",
        "session_id": session,
        "urls": urls,
    })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct SignedQuery {
    tenant: String,
    expires: u64,
    signature: String,
    /// `1` to download (`attachment`) instead of showing inline.
    #[serde(default)]
    download: Option<u8>,
}

/// A single `bytes=` range, resolved against `size`. `None`: serve the whole
/// body (no header, or one this minimal parser does not take, like several
/// ranges, which RFC 9110 lets a server ignore). `Err`: unsatisfiable.
fn byte_range(headers: &HeaderMap, size: u64) -> Option<Result<(u64, u64), ()>> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (first, last) = spec.trim().split_once('-')?;
    let range = if first.is_empty() {
        let suffix: u64 = last.parse().ok()?;
        if suffix == 0 {
            return Some(Err(()));
        }
        (size.saturating_sub(suffix), size.checked_sub(1)?)
    } else {
        let start: u64 = first.parse().ok()?;
        let end = if last.is_empty() {
            size.saturating_sub(1)
        } else {
            let end: u64 = last.parse().ok()?;
            if end < start {
                return None;
            }
            end.min(size.saturating_sub(1))
        };
        if start >= size {
            return Some(Err(()));
        }
        (start, end)
    };
    Some(Ok(range))
}

/// `GET /v1/artifacts/signed/{session_id}/{object_id}`: the bytes, authorised by
/// the URL's signature instead of a key.
#[utoipa::path(get, path = "/v1/artifacts/signed/{session_id}/{object_id}", tag = "artifacts", security(()), params(("session_id" = String, Path, description = "The session"), ("object_id" = String, Path, description = "The artifact"), SignedQuery, ("Range" = Option<String>, Header, description = "One `bytes=` range")), responses((status = 200, description = "The bytes", content_type = "application/octet-stream"), (status = 206, description = "The requested range"), crate::openapi::Errors))]
pub(super) async fn get_signed(
    State(state): State<AppState>,
    Path((session_id, object_id)): Path<(String, String)>,
    Query(query): Query<SignedQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    signed::check(
        &query.tenant,
        &session_id,
        &object_id,
        query.expires,
        &query.signature,
        now(),
    )
    .map_err(|refused| ApiError::Unauthorized(refused.to_string()))?;
    let session = parse_session(&session_id)?;
    let id = parse_object(&object_id)?;
    let artifact = state.store.artifact(&query.tenant, &session, &id).await?;
    let mut reader = state.store.open(&artifact).await?;
    let size = artifact.size;
    let disposition = if query.download == Some(1) {
        "attachment"
    } else {
        "inline"
    };
    let mut response = match byte_range(&headers, size) {
        Some(Err(())) => {
            let mut response = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
            if let Ok(value) = HeaderValue::from_str(&format!("bytes */{size}")) {
                response.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(response);
        }
        Some(Ok((start, end))) => {
            // The store hands out a plain reader; skip to the start (cheap
            // for files on disk) and stop after the range.
            let skipped = tokio::io::copy(&mut (&mut reader).take(start), &mut tokio::io::sink())
                .await
                .map_err(ApiError::internal)?;
            if skipped != start {
                return Err(ApiError::internal(format!(
                    "artifact `{id}` is shorter than its recorded size"
                )));
            }
            let length = end - start + 1;
            (
                StatusCode::PARTIAL_CONTENT,
                [
                    (header::CONTENT_LENGTH, length.to_string()),
                    (header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}")),
                ],
                Body::from_stream(ReaderStream::new(reader.take(length))),
            )
                .into_response()
        }
        None => (
            [(header::CONTENT_LENGTH, size.to_string())],
            Body::from_stream(ReaderStream::new(reader)),
        )
            .into_response(),
    };
    let out = response.headers_mut();
    let pairs = [
        (header::CONTENT_TYPE, artifact.content_type.clone()),
        (header::ACCEPT_RANGES, "bytes".to_owned()),
        (header::ETAG, format!("\"{}\"", artifact.sha256)),
        (
            header::CONTENT_DISPOSITION,
            format!(
                "{disposition}; filename=\"{}\"",
                super::artifacts::filename(&artifact)
            ),
        ),
        (
            header::CACHE_CONTROL,
            format!("private, max-age={}", query.expires.saturating_sub(now())),
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        (header::REFERRER_POLICY, "no-referrer".to_owned()),
    ];
    for (name, value) in pairs {
        if let Ok(value) = HeaderValue::from_str(&value) {
            out.insert(name, value);
        }
    }
    // Opened on its own, an artifact runs no script on this origin (where the
    // page keeps its key); PDFs keep the browser's viewer, which a sandbox would block.
    if artifact.content_type != "application/pdf" {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'none'; img-src 'self'; media-src 'self'; sandbox",
            ),
        );
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(value: &str, size: u64) -> Option<Result<(u64, u64), ()>> {
        let mut headers = HeaderMap::new();
        headers.insert(header::RANGE, HeaderValue::from_str(value).expect("ascii"));
        byte_range(&headers, size)
    }

    #[test]
    fn ranges_resolve_against_the_size() {
        assert_eq!(range("bytes=0-99", 1000), Some(Ok((0, 99))));
        assert_eq!(range("bytes=900-", 1000), Some(Ok((900, 999))));
        assert_eq!(range("bytes=-100", 1000), Some(Ok((900, 999))));
        assert_eq!(range("bytes=-5000", 1000), Some(Ok((0, 999))));
        assert_eq!(range("bytes=990-2000", 1000), Some(Ok((990, 999))));
        assert_eq!(range("bytes=1000-", 1000), Some(Err(())));
        assert_eq!(range("bytes=-0", 1000), Some(Err(())));
        assert_eq!(range("bytes=0-1,5-6", 1000), None);
        assert_eq!(range("items=0-1", 1000), None);
        assert_eq!(range("bytes=5-1", 1000), None);
    }
}
