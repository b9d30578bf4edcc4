//! `/metrics` in the Prometheus text format.
//!
//! Counters and histograms are updated where things happen (the request layer
//! in `observe`, the ledger for tool timings and planner outcomes, the
//! sweeper); gauges that describe state (queue depth, store size, free disk)
//! are read when scraped, so they cannot drift from the truth.
//!
//! Who may scrape: callers on loopback when the server listens on a loopback address;
//! otherwise only with `Authorization: Bearer <--metrics-key>`. Metrics name routes and tools but
//! never tenants, ids or keys.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use axum::Extension;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::prometheus_text;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use vitrine_store::UsageRecord;

use crate::{ApiError, AppState};

type Labels = Vec<(&'static str, String)>;
type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// Every metric the server exports, registered once.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    latency: Histograms,
    tools: Histograms,
    plans: Family<Labels, Counter>,
    sweeps: Family<Labels, Counter>,
    swept_bytes: Counter,
    refused: Family<Labels, Counter>,
    queue_depth: Gauge,
    store_bytes: Gauge,
    store_files: Gauge,
    disk_free: Gauge,
}

/// 1 ms to about 65 s.
fn seconds_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 17))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("vitrine");
        let requests = Family::<Labels, Counter>::default();
        let latency: Histograms = Family::new_with_constructor(seconds_histogram);
        let tools: Histograms = Family::new_with_constructor(seconds_histogram);
        let plans = Family::<Labels, Counter>::default();
        let sweeps = Family::<Labels, Counter>::default();
        let swept_bytes = Counter::default();
        let refused = Family::<Labels, Counter>::default();
        let (queue_depth, store_bytes, store_files, disk_free): (Gauge, Gauge, Gauge, Gauge) =
            Default::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to the response head, by route template",
            latency.clone(),
        );
        registry.register(
            "tool_duration_seconds",
            "Time of each tool step, by tool",
            tools.clone(),
        );
        registry.register(
            "plans",
            "Plans run, by planner (offline, llm, skill) and outcome",
            plans.clone(),
        );
        registry.register(
            "sweeps",
            "Retention sweeper runs, by result",
            sweeps.clone(),
        );
        registry.register(
            "swept_bytes",
            "Bytes of expired data the sweeper deleted",
            swept_bytes.clone(),
        );
        registry.register(
            "limit_refusals",
            "Requests refused by a limit, by limit",
            refused.clone(),
        );
        registry.register(
            "execution_queue_depth",
            "Executions waiting in the queue",
            queue_depth.clone(),
        );
        registry.register(
            "store_disk_bytes",
            "Bytes the data directory holds on disk (index, blobs, files, skills)",
            store_bytes.clone(),
        );
        registry.register(
            "store_files",
            "Files in the data directory (blobs too large to inline, uploads, skill bundles)",
            store_files.clone(),
        );
        registry.register(
            "disk_free_bytes",
            "Bytes available to the server on the data directory's file system",
            disk_free.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            tools,
            plans,
            sweeps,
            swept_bytes,
            refused,
            queue_depth,
            store_bytes,
            store_files,
            disk_free,
        }
    }
}

impl Metrics {
    /// One answered request.
    pub(crate) fn request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        self.requests
            .get_or_create(&vec![
                ("method", method.to_owned()),
                ("route", route.to_owned()),
                ("status", status.to_string()),
            ])
            .inc();
        self.latency
            .get_or_create(&vec![("route", route.to_owned())])
            .observe(elapsed.as_secs_f64());
    }

    /// A finished plan: its tool timings and the planner that made it.
    pub(crate) fn plan(&self, record: &UsageRecord) {
        for span in &record.spans {
            self.tools
                .get_or_create(&vec![("tool", span.tool.clone())])
                .observe(span.duration_ms as f64 / 1000.0);
        }
        self.plans
            .get_or_create(&vec![
                ("planner", record.planner.clone()),
                ("outcome", "ok".to_owned()),
            ])
            .inc();
    }

    /// A plan that failed, by the error's stable code.
    pub(crate) fn failed_plan(&self, code: &str) {
        self.plans
            .get_or_create(&vec![
                ("planner", "any".to_owned()),
                ("outcome", code.to_owned()),
            ])
            .inc();
    }

    /// One sweeper run.
    pub(crate) fn sweep(&self, result: Result<u64, ()>) {
        let label = if result.is_ok() { "ok" } else { "error" };
        self.sweeps
            .get_or_create(&vec![("result", label.to_owned())])
            .inc();
        if let Ok(bytes) = result {
            self.swept_bytes.inc_by(bytes);
        }
    }

    /// A request a limit refused.
    pub(crate) fn refused(&self, limit: &'static str) {
        self.refused
            .get_or_create(&vec![("limit", limit.to_owned())])
            .inc();
    }
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "meta", security((), ("metrics_key" = [])), responses((status = 200, description = "Prometheus text", content_type = "text/plain"), crate::openapi::Errors))]
pub(crate) async fn serve(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Extension(Listener(listener)): Extension<Listener>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    allowed(&state, listener, peer, &headers)?;
    let metrics = &state.metrics;
    if let Ok(depth) = state.queue.queued().await {
        metrics
            .queue_depth
            .set(i64::try_from(depth).unwrap_or(i64::MAX));
    }
    let data_dir = state.data_dir.clone();
    let (bytes, files) = tokio::task::spawn_blocking(move || disk_usage(&data_dir))
        .await
        .unwrap_or_default();
    metrics
        .store_bytes
        .set(i64::try_from(bytes).unwrap_or(i64::MAX));
    metrics
        .store_files
        .set(i64::try_from(files).unwrap_or(i64::MAX));
    if let Some(free) = crate::limits::free_bytes(&state.data_dir) {
        metrics
            .disk_free
            .set(i64::try_from(free).unwrap_or(i64::MAX));
    }
    let mut text = String::new();
    prometheus_text::encode(&mut text, &metrics.registry).map_err(ApiError::internal)?;
    Ok((
        [(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)],
        text,
    )
        .into_response())
}

/// The address the server listens on (set by the accept loop), for who may scrape.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Listener(pub(crate) SocketAddr);

/// Without a key, only a server listening on a loopback address serves callers on loopback:
/// one listening on every interface (`0.0.0.0`) may sit behind a proxy on the same host,
/// whose requests would all come from 127.0.0.1. IPv4-mapped addresses count as what they map.
fn allowed(
    state: &AppState,
    listener: SocketAddr,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let loopback = |ip: std::net::IpAddr| ip.to_canonical().is_loopback();
    if loopback(listener.ip()) && loopback(peer.ip()) {
        return Ok(());
    }
    let Some(expected) = state.config.metrics_key.as_deref() else {
        return Err(ApiError::Forbidden(format!(
            "metrics are served without a key only when the server listens on a loopback address; this one listens on {listener}: set --metrics-key (VITRINE_METRICS_KEY) and send `Authorization: Bearer <key>`"
        )));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if crate::auth::same_secret(given, expected) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized(
            "metrics need `Authorization: Bearer <--metrics-key>`".into(),
        ))
    }
}

/// Bytes and regular files under `root`, without following links.
fn disk_usage(root: &Path) -> (u64, u64) {
    let (mut bytes, mut files) = (0, 0);
    let mut pending = vec![root.to_owned()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                pending.push(entry.path());
            } else if kind.is_file() {
                files += 1;
                bytes += entry.metadata().map(|meta| meta.len()).unwrap_or(0);
            }
        }
    }
    (bytes, files)
}
