//! `client.agent().completions()`: chat completions, whole or streamed.
//!
//! Requests go to `{base}/openai/chat/completions`, where the `vlmrun` SDK's
//! embedded OpenAI client sends them.

use bytes::Bytes;
use reqwest::Method;
use vitrine_wire::chat::{ChatCompletion, ChatCompletionRequest};

use crate::client::read_json;
use crate::stream::ChatStream;
use crate::{Client, ClientError};

const PATH: &str = "openai/chat/completions";

/// The agent resource.
#[derive(Debug, Clone)]
pub struct Agent {
    pub(crate) client: Client,
}

impl Agent {
    /// Chat completions.
    pub fn completions(&self) -> Completions {
        Completions {
            client: self.client.clone(),
        }
    }
}

/// `agent().completions()`.
#[derive(Debug, Clone)]
pub struct Completions {
    client: Client,
}

impl Completions {
    /// Sends the request and waits for the whole answer (`stream` is forced off).
    pub async fn create(
        &self,
        request: impl Into<ChatCompletionRequest>,
    ) -> Result<ChatCompletion, ClientError> {
        let mut request = request.into();
        request.stream = None;
        let response = self.post(&request).await?;
        read_json("POST /openai/chat/completions", response).await
    }

    /// Sends the request with `stream: true` and yields chunks as they arrive:
    /// progress chunks (empty `choices`, a `vitrine_event`), the answer, and
    /// a final usage chunk. The stream ends at `data: [DONE]`; an error the
    /// server sends mid-stream arrives as [`ClientError::Stream`].
    pub async fn create_stream(
        &self,
        request: impl Into<ChatCompletionRequest>,
    ) -> Result<ChatStream, ClientError> {
        let mut request = request.into();
        request.stream = Some(true);
        let response = self.post(&request).await?;
        Ok(ChatStream::new(response))
    }

    async fn post(
        &self,
        request: &ChatCompletionRequest,
    ) -> Result<reqwest::Response, ClientError> {
        let body = Bytes::from(serde_json::to_vec(request).map_err(|error| {
            ClientError::InvalidArgument {
                param: "request",
                message: format!("does not serialize to JSON: {error}"),
            }
        })?);
        let url = self.client.url(PATH);
        // POST, so only what the server did not take is retried (429, 502,
        // 503, no connection): a 501 or 504 is the answer, not a hiccup.
        self.client
            .send(&Method::POST, &url, || {
                Ok(self
                    .client
                    .request(Method::POST, &url, self.client.inner.long_timeout)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.clone()))
            })
            .await
    }
}
