//! Plans as data: steps naming a tool and its arguments, where an argument may point at an
//! input (`{"$ref": "input:0"}`) or at an earlier step's output (`{"$ref": "step:s1.image"}`,
//! `{"$ref": "step:s1.facts.faces"}`).
//!
//! [`Plan::validate`] checks a plan before anything runs: unique ids, known and allowed tools,
//! refs that point at inputs that exist and at earlier steps' declared outputs, inputs of the
//! kind each ref argument needs, and every step's arguments against the tool's JSON Schema
//! (with refs replaced by ids of the right kind).

use std::collections::{BTreeSet, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use vitrine_store::ArtifactMeta;
use vitrine_tools::{Tool, ToolCatalog, Toolset};
use vitrine_wire::ArtifactKind;

use crate::error::AgentError;

/// A small DAG of tool calls.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The steps; a step may only refer to steps listed before it.
    pub steps: Vec<Step>,
}

/// One tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Unique within the plan, e.g. `s1`.
    pub id: String,
    /// The tool's name.
    pub tool: String,
    /// Arguments; any value may be a `{"$ref": ...}` object.
    pub args: Value,
}

/// What a `$ref` points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefTarget {
    /// The request's input with this index.
    Input(usize),
    /// A named artifact output of an earlier step.
    Output {
        /// The step.
        step: String,
        /// The output name, e.g. `image`.
        output: String,
    },
    /// A value inside an earlier step's facts (a JSON pointer, e.g. `/faces`).
    Facts {
        /// The step.
        step: String,
        /// JSON pointer into the facts ("" for all of them).
        pointer: String,
    },
}

impl RefTarget {
    /// Parses `input:0`, `step:s1.image` or `step:s1.facts.faces.0`.
    pub fn parse(text: &str) -> Option<RefTarget> {
        if let Some(index) = text.strip_prefix("input:") {
            return index.parse().ok().map(RefTarget::Input);
        }
        let rest = text.strip_prefix("step:")?;
        let (step, path) = rest.split_once('.')?;
        if step.is_empty() || path.is_empty() {
            return None;
        }
        if path == "facts" {
            return Some(RefTarget::Facts {
                step: step.to_owned(),
                pointer: String::new(),
            });
        }
        if let Some(pointer) = path.strip_prefix("facts.") {
            return Some(RefTarget::Facts {
                step: step.to_owned(),
                pointer: pointer.split('.').map(|part| format!("/{part}")).collect(),
            });
        }
        Some(RefTarget::Output {
            step: step.to_owned(),
            output: path.to_owned(),
        })
    }

    /// The step this ref depends on, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            RefTarget::Input(_) => None,
            RefTarget::Output { step, .. } | RefTarget::Facts { step, .. } => Some(step),
        }
    }
}

/// A `{"$ref": "..."}` object's target text, if `value` is one.
pub fn ref_text(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) if map.len() == 1 => map.get("$ref").and_then(Value::as_str),
        _ => None,
    }
}

/// Replaces every `$ref` in `value` by `resolve(target)`, tracking JSON pointers.
pub fn map_refs<E>(
    value: &Value,
    pointer: &str,
    resolve: &mut impl FnMut(&str, &str) -> Result<Value, E>,
) -> Result<Value, E> {
    if let Some(text) = ref_text(value) {
        return resolve(pointer, text);
    }
    Ok(match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::with_capacity(map.len());
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{key}");
                out.insert(key.clone(), map_refs(child, &child_pointer, resolve)?);
            }
            Value::Object(out)
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (index, child) in items.iter().enumerate() {
                let mapped = map_refs(child, &format!("{pointer}/{index}"), resolve)?;
                // A ref to a list of outputs (a step's frames) inside a list splices them in.
                match mapped {
                    Value::Array(refs) if ref_text(child).is_some() => out.extend(refs),
                    one => out.push(one),
                }
            }
            Value::Array(out)
        }
        other => other.clone(),
    })
}

/// The kind a ref-typed argument at `pointer` needs, read from the schema's `pattern`
/// (`^img_...`), when the pointer names a top-level property.
fn expected_kind(schema: &Value, pointer: &str) -> Option<ArtifactKind> {
    let key = pointer.strip_prefix('/')?;
    if key.contains('/') {
        return None;
    }
    let pattern = schema
        .get("properties")?
        .get(key)?
        .get("pattern")?
        .as_str()?;
    let prefix = pattern.strip_prefix('^')?.split('_').next()?;
    ArtifactKind::from_prefix(prefix)
}

/// A placeholder id of `kind` used to validate arguments before the real id exists.
fn placeholder(kind: ArtifactKind) -> Value {
    Value::String(format!("{}_000000", kind.prefix()))
}

impl Plan {
    /// The ids of steps whose outputs no later step consumes: what the plan delivers.
    pub fn final_steps(&self) -> BTreeSet<String> {
        let mut consumed = BTreeSet::new();
        for step in &self.steps {
            let _ = map_refs::<()>(&step.args, "", &mut |_, text| {
                if let Some(RefTarget::Output { step, .. }) = RefTarget::parse(text) {
                    consumed.insert(step);
                }
                Ok(Value::Null)
            });
        }
        self.steps
            .iter()
            .map(|step| step.id.clone())
            .filter(|id| !consumed.contains(id))
            .collect()
    }

