//! [`ChatStream`]: server-sent events → [`ChatCompletionChunk`]s.
//!
//! The parser follows the SSE rules the server relies on: `data:` lines are
//! joined until a blank line ends the event, comment lines (`:` keep-alives)
//! and other fields are skipped, `data: [DONE]` ends the stream, and an event
//! whose JSON is `{"error": ...}` is the server failing mid-answer.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use serde_json::Value;
use vitrine_wire::ErrorBody;
use vitrine_wire::chat::{ChatCompletionChunk, Usage};

use crate::ClientError;
use crate::error::ApiError;

type ByteStream = Pin<Box<dyn Stream<Item = Result<Bytes, reqwest::Error>> + Send>>;

/// A streamed chat completion; a [`Stream`] of chunks.
pub struct ChatStream {
    body: ByteStream,
    url: String,
    buffer: Vec<u8>,
    data: Option<String>,
    body_done: bool,
    finished: bool,
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("url", &self.url)
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}

/// What a whole stream said, gathered by [`ChatStream::into_answer`].
#[derive(Debug, Clone, Default)]
pub struct StreamedAnswer {
    /// The session the artifacts live in (from the first chunk).
    pub session_id: String,
    /// The answer text, all content deltas joined.
    pub content: String,
    /// Every progress event (`vitrine_event`), in order.
    pub events: Vec<Value>,
    /// Token counts, if the server sent a usage chunk.
    pub usage: Option<Usage>,
}

/// What one complete SSE event turned into.
enum Parsed {
    Chunk(Box<ChatCompletionChunk>),
    Done,
    Failed(ClientError),
}

impl ChatStream {
    pub(crate) fn new(response: reqwest::Response) -> Self {
        ChatStream {
            url: response.url().to_string(),
            body: Box::pin(response.bytes_stream()),
            buffer: Vec::new(),
            data: None,
            body_done: false,
            finished: false,
        }
    }

    /// Reads the stream to its end and gathers the answer.
    pub async fn into_answer(mut self) -> Result<StreamedAnswer, ClientError> {
        let mut answer = StreamedAnswer::default();
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            if answer.session_id.is_empty() {
                answer.session_id = chunk.session_id.clone();
            }
            for choice in &chunk.choices {
                if let Some(content) = &choice.delta.content {
                    answer.content.push_str(content);
                }
            }
            if let Some(event) = chunk.vitrine_event {
                answer.events.push(event);
            }
            if chunk.usage.is_some() {
                answer.usage = chunk.usage;
            }
        }
        Ok(answer)
    }

    /// Takes the next complete event out of the buffer, if there is one.
    fn next_event(&mut self) -> Option<Parsed> {
        while let Some(end) = self.buffer.iter().position(|&byte| byte == b'\n') {
            let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.is_empty() {
                if let Some(data) = self.data.take() {
                    return Some(parse_event(&data));
                }
                continue;
            }
            if let Some(value) = line.strip_prefix(b"data:") {
                let value = value.strip_prefix(b" ").unwrap_or(value);
                let value = String::from_utf8_lossy(value);
                match &mut self.data {
                    Some(data) => {
                        data.push('\n');
                        data.push_str(&value);
                    }
                    None => self.data = Some(value.into_owned()),
                }
            }
        }
        None
    }
}

fn parse_event(data: &str) -> Parsed {
    if data.trim() == "[DONE]" {
        return Parsed::Done;
    }
    let value: Value = match serde_json::from_str(data) {
        Ok(value) => value,
        Err(error) => {
            return Parsed::Failed(ClientError::InvalidResponse {
                endpoint: "chat completion stream".into(),
                detail: format!("an event is not JSON: {error}"),
            });
        }
    };
    if value.get("error").is_some() {
        let error = match serde_json::from_value::<ErrorBody>(value.clone()) {
            Ok(body) => ApiError {
                status: 200,
                message: body.error.message,
                kind: Some(body.error.kind),
                code: body.error.code,
                param: body.error.param,
            },
            Err(_) => ApiError::from_body(200, data.as_bytes()),
        };
        return Parsed::Failed(ClientError::Stream(error));
    }
    match serde_json::from_value(value) {
        Ok(chunk) => Parsed::Chunk(Box::new(chunk)),
        Err(error) => Parsed::Failed(ClientError::InvalidResponse {
            endpoint: "chat completion stream".into(),
            detail: format!("an event is not a chat.completion.chunk: {error}"),
        }),
    }
}

impl Stream for ChatStream {
    type Item = Result<ChatCompletionChunk, ClientError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if this.finished {
                return Poll::Ready(None);
            }
            match this.next_event() {
                Some(Parsed::Chunk(chunk)) => return Poll::Ready(Some(Ok(*chunk))),
                Some(Parsed::Done) => {
                    this.finished = true;
                    return Poll::Ready(None);
                }
                Some(Parsed::Failed(error)) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(error)));
                }
                None if this.body_done => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(ClientError::InvalidResponse {
                        endpoint: "chat completion stream".into(),
                        detail: "the stream ended without `data: [DONE]`".into(),
                    })));
                }
                None => {}
            }
            match this.body.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => this.buffer.extend_from_slice(&bytes),
                Poll::Ready(Some(Err(error))) => {
                    this.finished = true;
                    return Poll::Ready(Some(Err(ClientError::transport(&this.url, error))));
                }
                Poll::Ready(None) => {
                    // A last event without its blank line still counts.
                    this.body_done = true;
                    this.buffer.extend_from_slice(b"\n\n");
                }
            }
        }
    }
}
