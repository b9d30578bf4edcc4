//! The workers: claim an execution, run it through the chat path, finish it.
//!
//! Workers sleep on a [`Notify`] and are woken by every enqueue, so queued
//! work starts as soon as a worker is free, with no polling interval. A worker
//! that finishes claims again at once, which is also how a tenant's next
//! execution starts when one of its running ones ends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use vitrine_agent::AgentEvent;
use vitrine_store::{ExecutionRecord, ExecutionStatus};
use vitrine_wire::chat::ChatCompletionRequest;

use super::feed::Feeds;
use super::job::Job;
use super::view::status_event;
use super::webhook;
use crate::routes::chat::complete;
use crate::{ApiError, AppState};

/// Step events kept in an execution's stored outcome.
const MAX_EVENTS: usize = 1000;

/// How often idle workers look at a shared queue for work no wake-up announced.
const SHARED_POLL: Duration = Duration::from_secs(1);

/// The message of an execution its owner cancelled.
pub(crate) const CANCELLED: &str = "cancelled";

/// What workers, handlers and webhook deliveries share.
#[derive(Default)]
pub(crate) struct Executions {
    /// Progress for `GET …/events`.
    pub(crate) feeds: Feeds,
    /// Wakes a sleeping worker when work is enqueued.
    wake: Notify,
    /// Running executions' cancel switches, by id.
    cancels: Mutex<HashMap<String, CancellationToken>>,
    /// Workers and webhook deliveries, so the server can stop them all before
    /// it returns (the store must be free to reopen).
    tasks: Mutex<JoinSet<()>>,
}

impl Executions {
    /// Tells a sleeping worker there is work.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Stops a running execution of this server, if it is here.
    pub(crate) fn cancel_running(&self, id: &str) {
        if let Some(token) = lock(&self.cancels).get(id) {
            token.cancel();
        }
    }

    pub(crate) fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut tasks = lock(&self.tasks);
        while tasks.try_join_next().is_some() {}
        tasks.spawn(task);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poison| poison.into_inner())
}

/// Re-queues what a previous run left running, resumes owed webhooks, then
/// starts the workers.
pub(crate) async fn start(state: &AppState) {
    let cancelled = json!({ "message": CANCELLED });
    match state.queue.requeue_running(cancelled).await {
        Ok(requeued) if !requeued.is_empty() => {
            tracing::info!(
                count = requeued.len(),
                "re-queued executions left running by the last run"
            );
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "re-queueing interrupted executions failed"),
    }
    deliver_owed(state).await;
    // On a shared queue a replica that died mid-delivery leaves its webhooks leased; they
    // are taken over once the lease runs out, so look for them as often as for work.
    if let Some(lease) = state.queue.lease() {
        let state_for_poll = state.clone();
        state.executions.spawn(async move {
            let mut ticker = tokio::time::interval(SHARED_POLL.min(lease / 2));
            ticker.tick().await;
            loop {
                ticker.tick().await;
                deliver_owed(&state_for_poll).await;
            }
        });
    }
    for _ in 0..state.config.executions.workers.max(1) {
        let state_for_worker = state.clone();
        state.executions.spawn(work(state_for_worker));
    }
}

/// Starts delivering every owed webhook this process can claim.
async fn deliver_owed(state: &AppState) {
    match state.queue.claim_webhooks().await {
        Ok(owed) => {
            for record in owed {
                spawn_delivery(state, record);
            }
        }
        Err(error) => tracing::error!(%error, "reading owed webhooks failed"),
    }
}

/// Sends a claimed webhook in the background, if its job names a callback.
fn spawn_delivery(state: &AppState, record: ExecutionRecord) {
    let callback = serde_json::from_value::<Job>(record.job.clone())
        .ok()
        .and_then(|job| job.callback_url);
    if let Some(url) = callback {
        let state_for_delivery = state.clone();
        state
            .executions
            .spawn(webhook::deliver(state_for_delivery, record, url));
    }
}

/// Stops workers and deliveries; running executions stay `running` in the
/// store and are re-queued by the next [`start`].
pub(crate) async fn stop(state: &AppState) {
    let mut tasks = std::mem::take(&mut *lock(&state.executions.tasks));
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
}

