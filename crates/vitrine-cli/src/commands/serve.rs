//! `vitrine serve`: checked settings → store → state → bind → run.

use std::sync::Arc;

use anyhow::Context as _;
use vitrine_agent::Agent;
use vitrine_server::{ApiKeys, AppState, FetchPolicy, Limits, ServerConfig};
use vitrine_store::{ArtifactStore, LocalStore, SystemClock};

use crate::cli::ServeArgs;

const MB: u64 = 1_000_000;

pub(super) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let keys = match (&args.api_keys, &args.api_keys_file) {
        (Some(spec), _) => ApiKeys::parse(spec)
            .map_err(anyhow::Error::msg)
            .context("invalid --api-keys")?,
        (None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --api-keys-file {}", path.display()))?;
            ApiKeys::parse(&text)
                .map_err(anyhow::Error::msg)
                .context("invalid --api-keys-file")?
        }
        (None, None) => ApiKeys::open(),
    };
    let config = ServerConfig {
        limits: Limits {
            max_request_bytes: args.max_request_mb * MB,
            max_upload_bytes: args.max_upload_mb * MB,
            max_pixels: args.max_megapixels * MB,
            max_duration: args.max_duration,
            request_timeout: args.request_timeout,
            ..Limits::default()
        },
        fetch: FetchPolicy {
            allow_hosts: args
                .fetch_allow_hosts
                .iter()
                .map(|host| host.trim().to_ascii_lowercase())
                .filter(|host| !host.is_empty())
                .collect(),
            max_bytes: args.fetch_max_mb * MB,
            timeout: args.fetch_timeout,
            ..FetchPolicy::default()
        },
        sweep_interval: args.sweep_interval,
        ..ServerConfig::default()
    };
    std::fs::create_dir_all(&args.data_dir)
        .with_context(|| format!("cannot create --data-dir {}", args.data_dir.display()))?;
    let data_dir = args
        .data_dir
        .canonicalize()
        .unwrap_or(args.data_dir.clone());
    let store: Arc<dyn ArtifactStore> = Arc::new(
        LocalStore::open(&data_dir, args.retention.as_secs(), Arc::new(SystemClock))
            .with_context(|| format!("cannot open the store in {}", data_dir.display()))?,
    );
    let describe = store.describe();
    let models_dir = args
        .models_dir
        .canonicalize()
        .unwrap_or(args.models_dir.clone());
    let models_found = models_dir.join("libonnxruntime.so").exists();
    let open = keys.is_open();
    let key_count = keys.len();
    let agent = args
        .providers
        .configure(Agent::new(Arc::clone(&store), models_dir.clone()))?;
    let state = AppState::new(store, keys, config)
        .map_err(|error| anyhow::anyhow!("{error}"))?
        .with_agent(agent);

    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let address = listener.local_addr()?;
    println!(
        "vitrine {} listening on http://{address}/v1",
        env!("CARGO_PKG_VERSION")
    );
    println!("store: {describe}");
    if models_found {
        println!(
            "models: {} (offline planner, loaded on first use)",
            models_dir.display()
        );
    } else {
        println!(
            "models: NOT FOUND in {} — run scripts/fetch-models.sh or set --models-dir; tools that need models will fail with a clear error",
            models_dir.display()
        );
    }
    for line in args.providers.describe() {
        println!("{line}");
    }
    if open {
        println!(
            "auth: OPEN — no API keys configured, every caller is tenant `local` (set --api-keys to require keys)"
        );
    } else {
        println!("auth: {key_count} API key(s) configured");
    }
    vitrine_server::run(listener, state, shutdown_signal()).await?;
    println!("vitrine stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
