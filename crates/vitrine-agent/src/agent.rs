//! The entry point the server calls: instruction + inputs + optional schema → plan → run →
//! answer.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use vitrine_store::{ArtifactMeta, ArtifactStore};
use vitrine_tools::{LazyModels, ToolCatalog, ToolContext, ToolLimits, Toolset};
use vitrine_wire::SessionId;

use crate::error::AgentError;
use crate::executor::{self, Limits};
use crate::plan::Plan;
use crate::{planner, structured, summary};

/// One chat request, as the server hands it over.
#[derive(Debug, Clone)]
pub struct AgentRequest {
    /// The tenant that owns the session.
    pub tenant: String,
    /// The session inputs live in and outputs go to.
    pub session: SessionId,
    /// The user's instruction (the text of the last user message).
    pub instruction: String,
    /// The media attached to the request, already stored in the session, in message order.
    pub inputs: Vec<ArtifactMeta>,
    /// The `response_format` JSON Schema (any of the shapes clients send), if any.
    pub response_schema: Option<Value>,
    /// The request's `toolsets`; `None` allows every toolset.
    pub toolsets: Option<Vec<String>>,
}

/// What a request produced.
#[derive(Debug, Clone)]
pub struct AgentOutcome {
    /// The final message content: JSON text when a schema was given, plain text otherwise.
    pub content: String,
    /// Every artifact made, in the order the plan's steps are listed.
    pub made: Vec<ArtifactMeta>,
    /// The executed plan (steps, timings, refs, facts), for the response's extension field.
    pub plan: Value,
}

/// Progress of a request, for streaming.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AgentEvent {
    /// A step started.
    StepStarted {
        /// The step id.
        step: String,
        /// The tool.
        tool: String,
    },
    /// A step finished.
    StepFinished {
        /// The step id.
        step: String,
        /// The tool.
        tool: String,
        /// How long it took.
        elapsed_ms: u64,
        /// The ids of the artifacts it made.
        refs: Vec<String>,
        /// What it reported.
        facts: Value,
    },
    /// An artifact was stored (sent as soon as it exists).
    ArtifactMade {
        /// Its metadata.
        meta: ArtifactMeta,
    },
}

/// Plans and runs requests over the tool catalog.
#[derive(Clone)]
pub struct Agent {
    store: Arc<dyn ArtifactStore>,
    catalog: ToolCatalog,
    models: Arc<LazyModels>,
    limits: Limits,
    tool_limits: ToolLimits,
}

impl std::fmt::Debug for Agent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent")
            .field("store", &self.store.describe())
            .field("catalog", &self.catalog)
            .field("models", &self.models.dir())
            .field("limits", &self.limits)
            .finish()
    }
}

impl Agent {
    /// An agent over `store` with every built-in tool; the vision models in `models_dir` are
    /// loaded on first use.
    pub fn new(store: Arc<dyn ArtifactStore>, models_dir: PathBuf) -> Self {
        Agent {
            store,
            catalog: ToolCatalog::standard(),
            models: Arc::new(LazyModels::new(models_dir)),
            limits: Limits::default(),
            tool_limits: ToolLimits::default(),
        }
    }

    /// Replaces the time limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the tool catalog (e.g. to add tools).
    pub fn with_catalog(mut self, catalog: ToolCatalog) -> Self {
        self.catalog = catalog;
        self
    }

    /// Replaces the tools' size limits.
    pub fn with_tool_limits(mut self, limits: ToolLimits) -> Self {
        self.tool_limits = limits;
        self
    }

    /// The tool catalog.
    pub fn catalog(&self) -> &ToolCatalog {
        &self.catalog
    }

    /// Parses the request's toolsets; `None` allows all of them.
    fn allowed(toolsets: Option<&[String]>) -> Result<BTreeSet<Toolset>, AgentError> {
        let Some(names) = toolsets else {
            return Ok(Toolset::ALL.into_iter().collect());
        };
        names
            .iter()
            .map(|name| {
                Toolset::parse(name).ok_or_else(|| {
                    AgentError::WrongInput(format!(
                        "`toolsets` contains `{name}`, which is not one of: {}",
                        Toolset::ALL.map(Toolset::as_str).join(", ")
                    ))
                })
            })
            .collect()
    }

    /// Plans the request with the offline planner, checks the plan, runs it and answers.
    pub async fn run(
        &self,
        request: AgentRequest,
        events: Option<UnboundedSender<AgentEvent>>,
    ) -> Result<AgentOutcome, AgentError> {
        let allowed = Self::allowed(request.toolsets.as_deref())?;
        let schema = request
            .response_schema
            .as_ref()
            .and_then(structured::unwrap_schema);
        if let Some(schema) = &schema {
            jsonschema::validator_for(schema)
                .map_err(|error| AgentError::InvalidSchema(error.to_string()))?;
        }
        let plan = planner::plan_offline(&request.instruction, schema.as_ref(), &request.inputs)?;
        self.run_plan(&plan, &request, schema.as_ref(), &allowed, events.as_ref())
            .await
    }

