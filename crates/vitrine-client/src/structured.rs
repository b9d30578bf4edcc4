//! Structured output: a Rust type as `response_format`, and the answer parsed
//! back into it.
//!
//! [`response_format`] sends the seed's form
//! `{"type": "json_schema", "schema": <schemars schema of T>}`; ref fields
//! ([`crate::ImageRef`] and friends) appear under `$defs` exactly as pydantic
//! writes them, which is what the server looks for.

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use vitrine_wire::chat::{ChatCompletion, ResponseFormat};

use crate::ClientError;

/// The JSON Schema of `T` (draft 2020-12, refs under `$defs`), without the
/// `$schema` key, which pydantic does not emit either.
pub fn schema_of<T: JsonSchema>() -> serde_json::Value {
    let mut schema = schemars::schema_for!(T).to_value();
    if let Some(object) = schema.as_object_mut() {
        object.remove("$schema");
    }
    schema
}

/// `{"type": "json_schema", "schema": ...}` for `T`.
pub fn response_format<T: JsonSchema>() -> ResponseFormat {
    ResponseFormat::JsonSchema {
        schema: Some(schema_of::<T>()),
        json_schema: None,
    }
}

/// Parses the first choice's content of a structured completion into `T`.
pub fn parse<T: DeserializeOwned>(completion: &ChatCompletion) -> Result<T, ClientError> {
    let content = completion
        .choices
        .first()
        .and_then(|choice| choice.message.content.as_deref())
        .ok_or_else(|| ClientError::InvalidResponse {
            endpoint: "POST /openai/chat/completions".into(),
            detail: "the completion has no message content".into(),
        })?;
    parse_content(content)
}

/// Parses an answer text (e.g. a streamed answer's content) into `T`.
pub fn parse_content<T: DeserializeOwned>(content: &str) -> Result<T, ClientError> {
    serde_json::from_str(content).map_err(|source| ClientError::Parse {
        type_name: std::any::type_name::<T>(),
        source,
    })
}
