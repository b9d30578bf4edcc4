//! The entry point the server calls: instruction + inputs + optional schema → plan → run →
//! answer.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use vitrine_store::{ArtifactMeta, ArtifactStore, TokenUsage, UsageSpan};
use vitrine_tools::{
    DepthClient, DetectClient, ImagesClient, ImagesConfig, LazyModels, ProviderConfig, ToolCatalog,
    ToolContext, ToolError, ToolLimits, Toolset,
};
use vitrine_wire::SessionId;

use crate::error::AgentError;
use crate::executor::{self, Limits};
use crate::llm::{self, LlmClient, LlmConfig};
use crate::plan::Plan;
use crate::program::{self, Program};
use crate::{planner, structured, summary};

/// Parts of a request the offline planner hands to a configured LLM: the ones it did not
/// understand and questions the shipped models cannot judge but a model that sees may.
const LLM_CAPABILITIES: &[&str] = &["unclear", "open_question"];

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
    /// The request's `toolsets`; `None` allows every toolset but `web`, which is opt-in
    /// ([`DEFAULT_TOOLSETS`]).
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
    /// What each step used, for the usage ledger.
    pub spans: Vec<UsageSpan>,
    /// The tokens the LLM planner's model counted, when it planned.
    pub llm_tokens: Option<TokenUsage>,
    /// What ran, as a program that replays it on new inputs of the same kinds.
    pub program: Program,
}

/// Progress of a request, for streaming.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[expect(
    clippy::large_enum_variant,
    reason = "a few events per step go through a channel; boxing the artifact would only add an allocation"
)]
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

/// The toolsets a request without `toolsets` may use, streaming or not: every one but `web`,
/// which opens pages on the internet and so runs only when a request names it.
pub const DEFAULT_TOOLSETS: [Toolset; 7] = [
    Toolset::Core,
    Toolset::Image,
    Toolset::ImageGen,
    Toolset::WorldGen,
    Toolset::Viz,
    Toolset::Document,
    Toolset::Video,
];

