//! `/v1/agent/execute` and `/v1/agent/executions`: enqueue, list, read,
//! cancel and watch executions (see `crate::executions`).

use std::convert::Infallible;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::stream;
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use vitrine_store::{Cancelled, ExecutionRecord, NewExecution};

use crate::auth::Tenant;
use crate::executions::CANCELLED;
use crate::executions::job::{ExecuteRequest, idempotency_key, new_execution_id, prepare};
use crate::executions::view::{status_event, view};
use crate::json::AppJson;
use crate::{ApiError, AppState};

/// Most executions one list call returns.
const MAX_LIMIT: usize = 1000;
/// How often an events stream re-reads the store, in case its feed ended
/// before it subscribed (the live feed is the fast path).
const RECHECK: Duration = Duration::from_secs(1);

#[utoipa::path(post, path = "/v1/agent/execute", tag = "executions", request_body = crate::executions::job::ExecuteRequest, params(("Idempotency-Key" = Option<String>, Header, description = "Repeats of a key answer the first execution")), responses((status = 200, description = "The enqueued execution", body = Object), (status = 201, description = "The enqueued execution", body = Object), crate::openapi::Errors))]
pub(super) async fn execute(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    headers: HeaderMap,
    AppJson(request): AppJson<ExecuteRequest>,
) -> Result<Response, ApiError> {
    let key = idempotency_key(&headers)?;
    if let Some(key) = &key
        && let Some(earlier) = state.queue.execution_by_key(&tenant, key).await?
    {
        // A retry: the same execution, no second enqueue and no second upload.
        return Ok(Json(view(&earlier)).into_response());
    }
    let job = prepare(&state, &tenant, request).await?;
    let webhook = job.callback_url.is_some();
    let job = serde_json::to_value(&job).map_err(ApiError::internal)?;
    let (record, created) = state
        .queue
        .enqueue(NewExecution {
            id: new_execution_id(),
            tenant,
            idempotency_key: key,
            job,
            webhook,
        })
        .await?;
    if created {
        state.executions.wake();
    }
    Ok(Json(view(&record)).into_response())
}

/// A bare list, newest first: the SDK builds one `AgentExecutionResponse` per item.
#[utoipa::path(get, path = "/v1/agent/executions", tag = "executions", params(super::Paging), responses((status = 200, description = "Executions, newest first", body = Vec<Object>), crate::openapi::Errors))]
pub(super) async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<super::Paging>,
) -> Result<Json<Vec<Value>>, ApiError> {
    let records = state
        .queue
        .list_executions(&tenant, query.skip, query.limit.min(MAX_LIMIT))
        .await?;
    Ok(Json(records.iter().map(view).collect()))
}

#[utoipa::path(get, path = "/v1/agent/executions/{execution_id}", tag = "executions", params(("execution_id" = String, Path, description = "The execution")), responses((status = 200, description = "The execution", body = Object), crate::openapi::Errors))]
pub(super) async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(view(&state.queue.execution(&tenant, &id).await?)))
}

/// The webhook delivery log of an execution.
#[utoipa::path(get, path = "/v1/agent/executions/{execution_id}/deliveries", tag = "executions", params(("execution_id" = String, Path, description = "The execution")), responses((status = 200, description = "The webhook delivery log", body = Object), crate::openapi::Errors))]
pub(super) async fn deliveries(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = state.queue.execution(&tenant, &id).await?;
    Ok(Json(
        json!({ "execution_id": record.id, "deliveries": record.deliveries }),
    ))
}

