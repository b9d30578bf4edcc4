//! The Vitrine agent: turns one instruction into a plan over the tool catalog, runs it, and
//! answers with refs to what it made.
//!
//! # Layout
//! - [`agent`]: [`Agent`], the entry point the server calls ([`Agent::run`]), with
//!   [`AgentRequest`], [`AgentOutcome`] and the streamed [`AgentEvent`]s.
//! - [`plan`]: [`Plan`]s as data (steps, tools, arguments with `$ref`s) and their validation
//!   against the tools' JSON Schemas.
//! - [`program`]: [`Program`]s, saved plans with typed inputs that run with no planner.
//! - [`executor`]: runs a plan as a DAG, independent steps in parallel, under time limits.
//! - [`planner`]: the offline planner (instruction and schema wording → plan).
//! - `llm`: the LLM planner ([`LlmConfig`]): an OpenAI-compatible model calling tools.
//! - [`structured`]: fills a `response_format` schema with refs and facts, and validates it.
//! - [`summary`]: sentences about what ran, built from facts.
//! - `error`: [`AgentError`], classified into client and server errors.
//!
//! # Calling it from a server
//!
//! ```no_run
//! # async fn handler(store: std::sync::Arc<dyn vitrine_store::ArtifactStore>,
//! #     session: vitrine_wire::SessionId, inputs: Vec<vitrine_store::ArtifactMeta>,
//! #     response_format: Option<serde_json::Value>) {
//! use vitrine_agent::{Agent, AgentEvent, AgentRequest};
//!
//! // Once at start-up; share it (it is `Clone + Send + Sync`). Models load on first use.
//! let agent = Agent::new(store, vitrine_vision::store::default_dir());
//! let (events, mut progress) = tokio::sync::mpsc::unbounded_channel::<AgentEvent>();
//! let outcome = agent
//!     .run(
//!         AgentRequest {
//!             tenant: "tenant".into(),
//!             session,
//!             instruction: "Blur all faces and remove any PHI from this image.".into(),
//!             inputs,                              // stored artifacts, in message order
//!             response_schema: response_format,     // any `response_format` shape, or None
//!             toolsets: None,                       // or Some(vec!["image".into()])
//!         },
//!         Some(events),
//!     )
//!     .await;
//! match outcome {
//!     Ok(outcome) => { /* outcome.content, outcome.made, outcome.plan */ }
//!     Err(error) if error.is_client_error() => { /* 400, error.code(), error.param() */ }
//!     Err(error) => { /* 5xx (504 for `timeout`), log `error` */ }
//! }
//! # }
//! ```
//!
//! Dropping the future cancels the steps still running (client disconnects).

pub mod agent;
mod error;
pub mod executor;
mod llm;
pub mod plan;
pub mod planner;
pub mod program;
pub mod structured;
pub mod summary;

pub use agent::{Agent, AgentEvent, AgentOutcome, AgentRequest, DEFAULT_TOOLSETS};
pub use error::AgentError;
pub use executor::{ExecutedPlan, ExecutedStep, Limits};
pub use llm::LlmConfig;
pub use plan::{Plan, RefTarget, Step};
pub use program::{Program, ProgramInput};
pub use vitrine_tools::{ImagesConfig, ProviderConfig, ToolLimits};
