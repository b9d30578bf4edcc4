//! State shared by all handlers.

use std::sync::Arc;

use vitrine_agent::Agent;
use vitrine_store::ArtifactStore;

use crate::auth::ApiKeys;
use crate::config::ServerConfig;
use crate::ingest::fetch::{Fetcher, HostResolver, SystemResolver};

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// Where artifacts and files live.
    pub store: Arc<dyn ArtifactStore>,
    /// Who may call, and as which tenant.
    pub keys: Arc<ApiKeys>,
    /// Limits and policies.
    pub config: Arc<ServerConfig>,
    pub(crate) fetcher: Arc<Fetcher>,
    /// Plans and runs tools; without one, completions only report their inputs.
    pub(crate) agent: Option<Arc<Agent>>,
}

impl AppState {
    /// State with the system DNS resolver.
    pub fn new(
        store: Arc<dyn ArtifactStore>,
        keys: ApiKeys,
        config: ServerConfig,
    ) -> Result<Self, crate::ApiError> {
        Self::with_resolver(store, keys, config, Arc::new(SystemResolver))
    }

    /// State with an injected resolver: tests map host names to addresses
    /// without DNS, so SSRF checks run without touching the network.
    pub fn with_resolver(
        store: Arc<dyn ArtifactStore>,
        keys: ApiKeys,
        config: ServerConfig,
        resolver: Arc<dyn HostResolver>,
    ) -> Result<Self, crate::ApiError> {
        let fetcher = Fetcher::new(config.fetch.clone(), resolver)?;
        Ok(AppState {
            store,
            keys: Arc::new(keys),
            config: Arc::new(config),
            fetcher: Arc::new(fetcher),
            agent: None,
        })
    }

    /// Lets completions plan and run tools with `agent`.
    pub fn with_agent(mut self, agent: Agent) -> Self {
        self.agent = Some(Arc::new(agent));
        self
    }
}
