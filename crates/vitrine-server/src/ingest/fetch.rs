//! Fetching `http(s)://` inputs without becoming an SSRF proxy.
//!
//! Every host is resolved through an injectable [`HostResolver`], every
//! address it yields is classified, and the connection is made only to those
//! checked addresses (the same resolver is installed in the HTTP client, so a
//! DNS answer that changes between check and connect is checked again).
//! Redirects are followed by hand, each hop re-checked, at most
//! [`FetchPolicy::max_redirects`]. Bodies stream to disk under a byte cap, and
//! the whole fetch runs under a deadline. Hosts in the allowlist skip the
//! address check, for deployments that must read from internal servers.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use futures_util::StreamExt;
use url::{Host, Url};
use vitrine_store::{StagedBlob, StoreError};

use crate::ApiError;
use crate::config::FetchPolicy;
use vitrine_web::{Forbidden, classify};
pub use vitrine_web::{HostResolver, ResolveFuture, StaticResolver, SystemResolver};

/// The refusal carried through reqwest's error chain.
#[derive(Debug, thiserror::Error)]
#[error("host `{host}` resolves to {ip}, {}", reason.describe())]
struct Refused {
    host: String,
    ip: IpAddr,
    reason: Forbidden,
}

/// Resolves through the injected resolver and refuses forbidden addresses at
/// connect time, so the addresses used are exactly the addresses checked.
struct GuardedResolve {
    inner: Arc<dyn HostResolver>,
    allow_hosts: Arc<std::collections::HashSet<String>>,
}

