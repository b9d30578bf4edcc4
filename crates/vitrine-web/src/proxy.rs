//! The forward proxy every browser request goes through.
//!
//! Chromium is started with `--proxy-server` pointing here and
//! `--proxy-bypass-list=<-loopback>` (so even loopback goes through the proxy),
//! which makes this the only way the browser reaches any host. Plain HTTP
//! requests arrive in absolute form and are forwarded one by one; HTTPS and
//! WebSockets arrive as `CONNECT host:port` tunnels. Either way the destination
//! passes the [`Guard`] before a socket is opened, and the socket goes to the
//! checked address. Refusals answer 403 and are counted, so a tool can report
//! how many requests a page was denied.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::header::{HOST, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::guard::{Guard, GuardError};

type Body = BoxBody<Bytes, hyper::Error>;

/// What went through the proxy, for facts and tests.
#[derive(Debug, Default)]
pub struct ProxyStats {
    allowed: AtomicU64,
    refused: AtomicU64,
}

impl ProxyStats {
    /// Requests and tunnels let through.
    pub fn allowed(&self) -> u64 {
        self.allowed.load(Ordering::Relaxed)
    }

    /// Requests and tunnels refused by the guard.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

/// A running proxy on 127.0.0.1; stops when dropped.
#[derive(Debug)]
pub struct Proxy {
    address: SocketAddr,
    stats: Arc<ProxyStats>,
    task: JoinHandle<()>,
}

impl Proxy {
    /// Starts a proxy on an ephemeral loopback port.
    pub async fn start(guard: Guard) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let stats = Arc::new(ProxyStats::default());
        let shared = Arc::clone(&stats);
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let guard = guard.clone();
                let stats = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        handle(request, guard.clone(), Arc::clone(&stats))
                    });
                    let served = http1::Builder::new()
                        .preserve_header_case(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades()
                        .await;
                    if let Err(error) = served {
                        tracing::debug!(%error, "proxy connection ended");
                    }
                });
            }
        });
        Ok(Proxy {
            address,
            stats,
            task,
        })
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// What it let through and refused so far.
    pub fn stats(&self) -> &Arc<ProxyStats> {
        &self.stats
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    request: Request<Incoming>,
    guard: Guard,
    stats: Arc<ProxyStats>,
) -> Result<Response<Body>, Infallible> {
    let result = if request.method() == Method::CONNECT {
        tunnel(request, &guard).await
    } else {
        forward(request, &guard).await
    };
    Ok(match result {
        Ok(response) => {
            stats.allowed.fetch_add(1, Ordering::Relaxed);
            response
        }
        Err(Failure::Refused(error)) => {
            stats.refused.fetch_add(1, Ordering::Relaxed);
            tracing::info!(%error, "browser request refused");
            status(StatusCode::FORBIDDEN)
        }
        Err(Failure::BadRequest) => status(StatusCode::BAD_REQUEST),
        Err(Failure::Unreachable(error)) => {
            tracing::debug!(%error, "browser request failed");
            status(StatusCode::BAD_GATEWAY)
        }
    })
}

enum Failure {
    Refused(GuardError),
    BadRequest,
    Unreachable(String),
}

impl From<GuardError> for Failure {
    fn from(error: GuardError) -> Self {
        match error {
            GuardError::Refused { .. } => Failure::Refused(error),
            other => Failure::Unreachable(other.to_string()),
        }
    }
}

/// `CONNECT host:port`: check, connect, answer 200, then copy bytes both ways.
async fn tunnel(request: Request<Incoming>, guard: &Guard) -> Result<Response<Body>, Failure> {
    let authority = request.uri().authority().ok_or(Failure::BadRequest)?;
    let port = authority.port_u16().ok_or(Failure::BadRequest)?;
    let upstream = guard.connect(authority.host(), port).await?;
    tokio::spawn(async move {
        match hyper::upgrade::on(request).await {
            Ok(upgraded) => {
                let mut client = TokioIo::new(upgraded);
                let mut upstream = upstream;
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            }
            Err(error) => tracing::debug!(%error, "tunnel upgrade failed"),
        }
    });
    Ok(status(StatusCode::OK))
}

/// An absolute-form `GET http://host/path`: check, connect, send it in origin form.
async fn forward(mut request: Request<Incoming>, guard: &Guard) -> Result<Response<Body>, Failure> {
    let uri = request.uri().clone();
    if uri.scheme_str() != Some("http") {
        return Err(Failure::BadRequest);
    }
    let host = uri.host().ok_or(Failure::BadRequest)?.to_owned();
    let port = uri.port_u16().unwrap_or(80);
    let upstream = guard.connect(&host, port).await?;
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(upstream))
        .await
        .map_err(|error| Failure::Unreachable(error.to_string()))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    let path = uri
        .path_and_query()
        .map(|path| path.as_str())
        .unwrap_or("/")
        .to_owned();
    *request.uri_mut() = path.parse().map_err(|_| Failure::BadRequest)?;
    let headers = request.headers_mut();
    for hop in [
        "proxy-connection",
        "proxy-authorization",
        "connection",
        "keep-alive",
    ] {
        headers.remove(hop);
    }
    let host_header = match uri.port_u16() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    };
    if let Ok(value) = HeaderValue::from_str(&host_header) {
        headers.insert(HOST, value);
    }
    let response = sender
        .send_request(request)
        .await
        .map_err(|error| Failure::Unreachable(error.to_string()))?;
    Ok(response.map(|body| body.boxed()))
}

fn status(code: StatusCode) -> Response<Body> {
    let mut response = Response::new(empty());
    *response.status_mut() = code;
    response
}

fn empty() -> Body {
    Empty::<Bytes>::new()
        .map_err(|never| match never {})
        .boxed()
}
