//! A client for an image generation provider speaking the OpenAI Images API
//! (`/images/generations`, `/images/edits`), used by the `image-gen` tools.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::error::ToolError;

/// Where the provider is and which model to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagesConfig {
    /// Base URL ending in `/v1` (or wherever `/images/...` lives).
    pub base_url: String,
    /// The model name, e.g. `gpt-image-1`.
    pub model: String,
    /// Sent as `Authorization: Bearer <key>` when set.
    pub api_key: Option<String>,
    /// Time limit of one call.
    pub timeout: Duration,
}

impl ImagesConfig {
    /// A config with a 180 s limit per call.
    pub fn new(
        base_url: impl Into<String>,
        model: impl Into<String>,
        api_key: Option<String>,
    ) -> Self {
        ImagesConfig {
            base_url: base_url.into(),
            model: model.into(),
            api_key,
            timeout: Duration::from_secs(180),
        }
    }
}

/// The settings that name the provider, for "not configured" errors.
pub const SETTINGS: &str = "`--images-base-url` and `--images-model` (or `VITRINE_IMAGES_BASE_URL` and `VITRINE_IMAGES_MODEL`)";

/// A configured provider.
#[derive(Debug, Clone)]
pub struct ImagesClient {
    config: ImagesConfig,
    http: reqwest::Client,
}

/// One input image for an edit.
#[derive(Debug, Clone)]
pub struct EditInput {
    /// The encoded bytes.
    pub bytes: Vec<u8>,
    /// Their media type.
    pub content_type: String,
    /// A file name for the multipart part.
    pub filename: String,
}

fn provider_error(message: impl Into<String>) -> ToolError {
    ToolError::Provider(message.into())
}

impl ImagesClient {
    /// Builds the HTTP client (for `https` a rustls crypto provider must be installed).
    pub fn new(config: ImagesConfig) -> Result<Self, ToolError> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .user_agent(concat!("vitrine-tools/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| provider_error(format!("cannot build the HTTP client: {error}")))?;
        Ok(ImagesClient { config, http })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.config.base_url.trim_end_matches('/'))
    }

    /// `POST /images/generations`: one image from a prompt.
    pub async fn generate(&self, prompt: &str, size: &str) -> Result<Vec<u8>, ToolError> {
        let body = json!({"model": self.config.model, "prompt": prompt, "size": size, "n": 1});
        let mut request = self
            .http
            .post(self.url("images/generations"))
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        self.image_from(request, "images/generations").await
    }

    /// `POST /images/edits`: one image from a prompt and several input images.
    pub async fn edit(
        &self,
        prompt: &str,
        size: &str,
        images: Vec<EditInput>,
    ) -> Result<Vec<u8>, ToolError> {
        let mut form = reqwest::multipart::Form::new()
            .text("model", self.config.model.clone())
            .text("prompt", prompt.to_owned())
            .text("size", size.to_owned())
            .text("n", "1");
        for image in images {
            let part = reqwest::multipart::Part::bytes(image.bytes)
                .file_name(image.filename)
                .mime_str(&image.content_type)
                .map_err(|error| provider_error(format!("bad media type: {error}")))?;
            form = form.part("image[]", part);
        }
        let mut request = self.http.post(self.url("images/edits")).multipart(form);
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        self.image_from(request, "images/edits").await
    }

    async fn image_from(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<Vec<u8>, ToolError> {
        let url = self.url(path);
        let response = request.send().await.map_err(|error| {
            provider_error(format!(
                "the images provider at `{url}` did not answer: {error}"
            ))
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|error| {
            provider_error(format!(
                "reading the images provider's reply failed: {error}"
            ))
        })?;
        if !status.is_success() {
            let shown: String = text.chars().take(300).collect();
            return Err(provider_error(format!(
                "the images provider at `{url}` answered {status}: {shown}"
            )));
        }
        let reply: Value = serde_json::from_str(&text).map_err(|error| {
            provider_error(format!("the images provider's reply is not JSON: {error}"))
        })?;
        if let Some(encoded) = reply.pointer("/data/0/b64_json").and_then(Value::as_str) {
            return base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|error| provider_error(format!("`b64_json` is not base64: {error}")));
        }
        if let Some(link) = reply.pointer("/data/0/url").and_then(Value::as_str) {
            // Providers that answer with a URL: fetch it with the same client and limits.
            let bytes = self
                .http
                .get(link)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|error| {
                    provider_error(format!("fetching the generated image failed: {error}"))
                })?
                .bytes()
                .await
                .map_err(|error| {
                    provider_error(format!("fetching the generated image failed: {error}"))
                })?;
            return Ok(bytes.to_vec());
        }
        Err(provider_error(
            "the images provider's reply has no `data[0].b64_json` or `data[0].url`",
        ))
    }
}