async fn work(state: AppState) {
    let max_per_tenant = state.config.executions.max_per_tenant.max(1);
    loop {
        let claimed = {
            // Registered before the claim, so a wake-up between an empty claim
            // and the wait is not lost; dropped before running, so a busy
            // worker never swallows one.
            let notified = state.executions.wake.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            match state.queue.claim(max_per_tenant).await {
                Ok(Some(record)) => Some(record),
                // A shared queue is also fed by other replicas and by leases running out,
                // which no local wake-up announces: look again after a while.
                Ok(None) => match state.queue.lease() {
                    Some(lease) => {
                        let poll = SHARED_POLL.min(lease / 2);
                        let _ = tokio::time::timeout(poll, notified).await;
                        None
                    }
                    None => {
                        notified.await;
                        None
                    }
                },
                Err(error) => {
                    tracing::error!(%error, "claiming an execution failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    None
                }
            }
        };
        if let Some(record) = claimed {
            run(&state, record).await;
        }
    }
}

async fn run(state: &AppState, record: ExecutionRecord) {
    let id = record.id.clone();
    // With replicas, the log says which one ran an execution (and which attempt).
    tracing::info!(execution = %id, attempt = record.attempts, "running an execution");
    let token = CancellationToken::new();
    lock(&state.executions.cancels).insert(id.clone(), token.clone());
    // A cancel that came between the claim and the line above flagged only the store.
    if state
        .queue
        .execution(&record.tenant, &id)
        .await
        .is_ok_and(|current| current.cancel_requested)
    {
        token.cancel();
    }
    state
        .executions
        .feeds
        .publish(&id, json!({"type": "status", "status": "running"}));
    let started = Instant::now();
    let mut events = Vec::new();
    let renewals = renew_lease(state, &id, token.clone());
    let result = tokio::select! {
        result = execute(state, &record, &mut events) => result,
        () = token.cancelled() => Err(None),
        () = renewals => Err(None),
    };
    let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let (status, mut outcome) = match result {
        Ok(outcome) => (ExecutionStatus::Completed, outcome),
        Err(None) => (ExecutionStatus::Failed, json!({ "message": CANCELLED })),
        Err(Some(error)) => {
            tracing::info!(execution = %id, %error, "execution failed");
            (
                ExecutionStatus::Failed,
                json!({ "message": error.client_message() }),
            )
        }
    };
    outcome["duration_ms"] = json!(duration_ms);
    outcome["events"] = Value::Array(events);
    lock(&state.executions.cancels).remove(&id);
    match state.queue.finish(&id, status, outcome).await {
        Ok(finished) => {
            state.executions.feeds.publish(&id, status_event(&finished));
            state.executions.feeds.close(&id);
            // Claimed first: on a shared queue another replica's poll may have taken it.
            if finished.webhook_pending {
                match state.queue.claim_webhook(&id).await {
                    Ok(Some(owed)) => spawn_delivery(state, owed),
                    Ok(None) => {}
                    Err(error) => {
                        tracing::error!(execution = %id, %error, "claiming a webhook failed")
                    }
                }
            }
        }
        // Left `running`: the next start re-queues it.
        Err(error) => {
            tracing::error!(execution = %id, %error, "recording a finished execution failed")
        }
    }
}

/// While the execution runs, keeps its lease on a shared queue (never returns there); a
/// cancel flagged through another replica comes back with a renewal and cancels `token`.
/// Returns at once for a single-process queue.
async fn renew_lease(state: &AppState, id: &str, token: CancellationToken) {
    let Some(lease) = state.queue.lease() else {
        return std::future::pending().await;
    };
    let mut ticker = tokio::time::interval(lease / 3);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        match state.queue.renew_lease(id).await {
            Ok(true) => token.cancel(),
            Ok(false) => {}
            // The database is away: keep running; if the lease lapses meanwhile, another
            // replica may start the execution again, and the first finish wins.
            Err(error) => tracing::warn!(execution = %id, %error, "renewing a lease failed"),
        }
    }
}

/// Runs the job; `Err(None)` is never returned here (it means cancelled).
async fn execute(
    state: &AppState,
    record: &ExecutionRecord,
    events: &mut Vec<Value>,
) -> Result<Value, Option<ApiError>> {
    let job: Job = serde_json::from_value(record.job.clone())
        .map_err(|error| Some(ApiError::internal(format!("unreadable job: {error}"))))?;
    let mut request: ChatCompletionRequest =
        serde_json::from_value(job.chat.clone()).map_err(|error| {
            Some(ApiError::internal(format!(
                "unreadable job request: {error}"
            )))
        })?;
    let (sender, mut receiver) = mpsc::unbounded_channel::<AgentEvent>();
    let work = complete(state, &record.tenant, &mut request, Some(sender));
    tokio::pin!(work);
    let mut forward = |event: AgentEvent| {
        let event = serde_json::to_value(&event).unwrap_or(Value::Null);
        state.executions.feeds.publish(&record.id, event.clone());
        if events.len() < MAX_EVENTS {
            events.push(event);
        }
    };
    let result = loop {
        tokio::select! {
            result = &mut work => break result,
            Some(event) = receiver.recv() => forward(event),
        }
    };
    while let Ok(event) = receiver.try_recv() {
        forward(event);
    }
    let answered = result.map_err(Some)?;
    let made = answered.extension.get("made").cloned().unwrap_or(json!([]));
    let response = if job.structured {
        match serde_json::from_str::<Value>(&answered.content) {
            Ok(value @ Value::Object(_)) => value,
            Ok(other) => json!({ "answer": other }),
            Err(_) => json!({ "answer": answered.content }),
        }
    } else {
        json!({ "answer": answered.content, "artifacts": made })
    };
    let steps = events
        .iter()
        .filter(|event| event["type"] == "step_finished")
        .count();
    let inputs = answered
        .extension
        .get("inputs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let element_type = inputs
        .first()
        .and_then(|input| input["kind"].as_str())
        .and_then(|kind| match kind {
            "image" => Some("image"),
            "video" => Some("video"),
            "audio" => Some("audio"),
            "document" => Some("page"),
            _ => None,
        });
    Ok(json!({
        "response": response,
        "steps": steps,
        "elements_processed": inputs.len(),
        "element_type": element_type,
        "made": made,
        "plan": answered.extension.get("plan").cloned().unwrap_or(Value::Null),
        "session_id": answered.session.to_string(),
    }))
}
