//! Stored records → the execution JSON clients read (the SDK's
//! `AgentExecutionResponse` plus a `vitrine` extension).

use std::time::{Duration, UNIX_EPOCH};

use serde_json::{Value, json};
use vitrine_store::{ExecutionRecord, ExecutionStatus};

use super::job::Job;

/// The execution as `GET /v1/agent/executions/{id}` answers it, and as the webhook carries it.
pub(crate) fn view(record: &ExecutionRecord) -> Value {
    let job: Option<Job> = serde_json::from_value(record.job.clone()).ok();
    let outcome = record.outcome.as_ref();
    let field = |name: &str| outcome.and_then(|outcome| outcome.get(name)).cloned();
    let mut usage = json!({
        "duration_seconds": field("duration_ms")
            .and_then(|ms| ms.as_u64())
            .map(|ms| ms.div_ceil(1000))
            .unwrap_or(0),
    });
    for name in [
        "steps",
        "message",
        "elements_processed",
        "element_type",
        "credits_used",
    ] {
        if let Some(value) = field(name).filter(|value| !value.is_null()) {
            usage[name] = value;
        }
    }
    let mut execution = json!({
        "id": record.id,
        "name": job.as_ref().map(|job| job.name.as_str()).unwrap_or("execution"),
        "created_at": iso8601(record.created_at),
        "status": record.status.as_str(),
        "usage": usage,
        "execution_mode": job.as_ref().and_then(|job| job.mode.clone()).unwrap_or_else(|| "agent".into()),
    });
    if let Some(completed_at) = record.completed_at {
        execution["completed_at"] = json!(iso8601(completed_at));
    }
    if record.status == ExecutionStatus::Completed {
        execution["response"] = field("response").unwrap_or(Value::Null);
    }
    execution["vitrine"] = json!({
        "model": job.as_ref().map(|job| job.model.as_str()),
        "session_id": job.as_ref().map(|job| job.session_id.as_str()),
        "metadata": job.as_ref().and_then(|job| job.metadata.clone()),
        "inputs": job.as_ref().map(|job| job.stored.clone()).unwrap_or_default(),
        "attempts": record.attempts,
        "started_at": record.started_at.map(iso8601),
        "duration_ms": field("duration_ms"),
        "made": field("made"),
        "plan": field("plan"),
        "webhook": job.as_ref().and_then(|job| job.callback_url.as_ref()).map(|_| json!({
            "deliveries": record.deliveries,
        })),
    });
    execution
}

/// What a webhook carries: the execution without its delivery log, which the
/// delivery itself is about to change.
pub(crate) fn webhook_body(record: &ExecutionRecord) -> Value {
    let mut execution = view(record);
    if let Some(extension) = execution.get_mut("vitrine").and_then(Value::as_object_mut) {
        extension.remove("webhook");
    }
    execution
}

/// The final SSE event: the status and the whole execution.
pub(crate) fn status_event(record: &ExecutionRecord) -> Value {
    json!({"type": "status", "status": record.status.as_str(), "execution": view(record)})
}

fn iso8601(unix_secs: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(unix_secs)).to_string()
}
