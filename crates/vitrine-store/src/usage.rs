//! The usage ledger: what each request cost, step by step, behind [`UsageLedger`].
//!
//! A record holds one span per tool step (time, bytes in and out) and the language model's
//! token counts when one planned. Credits are compute units derived from those numbers by
//! one function, [`UsageRecord::credits`], so a response, the ledger and the report always
//! agree: one credit per second of tool time plus one per thousand tokens of a real model
//! (estimated tokens, where no model ran, are free). Artifact downloads are not recorded.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
pub use vitrine_wire::usage::{TokenUsage, ToolUsage, UsageReport, UsageSpan};

use crate::StoreError;

/// Credits per second of tool time.
pub const CREDITS_PER_TOOL_SECOND: f64 = 1.0;
/// Credits per thousand tokens a real language model counted.
pub const CREDITS_PER_THOUSAND_TOKENS: f64 = 1.0;

/// What one request (a chat completion or an execution) used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageRecord {
    /// The tenant billed.
    pub tenant: String,
    /// The completion or execution id.
    pub request_id: String,
    /// `chat` or `execution`.
    pub kind: String,
    /// Unix seconds when it was recorded (the ledger stamps it with its own clock).
    pub at: u64,
    /// Which planner chose the steps: `offline`, `llm` or `program`.
    pub planner: String,
    /// One span per step, in plan order.
    pub spans: Vec<UsageSpan>,
    /// The model's real counts, when a language model planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub llm_tokens: Option<TokenUsage>,
}

impl UsageRecord {
    /// Tool time of all steps.
    pub fn tool_ms(&self) -> u64 {
        self.spans.iter().map(|span| span.duration_ms).sum()
    }

    /// Compute units: see the module docs.
    pub fn credits(&self) -> f64 {
        let tool = self.tool_ms() as f64 / 1000.0 * CREDITS_PER_TOOL_SECOND;
        let tokens = self.llm_tokens.map_or(0, |tokens| tokens.total()) as f64 / 1000.0
            * CREDITS_PER_THOUSAND_TOKENS;
        round3(tool + tokens)
    }
}

fn round3(value: f64) -> f64 {
    (value * 1000.0).round() / 1000.0
}

/// Adds one request to a report.
pub fn add(report: &mut UsageReport, record: &UsageRecord) {
    report.requests += 1;
    for span in &record.spans {
        report.steps += 1;
        report.tool_ms += span.duration_ms;
        report.bytes_in += span.bytes_in;
        report.bytes_out += span.bytes_out;
        let tool = report.tools.entry(span.tool.clone()).or_default();
        tool.steps += 1;
        tool.duration_ms += span.duration_ms;
        tool.bytes_in += span.bytes_in;
        tool.bytes_out += span.bytes_out;
    }
    if let Some(tokens) = record.llm_tokens {
        report.llm_tokens.add(tokens);
    }
    report.credits = round3(report.credits + record.credits());
}

/// Where usage records are kept.
#[async_trait]
pub trait UsageLedger: Send + Sync + 'static {
    /// Appends one request's record.
    async fn record_usage(&self, record: UsageRecord) -> Result<(), StoreError>;

    /// Sums the tenant's records with `since <= at < until` (unix seconds).
    async fn usage_report(
        &self,
        tenant: &str,
        since: u64,
        until: u64,
    ) -> Result<UsageReport, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credits_are_tool_seconds_plus_thousands_of_real_tokens() {
        let record = UsageRecord {
            tenant: "t".into(),
            request_id: "r".into(),
            kind: "chat".into(),
            at: 0,
            planner: "llm".into(),
            spans: vec![
                UsageSpan {
                    tool: "blur_faces".into(),
                    duration_ms: 1500,
                    ..UsageSpan::default()
                },
                UsageSpan {
                    tool: "grayscale".into(),
                    duration_ms: 250,
                    ..UsageSpan::default()
                },
            ],
            llm_tokens: Some(TokenUsage {
                prompt_tokens: 1200,
                completion_tokens: 300,
            }),
        };
        assert_eq!(record.credits(), 3.25);
        let mut report = UsageReport::default();
        add(&mut report, &record);
        add(&mut report, &record);
        assert_eq!(report.steps, 4);
        assert_eq!(report.tools["blur_faces"].duration_ms, 3000);
        assert_eq!(report.credits, 6.5);
    }
}
