//! Name resolution and the address check every outgoing connection passes.
//!
//! The server's URL fetcher and the browser's forward proxy share it, so a web
//! page reaches exactly what a URL input may reach: public addresses, plus the
//! hosts an operator listed in `--fetch-allow-hosts`.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpSocket, TcpStream};

use crate::address::{Forbidden, classify};

/// A boxed future returned by [`HostResolver::resolve`].
pub type ResolveFuture = Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;

/// Turns host names into addresses.
pub trait HostResolver: Send + Sync + 'static {
    /// All addresses of `host`.
    fn resolve(&self, host: &str) -> ResolveFuture;
}

/// The operating system's resolver.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemResolver;

impl HostResolver for SystemResolver {
    fn resolve(&self, host: &str) -> ResolveFuture {
        let host = host.to_owned();
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|addr| addr.ip())
                .collect())
        })
    }
}

/// A fixed table of host names, for tests: nothing ever reaches DNS.
#[derive(Debug, Default, Clone)]
pub struct StaticResolver(HashMap<String, Vec<IpAddr>>);

impl StaticResolver {
    /// An empty table: every name fails to resolve.
    pub fn new() -> Self {
        StaticResolver::default()
    }

    /// Adds `host` → `addresses`.
    pub fn with(mut self, host: &str, addresses: &[IpAddr]) -> Self {
        self.0.insert(host.to_ascii_lowercase(), addresses.to_vec());
        self
    }
}

impl HostResolver for StaticResolver {
    fn resolve(&self, host: &str) -> ResolveFuture {
        let found = self.0.get(&host.to_ascii_lowercase()).cloned();
        let host = host.to_owned();
        Box::pin(async move {
            found.ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    format!("no such host `{host}`"),
                )
            })
        })
    }
}

/// Why a destination was not connected to.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GuardError {
    /// The host is or resolves to a forbidden address.
    #[error("`{host}` resolves to {ip}, {}", reason.describe())]
    Refused {
        /// The host as asked for.
        host: String,
        /// The forbidden address.
        ip: IpAddr,
        /// Why it is forbidden.
        reason: Forbidden,
    },
    /// The name did not resolve.
    #[error("could not resolve `{host}`: {source}")]
    Resolve {
        /// The host.
        host: String,
        /// What the resolver said.
        #[source]
        source: std::io::Error,
    },
    /// Every checked address refused the connection or timed out.
    #[error("could not connect to `{host}`: {source}")]
    Connect {
        /// The host.
        host: String,
        /// The last failure.
        #[source]
        source: std::io::Error,
    },
}

/// The address check, with the resolver it resolves through.
#[derive(Clone)]
pub struct Guard {
    resolver: Arc<dyn HostResolver>,
    allow_hosts: Arc<HashSet<String>>,
    bind: Option<IpAddr>,
    connect_timeout: Duration,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("allow_hosts", &self.allow_hosts)
            .field("bind", &self.bind)
            .finish()
    }
}

impl Guard {
    /// A guard resolving through `resolver`; `allow_hosts` (lower-case names or IP literals)
    /// skip the address check.
    pub fn new(resolver: Arc<dyn HostResolver>, allow_hosts: HashSet<String>) -> Self {
        Guard {
            resolver,
            allow_hosts: Arc::new(allow_hosts),
            bind: None,
            connect_timeout: Duration::from_secs(10),
        }
    }

    /// Binds outgoing connections to `address`.
    pub fn with_bind(mut self, address: Option<IpAddr>) -> Self {
        self.bind = address;
        self
    }

    /// Time allowed for one connection attempt.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Whether `host` is on the allowlist.
    pub fn is_allowed(&self, host: &str) -> bool {
        self.allow_hosts.contains(&normalise(host))
    }

    /// The addresses `host` may be reached at: every one is checked, and one forbidden
    /// address among good ones refuses the host (a name must not straddle both).
    pub async fn resolve(&self, host: &str) -> Result<Vec<IpAddr>, GuardError> {
        let host = normalise(host);
        let addresses = match host.parse::<IpAddr>() {
            Ok(ip) => vec![ip],
            Err(_) => self
                .resolver
                .resolve(&host)
                .await
                .map_err(|source| GuardError::Resolve {
                    host: host.clone(),
                    source,
                })?,
        };
        if addresses.is_empty() {
            return Err(GuardError::Resolve {
                host,
                source: std::io::Error::new(std::io::ErrorKind::NotFound, "no addresses"),
            });
        }
        if !self.allow_hosts.contains(&host) {
            for ip in &addresses {
                if let Some(reason) = classify(*ip) {
                    return Err(GuardError::Refused {
                        host,
                        ip: *ip,
                        reason,
                    });
                }
            }
        }
        Ok(addresses)
    }

    /// Connects to `host:port` at a checked address; the socket goes to exactly the
    /// address that was checked, so a DNS answer cannot change in between.
    pub async fn connect(&self, host: &str, port: u16) -> Result<TcpStream, GuardError> {
        let addresses = self.resolve(host).await?;
        let mut last = std::io::Error::new(std::io::ErrorKind::NotFound, "no addresses");
        for ip in addresses {
            let target = SocketAddr::new(ip, port);
            let attempt = async {
                let socket = match ip {
                    IpAddr::V4(_) => TcpSocket::new_v4()?,
                    IpAddr::V6(_) => TcpSocket::new_v6()?,
                };
                if let Some(bind) = self.bind {
                    socket.bind(SocketAddr::new(bind, 0))?;
                }
                socket.connect(target).await
            };
            match tokio::time::timeout(self.connect_timeout, attempt).await {
                Ok(Ok(stream)) => return Ok(stream),
                Ok(Err(error)) => last = error,
                Err(_) => last = std::io::Error::new(std::io::ErrorKind::TimedOut, "timed out"),
            }
        }
        Err(GuardError::Connect {
            host: normalise(host),
            source: last,
        })
    }
}

/// Lower-case, without IPv6 brackets or a trailing dot's absence mattering to the allowlist.
fn normalise(host: &str) -> String {
    host.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard() -> Guard {
        let resolver = StaticResolver::new()
            .with("public.test", &["93.184.216.34".parse().expect("ip")])
            .with(
                "mixed.test",
                &[
                    "93.184.216.34".parse().expect("ip"),
                    "10.1.2.3".parse().expect("ip"),
                ],
            )
            .with("allowed.test", &["127.0.0.1".parse().expect("ip")]);
        Guard::new(Arc::new(resolver), HashSet::from(["allowed.test".into()]))
    }

    #[tokio::test]
    async fn names_and_literals_are_checked_and_the_allowlist_skips_the_check() {
        let guard = guard();
        assert!(guard.resolve("public.test").await.is_ok());
        assert!(guard.resolve("allowed.test").await.is_ok());
        for host in [
            "mixed.test",
            "127.0.0.1",
            "[::1]",
            "169.254.169.254",
            "10.0.0.1",
        ] {
            assert!(
                matches!(guard.resolve(host).await, Err(GuardError::Refused { .. })),
                "{host} must be refused"
            );
        }
        assert!(matches!(
            guard.resolve("unknown.test").await,
            Err(GuardError::Resolve { .. })
        ));
    }
}