/// A waiting execution fails at once; a running one is stopped at its next
/// await point and then fails. Either way `usage.message` says "cancelled".
#[utoipa::path(post, path = "/v1/agent/executions/{execution_id}/cancel", tag = "executions", params(("execution_id" = String, Path, description = "The execution")), responses((status = 200, description = "The execution, ended", body = Object), crate::openapi::Errors))]
pub(super) async fn cancel(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let cancelled = json!({ "message": CANCELLED, "duration_ms": 0 });
    let record = match state.queue.cancel(&tenant, &id, cancelled).await? {
        Cancelled::Dequeued(record) => {
            state
                .executions
                .feeds
                .publish(&record.id, status_event(&record));
            state.executions.feeds.close(&record.id);
            record
        }
        Cancelled::Flagged(record) => {
            state.executions.cancel_running(&record.id);
            record
        }
        Cancelled::AlreadyFinal(record) => record,
    };
    Ok(Json(view(&record)))
}

/// Server-sent events: the agent's step events as they happen (earlier ones
/// first), then one `status` event with the final execution.
#[utoipa::path(get, path = "/v1/agent/executions/{execution_id}/events", tag = "executions", params(("execution_id" = String, Path, description = "The execution")), responses((status = 200, description = "Server-sent progress events", content_type = "text/event-stream"), crate::openapi::Errors))]
pub(super) async fn events(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    // Subscribe before reading the store, so nothing falls between the two.
    let (past, mut receiver) = state.executions.feeds.subscribe(&id);
    let record = match state.queue.execution(&tenant, &id).await {
        Ok(record) => record,
        Err(error) => {
            drop(receiver);
            state.executions.feeds.close_if_idle(&id);
            return Err(error.into());
        }
    };
    let (sender, events) = mpsc::channel::<Event>(64);
    tokio::spawn(async move {
        let send = |value: &Value| {
            let sender = sender.clone();
            let event = Event::default().json_data(value);
            async move {
                match event {
                    Ok(event) => sender.send(event).await.is_ok(),
                    Err(_) => false,
                }
            }
        };
        if record.status.is_final() {
            finish_from_store(&state, &record, &sender).await;
            return;
        }
        for event in &past {
            if !send(event).await {
                return;
            }
            if is_final_event(event) {
                return;
            }
        }
        let mut live = true;
        loop {
            let next = if live {
                tokio::time::timeout(RECHECK, receiver.recv()).await
            } else {
                // The feed went away (its execution ended): only the store is left.
                tokio::time::sleep(RECHECK).await;
                Ok(Err(broadcast::error::RecvError::Closed))
            };
            match next {
                Ok(Ok(event)) => {
                    if !send(&event).await || is_final_event(&event) {
                        return;
                    }
                }
                Ok(Err(broadcast::error::RecvError::Lagged(_))) => {}
                Ok(Err(broadcast::error::RecvError::Closed)) | Err(_) => {
                    if matches!(next, Ok(Err(broadcast::error::RecvError::Closed))) {
                        live = false;
                    }
                    if sender.is_closed() {
                        return;
                    }
                    match state.queue.execution(&record.tenant, &record.id).await {
                        Ok(current) if current.status.is_final() => {
                            let _ = send(&status_event(&current)).await;
                            state.executions.feeds.close_if_idle(&current.id);
                            return;
                        }
                        Ok(_) => {}
                        Err(_) => return,
                    }
                }
            }
        }
    });
    let events = stream::unfold(events, |mut events| async move {
        events
            .recv()
            .await
            .map(|event| (Ok::<_, Infallible>(event), events))
    });
    Ok(Sse::new(events)
        .keep_alive(KeepAlive::default())
        .into_response())
}

/// A final execution replays its stored step events, then its status.
async fn finish_from_store(
    state: &AppState,
    record: &ExecutionRecord,
    sender: &mpsc::Sender<Event>,
) {
    let stored = record
        .outcome
        .as_ref()
        .and_then(|outcome| outcome.get("events"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for event in stored.iter().chain(std::iter::once(&status_event(record))) {
        let Ok(event) = Event::default().json_data(event) else {
            continue;
        };
        if sender.send(event).await.is_err() {
            break;
        }
    }
    state.executions.feeds.close_if_idle(&record.id);
}

fn is_final_event(event: &Value) -> bool {
    event["type"] == "status" && matches!(event["status"].as_str(), Some("completed" | "failed"))
}
