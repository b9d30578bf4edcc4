//! Runs a validated [`Plan`] as a DAG: every step whose refs are satisfied starts at once, each
//! under its own time limit, the whole plan under the request's limit. Dropping the future (the
//! client went away) aborts the steps still running.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;
use vitrine_store::{ArtifactMeta, UsageSpan};
use vitrine_tools::{ToolCatalog, ToolContext, ToolOutput};

use crate::agent::AgentEvent;
use crate::error::AgentError;
use crate::plan::{Plan, RefTarget, map_refs};

/// Time limits of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest one step may run.
    pub step: Duration,
    /// The longest the whole plan may run.
    pub request: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            step: Duration::from_secs(120),
            request: Duration::from_secs(300),
        }
    }
}

/// One artifact a step made, as recorded in the executed plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MadeRef {
    /// The output name, e.g. `image`.
    pub output: String,
    /// The artifact id.
    pub id: String,
    /// Its `Content-Type`.
    pub content_type: String,
}

/// A step as it ran.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutedStep {
    /// The step id.
    pub id: String,
    /// The tool.
    pub tool: String,
    /// The arguments after refs were resolved.
    pub args: Value,
    /// Milliseconds from the start of the plan to the start of the step.
    pub started_ms: u64,
    /// How long the step took, in milliseconds.
    pub elapsed_ms: u64,
    /// The artifacts it made.
    pub made: Vec<MadeRef>,
    /// What the tool reported.
    pub facts: Value,
}

/// The result of running a plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecutedPlan {
    /// Steps in plan order.
    pub steps: Vec<ExecutedStep>,
    /// Wall time of the whole plan, in milliseconds.
    pub elapsed_ms: u64,
    /// Every artifact made, in the order steps are listed.
    #[serde(skip)]
    pub artifacts: Vec<(String, ArtifactMeta)>,
    /// The ids of artifacts no later step consumed: what the plan delivers, in step order.
    pub final_refs: Vec<String>,
}

impl ExecutedPlan {
    /// What each step used: its time, the bytes of the artifacts its arguments name (inputs
    /// or earlier outputs) and the bytes of what it made.
    pub fn spans(&self, inputs: &[ArtifactMeta]) -> Vec<UsageSpan> {
        let sizes: HashMap<String, u64> = inputs
            .iter()
            .chain(self.artifacts.iter().map(|(_, meta)| meta))
            .map(|meta| (meta.id.to_string(), meta.size))
            .collect();
        self.steps
            .iter()
            .map(|step| {
                let mut read = HashSet::new();
                collect_strings(&step.args, &mut read);
                UsageSpan {
                    step: step.id.clone(),
                    tool: step.tool.clone(),
                    duration_ms: step.elapsed_ms,
                    bytes_in: read.iter().filter_map(|id| sizes.get(*id)).sum(),
                    bytes_out: step
                        .made
                        .iter()
                        .filter_map(|made| sizes.get(&made.id))
                        .sum(),
                }
            })
            .collect()
    }

    /// The facts of the first step that ran `tool`.
    pub fn facts_of(&self, tool: &str) -> Option<&Value> {
        self.steps
            .iter()
            .find(|step| step.tool == tool)
            .map(|step| &step.facts)
    }
}

struct Finished {
    index: usize,
    args: Value,
    started_ms: u64,
    elapsed_ms: u64,
    output: ToolOutput,
}

/// Resolves one step's refs against the inputs and the outputs of finished steps.
fn resolve_args(
    args: &Value,
    inputs: &[ArtifactMeta],
    outputs: &HashMap<String, ToolOutput>,
) -> Result<Value, String> {
    map_refs(args, "", &mut |pointer, text| match RefTarget::parse(text)
        .ok_or_else(|| format!("`{pointer}`: bad ref `{text}`"))?
    {
        RefTarget::Input(index) => inputs
            .get(index)
            .map(|meta| Value::String(meta.id.to_string()))
            .ok_or_else(|| format!("`{pointer}`: there is no input {index}")),
        RefTarget::Output { step, output } => {
            let done = outputs
                .get(&step)
                .ok_or_else(|| format!("`{pointer}`: step `{step}` has not run"))?;
            let ids: Vec<Value> = done
                .output(&output)
                .map(|meta| Value::String(meta.id.to_string()))
                .collect();
            match ids.len() {
                0 => Err(format!("`{pointer}`: step `{step}` made no `{output}`")),
                1 => Ok(ids.into_iter().next().unwrap_or(Value::Null)),
                _ => Ok(Value::Array(ids)),
            }
        }
        RefTarget::Facts { step, pointer: at } => {
            let done = outputs
                .get(&step)
                .ok_or_else(|| format!("`{pointer}`: step `{step}` has not run"))?;
            done.facts
                .pointer(&at)
                .cloned()
                .ok_or_else(|| format!("`{pointer}`: step `{step}` reported no `{at}`"))
        }
    })
}

/// Runs `plan` (already validated) and reports events as steps start and finish.
pub async fn execute(
    plan: &Plan,
    catalog: &ToolCatalog,
    cx: &ToolContext,
    inputs: &[ArtifactMeta],
    limits: Limits,
    events: Option<&UnboundedSender<AgentEvent>>,
) -> Result<ExecutedPlan, AgentError> {
    // A run that fails takes back what it stored, so no partial output stays in the session
    // (a multi-output tool stopped by a quota, a step past its limit) counting against it.
    let cx = cx.journaled();
    let run = run_dag(plan, catalog, &cx, inputs, limits, events);
    let result = match tokio::time::timeout(limits.request, run).await {
        Ok(result) => result,
        Err(_) => Err(AgentError::Timeout {
            what: "the request".to_owned(),
            seconds: limits.request.as_secs(),
        }),
    };
    if result.is_err() {
        let discarded = cx.discard_made().await;
        if discarded > 0 {
            tracing::debug!(discarded, "deleted the outputs of a failed plan");
        }
    }
    result
}

