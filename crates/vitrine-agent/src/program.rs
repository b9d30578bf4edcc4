//! Programs: saved plans that run with no planner (a skill's `plan.json`).
//!
//! A program is a [`Plan`] plus what it needs and what it answers: typed, named inputs (the
//! request's media, in order) and an optional `response_format` schema used when the request
//! brings none. Steps refer to inputs by name (`{"$ref": "input:photo"}`) or index
//! (`input:0`), and to earlier steps as in any plan (`step:s1.image`). It is checked once
//! when saved ([`Program::check`], the same validation every plan gets, over stand-in
//! inputs of the declared kinds) and again against the real inputs before it runs.
//!
//! ```json
//! {
//!   "inputs": [{"name": "photo", "kind": "image"}],
//!   "steps": [
//!     {"id": "s1", "tool": "blur_faces", "args": {"image": {"$ref": "input:photo"}}},
//!     {"id": "s2", "tool": "flip", "args": {"image": {"$ref": "step:s1.image"}, "direction": "horizontal"}}
//!   ],
//!   "response_format": {"type": "object", "properties": {"result": {"$ref": "#/$defs/ImageRef"}}, "...": "..."}
//! }
//! ```

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_store::{ArtifactMeta, MediaInfo, Provenance};
use vitrine_tools::{ToolCatalog, Toolset};
use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

use crate::error::AgentError;
use crate::executor::ExecutedPlan;
use crate::plan::{Plan, Step, map_refs, ref_text, with_article};

/// Most steps a saved program may have.
pub const MAX_PROGRAM_STEPS: usize = 64;

/// A saved plan with typed inputs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Program {
    /// The media it takes, in the order the request attaches them.
    #[serde(default)]
    pub inputs: Vec<ProgramInput>,
    /// The plan's steps.
    pub steps: Vec<Step>,
    /// The answer's JSON Schema when the request has no `response_format`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_format: Option<Value>,
}

/// One input of a program.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProgramInput {
    /// Its name, for `{"$ref": "input:<name>"}`.
    pub name: String,
    /// The kind of media: `image`, `video`, `audio`, `document`, ...
    pub kind: ArtifactKind,
    /// What it should be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

fn invalid(message: impl Into<String>) -> AgentError {
    AgentError::InvalidSkill(message.into())
}

impl Program {
    /// Parses `plan.json`.
    ///
    /// # Errors
    /// [`AgentError::InvalidSkill`] saying where the JSON is wrong.
    pub fn parse(bytes: &[u8]) -> Result<Program, AgentError> {
        let program: Program = serde_json::from_slice(bytes)
            .map_err(|error| invalid(format!("`plan.json` is not a valid program: {error}")))?;
        if program.steps.len() > MAX_PROGRAM_STEPS {
            return Err(invalid(format!(
                "`plan.json` has {} steps; at most {MAX_PROGRAM_STEPS} are allowed",
                program.steps.len()
            )));
        }
        let mut names = BTreeSet::new();
        for input in &program.inputs {
            if input.name.is_empty() || !names.insert(input.name.as_str()) {
                return Err(invalid(format!(
                    "`plan.json`: input names must be unique and non-empty (`{}`)",
                    input.name
                )));
            }
        }
        Ok(program)
    }

    /// The plan with named input refs turned into indexes.
    ///
    /// # Errors
    /// [`AgentError::InvalidSkill`] for a ref to an input the program does not declare.
    pub fn plan(&self) -> Result<Plan, AgentError> {
        let steps = self
            .steps
            .iter()
            .map(|step| {
                let args = map_refs::<AgentError>(&step.args, "", &mut |_, text| {
                    let Some(name) = text.strip_prefix("input:") else {
                        return Ok(json!({ "$ref": text }));
                    };
                    if name.parse::<usize>().is_ok() {
                        return Ok(json!({ "$ref": text }));
                    }
                    let index = self
                        .inputs
                        .iter()
                        .position(|input| input.name == name)
                        .ok_or_else(|| {
                            invalid(format!(
                                "`plan.json`: step `{}` refers to `input:{name}`, which is not among its `inputs`",
                                step.id
                            ))
                        })?;
                    Ok(json!({ "$ref": format!("input:{index}") }))
                })?;
                Ok(Step {
                    id: step.id.clone(),
                    tool: step.tool.clone(),
                    args,
                })
            })
            .collect::<Result<Vec<_>, AgentError>>()?;
        Ok(Plan { steps })
    }

    /// Checks the program as every plan is checked, over stand-in inputs of the declared kinds,
    /// and its `response_format` as a JSON Schema: a bundle that would fail later is refused
    /// when it is saved.
    ///
    /// # Errors
    /// [`AgentError::InvalidSkill`] saying which step or field is wrong.
    pub fn check(&self, catalog: &ToolCatalog) -> Result<(), AgentError> {
        let stand_ins: Vec<ArtifactMeta> = self
            .inputs
            .iter()
            .map(|input| stand_in(input.kind))
            .collect();
        let all: BTreeSet<Toolset> = Toolset::ALL.into_iter().collect();
        self.plan()?
            .validate(catalog, &all, &stand_ins)
            .map_err(|error| invalid(format!("`plan.json`: {error}")))?;
        if let Some(schema) = &self.response_format {
            let schema = crate::structured::unwrap_schema(schema).unwrap_or(schema.clone());
            jsonschema::validator_for(&schema).map_err(|error| {
                invalid(format!(
                    "`plan.json`: `response_format` is not a JSON Schema: {error}"
                ))
            })?;
        }
        Ok(())
    }

