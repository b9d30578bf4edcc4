//! `POST /v1/chat/completions` (and `/v1/openai/chat/completions`, where the
//! `vlmrun` SDK's embedded OpenAI client sends it).
//!
//! Inputs are stored first; then the agent plans and runs tools and writes the
//! answer. Streaming sends each stored input, each step and each new ref as a
//! progress chunk while the plan runs, then the answer.

use std::convert::Infallible;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use vitrine_agent::{AgentError, AgentEvent, AgentRequest};
use vitrine_wire::chat::{
    AssistantMessage, ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, Choice,
    ChunkChoice, Delta, MODELS, MessageContent, ResponseFormat, TOOLSETS, Usage,
};
use vitrine_wire::{ErrorBody, ErrorObject, SessionId, random_hex};

use crate::auth::Tenant;
use crate::ingest::{Input, Origin, forget_inline_data, ingest_messages};
use crate::json::AppJson;
use crate::{ApiError, AppState, ledger};

/// What every chunk or completion of one answer shares.
#[derive(Clone)]
struct Envelope {
    id: String,
    created: u64,
    model: String,
    session: SessionId,
}

impl Envelope {
    fn chunk(
        &self,
        choices: Vec<ChunkChoice>,
        event: Option<Value>,
        usage: Option<Usage>,
    ) -> ChatCompletionChunk {
        ChatCompletionChunk {
            id: self.id.clone(),
            object: "chat.completion.chunk".into(),
            created: self.created,
            model: self.model.clone(),
            choices,
            usage,
            session_id: self.session.to_string(),
            vitrine_event: event,
        }
    }
}

/// `POST /v1/openai/chat/completions`: the same, for `OpenAI(base_url=".../v1/openai")`.
#[utoipa::path(post, path = "/v1/openai/chat/completions", tag = "chat", request_body = vitrine_wire::chat::ChatCompletionRequest, responses((status = 200, description = "A `chat.completion` with `session_id`; with `stream: true`, `text/event-stream` of `chat.completion.chunk`s then `data: [DONE]`", body = vitrine_wire::chat::ChatCompletion), crate::openapi::Errors))]
pub(super) async fn completions_openai(
    state: State<AppState>,
    caller: Tenant,
    request: AppJson<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    completions(state, caller, request).await
}

#[utoipa::path(post, path = "/v1/chat/completions", tag = "chat", request_body = vitrine_wire::chat::ChatCompletionRequest, responses((status = 200, description = "A `chat.completion` with `session_id`; with `stream: true`, `text/event-stream` of `chat.completion.chunk`s then `data: [DONE]`", body = vitrine_wire::chat::ChatCompletion), crate::openapi::Errors))]
pub(super) async fn completions(
    State(state): State<AppState>,
    caller: Tenant,
    AppJson(mut request): AppJson<ChatCompletionRequest>,
) -> Result<Response, ApiError> {
    let permit = caller.begin_work(&state)?;
    let Tenant(tenant) = caller;
    if request.stream == Some(true) {
        validate(&request)?;
        let (session, inputs) = prepare(&state, &tenant, &mut request).await?;
        let envelope = envelope(&request, session);
        return Ok(stream_answer(
            state, tenant, request, inputs, envelope, permit,
        ));
    }
    // Dropping this future when the client disconnects cancels the plan.
    let answered = complete(&state, &tenant, &mut request, None).await?;
    let mut envelope = envelope(&request, answered.session);
    envelope.id = answered.request_id;
    let completion = ChatCompletion {
        id: envelope.id,
        object: "chat.completion".into(),
        created: envelope.created,
        model: envelope.model,
        choices: vec![Choice {
            index: 0,
            message: AssistantMessage {
                role: "assistant".into(),
                content: Some(answered.content),
            },
            finish_reason: "stop".into(),
        }],
        usage: answered.usage,
        session_id: envelope.session.to_string(),
        vitrine: Some(answered.extension),
    };
    Ok(Json(completion).into_response())
}

