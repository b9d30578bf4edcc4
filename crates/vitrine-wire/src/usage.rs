//! The usage report of `GET /v1/usage` and the per-step spans of a response's `vitrine`
//! extension: what requests used, in tool time, bytes and tokens, and the compute units
//! (credits) derived from them (defined where they are computed, in `vitrine-store`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One tool step as it ran.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageSpan {
    /// The step id, e.g. `s1`.
    pub step: String,
    /// The tool.
    pub tool: String,
    /// How long it ran.
    pub duration_ms: u64,
    /// Bytes of the artifacts it read.
    pub bytes_in: u64,
    /// Bytes of the artifacts it made.
    pub bytes_out: u64,
}

/// Token counts a language model reported in its `usage`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenUsage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
}

impl TokenUsage {
    /// Adds another call's counts.
    pub fn add(&mut self, other: TokenUsage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
    }

    /// Prompt plus completion.
    pub fn total(&self) -> u64 {
        self.prompt_tokens + self.completion_tokens
    }
}

/// One tool's share of a report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ToolUsage {
    /// Steps that ran it.
    pub steps: u64,
    /// Their total time.
    pub duration_ms: u64,
    /// Bytes read.
    pub bytes_in: u64,
    /// Bytes made.
    pub bytes_out: u64,
}

/// A tenant's usage over a time range.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageReport {
    /// Requests recorded.
    pub requests: u64,
    /// Tool steps run.
    pub steps: u64,
    /// Total tool time.
    pub tool_ms: u64,
    /// Bytes read by tools.
    pub bytes_in: u64,
    /// Bytes made by tools.
    pub bytes_out: u64,
    /// Tokens real language models counted.
    pub llm_tokens: TokenUsage,
    /// Compute units.
    pub credits: f64,
    /// Per tool, by name.
    pub tools: BTreeMap<String, ToolUsage>,
}
