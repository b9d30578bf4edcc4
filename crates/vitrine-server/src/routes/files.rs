//! `/v1/files`: uploads (direct multipart and presigned `PUT`), lookups by id
//! and by MD5 (the `vlmrun` SDK's upload cache), listing and content.

use std::time::{Duration, UNIX_EPOCH};

use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::json;
use tokio_util::io::ReaderStream;
use vitrine_store::{FileRecord, StoreError};
use vitrine_wire::files::{FILE_PURPOSES, PresignedUrlRequest, PresignedUrlResponse};
use vitrine_wire::{FileId, FileObject};

use crate::auth::Tenant;
use crate::json::AppJson;
use crate::{ApiError, AppState};

pub(crate) fn iso8601(unix_secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(unix_secs)).to_string()
}

fn file_object(record: &FileRecord) -> FileObject {
    FileObject {
        id: record.id.to_string(),
        filename: record.filename.clone(),
        bytes: record.bytes,
        purpose: record.purpose.clone(),
        created_at: iso8601(record.created_at),
        object: "file".into(),
        public_url: None,
    }
}

fn parse_file_id(raw: &str) -> Result<FileId, ApiError> {
    raw.parse().map_err(|error: vitrine_wire::IdError| {
        ApiError::bad_request(error.to_string(), Some("file_id".to_owned()))
    })
}

fn check_purpose(purpose: &str) -> Result<(), ApiError> {
    if FILE_PURPOSES.contains(&purpose) {
        Ok(())
    } else {
        // The value is the caller's: shown short and with control characters escaped.
        let shown: String = purpose
            .chars()
            .take(64)
            .collect::<String>()
            .escape_debug()
            .collect();
        let cut = if purpose.chars().count() > 64 {
            "…"
        } else {
            ""
        };
        Err(ApiError::bad_request(
            format!(
                "unknown purpose `{shown}{cut}`; use one of {}",
                FILE_PURPOSES.join(", ")
            ),
            Some("purpose".to_owned()),
        ))
    }
}

/// Keeps only a plain file name: no directories, no control characters.
fn clean_filename(raw: Option<&str>) -> String {
    let name = raw
        .unwrap_or("upload")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload");
    let name: String = name.chars().filter(|c| !c.is_control()).take(255).collect();
    if name.is_empty() || name == "." || name == ".." {
        "upload".into()
    } else {
        name
    }
}

fn upload_error(error: StoreError, limit: u64) -> ApiError {
    match error {
        StoreError::TooLarge { .. } => ApiError::TooLarge(format!(
            "the upload is larger than this server's {} MB file limit",
            limit / 1_000_000
        )),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct UploadQuery {
    purpose: Option<String>,
}

#[utoipa::path(post, path = "/v1/files", tag = "files", params(UploadQuery), request_body(content_type = "multipart/form-data", description = "The file in field `file`; `purpose` as a field or in the query"), responses((status = 201, description = "The stored file", body = vitrine_wire::FileObject), crate::openapi::Errors))]
pub(super) async fn upload(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<UploadQuery>,
    mut multipart: Multipart,
) -> Result<Response, ApiError> {
    let limit = state.config.limits.max_upload_bytes;
    let mut purpose = query.purpose;
    let mut stored: Option<(vitrine_store::StagedBlob, String)> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let filename = clean_filename(field.file_name());
                let mut blob = state.store.stage(limit).await?;
                blob.hash_md5();
                while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
                    blob.write(&chunk)
                        .await
                        .map_err(|error| upload_error(error, limit))?;
                }
                stored = Some((blob, filename));
            }
            Some("purpose") => purpose = Some(field.text().await.map_err(multipart_error)?),
            _ => {}
        }
    }
    let purpose = purpose.unwrap_or_else(|| "assistants".into());
    check_purpose(&purpose)?;
    let (blob, filename) = stored.ok_or_else(|| {
        ApiError::bad_request(
            "the multipart body has no `file` field",
            Some("file".to_owned()),
        )
    })?;
    let record = state
        .store
        .put_file(&tenant, blob, &filename, &purpose)
        .await?;
    Ok((StatusCode::CREATED, Json(file_object(&record))).into_response())
}

fn multipart_error(error: axum::extract::multipart::MultipartError) -> ApiError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge("the upload is larger than this server's file limit".into())
    } else {
        ApiError::bad_request(
            format!("could not read the multipart body: {}", error.body_text()),
            None,
        )
    }
}

#[utoipa::path(get, path = "/v1/files", tag = "files", params(super::Paging), responses((status = 200, description = "The tenant's files, newest first", body = Vec<vitrine_wire::FileObject>), crate::openapi::Errors))]
pub(super) async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<super::Paging>,
) -> Result<Json<Vec<FileObject>>, ApiError> {
    super::check_limit(query.limit)?;
    let files = state
        .store
        .list_files(&tenant, query.skip, query.limit)
        .await?;
    Ok(Json(files.iter().map(file_object).collect()))
}

#[utoipa::path(get, path = "/v1/files/{file_id}", tag = "files", params(("file_id" = String, Path, description = "A `file-…` id")), responses((status = 200, description = "The file object", body = vitrine_wire::FileObject), crate::openapi::Errors))]
pub(super) async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(file_id): Path<String>,
) -> Result<Json<FileObject>, ApiError> {
    let record = state.store.file(&tenant, &parse_file_id(&file_id)?).await?;
    Ok(Json(file_object(&record)))
}

