//! The LLM planner: any OpenAI-compatible chat model with tool calling plans the request
//! step by step.
//!
//! The model sees the tool catalog as function definitions (filtered by the request's
//! toolsets) and the inputs as refs with their metadata. Each tool call it makes is validated
//! and run through the same plan validation and executor as the offline planner (as a
//! one-step plan); the result (refs made, facts) or the error goes back to the model as the
//! tool message, so it can correct bad arguments. The loop is bounded by
//! [`LlmConfig::max_turns`]. With [`LlmConfig::vision`] on, the model also sees each input
//! image as a downscaled JPEG (at most [`LlmConfig::vision_max_side`] pixels on the longer
//! side) in an `image_url` content part, labelled with its id; off by default, because a
//! text-only model behind an OpenAI-compatible server may reject image parts outright.

use std::collections::BTreeSet;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use vitrine_store::{ArtifactMeta, TokenUsage};
use vitrine_tools::{ToolCatalog, ToolContext, Toolset, io};
use vitrine_wire::ArtifactKind;

use crate::error::AgentError;

/// How to reach the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LlmConfig {
    /// Base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:11434/v1`;
    /// `/chat/completions` is appended.
    pub base_url: String,
    /// The model name sent with each request.
    pub model: String,
    /// Sent as `Authorization: Bearer <key>` when set.
    pub api_key: Option<String>,
    /// Most model turns per request (each may call several tools).
    pub max_turns: usize,
    /// Time limit of one model call.
    pub timeout: Duration,
    /// Send downscaled copies of the input images (for vision-capable models).
    pub vision: bool,
    /// Longer side, in pixels, of the image copies sent when `vision` is on.
    pub vision_max_side: u32,
}

impl LlmConfig {
    /// A config with 8 turns, a 120 s limit per call, and no images sent (metadata only;
    /// see [`LlmConfig::with_vision`]).
    pub fn new(
        base_url: impl Into<String>,
        model: impl Into<String>,
        api_key: Option<String>,
    ) -> Self {
        LlmConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key,
            max_turns: 8,
            timeout: Duration::from_secs(120),
            vision: false,
            vision_max_side: 768,
        }
    }

    /// Turns sending downscaled input images (≤ 768 px JPEG) on or off.
    pub fn with_vision(mut self, vision: bool) -> Self {
        self.vision = vision;
        self
    }
}

/// A client for one configured model.
#[derive(Debug, Clone)]
pub(crate) struct LlmClient {
    config: LlmConfig,
    http: reqwest::Client,
}

/// One tool call the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ToolCall {
    pub(crate) id: String,
    pub(crate) name: String,
    /// The arguments as the model wrote them (a JSON string, usually).
    pub(crate) arguments: String,
}

/// What one model turn produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Turn {
    /// Tool calls to run, with the assistant message to keep in the history.
    Calls {
        message: Value,
        calls: Vec<ToolCall>,
    },
    /// The final answer.
    Answer(String),
}

fn llm_error(message: impl Into<String>) -> AgentError {
    AgentError::Llm(message.into())
}

impl LlmClient {
    pub(crate) fn new(config: LlmConfig) -> Result<Self, AgentError> {
        // reqwest needs a process-wide rustls crypto provider, even for `http://`; installing
        // ours is a no-op when the embedding program already chose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("vitrine-agent/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| llm_error(format!("cannot build the HTTP client: {error}")))?;
        Ok(LlmClient { config, http })
    }

    pub(crate) fn max_turns(&self) -> usize {
        self.config.max_turns
    }

    /// The input images as content parts for the model, when vision is on: for each image a
    /// text part naming its id, then the downscaled JPEG as a data URL. An image that cannot
    /// be decoded is left out (the model still sees its metadata).
    pub(crate) async fn image_parts(
        &self,
        cx: &ToolContext,
        inputs: &[ArtifactMeta],
    ) -> Vec<Value> {
        let mut parts = Vec::new();
        if !self.config.vision {
            return parts;
        }
        let max_side = self.config.vision_max_side;
        for input in inputs
            .iter()
            .filter(|input| input.kind == ArtifactKind::Image)
        {
            let jpeg = async {
                let (_, decoded) = io::load_image(cx, "inputs", &input.id).await?;
                io::blocking(move || {
                    let small = vitrine_media::thumbnail(&decoded.image, max_side)?;
                    // JPEG has no alpha: flatten onto the pixels as they are.
                    let small = vitrine_media::image::DynamicImage::ImageRgb8(small.to_rgb8());
                    Ok(vitrine_media::encode_jpeg(&small, 85)?)
                })
                .await
            }
            .await;
            match jpeg {
                Ok(jpeg) => {
                    let data = base64::engine::general_purpose::STANDARD.encode(jpeg);
                    parts.push(json!({"type": "text", "text": format!("{}:", input.id)}));
                    parts.push(json!({"type": "image_url", "image_url": {
                        "url": format!("data:image/jpeg;base64,{data}"),
                    }}));
                }
                Err(error) => tracing::warn!(
                    id = %input.id,
                    %error,
                    "input image not sent to the LLM planner"
                ),
            }
        }
        parts
    }