    /// Checks the plan against the catalog (`allowed` = the toolsets the request permits, or
    /// every toolset) and the request's inputs, before anything runs.
    pub fn validate(
        &self,
        catalog: &ToolCatalog,
        allowed: &BTreeSet<Toolset>,
        inputs: &[ArtifactMeta],
    ) -> Result<(), AgentError> {
        if self.steps.is_empty() {
            return Err(AgentError::InvalidPlan {
                step: "plan".to_owned(),
                message: "the plan has no steps".to_owned(),
            });
        }
        let mut seen: HashMap<&str, &dyn Tool> = HashMap::new();
        for step in &self.steps {
            let invalid = |message: String| AgentError::InvalidPlan {
                step: step.id.clone(),
                message,
            };
            if step.id.is_empty() || seen.contains_key(step.id.as_str()) {
                return Err(invalid("step ids must be unique and non-empty".to_owned()));
            }
            let tool = catalog
                .get(&step.tool)
                .ok_or_else(|| invalid(format!("there is no tool named `{}`", step.tool)))?;
            if !allowed.contains(&tool.toolset()) {
                return Err(AgentError::ToolNotAllowed {
                    tool: step.tool.clone(),
                    toolset: tool.toolset().to_string(),
                    allowed: if allowed.is_empty() {
                        "(none)".to_owned()
                    } else {
                        allowed
                            .iter()
                            .map(|toolset| toolset.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                });
            }
            let schema = tool.parameters();
            let mut facts_pointers = Vec::new();
            let substituted = map_refs(&step.args, "", &mut |pointer, text| {
                let target = RefTarget::parse(text)
                    .ok_or_else(|| invalid(format!("`{pointer}`: `{text}` is not a valid ref")))?;
                match target {
                    RefTarget::Input(index) => {
                        let input = inputs.get(index).ok_or_else(|| {
                            AgentError::WrongInput(format!(
                                "the request needs input {} but only {} input(s) were given",
                                index + 1,
                                inputs.len()
                            ))
                        })?;
                        if let Some(kind) = expected_kind(&schema, pointer)
                            && kind != input.kind
                        {
                            return Err(AgentError::WrongInput(format!(
                                "`{}` needs {} for `{}`, but `{}` is {}",
                                step.tool,
                                with_article(kind.noun()),
                                pointer.trim_start_matches('/'),
                                input.id,
                                with_article(input.kind.noun())
                            )));
                        }
                        Ok(Value::String(input.id.to_string()))
                    }
                    RefTarget::Output {
                        step: source,
                        output,
                    } => {
                        let producer = seen.get(source.as_str()).ok_or_else(|| {
                            invalid(format!(
                                "`{pointer}` refers to step `{source}`, which does not come earlier in the plan"
                            ))
                        })?;
                        let spec = producer
                            .outputs()
                            .iter()
                            .find(|spec| spec.name == output)
                            .ok_or_else(|| {
                                invalid(format!(
                                    "`{pointer}`: tool `{}` has no output `{output}`",
                                    producer.name()
                                ))
                            })?;
                        if let Some(kind) = expected_kind(&schema, pointer)
                            && kind != spec.kind
                        {
                            return Err(invalid(format!(
                                "`{pointer}` needs {} but `{source}.{output}` is {}",
                                with_article(kind.noun()),
                                with_article(spec.kind.noun())
                            )));
                        }
                        Ok(if spec.many {
                            Value::Array(vec![placeholder(spec.kind)])
                        } else {
                            placeholder(spec.kind)
                        })
                    }
                    RefTarget::Facts { step: source, .. } => {
                        if !seen.contains_key(source.as_str()) {
                            return Err(invalid(format!(
                                "`{pointer}` refers to step `{source}`, which does not come earlier in the plan"
                            )));
                        }
                        facts_pointers.push(pointer.to_owned());
                        Ok(Value::Null)
                    }
                }
            })?;
            let validator = jsonschema::validator_for(&schema).map_err(|error| {
                invalid(format!(
                    "the schema of `{}` does not compile: {error}",
                    step.tool
                ))
            })?;
            let problems: Vec<String> = validator
                .iter_errors(&substituted)
                .filter(|error| {
                    let at = error.instance_path().to_string();
                    !facts_pointers.iter().any(|pointer| at.starts_with(pointer))
                })
                .map(|error| {
                    let at = error.instance_path().to_string();
                    if at.is_empty() {
                        error.to_string()
                    } else {
                        format!("`{}`: {error}", at.trim_start_matches('/'))
                    }
                })
                .collect();
            if !problems.is_empty() {
                return Err(invalid(format!(
                    "arguments of `{}` do not match its schema: {}",
                    step.tool,
                    problems.join("; ")
                )));
            }
            seen.insert(step.id.as_str(), tool.as_ref());
        }
        Ok(())
    }
}

/// "an image", "a video".
pub(crate) fn with_article(noun: &str) -> String {
    match noun.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {noun}"),
        _ => format!("a {noun}"),
    }
}
