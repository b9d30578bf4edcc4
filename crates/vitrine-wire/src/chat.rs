//! Chat completions: the OpenAI request and response shapes plus Orion's
//! extension keys (`session_id`, `toolsets`, ...), which clients send through
//! `extra_body` and which therefore arrive as top-level body keys.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The model names this server answers to.
pub const MODELS: [&str; 8] = [
    "vlmrun-orion-1:fast",
    "vlmrun-orion-1:auto",
    "vlmrun-orion-1:pro",
    "vlmrun-orion-1",
    "vlmrun-orion-1:lite",
    "vlmrun-orion-2:fast",
    "vlmrun-orion-2:auto",
    "vlmrun-orion-2:pro",
];

/// Tool categories a request may restrict itself to with `toolsets`.
pub const TOOLSETS: [&str; 8] = [
    "core",
    "image",
    "image-gen",
    "world-gen",
    "viz",
    "document",
    "video",
    "web",
];

/// `POST /chat/completions` request body.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatCompletionRequest {
    /// Model name, e.g. `vlmrun-orion-1:auto`.
    pub model: String,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Structured-output request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<ResponseFormat>,
    /// Stream the answer as server-sent events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<bool>,
    /// OpenAI stream options (`include_usage`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_options: Option<StreamOptions>,
    /// Sampling temperature (accepted for compatibility).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// Upper bound on generated tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    /// Continue this session instead of starting a new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Restrict the tools that may run to these categories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub toolsets: Option<Vec<String>>,
    /// Orion extension: skills to use, each `{"type": "skill_reference", "skill_id",
    /// "skill_version"?}` or `{"type": "inline", "name", "description", "source": {"type":
    /// "base64", "data": <zip>}}`; kept as JSON here so the server can say exactly which item
    /// is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<Value>>,
    /// Any other keys clients send; accepted and ignored.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// OpenAI `stream_options`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StreamOptions {
    /// Send a final chunk carrying `usage`.
    #[serde(default)]
    pub include_usage: bool,
}

/// One message of the conversation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    /// `system`, `user`, `assistant` or `tool`.
    pub role: String,
    /// A string or a list of content parts.
    #[serde(default)]
    pub content: Option<MessageContent>,
    /// Optional participant name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Message content: plain text or a list of parts.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum MessageContent {
    /// Plain text.
    Text(String),
    /// Text and media parts.
    Parts(Vec<ContentPart>),
}

/// A `{"url": ...}` object as used by `image_url` and friends.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UrlObject {
    /// `http(s)://`, `data:` or a bare artifact ref of the same session.
    pub url: String,
    /// OpenAI's image detail hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// `file_url` is an object in the protocol; a bare string is accepted too.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum UrlOrObject {
    /// `{"url": "..."}`.
    Object(UrlObject),
    /// `"..."`.
    Url(String),
}

impl UrlOrObject {
    /// The URL in either form.
    pub fn url(&self) -> &str {
        match self {
            UrlOrObject::Object(object) => &object.url,
            UrlOrObject::Url(url) => url,
        }
    }
}

/// One content part of a message.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    /// Text.
    Text {
        /// The text.
        text: String,
    },
    /// An image by URL, data URL or ref.
    ImageUrl {
        /// Where the image is.
        image_url: UrlOrObject,
    },
    /// A video by URL, data URL or ref.
    VideoUrl {
        /// Where the video is.
        video_url: UrlOrObject,
    },
    /// An audio track by URL, data URL or ref.
    AudioUrl {
        /// Where the audio is.
        audio_url: UrlOrObject,
    },
    /// A document (e.g. PDF) by URL, data URL or ref.
    FileUrl {
        /// Where the document is.
        file_url: UrlOrObject,
    },
    /// An uploaded file (`file_id`) or a URL.
    InputFile {
        /// An id from `POST /v1/files`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_id: Option<String>,
        /// Or a URL.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        file_url: Option<String>,
        /// Optional original file name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
    /// An artifact of the same session, by id.
    InputRef {
        /// The artifact id, e.g. `img_a1b2c3`.
        id: String,
    },
}

