//! `POST /v1/agent/execute` bodies → jobs the queue keeps.
//!
//! An execution runs as one chat request (`routes::chat::complete`), so a job
//! is mostly that request as JSON: the prompt and the inputs become one user
//! message, `config.json_schema` the response format, `config.skills` the
//! request's `skills`. Inline inputs (data URLs, uploaded files, refs) are
//! stored in the execution's session before the reply, so a bad input is a 400
//! now rather than a failed execution later, and the job holds refs instead of
//! megabytes; `http(s)` inputs stay URLs and are fetched by the worker.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use vitrine_wire::chat::{ChatCompletionRequest, ContentPart, Message, MessageContent};
use vitrine_wire::{SessionId, random_hex};

use crate::ingest::ingest_messages;
use crate::routes::chat::validate;
use crate::{ApiError, AppState};

/// Longest `name`, `Idempotency-Key` and `callback_url` accepted.
const MAX_NAME: usize = 256;
const MAX_KEY: usize = 256;
const MAX_URL: usize = 2048;

/// The body of `POST /v1/agent/execute`, as the `vlmrun` SDK sends it.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct ExecuteRequest {
    #[serde(default = "default_model")]
    model: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    batch: Option<bool>,
    #[serde(default)]
    inputs: Option<Value>,
    #[serde(default)]
    config: Option<ExecuteConfig>,
    #[serde(default)]
    metadata: Option<Value>,
    #[serde(default)]
    callback_url: Option<String>,
    #[serde(default)]
    toolsets: Option<Vec<String>>,
}

fn default_model() -> String {
    "vlmrun-orion-1:auto".into()
}

/// `config` of an execute request; unknown keys (`service_tier`, …) are accepted.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct ExecuteConfig {
    #[serde(default)]
    prompt: Option<String>,
    #[serde(default)]
    json_schema: Option<Value>,
    #[serde(default)]
    skills: Option<Value>,
    #[serde(default)]
    mode: Option<String>,
}

/// What the queue keeps for one execution (opaque JSON to the store).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Job {
    pub(crate) name: String,
    pub(crate) model: String,
    /// The session holding inputs and outputs; `execution_id` downloads read it.
    pub(crate) session_id: String,
    /// The chat request the worker runs.
    pub(crate) chat: Value,
    /// A schema was given: the answer is that JSON.
    pub(crate) structured: bool,
    #[serde(default)]
    pub(crate) mode: Option<String>,
    #[serde(default)]
    pub(crate) callback_url: Option<String>,
    #[serde(default)]
    pub(crate) metadata: Option<Value>,
    /// The inputs stored at enqueue time (ref, kind, bytes, param).
    #[serde(default)]
    pub(crate) stored: Vec<Value>,
}

