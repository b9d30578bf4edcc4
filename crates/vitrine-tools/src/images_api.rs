//! A client for an image generation provider speaking the OpenAI Images API
//! (`/images/generations`, `/images/edits`), used by the `image-gen` tools.

use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};

use crate::error::ToolError;
use crate::providers::{HttpProvider, ProviderKind};

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
    model: String,
    http: HttpProvider,
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

/// Largest reply read: a base64 PNG of the largest gpt-image size is about 10 MB.
const MAX_REPLY_BYTES: usize = 64 * 1024 * 1024;

impl ImagesClient {
    /// Builds the HTTP client.
    pub fn new(config: ImagesConfig) -> Result<Self, ToolError> {
        let http = HttpProvider::new(
            ProviderKind::Images,
            &config.base_url,
            config.api_key,
            config.timeout,
        )?;
        Ok(ImagesClient {
            model: config.model,
            http,
        })
    }

    /// `POST /images/generations`: one image from a prompt.
    pub async fn generate(&self, prompt: &str, size: &str) -> Result<Vec<u8>, ToolError> {
        let body = json!({"model": self.model, "prompt": prompt, "size": size, "n": 1});
        let request = self
            .http
            .post("images/generations")
            .header("content-type", "application/json")
            .body(body.to_string());
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
            .text("model", self.model.clone())
            .text("prompt", prompt.to_owned())
            .text("size", size.to_owned())
            .text("n", "1");
        for image in images {
            let part = reqwest::multipart::Part::bytes(image.bytes)
                .file_name(image.filename)
                .mime_str(&image.content_type)
                .map_err(|error| ToolError::Provider {
                    message: format!("an input image has a bad media type: {error}"),
                    location: "before sending it to the images provider".to_owned(),
                })?;
            form = form.part("image[]", part);
        }
        let request = self.http.post("images/edits").multipart(form);
        self.image_from(request, "images/edits").await
    }

    async fn image_from(
        &self,
        request: reqwest::RequestBuilder,
        path: &str,
    ) -> Result<Vec<u8>, ToolError> {
        let url = self.http.url(path);
        let reply = self.http.send(request, &url, MAX_REPLY_BYTES).await?;
        let reply: Value = serde_json::from_slice(&reply.body).map_err(|error| {
            self.http
                .error(&url, format!("answered with non-JSON: {error}"))
        })?;
        if let Some(encoded) = reply.pointer("/data/0/b64_json").and_then(Value::as_str) {
            return base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .map_err(|error| {
                    self.http.error(
                        &url,
                        format!("sent a `b64_json` that is not base64: {error}"),
                    )
                });
        }
        if let Some(link) = reply.pointer("/data/0/url").and_then(Value::as_str) {
            // Providers that answer with a URL: fetch it with the same client and limits.
            return Ok(self.http.get(link, MAX_REPLY_BYTES).await?.body);
        }
        Err(self
            .http
            .error(&url, "answered without `data[0].b64_json` or `data[0].url`"))
    }
}
