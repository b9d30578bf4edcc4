//! The Vitrine agent: turns one instruction into a plan over the tool catalog, runs it, and
//! answers with refs to what it made.
//!
//! # Layout
//! - [`agent`]: [`Agent`], the entry point the server calls ([`Agent::run`]), with
//!   [`AgentRequest`], [`AgentOutcome`] and the streamed [`AgentEvent`]s.
//! - [`plan`]: [`Plan`]s as data (steps, tools, arguments with `$ref`s) and their validation
//!   against the tools' JSON Schemas.
//! - [`executor`]: runs a plan as a DAG, independent steps in parallel, under time limits.
//! - [`planner`]: the offline planner (instruction and schema wording → plan).
//! - [`structured`]: fills a `response_format` schema with refs and facts, and validates it.
//! - [`summary`]: sentences about what ran, built from facts.
//! - `error`: [`AgentError`], classified into client and server errors.

pub mod agent;
mod error;
pub mod executor;
pub mod plan;
pub mod planner;
pub mod structured;
pub mod summary;

pub use agent::{Agent, AgentEvent, AgentOutcome, AgentRequest};
pub use error::AgentError;
pub use executor::{ExecutedPlan, ExecutedStep, Limits};
pub use plan::{Plan, RefTarget, Step};
