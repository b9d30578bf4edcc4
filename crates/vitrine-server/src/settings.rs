//! [`Settings`] → [`build`] → [`App`]: the one way a server is put together.
//!
//! `vitrine serve` and every test server go through [`build`], so no test can
//! start a configuration the binary cannot produce. What differs between them
//! is only the data: directories, keys, limits and provider URLs (tests point
//! providers at local stand-ins speaking the real protocol). The clock and the
//! DNS resolver are the machine's, except where a test replaces them through
//! [`build_in`] to drive expiry or SSRF checks without waiting or DNS.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use vitrine_agent::{Agent, AgentError, ImagesConfig, LlmConfig, ProviderConfig};
use vitrine_store::{
    ArtifactStore, Clock, ExecutionQueue, LocalStore, SkillStore, StoreError, SystemClock,
    UsageLedger,
};

use crate::auth::ApiKeys;
use crate::config::ServerConfig;
use crate::ingest::fetch::{HostResolver, SystemResolver};
use crate::state::AppState;

/// The command that fills the default models directory; start-up errors name it.
pub const FETCH_MODELS_COMMAND: &str = "scripts/fetch-models.sh";

/// Which store the server keeps its data in.
#[derive(Debug, Clone, Default)]
pub enum Backend {
    /// Local disk and an embedded redb index under the data directory; one process.
    #[default]
    Embedded,
    /// Bytes in S3-compatible object storage, everything else in PostgreSQL, shared by any
    /// number of replicas (the data directory holds only blobs being received).
    Scaled {
        /// `s3://bucket/prefix` (endpoint and credentials from the `AWS_*` environment).
        store_url: String,
        /// `postgres://…`.
        meta_url: String,
        /// How long a claimed execution stays this replica's without a renewal.
        lease: Duration,
    },
}

/// Everything `vitrine serve` decides before it binds.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the artifact store keeps its index and blobs; created if missing.
    pub data_dir: PathBuf,
    /// Which store.
    pub backend: Backend,
    /// Where the model files and `libonnxruntime.so` are (see [`FETCH_MODELS_COMMAND`]).
    pub models_dir: PathBuf,
    /// How long artifacts, sessions and files live.
    pub retention: Duration,
    /// Who may call, and as which tenant.
    pub keys: ApiKeys,
    /// Limits and policies.
    pub config: ServerConfig,
    /// External providers for what no shipped model does.
    pub providers: Providers,
}

/// External providers; `None` means the capability answers 501 naming its flag.
#[derive(Debug, Clone, Default)]
pub struct Providers {
    /// An OpenAI-compatible chat model that plans what the offline planner does not understand.
    pub llm: Option<LlmConfig>,
    /// An OpenAI Images API for generation and editing.
    pub images: Option<ImagesConfig>,
    /// A depth provider (`docs/providers.md`).
    pub depth: Option<ProviderConfig>,
    /// An open-vocabulary detection provider (`docs/providers.md`).
    pub detect: Option<ProviderConfig>,
}

/// The machine's time and name resolution, which [`build_in`] lets tests replace.
#[derive(Clone)]
pub struct Environment {
    /// Time for retention and expiry.
    pub clock: Arc<dyn Clock>,
    /// Name resolution for URL inputs.
    pub resolver: Arc<dyn HostResolver>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            clock: Arc::new(SystemClock),
            resolver: Arc::new(SystemResolver),
        }
    }
}

/// A server ready to [`run`](crate::run), and its store (for start-up banners and tests).
pub struct App {
    /// What the handlers share.
    pub state: AppState,
    /// The store inside `state`.
    pub store: Arc<dyn ArtifactStore>,
}

/// Why a server could not be built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The data directory could not be created.
    #[error("cannot create the data directory `{path}`: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// What the OS said.
        #[source]
        source: std::io::Error,
    },
    /// The store would not open.
    #[error("cannot open the store in `{path}`: {source}")]
    Store {
        /// The data directory.
        path: PathBuf,
        /// What the store said.
        #[source]
        source: StoreError,
    },
    /// Model files are missing.
    #[error(
        "model files missing in `{path}`: {missing}; run `{FETCH_MODELS_COMMAND}` (it fills the default directory) or set --models-dir"
    )]
    ModelsMissing {
        /// The models directory.
        path: PathBuf,
        /// The missing file names, comma-separated.
        missing: String,
    },
    /// A provider setting is invalid.
    #[error("invalid {setting}: {source}")]
    Provider {
        /// The flag at fault.
        setting: &'static str,
        /// What was wrong.
        #[source]
        source: AgentError,
    },
    /// The URL fetcher could not be set up.
    #[error("cannot set up the URL fetcher: {0}")]
    Fetcher(String),
}