impl reqwest::dns::Resolve for GuardedResolve {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let lookup = self.inner.resolve(&host);
        let allowed = self.allow_hosts.contains(&host);
        Box::pin(async move {
            let addresses = lookup.await?;
            if !allowed {
                for ip in &addresses {
                    if let Some(reason) = classify(*ip) {
                        return Err(Box::new(Refused {
                            host,
                            ip: *ip,
                            reason,
                        }) as _);
                    }
                }
            }
            let addrs: reqwest::dns::Addrs =
                Box::new(addresses.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// The SSRF-safe HTTP fetcher.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    resolver: Arc<dyn HostResolver>,
    policy: FetchPolicy,
}

impl Fetcher {
    pub(crate) fn new(
        policy: FetchPolicy,
        resolver: Arc<dyn HostResolver>,
    ) -> Result<Self, ApiError> {
        crate::install_crypto_provider();
        let mut builder = reqwest::Client::builder()
            .no_proxy() // an environment proxy would bypass every check here
            .redirect(reqwest::redirect::Policy::none())
            // Receivers of webhooks may read headers from a case-sensitive map, as the SDK does.
            .http1_title_case_headers()
            .connect_timeout(policy.timeout)
            .user_agent(concat!("vitrine/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(GuardedResolve {
                inner: Arc::clone(&resolver),
                allow_hosts: Arc::new(policy.allow_hosts.clone()),
            }));
        if let Some(bind) = policy.bind_address {
            builder = builder.local_address(bind);
        }
        let client = builder.build().map_err(ApiError::internal)?;
        Ok(Fetcher {
            client,
            resolver,
            policy,
        })
    }

    /// Maximum bytes one fetch may write.
    pub(crate) fn max_bytes(&self) -> u64 {
        self.policy.max_bytes
    }

    /// Fetches `url` into `blob`; `param` names the request field for errors.
    pub(crate) async fn fetch(
        &self,
        url: &str,
        blob: &mut StagedBlob,
        param: &str,
    ) -> Result<(), ApiError> {
        let deadline = self.policy.timeout;
        match tokio::time::timeout(deadline, self.fetch_inner(url, blob, param)).await {
            Ok(result) => result,
            Err(_) => Err(fetch_error(
                "fetch_timeout",
                format!(
                    "fetching `{}` took longer than {} s",
                    shorten(url),
                    deadline.as_secs()
                ),
                param,
            )),
        }
    }

    async fn fetch_inner(
        &self,
        url: &str,
        blob: &mut StagedBlob,
        param: &str,
    ) -> Result<(), ApiError> {
        let mut current = Url::parse(url).map_err(|error| {
            fetch_error(
                "invalid_url",
                format!("`{}` is not a valid URL: {error}", shorten(url)),
                param,
            )
        })?;
        let mut redirects = 0;
        loop {
            self.check_destination(&current, param).await?;
            let response =
                self.client.get(current.clone()).send().await.map_err(
                    |error| match find_refusal(&error) {
                        Some(refused) => refused_error(refused.to_string(), param),
                        None => fetch_error(
                            "fetch_failed",
                            format!(
                                "could not fetch `{}`: {}",
                                shorten(current.as_str()),
                                root_cause(&error)
                            ),
                            param,
                        ),
                    },
                )?;
            let status = response.status();
            if status.is_redirection() {
                redirects += 1;
                if redirects > self.policy.max_redirects {
                    return Err(fetch_error(
                        "too_many_redirects",
                        format!(
                            "`{}` redirected more than {} times",
                            shorten(url),
                            self.policy.max_redirects
                        ),
                        param,
                    ));
                }
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|value| value.to_str().ok())
                    .ok_or_else(|| {
                        fetch_error(
                            "fetch_failed",
                            format!(
                                "`{}` redirected without a Location",
                                shorten(current.as_str())
                            ),
                            param,
                        )
                    })?;
                current = current.join(location).map_err(|error| {
                    fetch_error(
                        "invalid_url",
                        format!("bad redirect target `{location}`: {error}"),
                        param,
                    )
                })?;
                continue;
            }
            if !status.is_success() {
                return Err(fetch_error(
                    "fetch_failed",
                    format!(
                        "`{}` answered HTTP {}",
                        shorten(current.as_str()),
                        status.as_u16()
                    ),
                    param,
                ));
            }
            if let Some(length) = response.content_length()
                && length > self.policy.max_bytes
            {
                return Err(too_large(url, self.policy.max_bytes));
            }
            let mut body = response.bytes_stream();
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|error| {
                    fetch_error(
                        "fetch_failed",
                        format!("reading `{}` failed: {}", shorten(url), root_cause(&error)),
                        param,
                    )
                })?;
                blob.write(&chunk).await.map_err(|error| match error {
                    StoreError::TooLarge { .. } => too_large(url, self.policy.max_bytes),
                    other => ApiError::Store(other),
                })?;
            }
            return Ok(());
        }
    }

    /// POSTs `body` to `url` under the same address rules as fetches (a
    /// webhook is a request to a caller-chosen URL too). Redirects are not
    /// followed; the answer's status comes back.
    pub(crate) async fn post(
        &self,
        url: &str,
        headers: reqwest::header::HeaderMap,
        body: Vec<u8>,
        param: &str,
    ) -> Result<u16, ApiError> {
        let url = Url::parse(url).map_err(|error| {
            fetch_error(
                "invalid_url",
                format!("`{}` is not a valid URL: {error}", shorten(url)),
                param,
            )
        })?;
        self.check_destination(&url, param).await?;
        let shown = shorten(url.as_str());
        let send = self.client.post(url).headers(headers).body(body).send();
        match tokio::time::timeout(self.policy.timeout, send).await {
            Ok(Ok(response)) => Ok(response.status().as_u16()),
            Ok(Err(error)) => Err(match find_refusal(&error) {
                Some(refused) => refused_error(refused.to_string(), param),
                None => fetch_error(
                    "fetch_failed",
                    format!("could not reach `{shown}`: {}", root_cause(&error)),
                    param,
                ),
            }),
            Err(_) => Err(fetch_error(
                "fetch_timeout",
                format!(
                    "`{shown}` did not answer within {} s",
                    self.policy.timeout.as_secs()
                ),
                param,
            )),
        }
    }

    /// Scheme and address checks before any connection is attempted.
    async fn check_destination(&self, url: &Url, param: &str) -> Result<(), ApiError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(fetch_error(
                "unsupported_url",
                format!(
                    "URL scheme `{}` is not supported; use http(s), a data: URL, or an artifact ref",
                    url.scheme()
                ),
                param,
            ));
        }
        let host = url
            .host()
            .ok_or_else(|| fetch_error("invalid_url", "the URL has no host", param))?;
        let host_text = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let host_text = host_text
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if self.policy.allow_hosts.contains(&host_text) {
            return Ok(());
        }
        // The URL parser has already turned odd numeric forms (`2130706433`,
        // `0x7f.1`, `127.1`) into real IPv4 addresses here.
        let addresses = match host {
            Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
            Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
            Host::Domain(domain) => self.resolver.resolve(domain).await.map_err(|error| {
                fetch_error(
                    "fetch_failed",
                    format!("could not resolve `{domain}`: {error}"),
                    param,
                )
            })?,
        };
        if addresses.is_empty() {
            return Err(fetch_error(
                "fetch_failed",
                format!("`{host_text}` has no addresses"),
                param,
            ));
        }
        for ip in addresses {
            if let Some(reason) = classify(ip) {
                let message = if host_text == ip.to_string() {
                    format!("refusing to fetch from {ip}: it is {}", reason.describe())
                } else {
                    format!(
                        "refusing to fetch from `{host_text}`: it resolves to {ip}, {}",
                        reason.describe()
                    )
                };
                return Err(refused_error(message, param));
            }
        }
        Ok(())
    }
}

fn refused_error(message: String, param: &str) -> ApiError {
    fetch_error(
        "url_refused",
        format!(
            "{message}; only public addresses are fetched unless the host is listed in `--fetch-allow-hosts`"
        ),
        param,
    )
}

fn fetch_error(code: &'static str, message: impl Into<String>, param: &str) -> ApiError {
    ApiError::Fetch {
        message: message.into(),
        param: Some(param.to_owned()),
        code,
    }
}

fn too_large(url: &str, limit: u64) -> ApiError {
    ApiError::TooLarge(format!(
        "`{}` is larger than the {} MB limit for fetched inputs",
        shorten(url),
        limit / 1_000_000
    ))
}

fn find_refusal<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a Refused> {
    let mut source: Option<&'a (dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(refused) = current.downcast_ref::<Refused>() {
            return Some(refused);
        }
        source = current.source();
    }
    None
}

fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// URLs can be huge (data URLs) and carry secrets in query strings; messages
/// show a bounded prefix.
pub(crate) fn shorten(url: &str) -> String {
    const MAX: usize = 120;
    if url.len() <= MAX {
        url.to_owned()
    } else {
        let cut = (0..=MAX)
            .rev()
            .find(|&i| url.is_char_boundary(i))
            .unwrap_or(0);
        format!("{}…", &url[..cut])
    }
}
