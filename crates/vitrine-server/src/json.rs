//! A JSON extractor whose failures use the OpenAI error envelope and name the
//! field at fault (`messages[0].content[1].type: unknown variant ...`).

use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::ApiError;

/// Parses the body as `T`, reporting errors as [`ApiError`].
pub(crate) struct AppJson<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for AppJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = request
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/json") || value.contains("+json"));
        if !is_json {
            return Err(ApiError::invalid(
                "unsupported_content_type",
                "send the request body as JSON with `Content-Type: application/json`",
                None,
            ));
        }
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(body_rejection)?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses JSON bytes as `T` with a path to the failing field.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::invalid(
                "invalid_json",
                format!("the request body is not valid JSON: {inner}"),
                None,
            )
        } else if path == "." {
            ApiError::invalid(
                "invalid_request",
                format!("invalid request body: {inner}"),
                None,
            )
        } else {
            ApiError::invalid(
                "invalid_request",
                format!("invalid value at `{path}`: {inner}"),
                Some(path),
            )
        }
    })
}

fn body_rejection(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(
            "the request body is larger than the server accepts; upload big media with `POST /v1/files` and send its `file_id`".into(),
        )
    } else {
        ApiError::bad_request(
            format!("could not read the request body: {rejection}"),
            None,
        )
    }
}