/// Plans and runs requests over the tool catalog.
#[derive(Clone)]
pub struct Agent {
    store: Arc<dyn ArtifactStore>,
    catalog: ToolCatalog,
    models: Arc<LazyModels>,
    limits: Limits,
    tool_limits: ToolLimits,
    llm: Option<LlmClient>,
    images: Option<Arc<ImagesClient>>,
    depth: Option<Arc<DepthClient>>,
    detect: Option<Arc<DetectClient>>,
    web: Option<Arc<vitrine_tools::vitrine_web::Browser>>,
    /// The planner's semantic fallback, loaded on the first request that needs planning;
    /// `None` inside when the sentence-embedding model is missing (the words alone plan then).
    semantic: Arc<tokio::sync::OnceCell<Option<Arc<planner::Semantic>>>>,
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
            llm: None,
            images: None,
            depth: None,
            detect: None,
            web: None,
            semantic: Arc::new(tokio::sync::OnceCell::new()),
        }
    }

    /// The semantic fallback, loaded once (embedding every intent's examples takes a few
    /// seconds of CPU, off the async workers).
    async fn semantic(&self) -> Option<Arc<planner::Semantic>> {
        self.semantic
            .get_or_init(|| async {
                let dir = self.models.dir().to_path_buf();
                let catalog = self.catalog.clone();
                let loaded =
                    tokio::task::spawn_blocking(move || planner::Semantic::load(&dir, &catalog))
                        .await;
                match loaded {
                    Ok(Ok(semantic)) => Some(Arc::new(semantic)),
                    Ok(Err(error)) => {
                        tracing::warn!(%error, "the planner plans from words alone");
                        None
                    }
                    Err(error) => {
                        tracing::warn!(%error, "loading the sentence-embedding model failed");
                        None
                    }
                }
            })
            .await
            .clone()
    }

    /// Enables the `image-gen` tools with an OpenAI Images API provider.
    ///
    /// # Errors
    /// [`AgentError::Tool`] when the HTTP client cannot be built.
    pub fn with_images(mut self, config: ImagesConfig) -> Result<Self, AgentError> {
        self.images = Some(Arc::new(setup("images", ImagesClient::new(config))?));
        Ok(self)
    }

    /// Enables `estimate_depth`, and makes `reconstruct_3d` use real depth, with a depth
    /// provider (protocol in `docs/providers.md`).
    ///
    /// # Errors
    /// [`AgentError::Tool`] when the URL is not an `http(s)` URL or the client cannot be built.
    pub fn with_depth(mut self, config: ProviderConfig) -> Result<Self, AgentError> {
        self.depth = Some(Arc::new(setup("depth", DepthClient::new(config))?));
        Ok(self)
    }

    /// Enables `detect_open_vocab` with an open-vocabulary detection provider (protocol in
    /// `docs/providers.md`).
    ///
    /// # Errors
    /// [`AgentError::Tool`] when the URL is not an `http(s)` URL or the client cannot be built.
    pub fn with_detect(mut self, config: ProviderConfig) -> Result<Self, AgentError> {
        self.detect = Some(Arc::new(setup("detect", DetectClient::new(config))?));
        Ok(self)
    }

    /// Opens web pages for the `web` tools with `browser`.
    pub fn with_browser(mut self, browser: Arc<vitrine_tools::vitrine_web::Browser>) -> Self {
        self.web = Some(browser);
        self
    }

    /// Plans with an OpenAI-compatible model instead of the offline planner.
    ///
    /// # Errors
    /// [`AgentError::Llm`] when the HTTP client cannot be built.
    pub fn with_llm(mut self, config: LlmConfig) -> Result<Self, AgentError> {
        self.llm = Some(LlmClient::new(config)?);
        Ok(self)
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
    /// The request's response schema, unwrapped from its `response_format` envelope and checked
    /// to be a valid JSON Schema.
    fn response_schema(request: &AgentRequest) -> Result<Option<Value>, AgentError> {
        let schema = request
            .response_schema
            .as_ref()
            .and_then(structured::unwrap_schema);
        if let Some(schema) = &schema {
            jsonschema::validator_for(schema)
                .map_err(|error| AgentError::InvalidSchema(error.to_string()))?;
        }
        Ok(schema)
    }

    fn allowed(toolsets: Option<&[String]>) -> Result<BTreeSet<Toolset>, AgentError> {
        let Some(names) = toolsets else {
            return Ok(DEFAULT_TOOLSETS.into_iter().collect());
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
        let schema = Self::response_schema(&request)?;
        // The offline planner first; what it cannot plan completely, because it did not
        // understand a part or the part is a question only a model that sees can judge, goes
        // to the configured LLM. Parts no tool here can do are named as not done either way.
        let semantic = self.semantic().await;
        let understood = planner::understand_with(
            &request.instruction,
            schema.as_ref(),
            &request.inputs,
            &self.catalog,
            semantic.as_deref(),
        );
        if let Some(client) = &self.llm {
            let for_the_llm = |parts: &[planner::NotDone]| {
                parts
                    .iter()
                    .any(|part| LLM_CAPABILITIES.contains(&part.capability.as_str()))
            };
            let unclear = match &understood {
                Ok(understanding) => for_the_llm(&understanding.not_done),
                Err(AgentError::NotPossible { not_done }) => for_the_llm(not_done),
                Err(error) => matches!(error, AgentError::NotUnderstood { .. }),
            };
            if unclear {
                return self
                    .run_llm(
                        client,
                        &request,
                        schema.as_ref(),
                        &allowed,
                        events.as_ref(),
                        &[],
                    )
                    .await;
            }
        }
        let understanding = understood?;
        self.run_understood(
            &understanding,
            &request,
            schema.as_ref(),
            &allowed,
            events.as_ref(),
        )
        .await
    }

    /// Runs a given plan (from any planner, e.g. a saved one) and answers like [`Agent::run`].
    pub async fn run_plan(
        &self,
        plan: &Plan,
        request: &AgentRequest,
        schema: Option<&Value>,
        allowed: &BTreeSet<Toolset>,
        events: Option<&UnboundedSender<AgentEvent>>,
    ) -> Result<AgentOutcome, AgentError> {
        let understanding = planner::Understanding {
            plan: plan.clone(),
            ..planner::Understanding::default()
        };
        self.run_understood(&understanding, request, schema, allowed, events)
            .await
    }

    /// Runs a saved program (a skill's `plan.json`) with no planner: the same steps for every
    /// model and every instruction. The program's `response_format` applies when the request
    /// has none.
    ///
    /// # Errors
    /// [`AgentError::WrongInput`] when the inputs are not the ones the program takes; any error
    /// of [`Agent::run_plan`].
    pub async fn run_program(
        &self,
        name: &str,
        saved: &Program,
        mut request: AgentRequest,
        events: Option<UnboundedSender<AgentEvent>>,
    ) -> Result<AgentOutcome, AgentError> {
        let allowed = Self::allowed(request.toolsets.as_deref())?;
        saved.check_inputs(name, &request.inputs)?;
        if request.response_schema.is_none() {
            request.response_schema = saved.response_format.clone();
        }
        let schema = Self::response_schema(&request)?;
        let plan = saved.plan()?;
        let mut outcome = self
            .run_plan(&plan, &request, schema.as_ref(), &allowed, events.as_ref())
            .await?;
        outcome.plan["planner"] = json!("program");
        outcome.plan["skill"] = json!(name);
        outcome.program = saved.clone();
        Ok(outcome)
    }

    /// Plans with the LLM planner, whatever the offline planner would do, with `guidance` (the
    /// text of the request's skills) in its instructions.
    ///
    /// # Errors
    /// [`AgentError::LlmRequired`] naming `why` when no LLM planner is configured.
    pub async fn run_guided(
        &self,
        why: &str,
        guidance: &[String],
        request: AgentRequest,
        events: Option<UnboundedSender<AgentEvent>>,
    ) -> Result<AgentOutcome, AgentError> {
        let client = self.llm.as_ref().ok_or_else(|| AgentError::LlmRequired {
            why: why.to_owned(),
        })?;
        let allowed = Self::allowed(request.toolsets.as_deref())?;
        let schema = Self::response_schema(&request)?;
        self.run_llm(
            client,
            &request,
            schema.as_ref(),
            &allowed,
            events.as_ref(),
            guidance,
        )
        .await
    }

    /// Validates and runs what the planner understood, and answers with what was done and what
    /// was not.
    async fn run_understood(
        &self,
        understanding: &planner::Understanding,
        request: &AgentRequest,
        schema: Option<&Value>,
        allowed: &BTreeSet<Toolset>,
        events: Option<&UnboundedSender<AgentEvent>>,
    ) -> Result<AgentOutcome, AgentError> {
        let plan = &understanding.plan;
        plan.validate(&self.catalog, allowed, &request.inputs)?;
        let cx = self.context(request);
        for step in &plan.steps {
            if let Some(provider) = self
                .catalog
                .get(&step.tool)
                .and_then(|tool| tool.requires())
                && !cx.has(provider)
            {
                // Say so before running anything else.
                return Err(AgentError::Tool {
                    step: step.id.clone(),
                    tool: step.tool.clone(),
                    source: Box::new(provider.not_configured()),
                });
            }
        }
        if let Some(schema) = schema
            && !understanding.returns_input
        {
            // A required ref only a part not done could have filled: say what was and was not
            // done rather than answer without it.
            self.check_refs_can_be_filled(plan, schema)
                .map_err(|error| match error {
                    AgentError::SchemaUnsatisfiable { .. }
                        if !understanding.not_done.is_empty() =>
                    {
                        AgentError::NotPossible {
                            not_done: understanding.not_done.clone(),
                        }
                    }
                    other => other,
                })?;
        }
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
        let returned: Vec<ArtifactMeta> = if understanding.returns_input {
            request.inputs.clone()
        } else {
            Vec::new()
        };
        let notes = summary::notes(&executed, &self.catalog, &understanding.not_done, &returned);
        let content = match schema {
            Some(schema) => {
                let answering = structured::Answering {
                    notes: &notes,
                    catalog: &self.catalog,
                    returns_input: understanding.returns_input,
                };
                let value =
                    structured::fill(schema, &executed, &request.inputs, &made, &answering)?;
                self.check_refs_exist(&request.tenant, &request.session, &value, schema)
                    .await?;
                serde_json::to_string(&value)
                    .map_err(|error| AgentError::InvalidSchema(error.to_string()))?
            }
            None => summary::plain_answer(&executed, &made, &notes),
        };
        let plan_json = json!({
            "planner": "offline",
            "steps": executed.steps,
            "final_refs": executed.final_refs,
            "elapsed_ms": executed.elapsed_ms,
            "not_done": understanding.not_done,
            "returned_inputs": returned.iter().map(|meta| meta.id.to_string()).collect::<Vec<_>>(),
        });
        Ok(AgentOutcome {
            content,
            made,
            plan: plan_json,
            spans: executed.spans(&request.inputs),
            llm_tokens: None,
            program: Program::from_plan(plan, &request.inputs, request.response_schema.as_ref()),
        })
    }

    fn context(&self, request: &AgentRequest) -> ToolContext {
        ToolContext {
            store: Arc::clone(&self.store),
            tenant: request.tenant.clone(),
            session: request.session.clone(),
            models: Arc::clone(&self.models),
            limits: self.tool_limits,
            images: self.images.clone(),
            depth: self.depth.clone(),
            detect: self.detect.clone(),
            web: self.web.clone(),
            made: vitrine_tools::Journal::default(),
        }
    }

    /// The LLM planner's loop: the model calls tools until it answers (see [`crate::llm`]),
    /// guided by the text of the request's skills, if any.
    async fn run_llm(
        &self,
        client: &LlmClient,
        request: &AgentRequest,
        schema: Option<&Value>,
        allowed: &BTreeSet<Toolset>,
        events: Option<&UnboundedSender<AgentEvent>>,
        guidance: &[String],
    ) -> Result<AgentOutcome, AgentError> {
        let start = std::time::Instant::now();
        let cx = self.context(request);
        // Tools whose provider is not configured cannot run, so the model is not offered them.
        let tools = llm::tool_definitions(&self.catalog.runnable_in(&cx), allowed);
        let images = client.image_parts(&cx, &request.inputs).await;
        let mut messages = llm::opening(
            &request.instruction,
            &request.inputs,
            schema,
            images,
            guidance,
        );
        let mut tokens: Option<TokenUsage> = None;
        let mut steps = Vec::new();
        let mut artifacts: Vec<(String, ArtifactMeta)> = Vec::new();
        let mut answer = None;
        for _ in 0..client.max_turns() {
            let remaining = self.limits.request.saturating_sub(start.elapsed());
            let (turn, counted) = tokio::time::timeout(remaining, client.turn(&messages, &tools))
                .await
                .map_err(|_| AgentError::Timeout {
                    what: "the request".to_owned(),
                    seconds: self.limits.request.as_secs(),
                })??;
            if let Some(counted) = counted {
                tokens.get_or_insert_default().add(counted);
            }
            let (message, calls) = match turn {
                llm::Turn::Answer(text) => {
                    answer = Some(text);
                    break;
                }
                llm::Turn::Calls { message, calls } => (message, calls),
            };
            messages.push(message);
            for call in calls {
                let step_id = format!("s{}", steps.len() + 1);
                let result = self
                    .llm_step(&cx, &step_id, &call, allowed, request, events)
                    .await;
                let content = match result {
                    Ok(mut executed) => {
                        let step = executed.steps.remove(0);
                        let reply = json!({
                            "made": step.made,
                            "facts": step.facts,
                        });
                        artifacts.extend(executed.artifacts);
                        steps.push(step);
                        reply
                    }
                    // The model can fix what the caller could fix: tell it and let it retry.
                    Err(error) if error.is_client_error() => json!({"error": error.to_string()}),
                    Err(error) => return Err(error),
                };
                messages.push(json!({
                    "role": "tool",
                    "tool_call_id": call.id,
                    "content": content.to_string(),
                }));
            }
        }
        let answer = answer.ok_or_else(|| {
            AgentError::Llm(format!(
                "the model did not finish within {} turns",
                client.max_turns()
            ))
        })?;
        // What no later step used is what the request delivers.
        let final_refs: Vec<String> = artifacts
            .iter()
            .filter(|(made_by, meta)| {
                let id = meta.id.to_string();
                let index = steps
                    .iter()
                    .position(|step| step.id == *made_by)
                    .unwrap_or(0);
                !steps[index + 1..]
                    .iter()
                    .any(|later| later.args.to_string().contains(&id))
            })
            .map(|(_, meta)| meta.id.to_string())
            .collect();
        let executed = crate::executor::ExecutedPlan {
            steps,
            elapsed_ms: u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX),
            artifacts,
            final_refs,
        };
        let made: Vec<ArtifactMeta> = executed
            .artifacts
            .iter()
            .map(|(_, meta)| meta.clone())
            .collect();
        let content = match schema {
            Some(schema) => {
                let notes = summary::notes(&executed, &self.catalog, &[], &[]);
                let answering = structured::Answering {
                    notes: &notes,
                    catalog: &self.catalog,
                    returns_input: false,
                };
                let value =
                    structured::fill(schema, &executed, &request.inputs, &made, &answering)?;
                serde_json::to_string(&value)
                    .map_err(|error| AgentError::InvalidSchema(error.to_string()))?
            }
            None => {
                let missing: Vec<&String> = executed
                    .final_refs
                    .iter()
                    .filter(|id| !answer.contains(id.as_str()))
                    .collect();
                if missing.is_empty() {
                    answer
                } else {
                    let list: Vec<&str> = missing.iter().map(|id| id.as_str()).collect();
                    format!("{}\n\nResults: {}.", answer.trim_end(), list.join(", "))
                }
            }
        };
        Ok(AgentOutcome {
            content,
            made,
            plan: json!({
                "planner": "llm",
                "steps": executed.steps,
                "final_refs": executed.final_refs,
                "elapsed_ms": executed.elapsed_ms,
            }),
            spans: executed.spans(&request.inputs),
            llm_tokens: tokens,
            program: Program::from_plan(
                &program::replayable(&executed, &request.inputs),
                &request.inputs,
                request.response_schema.as_ref(),
            ),
        })
    }

    /// Runs one tool call of the model as a validated one-step plan.
    async fn llm_step(
        &self,
        cx: &ToolContext,
        step_id: &str,
        call: &llm::ToolCall,
        allowed: &BTreeSet<Toolset>,
        request: &AgentRequest,
        events: Option<&UnboundedSender<AgentEvent>>,
    ) -> Result<crate::executor::ExecutedPlan, AgentError> {
        let args: Value = serde_json::from_str(&call.arguments).map_err(|error| {
            AgentError::WrongInput(format!(
                "the arguments of `{}` are not valid JSON: {error}",
                call.name
            ))
        })?;
        if self.catalog.get(&call.name).is_none() {
            return Err(AgentError::WrongInput(format!(
                "there is no tool named `{}`",
                call.name
            )));
        }
        let plan = Plan {
            steps: vec![crate::plan::Step {
                id: step_id.to_owned(),
                tool: call.name.clone(),
                args,
            }],
        };
        plan.validate(&self.catalog, allowed, &request.inputs)
            .map_err(|error| match error {
                // A bad call is the model's mistake, reported back to it.
                AgentError::InvalidPlan { message, .. } => AgentError::WrongInput(message),
                other => other,
            })?;
        crate::executor::execute(
            &plan,
            &self.catalog,
            cx,
            &request.inputs,
            self.limits,
            events,
        )
        .await
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

/// A provider client, or the set-up error naming it.
fn setup<T>(name: &str, client: Result<T, ToolError>) -> Result<T, AgentError> {
    client.map_err(|source| AgentError::Tool {
        step: "setup".to_owned(),
        tool: name.to_owned(),
        source: Box::new(source),
    })
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
