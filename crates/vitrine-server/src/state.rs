//! State shared by all handlers.

use std::path::PathBuf;
use std::sync::Arc;

use vitrine_agent::Agent;
use vitrine_store::{ArtifactStore, ExecutionQueue, SkillStore, UsageLedger};

use crate::auth::ApiKeys;
use crate::config::ServerConfig;
use crate::executions::Executions;
use crate::ingest::fetch::{Fetcher, HostResolver};
use crate::limits::Limiter;
use crate::metrics::Metrics;

/// Cheap to clone: everything inside is shared. Made only by [`crate::build`].
#[derive(Clone)]
pub struct AppState {
    /// Where artifacts and files live.
    pub store: Arc<dyn ArtifactStore>,
    /// Where executions wait and are recorded.
    pub queue: Arc<dyn ExecutionQueue>,
    /// Saved skills and the last plan of each session.
    pub skills: Arc<dyn SkillStore>,
    /// What each request used.
    pub usage: Arc<dyn UsageLedger>,
    /// Who may call, and as which tenant.
    pub keys: Arc<ApiKeys>,
    /// Limits and policies.
    pub config: Arc<ServerConfig>,
    pub(crate) fetcher: Arc<Fetcher>,
    /// Plans and runs tools for every completion.
    pub(crate) agent: Arc<Agent>,
    /// Where the model files are; `/v1/ready` checks them.
    pub(crate) models_dir: Arc<PathBuf>,
    /// Execution workers, progress feeds and webhook deliveries.
    pub(crate) executions: Arc<Executions>,
    /// What `/metrics` reports.
    pub(crate) metrics: Arc<Metrics>,
    /// Per-tenant request rate and concurrent work.
    pub(crate) limiter: Arc<Limiter>,
    /// The store's directory, for the free-disk floor and `/metrics`.
    pub(crate) data_dir: Arc<PathBuf>,
}

impl AppState {
    #[expect(clippy::too_many_arguments, reason = "called once, by `build_in`")]
    pub(crate) fn new(
        store: Arc<dyn ArtifactStore>,
        queue: Arc<dyn ExecutionQueue>,
        skills: Arc<dyn SkillStore>,
        usage: Arc<dyn UsageLedger>,
        keys: ApiKeys,
        config: ServerConfig,
        models_dir: PathBuf,
        data_dir: PathBuf,
        agent: Agent,
        resolver: Arc<dyn HostResolver>,
    ) -> Result<Self, crate::ApiError> {
        let fetcher = Fetcher::new(config.fetch.clone(), resolver)?;
        Ok(AppState {
            store,
            queue,
            skills,
            usage,
            keys: Arc::new(keys),
            config: Arc::new(config),
            fetcher: Arc::new(fetcher),
            agent: Arc::new(agent),
            models_dir: Arc::new(models_dir),
            executions: Arc::new(Executions::default()),
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(Limiter::default()),
            data_dir: Arc::new(data_dir),
        })
    }
}