/// `response_format` in its three forms.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    /// Free text.
    Text,
    /// Any JSON object.
    JsonObject,
    /// JSON that validates against a schema: either the seed's
    /// `{"type":"json_schema","schema":{...}}` or OpenAI's
    /// `{"type":"json_schema","json_schema":{"name","schema"}}`.
    JsonSchema {
        /// The schema at the top level (Orion's form).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        schema: Option<Value>,
        /// OpenAI's wrapper.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        json_schema: Option<JsonSchemaSpec>,
    },
}

impl ResponseFormat {
    /// The schema, whichever form carried it.
    pub fn schema(&self) -> Option<&Value> {
        match self {
            ResponseFormat::JsonSchema {
                schema,
                json_schema,
            } => schema
                .as_ref()
                .or_else(|| json_schema.as_ref().and_then(|spec| spec.schema.as_ref())),
            _ => None,
        }
    }
}

/// OpenAI's `json_schema` object.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JsonSchemaSpec {
    /// Schema name.
    #[serde(default)]
    pub name: Option<String>,
    /// The schema.
    #[serde(default)]
    pub schema: Option<Value>,
    /// Strict mode flag (accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strict: Option<bool>,
}

/// Token counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Usage {
    /// Tokens in the request's text.
    pub prompt_tokens: u64,
    /// Tokens in the answer.
    pub completion_tokens: u64,
    /// Their sum.
    pub total_tokens: u64,
}

/// The assistant's message in a completion.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistantMessage {
    /// Always `assistant`.
    pub role: String,
    /// The answer text (a JSON string under structured output).
    pub content: Option<String>,
}

/// One choice of a completion.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    /// Position in `choices`.
    pub index: u32,
    /// The answer.
    pub message: AssistantMessage,
    /// Why generation stopped.
    pub finish_reason: String,
}

/// A `chat.completion` object with Orion's `session_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatCompletion {
    /// Completion id.
    pub id: String,
    /// Always `chat.completion`.
    pub object: String,
    /// Unix seconds.
    pub created: u64,
    /// The model that answered.
    pub model: String,
    /// The answers (always one).
    pub choices: Vec<Choice>,
    /// Token counts.
    pub usage: Usage,
    /// The session the artifacts live in.
    pub session_id: String,
    /// What Vitrine did to answer (inputs ingested, steps run, refs made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vitrine: Option<Value>,
}

/// The incremental message of a stream chunk.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Delta {
    /// Set on the first chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// A piece of the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// One choice of a stream chunk.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChunkChoice {
    /// Position in `choices`.
    pub index: u32,
    /// The increment.
    pub delta: Delta,
    /// Set on the last content chunk.
    pub finish_reason: Option<String>,
}

/// A `chat.completion.chunk` object with Orion's `session_id`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatCompletionChunk {
    /// Completion id, the same on every chunk of a stream.
    pub id: String,
    /// Always `chat.completion.chunk`.
    pub object: String,
    /// Unix seconds.
    pub created: u64,
    /// The model that answered.
    pub model: String,
    /// Empty on progress and usage chunks.
    pub choices: Vec<ChunkChoice>,
    /// Only on the final usage chunk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The session the artifacts live in; on every chunk.
    pub session_id: String,
    /// A progress event (input stored, tool started, ref made).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vitrine_event: Option<Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_request_an_openai_client_sends() {
        let body = serde_json::json!({
            "model": "vlmrun-orion-1:auto",
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "Blur all faces"},
                {"type": "image_url", "image_url": {"url": "https://example.com/a.jpg", "detail": "auto"}},
                {"type": "input_file", "file_id": "file-000000000000000000000000"},
                {"type": "input_ref", "id": "img_a1b2c3"}
            ]}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "R", "schema": {"type": "object"}}},
            "session_id": "0123456789abcdef0123456789abcdef",
            "n": 1
        });
        let request: ChatCompletionRequest =
            serde_json::from_value(body).expect("a valid request parses");
        assert_eq!(request.messages.len(), 1);
        assert!(
            request
                .response_format
                .as_ref()
                .and_then(ResponseFormat::schema)
                .is_some()
        );
        assert!(request.extra.contains_key("n"));
    }

    #[test]
    fn the_seed_schema_form_is_found() {
        let format: ResponseFormat = serde_json::from_value(serde_json::json!({
            "type": "json_schema", "schema": {"title": "RedactionResult"}
        }))
        .expect("seed form parses");
        assert_eq!(
            format.schema().and_then(|s| s.get("title")),
            Some(&Value::from("RedactionResult"))
        );
    }
}