    /// Sends the conversation and parses the reply, with the token counts the model reported.
    pub(crate) async fn turn(
        &self,
        messages: &[Value],
        tools: &[Value],
    ) -> Result<(Turn, Option<TokenUsage>), AgentError> {
        let url = format!(
            "{}/chat/completions",
            self.config.base_url.trim_end_matches('/')
        );
        let mut body = json!({
            "model": self.config.model,
            "messages": messages,
            "temperature": 0,
        });
        if !tools.is_empty() {
            body["tools"] = Value::Array(tools.to_vec());
            body["tool_choice"] = json!("auto");
        }
        let mut request = self
            .http
            .post(&url)
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let response = request
            .send()
            .await
            .map_err(|error| llm_error(format!("the LLM at `{url}` did not answer: {error}")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|error| llm_error(format!("reading the LLM's reply failed: {error}")))?;
        if !status.is_success() {
            let shown: String = text.chars().take(300).collect();
            return Err(llm_error(format!(
                "the LLM at `{url}` answered {status}: {shown}"
            )));
        }
        let reply: Value = serde_json::from_str(&text)
            .map_err(|error| llm_error(format!("the LLM's reply is not JSON: {error}")))?;
        Ok((parse_turn(&reply)?, parse_usage(&reply)))
    }
}

/// The `usage` of a chat completion, when the model reported one.
pub(crate) fn parse_usage(reply: &Value) -> Option<TokenUsage> {
    let usage = reply.get("usage")?;
    let count = |key: &str| usage.get(key).and_then(Value::as_u64);
    let prompt_tokens = count("prompt_tokens")?;
    let completion_tokens = count("completion_tokens").unwrap_or(0);
    Some(TokenUsage {
        prompt_tokens,
        completion_tokens,
    })
}

/// Reads `choices[0].message` of a chat completion.
pub(crate) fn parse_turn(reply: &Value) -> Result<Turn, AgentError> {
    let message = reply
        .pointer("/choices/0/message")
        .ok_or_else(|| llm_error("the LLM's reply has no `choices[0].message`"))?;
    let calls: Vec<ToolCall> = message
        .get("tool_calls")
        .and_then(Value::as_array)
        .map(|calls| {
            calls
                .iter()
                .enumerate()
                .map(|(index, call)| ToolCall {
                    id: call
                        .get("id")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("call_{index}"), str::to_owned),
                    name: call
                        .pointer("/function/name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    arguments: match call.pointer("/function/arguments") {
                        Some(Value::String(text)) => text.clone(),
                        Some(other) => other.to_string(),
                        None => "{}".to_owned(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    if calls.is_empty() {
        let content = message
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        return Ok(Turn::Answer(content));
    }
    let mut kept = message.clone();
    if let Value::Object(map) = &mut kept {
        map.insert("role".to_owned(), json!("assistant"));
    }
    Ok(Turn::Calls {
        message: kept,
        calls,
    })
}

/// The opening messages: what the planner is, the skills' guidance if any (see
/// [`crate::Agent::run_guided`]), the inputs, the schema if any, and the images' content
/// parts (from [`LlmClient::image_parts`]; empty when vision is off).
pub(crate) fn opening(
    instruction: &str,
    inputs: &[ArtifactMeta],
    schema: Option<&Value>,
    images: Vec<Value>,
    guidance: &[String],
) -> Vec<Value> {
    let system = "You are the planner of Vitrine, a visual agent. Do what the user asks by calling the \
        tools with the attached media. Media are named by ids such as img_a1b2c3 (images), vid_ (videos), \
        doc_ (PDFs); pass these ids as the tools' ref arguments. Every tool call runs at once and returns \
        the ids of the artifacts it made and facts about what it found; use those ids in later calls. \
        Never invent ids, counts or findings. When the work is done, answer briefly, naming the ids of the results.";
    let mut system = system.to_owned();
    if !guidance.is_empty() {
        system.push_str(
            "\n\nThe user enabled these skills; follow their instructions when they apply:",
        );
        for text in guidance {
            system.push_str("\n\n");
            system.push_str(text);
        }
    }
    let mut user = instruction.to_owned();
    user.push_str("\n\nAttached media:");
    if inputs.is_empty() {
        user.push_str(" none");
    }
    for input in inputs {
        let dims = match (input.media.width, input.media.height) {
            (Some(width), Some(height)) => format!(", {width}×{height}"),
            _ => String::new(),
        };
        let duration = input
            .media
            .duration_s
            .map(|seconds| format!(", {seconds:.2} s"))
            .unwrap_or_default();
        user.push_str(&format!(
            "\n- {}: {} ({}{dims}{duration})",
            input.id,
            input.kind.noun(),
            input.content_type
        ));
    }
    if let Some(schema) = schema {
        user.push_str(&format!(
            "\n\nThe final answer will be structured by this JSON schema, filled from the artifacts your tool calls make: {schema}"
        ));
    }
    let user = if images.is_empty() {
        Value::String(user)
    } else {
        let mut parts = vec![json!({"type": "text", "text": user})];
        parts.extend(images);
        Value::Array(parts)
    };
    vec![
        json!({"role": "system", "content": system}),
        json!({"role": "user", "content": user}),
    ]
}

/// The tools the model may call.
pub(crate) fn tool_definitions(catalog: &ToolCatalog, allowed: &BTreeSet<Toolset>) -> Vec<Value> {
    catalog.filtered(allowed).function_definitions()
}
