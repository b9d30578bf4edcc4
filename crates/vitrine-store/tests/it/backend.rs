//! The backends the store suite runs against: the embedded store in a temp dir, and (with
//! the `s3` and `postgres` features) object storage plus PostgreSQL, real servers started
//! once per test process by `scripts/services.sh` and stopped when the process ends. Each
//! test gets its own database and key prefix, so tests run in parallel.

use std::sync::Arc;

use vitrine_store::{
    ArtifactStore, Clock, ExecutionQueue, LocalStore, Quotas, SkillStore, StoreError, UsageLedger,
};

/// The four views of one opened store.
pub(crate) struct Opened {
    pub(crate) store: Arc<dyn ArtifactStore>,
    pub(crate) queue: Arc<dyn ExecutionQueue>,
    pub(crate) skills: Arc<dyn SkillStore>,
    pub(crate) usage: Arc<dyn UsageLedger>,
}

fn views<T>(store: Arc<T>) -> Opened
where
    T: ArtifactStore + ExecutionQueue + SkillStore + UsageLedger,
{
    Opened {
        store: store.clone(),
        queue: store.clone(),
        skills: store.clone(),
        usage: store,
    }
}

/// Where a test's data lives; opening it twice is a restart (embedded) or a second replica
/// (scaled).
pub(crate) enum Backend {
    Embedded(tempfile::TempDir),
    #[cfg(all(feature = "s3", feature = "postgres"))]
    Scaled {
        options: vitrine_store::ScaledOptions,
        _scratch: tempfile::TempDir,
    },
}

impl Backend {
    pub(crate) fn embedded() -> Self {
        Backend::Embedded(tempfile::tempdir().expect("tempdir"))
    }

    /// Whether two opens may be live at once (replicas) rather than one after the other.
    pub(crate) fn shared(&self) -> bool {
        !matches!(self, Backend::Embedded(_))
    }

    pub(crate) async fn open(
        &self,
        retention: u64,
        clock: Arc<dyn Clock>,
    ) -> Result<Opened, StoreError> {
        self.open_with(retention, clock, Quotas::default()).await
    }

    /// Opens the store holding writes to `quotas`.
    pub(crate) async fn open_with(
        &self,
        retention: u64,
        clock: Arc<dyn Clock>,
        quotas: Quotas,
    ) -> Result<Opened, StoreError> {
        match self {
            Backend::Embedded(dir) => Ok(views(Arc::new(
                LocalStore::open(dir.path(), retention, clock)?.with_quotas(quotas),
            ))),
            #[cfg(all(feature = "s3", feature = "postgres"))]
            Backend::Scaled { options, .. } => {
                let options = vitrine_store::ScaledOptions {
                    retention_secs: retention,
                    ..options.clone()
                };
                Ok(views(Arc::new(
                    vitrine_store::ScaledStore::open(options, clock)
                        .await?
                        .with_quotas(quotas),
                )))
            }
        }
    }
}

#[cfg(all(feature = "s3", feature = "postgres"))]
mod scaled {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::process::Command;
    use std::sync::OnceLock;
    use std::time::Duration;

    use super::Backend;

    /// `S3=…`, `POSTGRES=…` from `scripts/services.sh up`.
    fn services() -> &'static HashMap<String, String> {
        static SERVICES: OnceLock<HashMap<String, String>> = OnceLock::new();
        SERVICES.get_or_init(|| {
            let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
            // Kept for the whole process: the services' watcher removes them after it.
            let dir = tempfile::Builder::new()
                .prefix("vitrine-services")
                .tempdir()
                .expect("tempdir")
                .keep();
            let output = Command::new(root.join("scripts/services.sh"))
                .arg("up")
                .arg(&dir)
                .env("VITRINE_SERVICES_PARENT", std::process::id().to_string())
                .output()
                .expect("scripts/services.sh runs");
            assert!(
                output.status.success(),
                "scripts/services.sh up failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            String::from_utf8_lossy(&output.stdout)
                .lines()
                .filter_map(|line| line.split_once('='))
                .map(|(key, value)| (key.to_owned(), value.to_owned()))
                .collect()
        })
    }

    /// A fresh database on the shared server, by `psql` (no test-only Rust client).
    fn create_database(server: &str, name: &str) {
        let status = Command::new("psql")
            .arg(server)
            .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
            .status()
            .expect("psql runs");
        assert!(status.success(), "CREATE DATABASE {name} failed");
    }

    impl Backend {
        pub(crate) fn scaled() -> Self {
            let services = services();
            let name = format!("t_{}", vitrine_wire::random_hex(8));
            let server = &services["POSTGRES"];
            create_database(server, &name);
            let base = server
                .rsplit_once('/')
                .map_or(server.as_str(), |(base, _)| base);
            let scratch = tempfile::tempdir().expect("tempdir");
            Backend::Scaled {
                options: vitrine_store::ScaledOptions {
                    store_url: format!("s3://{}/{name}", services["S3_BUCKET"]),
                    s3_config: vec![
                        ("aws_endpoint".into(), services["S3"].clone()),
                        ("aws_allow_http".into(), "true".into()),
                        ("aws_access_key_id".into(), "vitrine".into()),
                        ("aws_secret_access_key".into(), "vitrine".into()),
                        ("aws_region".into(), "us-east-1".into()),
                    ],
                    meta_url: format!("{base}/{name}"),
                    scratch_dir: scratch.path().to_owned(),
                    retention_secs: 0,
                    lease: Duration::from_secs(3),
                },
                _scratch: scratch,
            }
        }
    }
}

/// Runs a suite test once per backend: `embedded`, and `scaled` when it is built.
macro_rules! on_every_backend {
    ($($test:ident),* $(,)?) => {$(
        mod $test {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$test(crate::backend::Backend::embedded()).await;
            }

            #[cfg(all(feature = "s3", feature = "postgres"))]
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn scaled() {
                super::$test(crate::backend::Backend::scaled()).await;
            }
        }
    )*};
}
pub(crate) use on_every_backend;
