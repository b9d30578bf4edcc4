//! [`Client`]: connection settings, the retrying request loop, and the entry
//! points to each resource ([`Client::agent`], [`Client::artifacts`],
//! [`Client::files`]).
//!
//! Unlike the `vlmrun` SDK, constructing a client sends nothing: call
//! [`Client::health`] if you want to know the server is up before the first
//! real request.

use std::path::PathBuf;
use std::sync::{Arc, Once};
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::agent::Agent;
use crate::artifacts::Artifacts;
use crate::files::Files;
use crate::{ClientError, RetryPolicy};

/// The base URL used when none is configured (a local `vitrine serve`).
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/v1";

/// Environment variable with the base URL, read by [`Client::from_env`] and the CLI.
pub const ENV_BASE_URL: &str = "VITRINE_BASE_URL";

/// Environment variable with the API key, read by [`Client::from_env`] and the CLI.
pub const ENV_API_KEY: &str = "VITRINE_API_KEY";

/// Timeout for ordinary requests (the `vlmrun` SDK uses 30 s).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Timeout for chat completions and uploads, which run tools or move large files.
pub const DEFAULT_LONG_TIMEOUT: Duration = Duration::from_secs(600);

/// Sent as `X-Client-Id`, like the Python SDK's `python-sdk-<version>`.
const CLIENT_ID: &str = concat!("rust-sdk-", env!("CARGO_PKG_VERSION"));

/// reqwest is built without a default crypto provider; install ring once per
/// process (a provider someone else installed first is kept).
fn install_crypto_provider() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// An Orion-compatible API client. Cheap to clone; clones share connections.
#[derive(Debug, Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    api_key: Option<String>,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) long_timeout: Duration,
    pub(crate) cache_dir: PathBuf,
}

/// Settings for a [`Client`]; start from [`Client::builder`].
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    api_key: Option<String>,
    retry: RetryPolicy,
    timeout: Duration,
    long_timeout: Duration,
    cache_dir: Option<PathBuf>,
}

impl ClientBuilder {
    /// The API key sent as `Authorization: Bearer <key>` (none for an open server).
    pub fn api_key(mut self, api_key: impl Into<String>) -> Self {
        let key = api_key.into();
        self.api_key = (!key.is_empty()).then_some(key);
        self
    }

    /// How failed requests are retried.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Timeout of ordinary requests (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Timeout of chat completions and uploads (default 10 min).
    pub fn long_timeout(mut self, timeout: Duration) -> Self {
        self.long_timeout = timeout;
        self
    }

    /// Where [`crate::Artifacts::get`] writes file artifacts, as
    /// `<dir>/<session>/<id>.<ext>` (default `$XDG_CACHE_HOME/vitrine/artifacts`
    /// or `~/.cache/vitrine/artifacts`).
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Builds the client. Sends nothing.
    pub fn build(self) -> Result<Client, ClientError> {
        install_crypto_provider();
        let base_url = self.base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ClientError::InvalidArgument {
                param: "base_url",
                message: format!(
                    "`{base_url}` is not an http(s) URL; use something like `{DEFAULT_BASE_URL}`"
                ),
            });
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(ClientError::Transport)?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base_url,
                api_key: self.api_key,
                retry: self.retry,
                timeout: self.timeout,
                long_timeout: self.long_timeout,
                cache_dir: self.cache_dir.unwrap_or_else(default_cache_dir),
            }),
        })
    }
}

fn default_cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("vitrine").join("artifacts")
}

/// `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Health {
    /// `ok` when the server is up.
    pub status: String,
    /// The server's version, if it says.
    #[serde(default)]
    pub version: Option<String>,
}

/// One entry of `GET /models`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Model {
    /// The name to put in `model`, e.g. `vlmrun-orion-1:auto`.
    pub id: String,
    /// Who serves it.
    #[serde(default)]
    pub owned_by: Option<String>,
}

#[derive(Deserialize)]
struct ModelList {
    data: Vec<Model>,
}

impl Client {
    /// A client for `base_url` (ending in `/v1`, e.g. [`DEFAULT_BASE_URL`])
    /// with `api_key` (empty for an open server) and default settings.
    /// Sends nothing; see [`Client::health`].
    pub fn new(
        base_url: impl Into<String>,
        api_key: impl Into<String>,
    ) -> Result<Self, ClientError> {
        Client::builder(base_url).api_key(api_key).build()
    }

    /// A client configured from [`ENV_BASE_URL`] (default [`DEFAULT_BASE_URL`])
    /// and [`ENV_API_KEY`] (default none).
    pub fn from_env() -> Result<Self, ClientError> {
        let base_url = std::env::var(ENV_BASE_URL).unwrap_or_else(|_| DEFAULT_BASE_URL.to_owned());
        Client::new(base_url, std::env::var(ENV_API_KEY).unwrap_or_default())
    }

    /// Settings beyond the defaults: retries, timeouts, the artifact cache.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            api_key: None,
            retry: RetryPolicy::default(),
            timeout: DEFAULT_TIMEOUT,
            long_timeout: DEFAULT_LONG_TIMEOUT,
            cache_dir: None,
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Where file artifacts are cached.
    pub fn cache_dir(&self) -> &std::path::Path {
        &self.inner.cache_dir
    }

    /// Chat completions (`client.agent().completions()`).
    pub fn agent(&self) -> Agent {
        Agent {
            client: self.clone(),
        }
    }

    /// Artifacts of sessions.
    pub fn artifacts(&self) -> Artifacts {
        Artifacts {
            client: self.clone(),
        }
    }

