//! `vitrine usage`: the key's usage report as a table (or JSON).

use std::io::Write;

use super::connect::client;
use crate::cli::UsageArgs;

/// Runs `vitrine usage`, writing the report to `out`.
pub async fn usage(args: UsageArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let report = client(&args.connect)?
        .usage(args.since.as_deref(), args.until.as_deref())
        .await?;
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<22} {:>6} {:>10} {:>12} {:>12}",
        "TOOL", "STEPS", "TIME ms", "BYTES IN", "BYTES OUT"
    )?;
    for (tool, used) in &report.tools {
        writeln!(
            out,
            "{tool:<22} {:>6} {:>10} {:>12} {:>12}",
            used.steps, used.duration_ms, used.bytes_in, used.bytes_out
        )?;
    }
    writeln!(
        out,
        "{:<22} {:>6} {:>10} {:>12} {:>12}",
        "total", report.steps, report.tool_ms, report.bytes_in, report.bytes_out
    )?;
    writeln!(out)?;
    writeln!(out, "requests    {}", report.requests)?;
    writeln!(
        out,
        "LLM tokens  {} ({} prompt, {} completion)",
        report.llm_tokens.total(),
        report.llm_tokens.prompt_tokens,
        report.llm_tokens.completion_tokens
    )?;
    writeln!(out, "credits     {:.3}", report.credits)?;
    Ok(())
}
