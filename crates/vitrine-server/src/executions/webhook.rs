//! Webhooks: the finished execution, POSTed to its `callback_url`.
//!
//! The body is signed as the `vlmrun` SDK's `verify_webhook` checks it:
//! `X-VLMRun-Signature: sha256=<hex HMAC-SHA256(raw body, secret)>`, with the
//! tenant's secret from the tenants file, else `--webhook-secret`; without
//! either the webhook goes out unsigned. Every attempt, answered or not, is
//! logged on the execution. Failures are retried with exponential backoff; a
//! 4xx other than 408 and 429 is the receiver's final word. The request goes
//! through the URL fetcher, so the SSRF rules of URL inputs apply
//! (`--fetch-allow-hosts` opens a private host).

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::json;
use sha2::Sha256;
use vitrine_store::ExecutionRecord;
use vitrine_wire::random_hex;

use super::view::webhook_body;
use crate::AppState;

/// The signature header the SDK reads.
pub(crate) const SIGNATURE_HEADER: &str = "x-vlmrun-signature";
/// One id per delivery (the same on every retry), so receivers can drop repeats.
pub(crate) const DELIVERY_HEADER: &str = "x-vitrine-delivery";

/// `sha256=<hex>` of `body` under `secret`.
pub(crate) fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let hex: String = digest.iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256={hex}")
}

/// Delivers a claimed `record` to `url`, retrying, and logs each attempt on the execution.
/// A delivery cut short by a stop is resumed by the next start (same delivery id). On a
/// shared queue the claim is a lease, renewed while this runs; once it is lost (this replica
/// stalled past it and another took the delivery over) nothing more is sent from here.
pub(crate) async fn deliver(state: AppState, record: ExecutionRecord, url: String) {
    let id = record.id.clone();
    tokio::select! {
        () = send(&state, record, url) => {}
        () = keep_lease(&state, &id) => {
            tracing::warn!(execution = %id, "another replica took this webhook over; stopped sending it");
        }
    }
}

/// Renews the delivery's lease on a shared queue; returns once it is lost (never on a
/// single-process queue).
async fn keep_lease(state: &AppState, id: &str) {
    let Some(lease) = state.queue.lease() else {
        return std::future::pending().await;
    };
    let mut ticker = tokio::time::interval(lease / 3);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        match state.queue.renew_webhook(id).await {
            Ok(true) => {}
            Ok(false) => return,
            // The database is away: keep going; a lapsed lease shows in the next renewal.
            Err(error) => {
                tracing::warn!(execution = %id, %error, "renewing a webhook lease failed")
            }
        }
    }
}

async fn send(state: &AppState, record: ExecutionRecord, url: String) {
    let config = &state.config.executions;
    let body = match serde_json::to_vec(&webhook_body(&record)) {
        Ok(body) => body,
        Err(error) => {
            tracing::error!(%error, "serialising a webhook failed");
            return;
        }
    };
    let delivery_id = record
        .deliveries
        .last()
        .and_then(|last| last["delivery_id"].as_str())
        .map_or_else(|| format!("dlv_{}", random_hex(12)), str::to_owned);
    let earlier = record.deliveries.len();
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(&delivery_id) {
        headers.insert(DELIVERY_HEADER, value);
    }
    let secret = state
        .keys
        .webhook_secret(&record.tenant)
        .or(config.webhook_secret.as_deref());
    if let Some(secret) = secret
        && let Ok(value) = HeaderValue::from_str(&signature(secret, &body))
    {
        headers.insert(SIGNATURE_HEADER, value);
    }
    let attempts = config.webhook_attempts.max(1);
    let mut backoff = config.webhook_backoff;
    for attempt in 1..=attempts {
        let result = state
            .fetcher
            .post(&url, headers.clone(), body.clone(), "callback_url")
            .await;
        let (status, error) = match &result {
            Ok(status) => (Some(*status), None),
            Err(error) => (None, Some(error.client_message())),
        };
        let delivered = status.is_some_and(|status| (200..300).contains(&status));
        // The receiver's 4xx (but 408 and 429) is its final word, and an address
        // the SSRF rules refuse stays refused: retrying changes nothing.
        let final_answer = status
            .is_some_and(|status| (400..500).contains(&status) && status != 408 && status != 429);
        let refused = matches!(&result, Err(crate::ApiError::Fetch { code, .. })
            if matches!(*code, "url_refused" | "unsupported_url" | "invalid_url"));
        let settled = delivered || final_answer || refused || attempt == attempts;
        let entry = json!({
            "delivery_id": delivery_id,
            "attempt": earlier + attempt as usize,
            "at": SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or_default(),
            "status_code": status,
            "error": error,
            "delivered": delivered,
            "signed": secret.is_some(),
        });
        match state
            .queue
            .record_delivery(&record.id, entry, settled)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!(execution = %record.id, "another replica took this webhook over; stopped sending it");
                return;
            }
            Err(error) => {
                tracing::error!(execution = %record.id, %error, "logging a webhook delivery failed")
            }
        }
        if delivered || final_answer || refused {
            return;
        }
        if attempt < attempts {
            tokio::time::sleep(backoff).await;
            backoff = backoff.saturating_mul(2);
        }
    }
    tracing::warn!(execution = %record.id, %url, "webhook not delivered after {attempts} attempts");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_rfc_4231_hmac_sha256() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