/// Checks the request, stores its inline inputs and returns the job.
pub(crate) async fn prepare(
    state: &AppState,
    tenant: &str,
    request: ExecuteRequest,
) -> Result<Job, ApiError> {
    if request.batch != Some(true) {
        return Err(ApiError::bad_request(
            "executions run in batch mode: send `\"batch\": true` (use chat completions for an immediate answer)",
            Some("batch".to_owned()),
        ));
    }
    let config = request.config.unwrap_or_default();
    if let Some(mode) = &config.mode
        && !matches!(mode.as_str(), "agent" | "program")
    {
        return Err(ApiError::bad_request(
            format!("`config.mode` is `{mode}`; use `agent` or `program`"),
            Some("config.mode".to_owned()),
        ));
    }
    if let Some(name) = &request.name
        && name.len() > MAX_NAME
    {
        return Err(ApiError::bad_request(
            format!("`name` is longer than {MAX_NAME} bytes"),
            Some("name".to_owned()),
        ));
    }
    if let Some(url) = &request.callback_url {
        check_callback(url)?;
    }
    let mut parts = Vec::new();
    if let Some(prompt) = config
        .prompt
        .as_deref()
        .filter(|text| !text.trim().is_empty())
    {
        parts.push(ContentPart::Text {
            text: prompt.to_owned(),
        });
    }
    let mut media = Vec::new();
    match request.inputs {
        None | Some(Value::Null) => {}
        Some(Value::Object(inputs)) => collect_inputs(inputs, &mut parts, &mut media)?,
        Some(_) => {
            return Err(ApiError::bad_request(
                "`inputs` must be an object whose values are content items (`{\"type\": \"image_url\", …}`), lists of them, or plain values",
                Some("inputs".to_owned()),
            ));
        }
    }
    if media.len() > state.config.limits.max_inputs {
        return Err(ApiError::invalid(
            "too_many_inputs",
            format!(
                "an execution may carry at most {} media inputs",
                state.config.limits.max_inputs
            ),
            Some("inputs".into()),
        ));
    }
    if parts.is_empty() && media.is_empty() {
        return Err(ApiError::bad_request(
            "an execution needs `config.prompt` or `inputs`",
            Some("config.prompt".to_owned()),
        ));
    }
    // `metadata.session_id` continues a session, as `session_id` does in chat.
    let continued = request
        .metadata
        .as_ref()
        .and_then(|metadata| metadata.get("session_id"))
        .and_then(Value::as_str)
        .map(|id| {
            id.parse::<SessionId>().map_err(|error| {
                ApiError::bad_request(error.to_string(), Some("metadata.session_id".to_owned()))
            })
        })
        .transpose()?;
    let (session, session_is_new) = match continued {
        Some(id) => {
            state.store.session(tenant, &id).await?;
            (id, false)
        }
        None => (state.store.create_session(tenant).await?.id, true),
    };
    let mut stored = Vec::new();
    for (param, part) in media {
        let part = if is_inline(&part) {
            let message = Message {
                role: "user".into(),
                content: Some(MessageContent::Parts(vec![part])),
                name: None,
            };
            let inputs = ingest_messages(state, tenant, &session, session_is_new, &[message])
                .await
                .map_err(|error| with_param(error, &param))?;
            let Some(input) = inputs.into_iter().next() else {
                continue;
            };
            stored.push(json!({
                "ref": input.artifact.id,
                "kind": input.artifact.kind,
                "content_type": input.artifact.content_type,
                "bytes": input.artifact.size,
                "param": param,
            }));
            ContentPart::InputRef {
                id: input.artifact.id.to_string(),
            }
        } else {
            part
        };
        parts.push(part);
    }
    let mut chat = json!({
        "model": request.model,
        "messages": [{"role": "user", "content": parts}],
        "session_id": session.to_string(),
    });
    if let Some(toolsets) = &request.toolsets {
        chat["toolsets"] = json!(toolsets);
    }
    if let Some(schema) = &config.json_schema {
        if !schema.is_object() {
            return Err(ApiError::bad_request(
                "`config.json_schema` must be a JSON Schema object",
                Some("config.json_schema".to_owned()),
            ));
        }
        chat["response_format"] = json!({"type": "json_schema", "schema": schema});
    }
    // Passed through untouched: the chat path decides what skills mean.
    if let Some(skills) = &config.skills {
        chat["skills"] = skills.clone();
    }
    // The same checks a chat request gets (model, toolsets), now rather than in the worker.
    let parsed: ChatCompletionRequest = serde_json::from_value(chat.clone())
        .map_err(|error| ApiError::bad_request(error.to_string(), None))?;
    validate(&parsed)?;
    let name = request
        .name
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| default_name(config.prompt.as_deref()));
    Ok(Job {
        name,
        model: parsed.model,
        session_id: session.to_string(),
        chat,
        structured: config.json_schema.is_some(),
        mode: config.mode,
        callback_url: request.callback_url,
        metadata: request.metadata,
        stored,
    })
}