/// The model files in `models_dir` that are not there.
pub fn missing_models(models_dir: &Path) -> Vec<&'static str> {
    vitrine_vision::store::files::ALL
        .into_iter()
        .filter(|name| !models_dir.join(name).is_file())
        .collect()
}

/// Builds the server `vitrine serve` runs, on this machine's clock and resolver.
pub fn build(settings: Settings) -> Result<App, BuildError> {
    build_in(settings, Environment::default())
}

/// Builds the server with `environment`'s clock and resolver.
pub fn build_in(settings: Settings, environment: Environment) -> Result<App, BuildError> {
    // First, so a server without models says what to run before anything else.
    let missing = missing_models(&settings.models_dir);
    if !missing.is_empty() {
        return Err(BuildError::ModelsMissing {
            path: settings.models_dir,
            missing: missing.join(", "),
        });
    }
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| BuildError::DataDir {
        path: settings.data_dir.clone(),
        source,
    })?;
    let (store, queue, skills, usage) = open_store(&settings, environment.clock)?;
    let mut agent = with_providers(
        Agent::new(Arc::clone(&store), settings.models_dir.clone())
            .with_limits(vitrine_agent::Limits {
                step: settings.config.limits.tool_timeout,
                ..vitrine_agent::Limits::default()
            })
            .with_tool_limits(settings.config.limits.tools()),
        settings.providers,
    )?;
    if let Some(browser) = &settings.config.browser {
        // The browser reaches what URL inputs may reach, through the same resolver.
        let guard = vitrine_web::Guard::new(
            Arc::clone(&environment.resolver),
            settings.config.fetch.allow_hosts.clone(),
        )
        .with_bind(settings.config.fetch.bind_address);
        agent = agent.with_browser(Arc::new(vitrine_web::Browser::new(browser.clone(), guard)));
    }
    let state = AppState::new(
        Arc::clone(&store),
        queue,
        skills,
        usage,
        settings.keys,
        settings.config,
        settings.models_dir,
        settings.data_dir,
        agent,
        environment.resolver,
    )
    .map_err(|error| BuildError::Fetcher(error.to_string()))?;
    Ok(App { state, store })
}

type Stores = (
    Arc<dyn ArtifactStore>,
    Arc<dyn ExecutionQueue>,
    Arc<dyn SkillStore>,
    Arc<dyn UsageLedger>,
);

/// One store serves artifacts, the execution queue, skills and the usage ledger.
fn open_store(settings: &Settings, clock: Arc<dyn Clock>) -> Result<Stores, BuildError> {
    let failed = |source| BuildError::Store {
        path: settings.data_dir.clone(),
        source,
    };
    fn views<T>(store: Arc<T>) -> Stores
    where
        T: ArtifactStore + ExecutionQueue + SkillStore + UsageLedger,
    {
        (store.clone(), store.clone(), store.clone(), store)
    }
    match &settings.backend {
        Backend::Embedded => Ok(views(Arc::new(
            LocalStore::open(&settings.data_dir, settings.retention.as_secs(), clock)
                .map_err(failed)?
                .with_quotas(settings.config.limits.quotas()),
        ))),
        #[cfg(feature = "scaled")]
        Backend::Scaled {
            store_url,
            meta_url,
            lease,
        } => {
            let options = vitrine_store::ScaledOptions {
                store_url: store_url.clone(),
                s3_config: Vec::new(),
                meta_url: meta_url.clone(),
                scratch_dir: settings.data_dir.join("tmp"),
                retention_secs: settings.retention.as_secs(),
                lease: *lease,
            };
            // Connecting is lazy: a replica starts while the services are down and its
            // `/v1/ready` says so; the schema is migrated on first contact.
            Ok(views(Arc::new(
                vitrine_store::ScaledStore::connect(options, clock)
                    .map_err(failed)?
                    .with_quotas(settings.config.limits.quotas()),
            )))
        }
        #[cfg(not(feature = "scaled"))]
        Backend::Scaled { .. } => Err(failed(StoreError::Config(
            "this build has no object storage or PostgreSQL backend (cargo feature `scaled`)"
                .to_owned(),
        ))),
    }
}

