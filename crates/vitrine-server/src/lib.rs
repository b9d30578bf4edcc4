//! The Vitrine HTTP server.
//!
//! The edge of the system: it authenticates callers, turns every input
//! (URL, data URL, uploaded file, earlier ref) into an artifact of the caller's
//! session, answers chat completions in the OpenAI shape with Orion's
//! `session_id`, and serves files and artifacts back with the exact headers the
//! `vlmrun` and `openai` SDKs expect.
//!
//! - [`config`]: checked settings (`ServerConfig`), limits and fetch policy.
//! - [`state`]: what handlers share (`AppState`).
//! - `auth`: API keys → tenants.
//! - `error`: the one mapping from failures to status codes and OpenAI error JSON.
//! - `ingest`: inputs → artifacts, including the SSRF-safe URL fetcher.
//! - `routes`: one file per route group.
//! - `serve`: the accept loop (Title-Case headers), graceful shutdown, the sweeper.

pub mod config;
pub mod state;

mod answer;
mod auth;
mod error;
mod ingest;
mod json;
mod routes;
mod serve;

pub use auth::ApiKeys;
pub use config::{FetchPolicy, Limits, ServerConfig};
pub use error::ApiError;
pub use ingest::address::{Forbidden, classify};
pub use ingest::fetch::{HostResolver, ResolveFuture, StaticResolver, SystemResolver};
pub use routes::router;
pub use serve::{install_crypto_provider, run};
pub use state::AppState;
