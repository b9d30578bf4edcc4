//! What a request used: per-step spans and the LLM's real token counts, shown in the
//! response's `vitrine.usage` and appended to the tenant's usage ledger.

use serde_json::{Value, json};
use vitrine_agent::AgentOutcome;
use vitrine_store::{TokenUsage, UsageRecord};

use crate::AppState;

/// The ledger record of one request (its time is stamped by the ledger).
pub(crate) fn record_of(
    tenant: &str,
    request_id: &str,
    kind: &str,
    outcome: &AgentOutcome,
) -> UsageRecord {
    UsageRecord {
        tenant: tenant.to_owned(),
        request_id: request_id.to_owned(),
        kind: kind.to_owned(),
        at: 0,
        planner: outcome
            .plan
            .get("planner")
            .and_then(Value::as_str)
            .unwrap_or("offline")
            .to_owned(),
        spans: outcome.spans.clone(),
        llm_tokens: outcome.llm_tokens,
    }
}

/// `vitrine.usage`: the spans, the credits they cost, and where the token counts come from.
pub(crate) fn extension(record: &UsageRecord) -> Value {
    let mut usage = json!({
        "spans": record.spans,
        "tool_ms": record.tool_ms(),
        "credits": record.credits(),
        "tokens": if record.llm_tokens.is_some() { "llm" } else { "estimate" },
    });
    if let Some(tokens) = record.llm_tokens {
        usage["llm_tokens"] = json!({
            "prompt_tokens": tokens.prompt_tokens,
            "completion_tokens": tokens.completion_tokens,
            "total_tokens": tokens.total(),
        });
    }
    usage
}

/// The real token counts recorded in a `vitrine` extension, if a language model planned.
pub(crate) fn llm_tokens(extension: &Value) -> Option<TokenUsage> {
    serde_json::from_value(extension.pointer("/usage/llm_tokens")?.clone()).ok()
}

/// Appends the record. The answer is already made, so a failing ledger is logged rather than
/// turned into a failed request.
pub(crate) async fn append(state: &AppState, record: UsageRecord) {
    state.metrics.plan(&record);
    if let Err(error) = state.usage.record_usage(record).await {
        tracing::error!(%error, "the usage ledger did not take a record");
    }
}
