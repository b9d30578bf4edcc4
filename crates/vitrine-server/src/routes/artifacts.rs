//! `/v1/artifacts`: download, list and delete the artifacts of a session.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio_util::io::ReaderStream;
use vitrine_store::ArtifactMeta;
use vitrine_wire::{ArtifactId, ArtifactList, ArtifactListItem, SessionId};

use crate::auth::Tenant;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize)]
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

fn filename(artifact: &ArtifactMeta) -> String {
    let extension = match artifact.content_type.as_str() {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        _ => artifact.kind.extension(),
    };
    format!("{}.{extension}", artifact.id)
}

pub(super) async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<ArtifactQuery>,
) -> Result<Response, ApiError> {
    let session = query.session(&state, &tenant).await?;
    let id = query.object()?;
    let artifact = state.store.artifact(&tenant, &session, &id).await?;
    let reader = state.store.open(&artifact).await?;
    Ok((
        [
            (header::CONTENT_TYPE, artifact.content_type.clone()),
            (header::CONTENT_LENGTH, artifact.size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}\"", filename(&artifact)),
            ),
            (header::ETAG, format!("\"{}\"", artifact.sha256)),
            // An id never points at other bytes, so clients may cache freely.
            (
                header::CACHE_CONTROL,
                "private, max-age=86400, immutable".to_owned(),
            ),
        ],
        Body::from_stream(ReaderStream::new(reader)),
    )
        .into_response())
}

#[derive(Debug, Deserialize)]
pub(super) struct ListQuery {
    session_id: Option<String>,
    execution_id: Option<String>,
}

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
