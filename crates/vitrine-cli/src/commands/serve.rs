//! `vitrine serve`: flags → [`Settings`] → [`vitrine_server::build`] → bind → run.
//!
//! Tests build their servers through the same [`vitrine_server::build`], so
//! this file only translates flags and prints the banner.

use anyhow::Context as _;
use vitrine_server::{
    ApiKeys, Backend, ExecutionsConfig, FetchPolicy, Limits, ServerConfig, Settings, TenantLimits,
};

use crate::cli::ServeArgs;

const MB: u64 = 1_000_000;

pub(super) async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let settings = settings(&args)?;
    let open = settings.keys.is_open();
    if open && !args.host.is_loopback() && !args.allow_unauthenticated {
        anyhow::bail!(
            "refusing to listen on {} without API keys: anyone who can reach it could use the server and read its data; set --api-keys or --tenants, listen on 127.0.0.1, or pass --allow-unauthenticated",
            args.host
        );
    }
    let key_count = settings.keys.len();
    let models_dir = settings.models_dir.clone();
    let app = vitrine_server::build(settings)?;

    let listener = tokio::net::TcpListener::bind((args.host, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.host, args.port))?;
    let address = listener.local_addr()?;
    println!(
        "vitrine {} listening on http://{address}/v1",
        env!("CARGO_PKG_VERSION")
    );
    println!("playground: http://{address}/ (in a browser)");
    println!("store: {}", app.store.describe());
    println!(
        "models: {} (offline planner, loaded on first use)",
        models_dir.display()
    );
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
    println!(
        "executions: {} worker(s), at most {} per tenant; webhooks {}",
        args.execution_workers.max(1),
        args.max_executions_per_tenant.max(1),
        if args.webhook_secret.is_some() {
            "signed with --webhook-secret unless the tenants file gives a tenant its own"
        } else {
            "signed only for tenants with a secret in the tenants file"
        }
    );
    vitrine_server::run(listener, app.state, shutdown_signal()).await?;
    println!("vitrine stopped");
    Ok(())
}

/// The checked settings `args` describe. Directories become absolute here, so
/// what the banner and `/v1/ready` name is where the files really are.
fn settings(args: &ServeArgs) -> anyhow::Result<Settings> {
    let keys = match (&args.api_keys, &args.api_keys_file, &args.tenants) {
        (Some(spec), _, _) => ApiKeys::parse(spec)
            .map_err(anyhow::Error::msg)
            .context("invalid --api-keys")?,
        (None, Some(path), _) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --api-keys-file {}", path.display()))?;
            ApiKeys::parse(&text)
                .map_err(anyhow::Error::msg)
                .context("invalid --api-keys-file")?
        }
        (None, None, Some(path)) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --tenants {}", path.display()))?;
            ApiKeys::parse_tenants(&text)
                .map_err(anyhow::Error::msg)
                .with_context(|| format!("invalid --tenants {}", path.display()))?
        }
        (None, None, None) => ApiKeys::open(),
    };
    let config = ServerConfig {
        limits: Limits {
            max_request_bytes: args.max_request_mb * MB,
            max_upload_bytes: args.max_upload_mb * MB,
            max_pixels: args.max_megapixels * MB,
            max_duration: args.max_duration,
            max_frames: usize::try_from(args.max_frames).unwrap_or(usize::MAX),
            max_pdf_pages: args.max_pdf_pages,
            request_timeout: args.request_timeout,
            tool_timeout: args.tool_timeout,
            max_session_bytes: args.max_session_mb * MB,
            max_tenant_bytes: args.tenant_quota_mb * MB,
            header_timeout: args.header_timeout,
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
        tenant_limits: TenantLimits {
            requests_per_minute: Some(args.rate_per_minute).filter(|rate| *rate > 0),
            burst: args.rate_burst.filter(|burst| *burst > 0),
            max_concurrent: Some(args.max_concurrent_per_tenant).filter(|max| *max > 0),
        },
        min_free_disk: args.min_free_disk_mb * MB,
        metrics_key: args.metrics_key.clone().filter(|key| !key.is_empty()),
        cors_origins: args
            .cors_origins
            .iter()
            .map(|origin| origin.trim().to_owned())
            .filter(|origin| !origin.is_empty())
            .collect(),
        browser: (!args.browser.eq_ignore_ascii_case("none") && !args.browser.is_empty()).then(
            || vitrine_server::BrowserConfig {
                executable: args.browser.clone().into(),
                user: args.browser_user.clone(),
                max_pages: args.browser_max_pages.max(1),
                load_timeout: args.browser_page_timeout * 3 / 4,
                page_timeout: args.browser_page_timeout,
                recycle_after: args.browser_recycle_after.max(1),
                ..vitrine_server::BrowserConfig::default()
            },
        ),
        executions: ExecutionsConfig {
            workers: args.execution_workers.max(1),
            max_per_tenant: args.max_executions_per_tenant.max(1),
            webhook_secret: args
                .webhook_secret
                .clone()
                .filter(|secret| !secret.is_empty()),
            ..ExecutionsConfig::default()
        },
        ..ServerConfig::default()
    };
    let backend = match (&args.store, &args.meta) {
        (Some(store), Some(meta)) => {
            if !store.starts_with("s3://") {
                anyhow::bail!("invalid --store `{store}`: expected s3://bucket/prefix");
            }
            if !(meta.starts_with("postgres://") || meta.starts_with("postgresql://")) {
                anyhow::bail!("invalid --meta: expected postgres://user@host:port/db");
            }
            Backend::Scaled {
                store_url: store.clone(),
                meta_url: meta.clone(),
                lease: args.execution_lease,
            }
        }
        _ => Backend::Embedded,
    };
    Ok(Settings {
        data_dir: std::path::absolute(&args.data_dir)
            .with_context(|| format!("invalid --data-dir {}", args.data_dir.display()))?,
        backend,
        models_dir: std::path::absolute(&args.models_dir)
            .with_context(|| format!("invalid --models-dir {}", args.models_dir.display()))?,
        retention: args.retention,
        keys,
        config,
        providers: args.providers.providers()?,
    })
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
