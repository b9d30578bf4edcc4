//! `/v1/artifacts`: download, list and delete the artifacts of a session.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use std::ops::Range;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::io::ReaderStream;
use vitrine_store::ArtifactMeta;
use vitrine_wire::{ArtifactId, ArtifactList, ArtifactListItem, SessionId};

use crate::auth::Tenant;
use crate::{ApiError, AppState};

/// Bytes read from the store per body chunk.
const BODY_CHUNK: usize = 64 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ArtifactQuery {
    session_id: Option<String>,
    /// An execution of the caller: its session is searched.
    execution_id: Option<String>,
    object_id: Option<String>,
    /// `<id>.<ext>` as listed, an alternative to `object_id`.
    filename: Option<String>,
}

impl ArtifactQuery {
    async fn session(&self, state: &AppState, tenant: &str) -> Result<SessionId, ApiError> {
        let raw = match (&self.session_id, &self.execution_id) {
            (Some(session), _) => session.clone(),
            (None, Some(execution)) => execution_session(state, tenant, execution).await?,
            (None, None) => {
                return Err(ApiError::bad_request(
                    "`session_id` or `execution_id` is required",
                    Some("session_id".to_owned()),
                ));
            }
        };
        raw.parse().map_err(|error: vitrine_wire::IdError| {
            ApiError::bad_request(error.to_string(), Some("session_id".to_owned()))
        })
    }

    fn object(&self) -> Result<ArtifactId, ApiError> {
        let (raw, param) = match (&self.object_id, &self.filename) {
            (Some(id), _) => (id.as_str(), "object_id"),
            (None, Some(filename)) => (filename.split('.').next().unwrap_or_default(), "filename"),
            (None, None) => {
                return Err(ApiError::bad_request(
                    "`object_id` is required",
                    Some("object_id".to_owned()),
                ));
            }
        };
        raw.parse().map_err(|error: vitrine_wire::IdError| {
            ApiError::bad_request(error.to_string(), Some(param.to_owned()))
        })
    }
}

/// The session of one of the tenant's executions; another tenant's answers
/// like a missing one.
async fn execution_session(
    state: &AppState,
    tenant: &str,
    execution: &str,
) -> Result<String, ApiError> {
    let record = state.queue.execution(tenant, execution).await?;
    record
        .job
        .get("session_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::internal(format!("execution `{execution}` has no session")))
}

pub(super) fn filename(artifact: &ArtifactMeta) -> String {
    let extension = match artifact.content_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => artifact.kind.extension(),
    };
    format!("{}.{extension}", artifact.id)
}

#[utoipa::path(get, path = "/v1/artifacts", tag = "artifacts", params(ArtifactQuery, ("Range" = Option<String>, Header, description = "One `bytes=` range")), responses((status = 200, description = "The bytes, with the artifact's content type", content_type = "application/octet-stream"), (status = 206, description = "The requested range"), crate::openapi::Errors))]
pub(super) async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<ArtifactQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let session = query.session(&state, &tenant).await?;
    let id = query.object()?;
    let found = state.store.read(&tenant, &session, &id).await?;
    let artifact = &*found.meta;
    let range = match headers.get(header::RANGE).map(|value| value.to_str()) {
        Some(Ok(value)) => match byte_range(value, artifact.size) {
            Ok(range) => range,
            Err(()) => {
                return Ok((
                    StatusCode::RANGE_NOT_SATISFIABLE,
                    [(header::CONTENT_RANGE, format!("bytes */{}", artifact.size))],
                )
                    .into_response());
            }
        },
        _ => None,
    };
    let status = if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    let body = match (&range, found.bytes) {
        // Bytes the store had at hand go out as one chunk, without a copy.
        (Some(range), Some(bytes)) => {
            let start = usize::try_from(range.start).unwrap_or(usize::MAX);
            let end = usize::try_from(range.end).unwrap_or(usize::MAX);
            Body::from(bytes.slice(start.min(bytes.len())..end.min(bytes.len())))
        }
        (None, Some(bytes)) => Body::from(bytes),
        // 64 KiB reads: the default 4 KiB turned a 200 KB image into 50 body chunks.
        (Some(range), None) => Body::from_stream(ReaderStream::with_capacity(
            state.store.open_range(artifact, range.clone()).await?,
            BODY_CHUNK,
        )),
        (None, None) => Body::from_stream(ReaderStream::with_capacity(
            state.store.open(artifact).await?,
            BODY_CHUNK,
        )),
    };
    let length = range
        .as_ref()
        .map_or(artifact.size, |range| range.end - range.start);
    let mut response = Response::new(body);
    *response.status_mut() = status;
    let out = response.headers_mut();
    // Ids and hashes are plain tokens and the content type was checked when it was stored;
    // a value that still does not fit a header is left out rather than failing the download.
    let mut put = |name, value: String| {
        if let Ok(value) = header::HeaderValue::try_from(value) {
            out.insert(name, value);
        }
    };
    put(header::CONTENT_TYPE, artifact.content_type.clone());
    put(header::CONTENT_LENGTH, length.to_string());
    put(
        header::CONTENT_DISPOSITION,
        format!("inline; filename=\"{}\"", filename(artifact)),
    );
    put(header::ETAG, format!("\"{}\"", artifact.sha256));
    if let Some(range) = &range {
        put(
            header::CONTENT_RANGE,
            format!("bytes {}-{}/{}", range.start, range.end - 1, artifact.size),
        );
    }
    // An id never points at other bytes, so clients may cache freely.
    out.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("private, max-age=86400, immutable"),
    );
    out.insert(
        header::ACCEPT_RANGES,
        header::HeaderValue::from_static("bytes"),
    );
    Ok(response)
}

