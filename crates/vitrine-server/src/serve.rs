//! The accept loop.
//!
//! `axum::serve` cannot set hyper's HTTP/1 options, and the `vlmrun` SDK reads
//! `headers["Content-Type"]` from a plain dict, so header names must go out in
//! Title-Case. Each connection is therefore served with hyper-util's builder
//! and `title_case_headers(true)`; graceful shutdown is wired by hand.

use std::future::Future;
use std::sync::Arc;

use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use crate::{AppState, router};

/// Installs the TLS crypto provider for outgoing HTTPS (URL inputs). Safe to
/// call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Serves the API on `listener` until `shutdown` resolves, then lets
/// in-flight requests finish. Also runs the retention sweeper and the
/// execution workers; executions still running at shutdown stay recorded as
/// running and are re-queued by the next start.
pub async fn run(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    install_crypto_provider();
    let app = router(state.clone());
    // Brings a shared database's schema up to date before the first request; a service that
    // is down now is not fatal (requests answer 503 until it is back).
    if let Err(error) = state.store.check().await {
        tracing::warn!(%error, "the store is not ready yet");
    }
    let sweeper = tokio::spawn(sweep_forever(state.clone()));
    crate::executions::start(&state).await;
    let mut builder = Builder::new(TokioExecutor::new());
    // Without a timer hyper never times out a request's headers, so a client sending them a
    // byte at a time would hold its connection (a task and a file descriptor) forever.
    builder
        .http1()
        .title_case_headers(true)
        .timer(TokioTimer::new())
        .header_read_timeout(state.config.limits.header_timeout);
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    // What the server was told to listen on: 0.0.0.0 is not loopback even when a given
    // connection arrives at 127.0.0.1.
    let listener_addr = listener.local_addr()?;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: back off, keep serving.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        // Both ends, for `/metrics` (open without a key only between loopback addresses).
        let service = TowerToHyperService::new(app.clone().map_request(
            move |mut request: axum::http::Request<hyper::body::Incoming>| {
                let extensions = request.extensions_mut();
                extensions.insert(axum::extract::ConnectInfo(peer));
                extensions.insert(crate::metrics::Listener(listener_addr));
                request
            },
        ));
        let builder = Arc::clone(&builder);
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
        });
    }
    sweeper.abort();
    // Awaited so its clone of the state (and the store's file lock) is gone when `run`
    // returns: a server started again in this process can open the same data directory.
    let _ = sweeper.await;
    crate::executions::stop(&state).await;
    let drain = state.config.limits.request_timeout;
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain period; closing them");
    }
    Ok(())
}

async fn sweep_forever(state: AppState) {
    let mut ticker = tokio::time::interval(state.config.sweep_interval);
    loop {
        ticker.tick().await;
        let swept = state.store.sweep().await;
        state
            .metrics
            .sweep(swept.as_ref().map(|report| report.bytes).map_err(|_| ()));
        match swept {
            Ok(report) if report.artifacts + report.sessions + report.files > 0 => tracing::info!(
                artifacts = report.artifacts,
                sessions = report.sessions,
                files = report.files,
                bytes = report.bytes,
                "swept expired data"
            ),
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "sweeping expired data failed"),
        }
    }
}
