//! The Vitrine HTTP server.
//!
//! The edge of the system: it authenticates callers, turns every input
//! (URL, data URL, uploaded file, earlier ref) into an artifact of the caller's
//! session, answers chat completions in the OpenAI shape with Orion's
//! `session_id`, and serves files and artifacts back with the exact headers the
//! `vlmrun` and `openai` SDKs expect.
//!
//! - [`settings`]: [`Settings`] → [`build`] → [`App`], the one way a server is
//!   put together (by `vitrine serve` and by every test).
//! - [`dirs`]: default data and models directories, the same from any working directory.
//! - [`config`]: limits and fetch policy (`ServerConfig`).
//! - [`state`]: what handlers share (`AppState`).
//! - `auth`: API keys → tenants.
//! - `error`: the one mapping from failures to status codes and OpenAI error JSON.
//! - `ingest`: inputs → artifacts, including the SSRF-safe URL fetcher.
//! - `executions`: the queue's workers, progress feeds and webhooks.
//! - `routes`: one file per route group.
//! - `skills`: skill bundles (checked zips) and a request's skills, resolved and run.
//! - `ledger`: what a completion used, for its `usage`, its `vitrine` extension and the ledger.
//! - `signed`: short-lived signed artifact URLs for the web playground's media elements.
//! - `serve`: the accept loop (Title-Case headers), graceful shutdown, the sweeper.
//! - `observe`: request ids, the access log; `metrics`: `/metrics`; `openapi`: `/openapi.json`.
//! - `limits`: per-tenant request rate and concurrent work, the free-disk floor.

pub mod config;
pub mod dirs;
pub mod settings;
pub mod state;

mod auth;
mod error;
mod executions;
#[doc(hidden)]
pub mod fuzz;
mod ingest;
mod json;
mod ledger;
mod limits;
mod metrics;
mod observe;
mod openapi;
mod routes;
mod serve;
mod signed;
mod skills;

pub use auth::ApiKeys;
pub use config::{ExecutionsConfig, FetchPolicy, Limits, ServerConfig, TenantLimits};
pub use dirs::{default_data_dir, default_models_dir};
pub use error::ApiError;
pub use ingest::fetch::{HostResolver, ResolveFuture, StaticResolver, SystemResolver};
pub use routes::router;
pub use serve::{install_crypto_provider, run};
pub use settings::{
    App, Backend, BuildError, Environment, FETCH_MODELS_COMMAND, MigrationReport, Providers,
    Settings, build, build_in, migrate_store, missing_models,
};
pub use state::AppState;
pub use vitrine_web::{BrowserConfig, Forbidden, classify};