    /// Uploaded files.
    pub fn files(&self) -> Files {
        Files {
            client: self.clone(),
        }
    }

    /// `GET /health`: whether the server is up. The `vlmrun` SDK calls this
    /// from its constructor; here it is explicit.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get_json("health", &[]).await
    }

    /// `GET /models`: the model names the server answers to.
    pub async fn models(&self) -> Result<Vec<Model>, ClientError> {
        // OpenAI's list shape lives under `/openai`; `/models` is vlmrun's bare list.
        let list: ModelList = self.get_json("openai/models", &[]).await?;
        Ok(list.data)
    }

    /// `GET /usage`: this key's usage between `since` and `until` (RFC 3339 or unix
    /// seconds; open-ended when `None`).
    pub async fn usage(
        &self,
        since: Option<&str>,
        until: Option<&str>,
    ) -> Result<vitrine_wire::usage::UsageReport, ClientError> {
        let mut query = Vec::new();
        if let Some(since) = since {
            query.push(("since", since));
        }
        if let Some(until) = until {
            query.push(("until", until));
        }
        self.get_json("usage", &query).await
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}/{}", self.inner.base_url, path.trim_start_matches('/'))
    }

    /// A request with the key, client id and timeout set.
    pub(crate) fn request(&self, method: Method, url: &str, timeout: Duration) -> RequestBuilder {
        let mut builder = self
            .inner
            .http
            .request(method, url)
            .header("X-Client-Id", CLIENT_ID)
            .timeout(timeout);
        if let Some(key) = &self.inner.api_key {
            builder = builder.bearer_auth(key);
        }
        builder
    }

    /// Sends the request `make` builds, retrying per the policy what is safe
    /// to repeat (see [`ClientError::is_retryable`]; timeouts and broken
    /// bodies too when `method` is idempotent), and returns the first
    /// successful response. `make` runs once per attempt, so bodies (files,
    /// JSON) are rebuilt each time.
    pub(crate) async fn send<F>(
        &self,
        method: &Method,
        url: &str,
        make: F,
    ) -> Result<Response, ClientError>
    where
        F: Fn() -> Result<RequestBuilder, ClientError>,
    {
        let mut attempt = 1;
        loop {
            let (error, retry_after) = match self.send_once(url, &make).await? {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let Some(wait) = self.retry_wait(attempt, method.is_idempotent(), &error, retry_after)
            else {
                return Err(error);
            };
            tracing::debug!(%url, attempt, ?wait, %error, "retrying");
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// One attempt: `Ok(Ok(response))` on success, `Ok(Err((error, retry_after)))`
    /// when the server or the connection failed, `Err` when the request could
    /// not even be built.
    pub(crate) async fn send_once<F>(
        &self,
        url: &str,
        make: &F,
    ) -> Result<Result<Response, (ClientError, Option<Duration>)>, ClientError>
    where
        F: Fn() -> Result<RequestBuilder, ClientError>,
    {
        Ok(match make()?.send().await {
            Ok(response) if response.status().is_success() => Ok(response),
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = retry_after(response.headers());
                let body = response.bytes().await.unwrap_or_default();
                Err((ClientError::from_status(status, &body), retry_after))
            }
            Err(error) => Err((ClientError::transport(url, error), None)),
        })
    }

    /// How long to wait before attempt `attempt + 1`, or `None` when `error`
    /// is final: not worth repeating, or the policy's attempts are used up.
    pub(crate) fn retry_wait(
        &self,
        attempt: u32,
        idempotent: bool,
        error: &ClientError,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let policy = self.inner.retry;
        let retryable = if idempotent {
            error.is_retryable_if_idempotent()
        } else {
            error.is_retryable()
        };
        if attempt >= policy.max_attempts.max(1) || !retryable {
            return None;
        }
        Some(policy.delay(attempt, retry_after))
    }

    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, ClientError> {
        self.json_call(Method::GET, path, query, None).await
    }

    /// A JSON call; `body` is serialized once and resent as is on retries.
    pub(crate) async fn json_call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<Bytes>,
    ) -> Result<T, ClientError> {
        let url = self.url(path);
        let response = self
            .send(&method, &url, || {
                let mut request = self
                    .request(method.clone(), &url, self.inner.timeout)
                    .query(query);
                if let Some(body) = &body {
                    request = request
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(body.clone());
                }
                Ok(request)
            })
            .await?;
        read_json(&format!("{method} /{path}"), response).await
    }

    /// GET returning the raw body and headers.
    pub(crate) async fn get_raw(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<(Bytes, HeaderMap), ClientError> {
        let url = self.url(path);
        let response = self
            .send(&Method::GET, &url, || {
                Ok(self
                    .request(Method::GET, &url, self.inner.long_timeout)
                    .query(query))
            })
            .await?;
        let headers = response.headers().clone();
        let body = response
            .bytes()
            .await
            .map_err(|error| ClientError::transport(&url, error))?;
        Ok((body, headers))
    }
}

/// Reads a JSON body, naming the endpoint if it is not what was expected.
pub(crate) async fn read_json<T: DeserializeOwned>(
    endpoint: &str,
    response: Response,
) -> Result<T, ClientError> {
    let url = response.url().to_string();
    let body = response
        .bytes()
        .await
        .map_err(|error| ClientError::transport(&url, error))?;
    serde_json::from_slice(&body).map_err(|error| ClientError::InvalidResponse {
        endpoint: endpoint.to_owned(),
        detail: format!("the body is not the expected JSON: {error}"),
    })
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}
