//! Per-tenant request rate and concurrent work, and the free-disk floor.
//!
//! The rate is a token bucket per tenant (refilled continuously, `burst`
//! deep): a refusal is a 429 whose `Retry-After` says when the next token
//! arrives. Concurrent work counts chat completions in flight (each holds a
//! permit until its answer is made or the client goes away). The disk floor is
//! checked before any write a request would cause, so a refusal writes nothing;
//! a disk that fills during a write fails that write, whose half-written blob
//! the store deletes.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::TenantLimits;
use crate::{ApiError, AppState};

/// Rate buckets and work semaphores of all tenants.
#[derive(Debug, Default)]
pub(crate) struct Limiter {
    /// The std mutex is never held across an await: each check is a few arithmetic steps.
    buckets: Mutex<HashMap<String, Bucket>>,
    work: Mutex<HashMap<String, Arc<Semaphore>>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// A slot of concurrent work, released on drop.
#[derive(Debug)]
pub(crate) struct WorkPermit(
    #[expect(dead_code, reason = "held for its drop")] OwnedSemaphorePermit,
);

impl Limiter {
    /// Takes one request from `tenant`'s bucket, or says how long to wait.
    pub(crate) fn admit(&self, tenant: &str, limits: &TenantLimits) -> Result<(), ApiError> {
        let Some(per_minute) = limits.requests_per_minute.filter(|rate| *rate > 0) else {
            return Ok(());
        };
        let rate = f64::from(per_minute) / 60.0;
        let burst = f64::from(limits.burst.unwrap_or(per_minute).max(1));
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let bucket = buckets.entry(tenant.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refilled =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() * rate).min(burst);
        bucket.at = now;
        if refilled >= 1.0 {
            bucket.tokens = refilled - 1.0;
            return Ok(());
        }
        bucket.tokens = refilled;
        let wait = ((1.0 - refilled) / rate).ceil().max(1.0);
        Err(ApiError::RateLimited {
            message: format!(
                "tenant `{tenant}` is over its request rate ({per_minute} requests per minute); retry after {wait} s"
            ),
            retry_after: Duration::from_secs_f64(wait),
            code: "rate_limited",
        })
    }

    /// A slot of concurrent work for `tenant`, or a 429 when all are taken.
    pub(crate) fn begin_work(
        &self,
        tenant: &str,
        limits: &TenantLimits,
    ) -> Result<Option<WorkPermit>, ApiError> {
        let Some(max) = limits.max_concurrent.filter(|max| *max > 0) else {
            return Ok(None);
        };
        let semaphore = {
            let mut work = self
                .work
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(
                work.entry(tenant.to_owned())
                    .or_insert_with(|| Arc::new(Semaphore::new(max))),
            )
        };
        semaphore
            .try_acquire_owned()
            .map(|permit| Some(WorkPermit(permit)))
            .map_err(|_| ApiError::RateLimited {
                message: format!(
                    "tenant `{tenant}` already has {max} requests at work (its concurrency limit); retry when one finishes"
                ),
                retry_after: Duration::from_secs(1),
                code: "concurrency_limited",
            })
    }
}

/// Bytes available to unprivileged writers on the file system holding `path`.
pub(crate) fn free_bytes(path: &Path) -> Option<u64> {
    let stat = rustix::fs::statvfs(path).ok()?;
    Some(stat.f_bavail.saturating_mul(stat.f_frsize))
}

/// Refuses a write when the data directory's file system has less than
/// `floor` bytes free.
pub(crate) fn check_disk(data_dir: &Path, floor: u64) -> Result<(), ApiError> {
    if floor == 0 {
        return Ok(());
    }
    match free_bytes(data_dir) {
        Some(free) if free < floor => Err(ApiError::InsufficientStorage(format!(
            "the server's disk is nearly full ({} MB free, below its floor of {} MB, --min-free-disk-mb); nothing was written, retry later",
            free / 1_000_000,
            floor / 1_000_000
        ))),
        _ => Ok(()),
    }
}

/// Refuses requests that write (POST, PUT) while the disk is below the
/// floor, before anything is read or written; reads and deletes still work,
/// so callers can free space.
pub(crate) async fn disk_floor(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = matches!(*request.method(), Method::POST | Method::PUT)
        && !request.uri().path().ends_with("/cancel")
        && request.uri().path() != "/v1/skills/lookup";
    if writes && let Err(error) = check_disk(&state.data_dir, state.config.min_free_disk) {
        state.metrics.refused("free_disk");
        return error.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_refills_at_its_rate_and_says_when() {
        let limiter = Limiter::default();
        let limits = TenantLimits {
            requests_per_minute: Some(60),
            burst: Some(2),
            ..TenantLimits::default()
        };
        assert!(limiter.admit("a", &limits).is_ok());
        assert!(limiter.admit("a", &limits).is_ok());
        let Err(ApiError::RateLimited { retry_after, .. }) = limiter.admit("a", &limits) else {
            panic!("the third request within a second passed");
        };
        assert_eq!(retry_after, Duration::from_secs(1));
        assert!(
            limiter.admit("b", &limits).is_ok(),
            "tenants have their own buckets"
        );
    }
}