/// What one non-streaming chat request produced.
pub(crate) struct Answered {
    /// The session the inputs and outputs live in.
    pub(crate) session: SessionId,
    /// The answer text (JSON text with a schema).
    pub(crate) content: String,
    /// What ran: inputs, made artifacts, the plan.
    pub(crate) extension: Value,
    /// Token counts.
    pub(crate) usage: Usage,
    /// The completion's id, also its key in the usage ledger.
    pub(crate) request_id: String,
}

/// The core of a chat request without the HTTP around it: validate, store the
/// inputs, plan and run. Executions call it too, so both paths stay one.
pub(crate) async fn complete(
    state: &AppState,
    tenant: &str,
    request: &mut ChatCompletionRequest,
    events: Option<mpsc::UnboundedSender<AgentEvent>>,
) -> Result<Answered, ApiError> {
    validate(request)?;
    let (session, inputs) = prepare(state, tenant, request).await?;
    let request = &*request;
    let request_id = format!("chatcmpl-{}", random_hex(12));
    let (content, extension) = answer(
        state,
        tenant,
        &request_id,
        &session,
        request,
        &inputs,
        events,
    )
    .await?;
    Ok(Answered {
        session,
        usage: usage(request, &content, &extension),
        content,
        extension,
        request_id,
    })
}

/// Opens or continues the session and stores the request's inputs in it; data URLs in the
/// request are replaced by the refs they were stored as.
async fn prepare(
    state: &AppState,
    tenant: &str,
    request: &mut ChatCompletionRequest,
) -> Result<(SessionId, Vec<Input>), ApiError> {
    let (session, session_is_new) = match &request.session_id {
        Some(id) => {
            let id: SessionId = id.parse().map_err(|error: vitrine_wire::IdError| {
                ApiError::bad_request(error.to_string(), Some("session_id".to_owned()))
            })?;
            state.store.session(tenant, &id).await?;
            (id, false)
        }
        None => (state.store.create_session(tenant).await?.id, true),
    };
    let inputs =
        ingest_messages(state, tenant, &session, session_is_new, &request.messages).await?;
    forget_inline_data(&mut request.messages, &inputs);
    Ok((session, inputs))
}

fn envelope(request: &ChatCompletionRequest, session: SessionId) -> Envelope {
    Envelope {
        id: format!("chatcmpl-{}", random_hex(12)),
        created: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default(),
        model: request.model.clone(),
        session,
    }
}

/// The answer text and the extension object describing what ran (and what it used, which
/// also goes to the usage ledger under `request_id`).
async fn answer(
    state: &AppState,
    tenant: &str,
    request_id: &str,
    session: &SessionId,
    request: &ChatCompletionRequest,
    inputs: &[Input],
    events: Option<mpsc::UnboundedSender<AgentEvent>>,
) -> Result<(String, Value), ApiError> {
    let stored: Vec<Value> = inputs.iter().map(input_summary).collect();
    let format = request.response_format.as_ref();
    let agent_request = AgentRequest {
        tenant: tenant.to_owned(),
        session: session.clone(),
        instruction: last_user_text(request),
        inputs: inputs.iter().map(|input| input.artifact.clone()).collect(),
        response_schema: format.and_then(ResponseFormat::schema).cloned(),
        toolsets: request.toolsets.clone(),
    };
    let (result, skills) =
        crate::skills::run(state, tenant, request, agent_request, events).await?;
    match result {
        Ok(outcome) => {
            let made: Vec<&str> = outcome.made.iter().map(|meta| meta.id.as_str()).collect();
            let record = ledger::record_of(tenant, request_id, "chat", &outcome);
            let mut extension = json!({
                "inputs": stored,
                "made": made,
                "plan": outcome.plan,
                "usage": ledger::extension(&record),
            });
            if !skills.is_empty() {
                extension["skills"] = Value::Array(skills);
            }
            // What `POST /v1/skills/create` with this `session_id` saves. Written alongside
            // the ledger record so both can share one commit.
            let keep_program = async {
                if let Ok(program) = serde_json::to_value(&outcome.program)
                    && let Err(error) = state
                        .skills
                        .save_session_program(tenant, session, program)
                        .await
                {
                    tracing::warn!(%error, "the session's plan was not kept for skills");
                }
            };
            tokio::join!(ledger::append(state, record), keep_program);
            let content = if matches!(format, Some(ResponseFormat::JsonObject)) {
                json!({ "answer": outcome.content, "artifacts": made }).to_string()
            } else {
                outcome.content
            };
            Ok((content, extension))
        }
        // A conversational answer may say plainly that it did not understand;
        // structured output may not, so there it stays an error.
        Err(error @ AgentError::NotUnderstood { .. })
            if matches!(format, None | Some(ResponseFormat::Text)) =>
        {
            let content = if inputs.is_empty() {
                error.to_string()
            } else {
                format!("{}\n\n{error}", stored_inputs(inputs))
            };
            state.metrics.failed_plan(error.code());
            Ok((content, json!({ "inputs": stored, "plan": null })))
        }
        Err(error) => {
            state.metrics.failed_plan(error.code());
            Err(error.into())
        }
    }
}