    /// Validates and runs a given plan (from any planner) and answers like [`Agent::run`].
    pub async fn run_plan(
        &self,
        plan: &Plan,
        request: &AgentRequest,
        schema: Option<&Value>,
        allowed: &BTreeSet<Toolset>,
        events: Option<&UnboundedSender<AgentEvent>>,
    ) -> Result<AgentOutcome, AgentError> {
        plan.validate(&self.catalog, allowed, &request.inputs)?;
        if let Some(schema) = schema {
            self.check_refs_can_be_filled(plan, schema)?;
        }
        let cx = ToolContext {
            store: Arc::clone(&self.store),
            tenant: request.tenant.clone(),
            session: request.session.clone(),
            models: Arc::clone(&self.models),
            limits: self.tool_limits,
        };
        let executed = executor::execute(
            plan,
            &self.catalog,
            &cx,
            &request.inputs,
            self.limits,
            events,
        )
        .await?;
        let made: Vec<ArtifactMeta> = executed
            .artifacts
            .iter()
            .map(|(_, meta)| meta.clone())
            .collect();
        let content = match schema {
            Some(schema) => {
                let value = structured::fill(schema, &executed, &request.inputs, &made)?;
                self.check_refs_exist(&request.tenant, &request.session, &value, schema)
                    .await?;
                serde_json::to_string(&value)
                    .map_err(|error| AgentError::InvalidSchema(error.to_string()))?
            }
            None => summary::plain_answer(&executed, &made),
        };
        let plan_json = json!({
            "planner": "offline",
            "steps": executed.steps,
            "final_refs": executed.final_refs,
            "elapsed_ms": executed.elapsed_ms,
        });
        Ok(AgentOutcome {
            content,
            made,
            plan: plan_json,
        })
    }

    /// Refuses, before anything runs, a schema whose required ref fields the plan cannot fill.
    fn check_refs_can_be_filled(&self, plan: &Plan, schema: &Value) -> Result<(), AgentError> {
        let mut available: Vec<vitrine_wire::ArtifactKind> = Vec::new();
        for step in &plan.steps {
            if let Some(tool) = self.catalog.get(&step.tool) {
                available.extend(tool.outputs().iter().map(|spec| spec.kind));
            }
        }
        for (field, kind) in structured::required_ref_kinds(schema) {
            if !available.contains(&kind) {
                let tools: Vec<String> = plan
                    .steps
                    .iter()
                    .map(|step| format!("`{}`", step.tool))
                    .collect();
                return Err(AgentError::SchemaUnsatisfiable {
                    field,
                    why: format!(
                        "it needs {} ref, but the plan for this instruction ({}) makes no {}",
                        crate::plan::with_article(kind.noun()),
                        tools.join(", "),
                        kind.noun()
                    ),
                });
            }
        }
        Ok(())
    }

    /// Checks that every `{"id": ...}` ref in the answer names an artifact of the session.
    async fn check_refs_exist(
        &self,
        tenant: &str,
        session: &SessionId,
        value: &Value,
        _schema: &Value,
    ) -> Result<(), AgentError> {
        let mut ids = Vec::new();
        collect_ids(value, &mut ids);
        for id in ids {
            if let Ok(id) = id.parse::<vitrine_wire::ArtifactId>() {
                self.store.artifact(tenant, session, &id).await?;
            }
        }
        Ok(())
    }
}

fn collect_ids(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(Value::String(id)) = map.get("id")
            {
                out.push(id.clone());
            }
            map.values().for_each(|child| collect_ids(child, out));
        }
        Value::Array(items) => items.iter().for_each(|child| collect_ids(child, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn run_is_a_send_future_and_the_agent_is_shareable() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<Agent>();
        let dir = std::env::temp_dir();
        let store: Arc<dyn ArtifactStore> = Arc::new(
            vitrine_store::LocalStore::open(
                dir.join(format!("vitrine-agent-send-{}", std::process::id())),
                60,
                Arc::new(vitrine_store::SystemClock),
            )
            .expect("store"),
        );
        let agent = Agent::new(store, PathBuf::from("/nonexistent"));
        let request = AgentRequest {
            tenant: "t".to_owned(),
            session: SessionId::generate(),
            instruction: "grayscale".to_owned(),
            inputs: Vec::new(),
            response_schema: None,
            toolsets: None,
        };
        // Axum handlers and `tokio::spawn` need the future to be `Send`.
        let future = agent.run(request, None);
        assert_send(&future);
        drop(future);
    }
}