/// The byte range a `Range` header asks of a `size`-byte body: `Ok(None)` to send it whole
/// (no byte range, several ranges, or a form we do not read, all of which RFC 9110 lets a
/// server ignore), `Err` when the range lies outside the body (416).
fn byte_range(value: &str, size: u64) -> Result<Option<Range<u64>>, ()> {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ok(None);
    };
    let parse = |text: &str| text.trim().parse::<u64>().ok();
    let range = match (first.trim().is_empty(), parse(first), parse(last)) {
        // `bytes=-N`: the last N bytes.
        (true, _, Some(suffix)) if suffix > 0 => size.saturating_sub(suffix)..size,
        (true, _, _) => return Err(()),
        (false, Some(start), None) if last.trim().is_empty() => start..size,
        (false, Some(start), Some(end)) if end >= start => start..end.saturating_add(1).min(size),
        _ => return Ok(None),
    };
    if range.start >= size || range.is_empty() {
        return Err(());
    }
    Ok(Some(range))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    session_id: Option<String>,
    execution_id: Option<String>,
}

#[utoipa::path(get, path = "/v1/artifacts/list", tag = "artifacts", params(ListQuery), responses((status = 200, description = "The session's artifacts", body = vitrine_wire::ArtifactList), crate::openapi::Errors))]
pub(super) async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<ListQuery>,
) -> Result<Json<ArtifactList>, ApiError> {
    let session = ArtifactQuery {
        session_id: query.session_id,
        execution_id: query.execution_id,
        object_id: None,
        filename: None,
    }
    .session(&state, &tenant)
    .await?;
    let artifacts = state.store.list(&tenant, &session).await?;
    let items = artifacts
        .iter()
        .map(|artifact| ArtifactListItem {
            object_id: artifact.id.to_string(),
            filename: Some(filename(artifact)),
            source: "store".into(),
            content_type: artifact.content_type.clone(),
            bytes: artifact.size,
            sha256: artifact.sha256.clone(),
            created_at: artifact.created_at,
            expires_at: artifact.expires_at,
            width: artifact.media.width,
            height: artifact.media.height,
            title: artifact.media.title.clone(),
            provenance: serde_json::to_value(&artifact.provenance).ok(),
        })
        .collect();
    Ok(Json(ArtifactList {
        namespace_id: session.to_string(),
        items,
    }))
}

#[utoipa::path(delete, path = "/v1/artifacts", tag = "artifacts", params(ArtifactQuery), responses((status = 200, description = "Deleted", body = Object), crate::openapi::Errors))]
pub(super) async fn delete(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<ArtifactQuery>,
) -> Result<Json<Value>, ApiError> {
    let session = query.session(&state, &tenant).await?;
    let id = query.object()?;
    state.store.delete(&tenant, &session, &id).await?;
    Ok(Json(
        json!({ "id": id, "object": "artifact", "deleted": true }),
    ))
}

#[utoipa::path(delete, path = "/v1/sessions/{session_id}", tag = "artifacts", params(("session_id" = String, Path, description = "The session")), responses((status = 200, description = "Deleted, with the count of artifacts", body = Object), crate::openapi::Errors))]
pub(super) async fn delete_session(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(session_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let session: SessionId = session_id.parse().map_err(|error: vitrine_wire::IdError| {
        ApiError::bad_request(error.to_string(), Some("session_id".to_owned()))
    })?;
    let deleted = state.store.delete_session(&tenant, &session).await?;
    Ok(Json(
        json!({ "id": session, "object": "session", "deleted": true, "artifacts_deleted": deleted }),
    ))
}

#[cfg(test)]
mod tests {
    use super::byte_range;

    #[test]
    fn ranges_follow_rfc_9110() {
        assert_eq!(byte_range("bytes=0-0", 10), Ok(Some(0..1)));
        assert_eq!(byte_range("bytes=2-", 10), Ok(Some(2..10)));
        assert_eq!(byte_range("bytes=-3", 10), Ok(Some(7..10)));
        assert_eq!(byte_range("bytes=-30", 10), Ok(Some(0..10)));
        assert_eq!(byte_range("bytes=4-100", 10), Ok(Some(4..10)));
        assert_eq!(byte_range("bytes=10-", 10), Err(()));
        assert_eq!(byte_range("bytes=-0", 10), Err(()));
        assert_eq!(byte_range("bytes=5-2", 10), Ok(None));
        assert_eq!(byte_range("bytes=0-1,4-5", 10), Ok(None));
        assert_eq!(byte_range("items=0-1", 10), Ok(None));
    }
}
