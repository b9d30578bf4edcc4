//! External providers for what no registry package ships: monocular depth ([`depth`]) and
//! open-vocabulary detection ([`detect`]) over the minimal protocol of `docs/providers.md`,
//! plus the HTTP plumbing they share with the OpenAI Images API client
//! ([`crate::images_api`]): one client per provider with a time limit, an optional Bearer
//! key, a size cap on replies, and errors that name the provider's URL and its setting.

pub mod depth;
pub mod detect;

use std::time::Duration;

use crate::error::ToolError;

/// An external provider a tool may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProviderKind {
    /// Image generation and editing (OpenAI Images API).
    Images,
    /// Monocular depth estimation.
    Depth,
    /// Open-vocabulary object detection.
    Detect,
}

impl ProviderKind {
    /// What needs it, for "not configured" errors.
    pub fn what(self) -> &'static str {
        match self {
            ProviderKind::Images => "image generation",
            ProviderKind::Depth => "depth estimation with a depth model",
            ProviderKind::Detect => {
                "finding things that are not one of the 80 COCO classes (open-vocabulary detection)"
            }
        }
    }

    /// The settings that configure it.
    pub fn settings(self) -> &'static str {
        match self {
            ProviderKind::Images => crate::images_api::SETTINGS,
            ProviderKind::Depth => "`--depth-url` (or `VITRINE_DEPTH_URL`)",
            ProviderKind::Detect => "`--detect-url` (or `VITRINE_DETECT_URL`)",
        }
    }

    /// A short name used in provider errors, e.g. "depth provider".
    fn name(self) -> &'static str {
        match self {
            ProviderKind::Images => "images provider",
            ProviderKind::Depth => "depth provider",
            ProviderKind::Detect => "detection provider",
        }
    }

    /// The error a tool returns when this provider is needed but absent.
    pub fn not_configured(self) -> ToolError {
        ToolError::NotConfigured {
            what: self.what(),
            settings: self.settings(),
        }
    }
}

/// Where a depth or detection provider is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderConfig {
    /// Base URL; requests go to `{base_url}/depth` or `{base_url}/detect`.
    pub base_url: String,
    /// Sent as `Authorization: Bearer <key>` when set.
    pub api_key: Option<String>,
    /// Time limit of one call, reading the reply included.
    pub timeout: Duration,
}

impl ProviderConfig {
    /// A config with a 60 s limit per call.
    pub fn new(base_url: impl Into<String>, api_key: Option<String>) -> Self {
        ProviderConfig {
            base_url: base_url.into(),
            api_key,
            timeout: Duration::from_secs(60),
        }
    }
}

/// The HTTP side of one provider.
#[derive(Clone)]
pub(crate) struct HttpProvider {
    kind: ProviderKind,
    base_url: String,
    api_key: Option<String>,
    timeout: Duration,
    http: reqwest::Client,
}

impl std::fmt::Debug for HttpProvider {
    // Without the key: contexts and clients end up in logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpProvider")
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<set>"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A successful reply, read in full.
pub(crate) struct Reply {
    /// All headers.
    pub(crate) headers: reqwest::header::HeaderMap,
    /// The body.
    pub(crate) body: Vec<u8>,
}

impl HttpProvider {
    /// Builds the HTTP client.
    pub(crate) fn new(
        kind: ProviderKind,
        base_url: &str,
        api_key: Option<String>,
        timeout: Duration,
    ) -> Result<Self, ToolError> {
        let scheme = reqwest::Url::parse(base_url).map(|url| url.scheme().to_owned());
        if !matches!(scheme.as_deref(), Ok("http" | "https")) {
            return Err(ToolError::Provider {
                message: format!("the {} is misconfigured", kind.name()),
                location: format!(
                    "`{base_url}` is not an http:// or https:// URL; fix {}",
                    kind.settings()
                ),
            });
        }
        // reqwest needs a process-wide rustls crypto provider, even for `http://`; installing
        // ours is a no-op when the embedding program already chose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(concat!("vitrine-tools/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| ToolError::Provider {
                message: format!("cannot build the HTTP client of the {}", kind.name()),
                location: error.to_string(),
            })?;
        Ok(HttpProvider {
            kind,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            timeout,
            http,
        })
    }

    /// The configured base URL.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `{base_url}/{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.base_url)
    }

    /// A POST to `path`, with the key when one is set.
    pub(crate) fn post(&self, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.post(self.url(path));
        match &self.api_key {
            Some(key) => request.bearer_auth(key),
            None => request,
        }
    }

    /// A provider error about `url` that says which setting points there.
    pub(crate) fn error(&self, url: &str, problem: impl std::fmt::Display) -> ToolError {
        ToolError::Provider {
            message: format!("the {} {problem}", self.kind.name()),
            location: format!("at `{url}`, set by {}", self.kind.settings()),
        }
    }

    /// Sends `request` (made for `url`), fails on a non-2xx status, and reads the body up to
    /// `max_bytes`.
    pub(crate) async fn send(
        &self,
        request: reqwest::RequestBuilder,
        url: &str,
        max_bytes: usize,
    ) -> Result<Reply, ToolError> {
        let transport = |error: reqwest::Error| {
            if error.is_timeout() {
                self.error(
                    url,
                    format!("did not answer within {} s", self.timeout.as_secs_f64()),
                )
            } else {
                // reqwest's message names the URL, so it goes with the location.
                let mut unreachable = self.error(url, "could not be reached");
                if let ToolError::Provider { location, .. } = &mut unreachable {
                    location.push_str(&format!(": {error}"));
                }
                unreachable
            }
        };
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        if response
            .content_length()
            .is_some_and(|length| length > max_bytes as u64)
        {
            return Err(self.error(
                url,
                format!("sent a reply larger than the limit of {max_bytes} bytes"),
            ));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if body.len() + chunk.len() > max_bytes {
                return Err(self.error(
                    url,
                    format!("sent a reply larger than the limit of {max_bytes} bytes"),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            let shown: String = String::from_utf8_lossy(&body).chars().take(300).collect();
            return Err(self.error(url, format!("answered {status}: {}", shown.trim())));
        }
        Ok(Reply {
            headers: response.headers().clone(),
            body,
        })
    }

    /// GETs `url` with the same client, time limit and size cap (for providers that answer
    /// with a link).
    pub(crate) async fn get(&self, url: &str, max_bytes: usize) -> Result<Reply, ToolError> {
        self.send(self.http.get(url), url, max_bytes).await
    }
}