#[utoipa::path(delete, path = "/v1/files/{file_id}", tag = "files", params(("file_id" = String, Path, description = "A `file-…` id")), responses((status = 200, description = "Deleted", body = Object), crate::openapi::Errors))]
pub(super) async fn delete(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(file_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let record = state
        .store
        .delete_file(&tenant, &parse_file_id(&file_id)?)
        .await?;
    Ok(Json(
        json!({ "id": record.id, "object": "file", "deleted": true }),
    ))
}

#[utoipa::path(get, path = "/v1/files/{file_id}/content", tag = "files", params(("file_id" = String, Path, description = "A `file-…` id")), responses((status = 200, description = "The bytes", content_type = "application/octet-stream"), crate::openapi::Errors))]
pub(super) async fn content(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(file_id): Path<String>,
) -> Result<Response, ApiError> {
    let record = state.store.file(&tenant, &parse_file_id(&file_id)?).await?;
    let reader = state.store.open_file(&record).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_LENGTH, record.bytes.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    record.filename.replace('"', "")
                ),
            ),
        ],
        Body::from_stream(ReaderStream::new(reader)),
    )
        .into_response())
}

#[utoipa::path(get, path = "/v1/files/hash/{md5}", tag = "files", params(("md5" = String, Path, description = "Hex MD5 of the bytes")), responses((status = 200, description = "The file with these bytes", body = vitrine_wire::FileObject), crate::openapi::Errors))]
pub(super) async fn by_hash(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(md5): Path<String>,
) -> Result<Json<FileObject>, ApiError> {
    if md5.len() != 32 || !md5.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ApiError::bad_request(
            format!("`{md5}` is not an MD5 hex digest"),
            Some("md5".to_owned()),
        ));
    }
    match state.store.file_by_md5(&tenant, &md5).await? {
        Some(record) => Ok(Json(file_object(&record))),
        None => Err(ApiError::NotFound {
            message: format!("no uploaded file has MD5 `{md5}`"),
            param: Some("md5".into()),
            code: "file_not_found",
        }),
    }
}

#[utoipa::path(post, path = "/v1/files/presigned-url", tag = "files", request_body = vitrine_wire::files::PresignedUrlRequest, responses((status = 200, description = "Where to `PUT` the bytes", body = vitrine_wire::files::PresignedUrlResponse), crate::openapi::Errors))]
pub(super) async fn presigned_url(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    headers: HeaderMap,
    AppJson(request): AppJson<PresignedUrlRequest>,
) -> Result<Json<PresignedUrlResponse>, ApiError> {
    let purpose = request.purpose.unwrap_or_else(|| "assistants".into());
    check_purpose(&purpose)?;
    let filename = clean_filename(Some(&request.filename));
    let ttl = request
        .expiration
        .unwrap_or(state.config.upload_url_ttl.as_secs())
        .clamp(60, 7 * 24 * 3600);
    let base = origin(&headers)?;
    let pending = state
        .store
        .create_upload(&tenant, &filename, &purpose, ttl)
        .await?;
    let id = pending.file.id.to_string();
    Ok(Json(PresignedUrlResponse {
        url: format!("{base}/v1/files/upload/{id}?token={}", pending.token),
        id,
        filename,
        content_type: "application/octet-stream".into(),
        upload_method: "PUT".into(),
        public_url: None,
        created_at: iso8601(pending.file.created_at),
        expiration: ttl,
        method: "PUT".into(),
    }))
}

/// `scheme://host` of this server as the caller reached it, for links it hands out (presigned
/// uploads, skill downloads).
pub(super) fn origin(headers: &HeaderMap) -> Result<String, ApiError> {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            ApiError::bad_request("the request has no Host header to build a link from", None)
        })?;
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .filter(|proto| matches!(*proto, "http" | "https"))
        .unwrap_or("http");
    Ok(format!("{scheme}://{host}"))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct TokenQuery {
    token: Option<String>,
}

/// The presigned `PUT`: authorised by the token in the URL, as a cloud
/// presigned URL would be, because the SDK sends it without the API key.
#[utoipa::path(put, path = "/v1/files/upload/{file_id}", tag = "files", security(()), params(("file_id" = String, Path, description = "The id the presigned URL named"), TokenQuery), request_body(content_type = "application/octet-stream", description = "The bytes"), responses((status = 200, description = "The stored file", body = vitrine_wire::FileObject), crate::openapi::Errors))]
pub(super) async fn put_presigned(
    State(state): State<AppState>,
    Path(file_id): Path<String>,
    Query(query): Query<TokenQuery>,
    body: Body,
) -> Result<Json<FileObject>, ApiError> {
    let id = parse_file_id(&file_id)?;
    let token = query.token.ok_or_else(|| {
        ApiError::Unauthorized(
            "the upload URL has no `token`; use the URL exactly as returned".into(),
        )
    })?;
    let limit = state.config.limits.max_upload_bytes;
    let mut blob = state.store.stage(limit).await?;
    blob.hash_md5();
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| {
            ApiError::bad_request(format!("the upload was interrupted: {error}"), None)
        })?;
        blob.write(&chunk)
            .await
            .map_err(|error| upload_error(error, limit))?;
    }
    let record = state.store.complete_upload(&id, &token, blob).await?;
    Ok(Json(file_object(&record)))
}

#[utoipa::path(get, path = "/v1/files/verify-upload/{file_id}", tag = "files", params(("file_id" = String, Path, description = "A `file-…` id")), responses((status = 200, description = "The uploaded file", body = vitrine_wire::FileObject), crate::openapi::Errors))]
pub(super) async fn verify_upload(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(file_id): Path<String>,
) -> Result<Json<FileObject>, ApiError> {
    let record = state.store.file(&tenant, &parse_file_id(&file_id)?).await?;
    Ok(Json(file_object(&record)))
}