    /// Refuses inputs that do not match the declared ones, saying what the program takes.
    ///
    /// # Errors
    /// [`AgentError::WrongInput`].
    pub fn check_inputs(&self, name: &str, inputs: &[ArtifactMeta]) -> Result<(), AgentError> {
        let wanted = || {
            self.inputs
                .iter()
                .map(|input| format!("`{}` ({})", input.name, with_article(input.kind.noun())))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if inputs.len() != self.inputs.len() {
            return Err(AgentError::WrongInput(format!(
                "the skill `{name}` runs a saved plan that takes {} input(s): {}; the request attached {}",
                self.inputs.len(),
                wanted(),
                inputs.len()
            )));
        }
        for (input, given) in self.inputs.iter().zip(inputs) {
            if input.kind != given.kind {
                return Err(AgentError::WrongInput(format!(
                    "the skill `{name}` needs {} for `{}`, but `{}` is {}",
                    with_article(input.kind.noun()),
                    input.name,
                    given.id,
                    with_article(given.kind.noun())
                )));
            }
        }
        Ok(())
    }

    /// The program that replays `plan` on new inputs of the same kinds.
    pub fn from_plan(
        plan: &Plan,
        inputs: &[ArtifactMeta],
        response_format: Option<&Value>,
    ) -> Self {
        Program {
            inputs: inputs
                .iter()
                .enumerate()
                .map(|(index, input)| ProgramInput {
                    name: format!("input_{}", index + 1),
                    kind: input.kind,
                    description: None,
                })
                .collect(),
            steps: plan.steps.clone(),
            response_format: response_format.cloned(),
        }
    }
}

/// The plan behind an executed one, with the ids it used turned back into refs: an input's id
/// becomes `input:<i>` and an id an earlier step made becomes `step:<id>.<output>`, so the
/// LLM planner's run can be replayed on other inputs.
pub(crate) fn replayable(executed: &ExecutedPlan, inputs: &[ArtifactMeta]) -> Plan {
    let mut known: Vec<(String, String)> = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| (input.id.to_string(), format!("input:{index}")))
        .collect();
    let mut steps = Vec::with_capacity(executed.steps.len());
    for step in &executed.steps {
        let args = rewrite(&step.args, &known);
        steps.push(Step {
            id: step.id.clone(),
            tool: step.tool.clone(),
            args,
        });
        for made in &step.made {
            known.push((made.id.clone(), format!("step:{}.{}", step.id, made.output)));
        }
    }
    Plan { steps }
}

fn rewrite(value: &Value, known: &[(String, String)]) -> Value {
    if ref_text(value).is_some() {
        return value.clone();
    }
    match value {
        Value::String(text) => known
            .iter()
            .find(|(id, _)| id == text)
            .map_or_else(|| value.clone(), |(_, target)| json!({ "$ref": target })),
        Value::Array(items) => {
            Value::Array(items.iter().map(|item| rewrite(item, known)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| (key.clone(), rewrite(child, known)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Metadata of an input of `kind` that does not exist, to validate a plan before it has inputs.
fn stand_in(kind: ArtifactKind) -> ArtifactMeta {
    ArtifactMeta {
        id: ArtifactId::generate(kind),
        session_id: SessionId::generate(),
        tenant: String::new(),
        kind,
        content_type: String::new(),
        size: 0,
        sha256: String::new(),
        created_at: 0,
        expires_at: 0,
        media: MediaInfo::default(),
        provenance: Provenance::default(),
        filename: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_inputs_become_indexes_and_unknown_ones_are_refused() {
        let program = Program::parse(
            br#"{"inputs": [{"name": "photo", "kind": "image"}],
                 "steps": [{"id": "s1", "tool": "grayscale", "args": {"image": {"$ref": "input:photo"}}},
                           {"id": "s2", "tool": "flip", "args": {"image": {"$ref": "step:s1.image"}, "direction": "vertical"}}]}"#,
        )
        .expect("parses");
        let plan = program.plan().expect("plan");
        assert_eq!(plan.steps[0].args, json!({"image": {"$ref": "input:0"}}));
        assert_eq!(
            plan.steps[1].args,
            json!({"image": {"$ref": "step:s1.image"}, "direction": "vertical"})
        );
        program
            .check(&ToolCatalog::standard())
            .expect("a valid program");

        let unknown = Program::parse(
            br#"{"steps": [{"id": "s1", "tool": "grayscale", "args": {"image": {"$ref": "input:face"}}}]}"#,
        )
        .expect("parses");
        let error = unknown.plan().expect_err("refused").to_string();
        assert!(error.contains("input:face"), "{error}");
        let no_tool = Program::parse(
            br#"{"inputs": [{"name": "a", "kind": "image"}], "steps": [{"id": "s1", "tool": "teleport", "args": {}}]}"#,
        )
        .expect("parses");
        let error = no_tool
            .check(&ToolCatalog::standard())
            .expect_err("refused")
            .to_string();
        assert!(error.contains("teleport"), "{error}");
    }
}
