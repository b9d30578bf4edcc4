//! `POST /v1/chat/completions` (and `/v1/openai/chat/completions`, where the
//! `vlmrun` SDK's embedded OpenAI client sends it).

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde_json::{Value, json};
use vitrine_wire::chat::{
    AssistantMessage, ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Choice,
    ChunkChoice, Delta, MODELS, TOOLSETS,
};
use vitrine_wire::{SessionId, random_hex};

use crate::answer::{compose, usage};
use crate::auth::Tenant;
use crate::ingest::{Input, ingest_messages};
use crate::json::AppJson;
use crate::{ApiError, AppState};

pub(super) async fn completions(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    AppJson(request): AppJson<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    validate(&request)?;
    let (session, session_is_new) = match &request.session_id {
        Some(id) => {
            let id: SessionId = id.parse().map_err(|error: vitrine_wire::IdError| {
                ApiError::bad_request(error.to_string(), Some("session_id".to_owned()))
            })?;
            state.store.session(&tenant, &id).await?;
            (id, false)
        }
        None => (state.store.create_session(&tenant).await?.id, true),
    };
    let inputs =
        ingest_messages(&state, &tenant, &session, session_is_new, &request.messages).await?;
    let answer = compose(&request, &inputs)?;
    let usage = usage(&request, &answer.content);
    let id = format!("chatcmpl-{}", random_hex(12));
    let created = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or_default();
    let extension = json!({
        "inputs": inputs.iter().map(input_summary).collect::<Vec<_>>(),
        "steps": [],
    });
    if request.stream != Some(true) {
        let completion = ChatCompletion {
            id,
            object: "chat.completion".into(),
            created,
            model: request.model.clone(),
            choices: vec![Choice {
                index: 0,
                message: AssistantMessage {
                    role: "assistant".into(),
                    content: Some(answer.content),
                },
                finish_reason: "stop".into(),
            }],
            usage,
            session_id: session.to_string(),
            vitrine: Some(extension),
        };
        return Ok(Json(completion).into_response());
    }

    let chunk = |choices: Vec<ChunkChoice>, event: Option<Value>, usage| ChatCompletionChunk {
        id: id.clone(),
        object: "chat.completion.chunk".into(),
        created,
        model: request.model.clone(),
        choices,
        usage,
        session_id: session.to_string(),
        vitrine_event: event,
    };
    let delta = |delta: Delta, finish_reason: Option<String>| {
        vec![ChunkChoice {
            index: 0,
            delta,
            finish_reason,
        }]
    };
    let mut chunks = vec![chunk(
        delta(
            Delta {
                role: Some("assistant".into()),
                content: Some(String::new()),
            },
            None,
        ),
        None,
        None,
    )];
    // Progress first: each stored input as its own event.
    for input in &inputs {
        let mut event = input_summary(input);
        event["type"] = Value::from("input.stored");
        chunks.push(chunk(Vec::new(), Some(event), None));
    }
    chunks.push(chunk(
        delta(
            Delta {
                role: None,
                content: Some(answer.content),
            },
            None,
        ),
        None,
        None,
    ));
    chunks.push(chunk(
        delta(Delta::default(), Some("stop".into())),
        None,
        None,
    ));
    chunks.push(chunk(Vec::new(), None, Some(usage)));
    let events = chunks
        .into_iter()
        .map(|chunk| {
            Event::default()
                .json_data(chunk)
                .map_err(ApiError::internal)
        })
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .chain(std::iter::once(Event::default().data("[DONE]")))
        .map(Ok::<_, Infallible>);
    Ok(Sse::new(stream::iter(events))
        .keep_alive(KeepAlive::default())
        .into_response())
}

fn validate(request: &ChatCompletionRequest) -> Result<(), ApiError> {
    if !MODELS.contains(&request.model.as_str()) {
        return Err(ApiError::NotFound {
            message: format!(
                "the model `{}` does not exist; use one of {}",
                request.model,
                MODELS.map(|m| format!("`{m}`")).join(", ")
            ),
            param: Some("model".into()),
            code: "model_not_found",
        });
    }
    if request.messages.is_empty() {
        return Err(ApiError::bad_request(
            "`messages` must contain at least one message",
            Some("messages".to_owned()),
        ));
    }
    for (index, message) in request.messages.iter().enumerate() {
        if !matches!(
            message.role.as_str(),
            "system" | "developer" | "user" | "assistant" | "tool"
        ) {
            return Err(ApiError::bad_request(
                format!(
                    "`messages[{index}].role` is `{}`; use system, user, assistant or tool",
                    message.role
                ),
                Some(format!("messages[{index}].role")),
            ));
        }
    }
    if let Some(toolsets) = &request.toolsets {
        for (index, toolset) in toolsets.iter().enumerate() {
            if !TOOLSETS.contains(&toolset.as_str()) {
                return Err(ApiError::bad_request(
                    format!(
                        "unknown toolset `{toolset}`; use any of {}",
                        TOOLSETS.join(", ")
                    ),
                    Some(format!("toolsets[{index}]")),
                ));
            }
        }
    }
    Ok(())
}

fn input_summary(input: &Input) -> Value {
    json!({
        "ref": input.artifact.id,
        "kind": input.artifact.kind,
        "content_type": input.artifact.content_type,
        "bytes": input.artifact.size,
        "param": input.param,
    })
}