/// The instruction: the text of the last user message.
fn last_user_text(request: &ChatCompletionRequest) -> String {
    let Some(message) = request
        .messages
        .iter()
        .rev()
        .find(|message| message.role == "user")
    else {
        return String::new();
    };
    match &message.content {
        Some(MessageContent::Text(text)) => text.clone(),
        Some(MessageContent::Parts(parts)) => parts
            .iter()
            .filter_map(|part| match part {
                vitrine_wire::chat::ContentPart::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
        None => String::new(),
    }
}

/// Streams progress while the plan runs, then the answer. If the client goes
/// away, the plan is dropped (cancelled) at the next event.
fn stream_answer(
    state: AppState,
    tenant: String,
    request: ChatCompletionRequest,
    inputs: Vec<Input>,
    envelope: Envelope,
    permit: Option<crate::limits::WorkPermit>,
) -> Response {
    let (sender, receiver) = mpsc::channel::<Event>(64);
    tokio::spawn(crate::observe::in_this_request(async move {
        // The tenant's work slot is held until the stream's plan ends.
        let _permit = permit;
        let send = |chunk: ChatCompletionChunk| {
            let sender = sender.clone();
            async move {
                match Event::default().json_data(chunk) {
                    Ok(event) => sender.send(event).await.is_ok(),
                    Err(_) => false,
                }
            }
        };
        let delta = |content: Option<String>, role: Option<&str>, finish: Option<&str>| {
            vec![ChunkChoice {
                index: 0,
                delta: Delta {
                    role: role.map(str::to_owned),
                    content,
                },
                finish_reason: finish.map(str::to_owned),
            }]
        };
        if !send(envelope.chunk(
            delta(Some(String::new()), Some("assistant"), None),
            None,
            None,
        ))
        .await
        {
            return;
        }
        for input in &inputs {
            let mut event = input_summary(input);
            event["type"] = Value::from("input_stored");
            if !send(envelope.chunk(Vec::new(), Some(event), None)).await {
                return;
            }
        }
        let (event_sender, mut events) = mpsc::unbounded_channel::<AgentEvent>();
        let work = answer(
            &state,
            &tenant,
            &envelope.id,
            &envelope.session,
            &request,
            &inputs,
            Some(event_sender),
        );
        tokio::pin!(work);
        let result = loop {
            tokio::select! {
                result = &mut work => break result,
                Some(event) = events.recv() => {
                    let event = serde_json::to_value(&event).unwrap_or(Value::Null);
                    if !send(envelope.chunk(Vec::new(), Some(event), None)).await {
                        return;
                    }
                }
                () = sender.closed() => return,
            }
        };
        while let Ok(event) = events.try_recv() {
            let event = serde_json::to_value(&event).unwrap_or(Value::Null);
            if !send(envelope.chunk(Vec::new(), Some(event), None)).await {
                return;
            }
        }
        match result {
            Ok((content, extension)) => {
                let usage = usage(&request, &content, &extension);
                let _ = send(envelope.chunk(delta(Some(content), None, None), None, None)).await
                    && send(envelope.chunk(delta(None, None, Some("stop")), None, None)).await
                    && send(envelope.chunk(Vec::new(), None, Some(usage))).await;
            }
            Err(error) => {
                // Mid-stream failures travel as an error object, which the
                // OpenAI SDK raises as an APIError.
                let response = error.into_response();
                let status = response.status();
                let body = ErrorBody {
                    error: ErrorObject {
                        message: response
                            .extensions()
                            .get::<std::sync::Arc<String>>()
                            .filter(|_| !status.is_server_error())
                            .map(|message| message.as_str().to_owned())
                            .unwrap_or_else(|| {
                                "the request failed on the server; it has been logged".into()
                            }),
                        kind: if status.is_server_error() {
                            "server_error"
                        } else {
                            "invalid_request_error"
                        }
                        .into(),
                        param: None,
                        code: None,
                        id: crate::observe::request_id(),
                    },
                };
                if let Ok(event) = Event::default().json_data(body) {
                    let _ = sender.send(event).await;
                }
            }
        }
        let _ = sender.send(Event::default().data("[DONE]")).await;
    }));
    let events = stream::unfold(receiver, |mut receiver| async move {
        receiver
            .recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), receiver))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response()
}

pub(crate) fn validate(request: &ChatCompletionRequest) -> Result<(), ApiError> {
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

/// One line per stored input: its ref, type, size and origin. A reply the
/// agent could not plan still says what it kept, so the refs can be reused.
fn stored_inputs(inputs: &[Input]) -> String {
    let mut text = format!(
        "Received {} input{}, stored as artifacts of this session:",
        inputs.len(),
        if inputs.len() == 1 { "" } else { "s" }
    );
    for input in inputs {
        let artifact = &input.artifact;
        let mut facts = vec![artifact.content_type.clone()];
        if let (Some(width), Some(height)) = (artifact.media.width, artifact.media.height) {
            facts.push(format!("{width}×{height}"));
        }
        facts.push(human_bytes(artifact.size));
        facts.push(match &input.origin {
            Origin::Url(url) => format!("fetched from {url}"),
            Origin::DataUrl => "decoded from a data URL".into(),
            Origin::File(id) => format!("from uploaded file {id}"),
            Origin::Ref => "already in this session".into(),
        });
        text.push_str(&format!("\n- {}: {}", artifact.id, facts.join(", ")));
    }
    text
}

fn human_bytes(size: u64) -> String {
    match size {
        0..1_000 => format!("{size} B"),
        1_000..1_000_000 => format!("{:.1} KB", size as f64 / 1e3),
        _ => format!("{:.1} MB", size as f64 / 1e6),
    }
}

/// Token counts: the LLM planner's real ones when it planned, else estimated at four
/// characters per token (the offline planner and saved programs run no language model whose
/// tokenizer could count).
fn usage(request: &ChatCompletionRequest, content: &str, extension: &Value) -> Usage {
    if let Some(tokens) = ledger::llm_tokens(extension) {
        return Usage {
            prompt_tokens: tokens.prompt_tokens,
            completion_tokens: tokens.completion_tokens,
            total_tokens: tokens.total(),
        };
    }
    let prompt_chars: usize = request
        .messages
        .iter()
        .filter_map(|message| message.content.as_ref())
        .map(|content| match content {
            MessageContent::Text(text) => text.chars().count(),
            MessageContent::Parts(parts) => parts
                .iter()
                .map(|part| match part {
                    vitrine_wire::chat::ContentPart::Text { text } => text.chars().count(),
                    _ => 0,
                })
                .sum(),
        })
        .sum();
    let prompt_tokens = prompt_chars.div_ceil(4) as u64;
    let completion_tokens = content.chars().count().div_ceil(4) as u64;
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
    }
}