async fn run_dag(
    plan: &Plan,
    catalog: &ToolCatalog,
    cx: &ToolContext,
    inputs: &[ArtifactMeta],
    limits: Limits,
    events: Option<&UnboundedSender<AgentEvent>>,
) -> Result<ExecutedPlan, AgentError> {
    let start = Instant::now();
    let emit = |event: AgentEvent| {
        if let Some(events) = events {
            // A receiver that went away only stops progress reports, not the work.
            let _ = events.send(event);
        }
    };
    let dependencies: Vec<HashSet<String>> = plan
        .steps
        .iter()
        .map(|step| {
            let mut deps = HashSet::new();
            let _ = map_refs::<()>(&step.args, "", &mut |_, text| {
                if let Some(dep) = RefTarget::parse(text).as_ref().and_then(RefTarget::step) {
                    deps.insert(dep.to_owned());
                }
                Ok(Value::Null)
            });
            deps
        })
        .collect();
    let mut outputs: HashMap<String, ToolOutput> = HashMap::new();
    let mut finished: Vec<Option<Finished>> = plan.steps.iter().map(|_| None).collect();
    let mut started = vec![false; plan.steps.len()];
    let mut running = JoinSet::new();
    loop {
        for (index, step) in plan.steps.iter().enumerate() {
            if started[index]
                || !dependencies[index]
                    .iter()
                    .all(|dep| outputs.contains_key(dep))
            {
                continue;
            }
            started[index] = true;
            let tool = catalog
                .get(&step.tool)
                .cloned()
                .ok_or_else(|| AgentError::InvalidPlan {
                    step: step.id.clone(),
                    message: format!("there is no tool named `{}`", step.tool),
                })?;
            let args = resolve_args(&step.args, inputs, &outputs).map_err(|message| {
                AgentError::InvalidPlan {
                    step: step.id.clone(),
                    message,
                }
            })?;
            emit(AgentEvent::StepStarted {
                step: step.id.clone(),
                tool: step.tool.clone(),
            });
            let cx = cx.clone();
            let step_limit = limits.step;
            let started_ms = elapsed_ms(start);
            running.spawn(async move {
                let begun = Instant::now();
                let result = tokio::time::timeout(step_limit, tool.run(&cx, args.clone())).await;
                (index, args, started_ms, elapsed_ms(begun), result)
            });
        }
        let Some(joined) = running.join_next().await else {
            break;
        };
        let (index, args, started_ms, step_ms, result) =
            joined.map_err(|error| AgentError::InvalidPlan {
                step: "plan".to_owned(),
                message: format!("a step's task failed: {error}"),
            })?;
        let step = &plan.steps[index];
        if !matches!(result, Ok(Ok(_))) {
            // Steps still running stop here, before the caller discards what the run stored.
            running.shutdown().await;
        }
        let output = match result {
            Err(_) => {
                return Err(AgentError::Timeout {
                    what: format!("step `{}` (`{}`)", step.id, step.tool),
                    seconds: limits.step.as_secs(),
                });
            }
            Ok(Err(source)) => {
                return Err(AgentError::Tool {
                    step: step.id.clone(),
                    tool: step.tool.clone(),
                    source: Box::new(source),
                });
            }
            Ok(Ok(output)) => output,
        };
        for made in &output.artifacts {
            emit(AgentEvent::ArtifactMade {
                meta: made.meta.clone(),
            });
        }
        emit(AgentEvent::StepFinished {
            step: step.id.clone(),
            tool: step.tool.clone(),
            elapsed_ms: step_ms,
            refs: output
                .artifacts
                .iter()
                .map(|made| made.meta.id.to_string())
                .collect(),
            facts: output.facts.clone(),
        });
        outputs.insert(step.id.clone(), output.clone());
        finished[index] = Some(Finished {
            index,
            args,
            started_ms,
            elapsed_ms: step_ms,
            output,
        });
    }
    let final_steps = plan.final_steps();
    let mut steps = Vec::with_capacity(plan.steps.len());
    let mut artifacts = Vec::new();
    let mut final_refs = Vec::new();
    for done in finished.into_iter().flatten() {
        let step = &plan.steps[done.index];
        for made in &done.output.artifacts {
            artifacts.push((step.id.clone(), made.meta.clone()));
            if final_steps.contains(&step.id) {
                final_refs.push(made.meta.id.to_string());
            }
        }
        steps.push(ExecutedStep {
            id: step.id.clone(),
            tool: step.tool.clone(),
            args: done.args,
            started_ms: done.started_ms,
            elapsed_ms: done.elapsed_ms,
            made: done
                .output
                .artifacts
                .iter()
                .map(|made| MadeRef {
                    output: made.output.clone(),
                    id: made.meta.id.to_string(),
                    content_type: made.meta.content_type.clone(),
                })
                .collect(),
            facts: done.output.facts,
        });
    }
    Ok(ExecutedPlan {
        steps,
        elapsed_ms: elapsed_ms(start),
        artifacts,
        final_refs,
    })
}

fn collect_strings<'a>(value: &'a Value, out: &mut HashSet<&'a str>) {
    match value {
        Value::String(text) => {
            out.insert(text);
        }
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, out)),
        Value::Object(map) => map.values().for_each(|item| collect_strings(item, out)),
        _ => {}
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