/// Sorts input values into text parts and media parts (with their parameter names).
fn collect_inputs(
    inputs: Map<String, Value>,
    parts: &mut Vec<ContentPart>,
    media: &mut Vec<(String, ContentPart)>,
) -> Result<(), ApiError> {
    for (key, value) in inputs {
        let items = match value {
            Value::Array(items) if items.iter().all(is_content_item) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| (format!("inputs.{key}[{index}]"), item))
                .collect(),
            value => vec![(format!("inputs.{key}"), value)],
        };
        for (param, value) in items {
            if is_content_item(&value) {
                let part: ContentPart = serde_json::from_value(value).map_err(|error| {
                    ApiError::bad_request(
                        format!("`{param}` is not a content item the server knows: {error}"),
                        Some(param.clone()),
                    )
                })?;
                match part {
                    ContentPart::Text { .. } => parts.push(part),
                    part => media.push((param, part)),
                }
            } else {
                // Plain values reach the planner as `key: value` lines.
                let text = match &value {
                    Value::String(text) => text.clone(),
                    other => other.to_string(),
                };
                let key = param.trim_start_matches("inputs.");
                parts.push(ContentPart::Text {
                    text: format!("{key}: {text}"),
                });
            }
        }
    }
    Ok(())
}

fn is_content_item(value: &Value) -> bool {
    value.get("type").is_some_and(Value::is_string)
}

/// Stored at enqueue time: everything but `http(s)` URLs.
fn is_inline(part: &ContentPart) -> bool {
    let url = match part {
        ContentPart::ImageUrl { image_url } => image_url.url(),
        ContentPart::VideoUrl { video_url } => video_url.url(),
        ContentPart::AudioUrl { audio_url } => audio_url.url(),
        ContentPart::FileUrl { file_url } => file_url.url(),
        ContentPart::InputFile {
            file_id: Some(_), ..
        } => return true,
        ContentPart::InputFile {
            file_url: Some(url),
            ..
        } => url.as_str(),
        _ => return true,
    };
    let url = url.trim();
    !(url.starts_with("http://") || url.starts_with("https://"))
}

/// Ingest errors name `messages[0].content[0]…`; an execution's caller wrote `inputs.<key>`.
fn with_param(error: ApiError, param: &str) -> ApiError {
    match error {
        ApiError::BadRequest { message, code, .. } => ApiError::BadRequest {
            message,
            param: Some(param.to_owned()),
            code,
        },
        ApiError::NotFound { message, code, .. } => ApiError::NotFound {
            message,
            param: Some(param.to_owned()),
            code,
        },
        ApiError::Fetch { message, code, .. } => ApiError::Fetch {
            message,
            param: Some(param.to_owned()),
            code,
        },
        other => other,
    }
}

fn check_callback(url: &str) -> Result<(), ApiError> {
    let param = Some("callback_url".to_owned());
    if url.len() > MAX_URL {
        return Err(ApiError::bad_request(
            format!("`callback_url` is longer than {MAX_URL} bytes"),
            param,
        ));
    }
    let parsed = url::Url::parse(url).map_err(|error| {
        ApiError::bad_request(
            format!("`callback_url` is not a URL: {error}"),
            param.clone(),
        )
    })?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(ApiError::bad_request(
            "`callback_url` must be an http(s) URL with a host",
            param,
        ));
    }
    Ok(())
}

/// Checks an `Idempotency-Key` header value.
pub(crate) fn idempotency_key(headers: &axum::http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|key| !key.is_empty() && key.len() <= MAX_KEY)
        .ok_or_else(|| {
            ApiError::bad_request(
                format!("`Idempotency-Key` must be 1 to {MAX_KEY} visible ASCII characters"),
                Some("Idempotency-Key".to_owned()),
            )
        })?;
    Ok(Some(key.to_owned()))
}

/// A UUID-shaped id (the SDK's CLI lays ids out 36 characters wide).
pub(crate) fn new_execution_id() -> String {
    let hex = random_hex(16);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn default_name(prompt: Option<&str>) -> String {
    let words: Vec<&str> = prompt
        .unwrap_or_default()
        .split_whitespace()
        .take(6)
        .collect();
    if words.is_empty() {
        "execution".into()
    } else {
        words.join(" ")
    }
}
