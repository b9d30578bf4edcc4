//! Plain-language summaries of what ran, built only from the tools' facts: the `notes` of a
//! structured answer and the text of a plain one.

use serde_json::Value;
use vitrine_store::ArtifactMeta;

use vitrine_tools::ToolCatalog;

use crate::executor::{ExecutedPlan, ExecutedStep};
use crate::planner::NotDone;

/// One clause about one step, from its tool's declared summary, e.g. "blurred 3 faces".
fn clause(step: &ExecutedStep, catalog: &ToolCatalog) -> Option<String> {
    let tool = catalog.get(&step.tool)?;
    (tool.meaning().summary)(&step.args, &step.facts)
}

/// A sentence about everything that ran, e.g. "Blurred 3 faces and painted over 2 PHI
/// findings (name, date of birth)."
pub fn sentence(plan: &ExecutedPlan, catalog: &ToolCatalog) -> String {
    let clauses: Vec<String> = plan
        .steps
        .iter()
        .filter_map(|step| clause(step, catalog))
        .collect();
    let joined = match clauses.len() {
        0 => "Done".to_owned(),
        1 => clauses[0].clone(),
        n => format!("{} and {}", clauses[..n - 1].join(", "), clauses[n - 1]),
    };
    let mut chars = joined.chars();
    let capitalised = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    };
    format!("{capitalised}.")
}

/// A plain-text answer: the sentence, any text read, and the refs made (the `vlmrun` CLI
/// downloads every id it finds in the text).
pub fn plain_answer(plan: &ExecutedPlan, made: &[ArtifactMeta], notes: &str) -> String {
    let mut answer = notes.to_owned();
    if let Some(text) = plan
        .facts_of("ocr")
        .and_then(|facts| facts.get("text"))
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
    {
        answer.push_str("\n\nText found:\n");
        answer.push_str(text);
    }
    let finals: Vec<&ArtifactMeta> = made
        .iter()
        .filter(|meta| plan.final_refs.contains(&meta.id.to_string()))
        .collect();
    if !finals.is_empty() {
        answer.push_str("\n\n");
        answer.push_str(if finals.len() == 1 {
            "Result: "
        } else {
            "Results: "
        });
        let list: Vec<String> = finals
            .iter()
            .map(|meta| {
                let dims = match (meta.media.width, meta.media.height) {
                    (Some(width), Some(height)) => format!(", {width}×{height}"),
                    _ => String::new(),
                };
                format!("{} ({}{dims})", meta.id, meta.content_type)
            })
            .collect();
        answer.push_str(&list.join(", "));
        answer.push('.');
    }
    answer
}

/// The notes of an answer: what ran, what was returned as it is, and what was not done and why.
pub fn notes(
    plan: &ExecutedPlan,
    catalog: &ToolCatalog,
    not_done: &[NotDone],
    returned: &[ArtifactMeta],
) -> String {
    let mut notes = if plan.steps.is_empty() {
        String::new()
    } else {
        sentence(plan, catalog)
    };
    if !returned.is_empty() {
        let list: Vec<String> = returned
            .iter()
            .map(|meta| {
                let dims = match (meta.media.width, meta.media.height) {
                    (Some(width), Some(height)) => format!(", {width}×{height}"),
                    _ => String::new(),
                };
                format!(
                    "{} ({}{dims}, {} bytes)",
                    meta.id, meta.content_type, meta.size
                )
            })
            .collect();
        if !notes.is_empty() {
            notes.push(' ');
        }
        notes.push_str(&format!("I received and stored {}.", list.join(", ")));
    }
    for part in not_done {
        if !notes.is_empty() {
            notes.push(' ');
        }
        notes.push_str(&part.why);
    }
    if notes.is_empty() {
        notes.push_str("Done.");
    }
    notes
}