/// What `vitrine migrate-store` did (counts; see `vitrine_store::MigrationReport`).
pub type MigrationReport = std::collections::BTreeMap<&'static str, u64>;

/// Copies the embedded store in `data_dir` to object storage (`store_url`) and PostgreSQL
/// (`meta_url`), verifying every SHA-256; re-runnable. The embedded server must be stopped.
pub async fn migrate_store(
    data_dir: &Path,
    store_url: &str,
    meta_url: &str,
) -> Result<MigrationReport, StoreError> {
    #[cfg(feature = "scaled")]
    {
        if !data_dir.join("index.redb").is_file() {
            return Err(StoreError::Config(format!(
                "`{}` holds no embedded store (no index.redb)",
                data_dir.display()
            )));
        }
        let from = LocalStore::open(data_dir, 0, Arc::new(SystemClock))?;
        let scratch =
            std::env::temp_dir().join(format!("vitrine-migrate-{}", vitrine_wire::random_hex(6)));
        let to = vitrine_store::ScaledStore::open(
            vitrine_store::ScaledOptions {
                store_url: store_url.to_owned(),
                s3_config: Vec::new(),
                meta_url: meta_url.to_owned(),
                scratch_dir: scratch.clone(),
                retention_secs: 0,
                lease: Duration::from_secs(30),
            },
            Arc::new(SystemClock),
        )
        .await?;
        let report = vitrine_store::migrate_store(&from, &to).await;
        let _ = std::fs::remove_dir_all(&scratch);
        let report = report?;
        Ok(MigrationReport::from([
            ("sessions", report.sessions),
            ("artifacts", report.artifacts),
            ("tombstones", report.tombstones),
            ("files", report.files),
            ("bytes_uploaded", report.bytes_uploaded),
            ("already_there", report.already_there),
            ("executions", report.executions),
            ("skills", report.skills),
            ("programs", report.programs),
            ("usage", report.usage),
        ]))
    }
    #[cfg(not(feature = "scaled"))]
    {
        let _ = (data_dir, store_url, meta_url);
        Err(StoreError::Config(
            "this build has no object storage or PostgreSQL backend (cargo feature `scaled`)"
                .to_owned(),
        ))
    }
}

fn with_providers(mut agent: Agent, providers: Providers) -> Result<Agent, BuildError> {
    let invalid = |setting| move |source| BuildError::Provider { setting, source };
    if let Some(llm) = providers.llm {
        agent = agent.with_llm(llm).map_err(invalid("--llm-base-url"))?;
    }
    if let Some(images) = providers.images {
        agent = agent
            .with_images(images)
            .map_err(invalid("--images-base-url"))?;
    }
    if let Some(depth) = providers.depth {
        agent = agent.with_depth(depth).map_err(invalid("--depth-url"))?;
    }
    if let Some(detect) = providers.detect {
        agent = agent.with_detect(detect).map_err(invalid("--detect-url"))?;
    }
    Ok(agent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_server_without_models_is_refused_naming_the_fetch_script() {
        let dir = tempfile::tempdir().expect("temp dir");
        let settings = Settings {
            data_dir: dir.path().join("data"),
            backend: Backend::default(),
            models_dir: dir.path().join("no-models-here"),
            retention: Duration::from_secs(60),
            keys: ApiKeys::open(),
            config: ServerConfig::default(),
            providers: Providers::default(),
        };
        let Err(error) = build(settings) else {
            panic!("a server without models was built");
        };
        let message = error.to_string();
        assert!(
            message.contains(FETCH_MODELS_COMMAND)
                && message.contains("libonnxruntime.so")
                && message.contains("no-models-here"),
            "{message}"
        );
        assert!(
            !dir.path().join("data").exists(),
            "nothing is created before the check"
        );
    }
}
