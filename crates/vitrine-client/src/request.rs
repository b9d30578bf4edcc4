//! [`ChatRequest`]: a builder for the common one-user-message request, so
//! callers need not spell out every optional field of
//! [`ChatCompletionRequest`].

use vitrine_wire::chat::{
    ChatCompletionRequest, ContentPart, Message, MessageContent, ResponseFormat, UrlOrObject,
};

/// The model used when none is named: Orion's balanced tier.
pub const DEFAULT_MODEL: &str = "vlmrun-orion-1:auto";

/// Builds a [`ChatCompletionRequest`] with one user message made of text and
/// input parts.
///
/// ```
/// use vitrine_client::ChatRequest;
/// let request = ChatRequest::new("vlmrun-orion-1:fast")
///     .text("Blur every face")
///     .input_file("file-0123456789abcdef01234567")
///     .toolsets(["image"])
///     .build();
/// assert_eq!(request.model, "vlmrun-orion-1:fast");
/// ```
#[derive(Debug, Clone)]
pub struct ChatRequest {
    request: ChatCompletionRequest,
    parts: Vec<ContentPart>,
}

impl ChatRequest {
    /// A request to `model` with no message yet.
    pub fn new(model: impl Into<String>) -> Self {
        ChatRequest {
            request: ChatCompletionRequest {
                model: model.into(),
                messages: Vec::new(),
                response_format: None,
                stream: None,
                stream_options: None,
                temperature: None,
                max_tokens: None,
                session_id: None,
                toolsets: None,
                skills: None,
                extra: serde_json::Map::new(),
            },
            parts: Vec::new(),
        }
    }

    /// Adds a text part to the user message.
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.parts.push(ContentPart::Text { text: text.into() });
        self
    }

    /// Adds an uploaded file (an id from [`crate::Files::upload`]).
    pub fn input_file(mut self, file_id: impl Into<String>) -> Self {
        self.parts.push(ContentPart::InputFile {
            file_id: Some(file_id.into()),
            file_url: None,
            filename: None,
        });
        self
    }

    /// Adds an artifact of the same session by id (`img_a1b2c3`).
    pub fn input_ref(mut self, id: impl Into<String>) -> Self {
        self.parts.push(ContentPart::InputRef { id: id.into() });
        self
    }

    /// Adds an image by `http(s)://` or `data:` URL.
    pub fn image_url(mut self, url: impl Into<String>) -> Self {
        self.parts.push(ContentPart::ImageUrl {
            image_url: UrlOrObject::Url(url.into()),
        });
        self
    }

    /// Adds any content part.
    pub fn part(mut self, part: ContentPart) -> Self {
        self.parts.push(part);
        self
    }

    /// Adds a system message before the user message.
    pub fn system(mut self, text: impl Into<String>) -> Self {
        self.request.messages.push(Message {
            role: "system".into(),
            content: Some(MessageContent::Text(text.into())),
            name: None,
        });
        self
    }

    /// Continues a session: its artifacts can be named as inputs.
    pub fn session_id(mut self, session_id: impl Into<String>) -> Self {
        self.request.session_id = Some(session_id.into());
        self
    }

    /// Restricts the tools that may run to these categories (`image`, `video`, ...).
    pub fn toolsets<I, S>(mut self, toolsets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.request.toolsets = Some(toolsets.into_iter().map(Into::into).collect());
        self
    }

    /// Structured output, e.g. [`crate::response_format`]`::<MyAnswer>()`.
    pub fn response_format(mut self, format: ResponseFormat) -> Self {
        self.request.response_format = Some(format);
        self
    }

    /// The finished request.
    pub fn build(mut self) -> ChatCompletionRequest {
        if !self.parts.is_empty() {
            self.request.messages.push(Message {
                role: "user".into(),
                content: Some(MessageContent::Parts(self.parts)),
                name: None,
            });
        }
        self.request
    }
}

impl From<ChatRequest> for ChatCompletionRequest {
    fn from(request: ChatRequest) -> Self {
        request.build()
    }
}
