//! Clap types: what the user typed, validated only as far as parsing goes.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Vitrine: a self-hostable visual agent server, wire-compatible with the
/// Orion Chat Completions API and its artifacts.
#[derive(Debug, Parser)]
#[command(name = "vitrine", version, about, long_about = None)]
pub struct Cli {
    /// Log lines as human-readable `text` or one JSON object per line (`json`),
    /// each with the request id of the request it belongs to.
    #[arg(long, global = true, env = "VITRINE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// How log lines are written (to stderr).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event.
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
// Parsed once per process; boxing the server's many flags would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Run the HTTP server (OpenAI-compatible chat completions, files, artifacts).
    Serve(Box<ServeArgs>),
    /// Ask a server: upload local files, stream the agent's progress, print the
    /// answer, and download every artifact it names.
    Chat(ChatArgs),
    /// Download, list or delete the artifacts of a session.
    Artifacts(ArtifactsArgs),
    /// Show what this key used: requests, tool time by tool, bytes, tokens and credits.
    Usage(UsageArgs),
    /// Copy an embedded deployment (a stopped server's data directory) to object storage
    /// and PostgreSQL, checking every SHA-256. Safe to re-run: what is already copied and
    /// verified is skipped.
    MigrateStore(MigrateStoreArgs),
}

/// Settings of `vitrine migrate-store`.
#[derive(Debug, Args)]
pub struct MigrateStoreArgs {
    /// The embedded store's data directory (the server's --data-dir).
    #[arg(long, value_name = "DIR")]
    pub from: PathBuf,
    /// Object storage, `s3://bucket/prefix` (`AWS_*` environment as for `serve --store`).
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// PostgreSQL, `postgres://…` (as for `serve --meta`).
    #[arg(long, env = "VITRINE_META", hide_env_values = true, value_name = "URL")]
    pub meta: String,
}

/// Settings of `vitrine usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// From this time: RFC 3339 (`2026-12-01T00:00:00Z`) or unix seconds [default: the start].
    #[arg(long)]
    pub since: Option<String>,

    /// Until this time (exclusive), same forms [default: now].
    #[arg(long)]
    pub until: Option<String>,

    /// Print the report as JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Server and key.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Where the server is and how to authenticate; shared by client subcommands.
#[derive(Debug, Clone, Args)]
pub struct ConnectArgs {
    /// Base URL of the API, ending in `/v1`.
    #[arg(long, env = "VITRINE_BASE_URL", default_value = vitrine_client::DEFAULT_BASE_URL)]
    pub base_url: String,

    /// API key, sent as `Authorization: Bearer <key>` (omit for an open server).
    #[arg(long, env = "VITRINE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}

/// Settings of `vitrine chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// What to ask, e.g. "blur the faces".
    pub prompt: String,

    /// A local file to send with the prompt (image, video, audio, PDF, .npy,
    /// .spz); repeat for several. Each is uploaded (skipped if the server
    /// already has the same bytes) and sent as an `input_file` part.
    #[arg(short, long = "input", value_name = "FILE")]
    pub inputs: Vec<PathBuf>,

    /// Directory for the artifacts named in the answer
    /// [default: ./vitrine-artifacts/<session>].
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// Print one JSON object (session, answer, downloaded files) instead of the answer text.
    #[arg(long)]
    pub json: bool,

    /// Continue this session: its artifacts can be named in the prompt.
    #[arg(long, value_name = "SESSION")]
    pub session_id: Option<String>,

    /// Only let tools of this category run (core, image, image-gen,
    /// world-gen, viz, document, video, web); repeat for several.
    #[arg(long = "toolset", value_name = "TOOLSET")]
    pub toolsets: Vec<String>,

    /// Model name.
    #[arg(long, default_value = vitrine_client::DEFAULT_MODEL)]
    pub model: String,

    /// Wait for the whole answer instead of streaming progress.
    #[arg(long)]
    pub no_stream: bool,

    /// Do not download the artifacts named in the answer.
    #[arg(long)]
    pub no_download: bool,

    /// Server and key.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// Settings of `vitrine artifacts`.
#[derive(Debug, Args)]
pub struct ArtifactsArgs {
    /// What to do with them.
    #[command(subcommand)]
    pub action: ArtifactsAction,

    /// Server and key.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// `vitrine artifacts` subcommands.
#[derive(Debug, Subcommand)]
pub enum ArtifactsAction {
    /// Download artifacts into a directory as `<id>.<ext>`.
    Get {
        /// The session they belong to.
        #[arg(long, value_name = "SESSION")]
        session_id: String,
        /// Artifact ids, e.g. `img_a1b2c3`.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
        /// Directory to write to [default: ./vitrine-artifacts/<session>].
        #[arg(short, long, value_name = "DIR")]
        output: Option<PathBuf>,
    },
    /// List the artifacts of a session.
    List {
        /// The session.
        #[arg(long, value_name = "SESSION")]
        session_id: String,
        /// Print the server's JSON listing.
        #[arg(long)]
        json: bool,
    },
    /// Delete artifacts.
    Delete {
        /// The session they belong to.
        #[arg(long, value_name = "SESSION")]
        session_id: String,
        /// Artifact ids.
        #[arg(required = true, value_name = "ID")]
        ids: Vec<String>,
    },
}

/// Settings of `vitrine serve`. Every flag can also be set by its environment
/// variable; a flag on the command line wins.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Use 0.0.0.0 to accept connections from other hosts
    /// (which needs API keys, or `--allow-unauthenticated`).
    #[arg(long, env = "VITRINE_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Listen on a non-loopback address without API keys, so that anyone who
    /// can reach the port is tenant `local`. Without this flag the server
    /// refuses to start that way.
    #[arg(long, env = "VITRINE_ALLOW_UNAUTHENTICATED")]
    pub allow_unauthenticated: bool,

    /// Requests per minute of each tenant, any route (0: no limit). A tenant
    /// may set its own `requests_per_minute` in the tenants file. Over it: 429
    /// with `Retry-After`.
    #[arg(long, env = "VITRINE_RATE_PER_MINUTE", default_value_t = 0)]
    pub rate_per_minute: u32,

    /// Requests a tenant may send at once before its rate applies [default: one minute's worth].
    #[arg(long, env = "VITRINE_RATE_BURST")]
    pub rate_burst: Option<u32>,

    /// Chat completions of one tenant in flight at once (0: no limit); the
    /// tenants file's `max_concurrent` overrides it. Over it: 429.
    #[arg(long, env = "VITRINE_MAX_CONCURRENT_PER_TENANT", default_value_t = 0)]
    pub max_concurrent_per_tenant: usize,

    /// Free space, in MB, below which the data directory's file system takes
    /// no more writes: they are refused with 507 before anything is written (0: off).
    #[arg(long, env = "VITRINE_MIN_FREE_DISK_MB", default_value_t = 64)]
    pub min_free_disk_mb: u64,

    /// Bearer key for `/metrics`. Loopback callers need none while `--host` is a
    /// loopback address; on any other address (e.g. `0.0.0.0`, where a proxy on the same
    /// host makes every caller look local) every caller needs it, and without it all are refused.
    #[arg(long, env = "VITRINE_METRICS_KEY", hide_env_values = true)]
    pub metrics_key: Option<String>,

    /// Origins that browsers may call the API from, comma-separated
    /// (`https://app.example.com`, or `*` for any). None by default.
    #[arg(long, env = "VITRINE_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,

    /// TCP port to listen on (0 picks a free port and prints it).
    #[arg(long, env = "VITRINE_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Directory for the embedded store: artifact bytes, uploaded files and the
    /// metadata index. Created if missing. The default is per user
    /// (`$XDG_DATA_HOME/vitrine/data`, else `~/.local/share/vitrine/data`).
    #[arg(long, env = "VITRINE_DATA_DIR", default_value_os_t = vitrine_server::default_data_dir())]
    pub data_dir: PathBuf,

    /// Keep artifact and file bytes in S3-compatible object storage, as
    /// `s3://bucket/prefix`, instead of the data directory. The endpoint and
    /// credentials come from `AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_REGION` (and `AWS_ALLOW_HTTP=true` for a
    /// plain-HTTP endpoint). Needs --meta; the data directory then holds only
    /// blobs being received.
    #[arg(long, env = "VITRINE_STORE", requires = "meta", value_name = "URL")]
    pub store: Option<String>,

    /// Keep metadata, the execution queue, skills and usage in PostgreSQL
    /// (`postgres://user:password@host:port/db`); its schema is migrated at
    /// start-up. With --store, any number of replicas can share one deployment.
    #[arg(
        long,
        env = "VITRINE_META",
        requires = "store",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub meta: Option<String>,

    /// With --meta: how long a replica holds a claimed execution without
    /// renewing it; a replica that dies loses its executions to the others
    /// after this long.
    #[arg(long, env = "VITRINE_EXECUTION_LEASE", default_value = "30s", value_parser = parse_duration)]
    pub execution_lease: Duration,

    /// API keys as `tenant:key,tenant:key`. Each key maps to a tenant, and a
    /// tenant sees only its own sessions, artifacts and files. With no keys
    /// at all the server runs open (every caller is tenant `local`).
    #[arg(
        long,
        env = "VITRINE_API_KEYS",
        hide_env_values = true,
        conflicts_with = "api_keys_file"
    )]
    pub api_keys: Option<String>,

    /// File with API keys, one `tenant:key` per line (`#` starts a comment).
    #[arg(long, env = "VITRINE_API_KEYS_FILE", conflicts_with = "tenants")]
    pub api_keys_file: Option<PathBuf>,

    /// Tenants file (TOML): each `[tenants.NAME]` table lists its `api_keys`
    /// and may set its `webhook_secret`. `--api-keys` is the shortcut for
    /// keys alone.
    #[arg(long, env = "VITRINE_TENANTS", conflicts_with = "api_keys")]
    pub tenants: Option<PathBuf>,

    /// Secret that signs webhooks (`X-VLMRun-Signature`) of tenants without
    /// their own in the tenants file. Without any, webhooks go out unsigned.
    #[arg(long, env = "VITRINE_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,

    /// Executions running at once, all tenants together.
    #[arg(long, env = "VITRINE_EXECUTION_WORKERS", default_value_t = 4)]
    pub execution_workers: usize,

    /// Executions of one tenant running at once; more wait in the queue.
    #[arg(long, env = "VITRINE_MAX_EXECUTIONS_PER_TENANT", default_value_t = 2)]
    pub max_executions_per_tenant: usize,

    /// How long artifacts and uploaded files are kept, e.g. `90s`, `15m`, `24h`.
    /// Expired artifacts answer 404 and a background sweeper deletes them.
    #[arg(long, env = "VITRINE_RETENTION", default_value = "24h", value_parser = parse_duration)]
    pub retention: Duration,

    /// Hosts that URL inputs may be fetched from even though they resolve to
    /// private, loopback or link-local addresses (comma-separated host names or
    /// IP literals). Everything else must resolve to a public address.
    #[arg(long, env = "VITRINE_FETCH_ALLOW_HOSTS", value_delimiter = ',')]
    pub fetch_allow_hosts: Vec<String>,

    /// The Chromium executable the `web` tools (screenshot_page, page_to_pdf, extract_page)
    /// drive; `none` turns them off. Started on first use, then kept warm. Its requests go
    /// through the same address guard and `--fetch-allow-hosts` as URL inputs.
    #[arg(long, env = "VITRINE_BROWSER", default_value = "chromium")]
    pub browser: String,

    /// The user the browser runs as when the server runs as root, so Chromium's sandbox
    /// stays on (scripts/setup.sh creates it).
    #[arg(long, env = "VITRINE_BROWSER_USER", default_value = "vitrine-browser")]
    pub browser_user: String,

    /// Web pages open at once; further web tool calls wait.
    #[arg(long, env = "VITRINE_BROWSER_MAX_PAGES", default_value_t = 2)]
    pub browser_max_pages: usize,

    /// Time limit for one web page, loading and capture; loading is stopped at three
    /// quarters of it and the page captured as it is.
    #[arg(long, env = "VITRINE_BROWSER_PAGE_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub browser_page_timeout: Duration,

    /// Pages served before the browser process is replaced, which bounds its memory.
    #[arg(long, env = "VITRINE_BROWSER_RECYCLE_AFTER", default_value_t = 50)]
    pub browser_recycle_after: usize,

    /// Largest input fetched from a URL or sent as a data URL, in MB.
    #[arg(long, env = "VITRINE_FETCH_MAX_MB", default_value_t = 40)]
    pub fetch_max_mb: u64,

    /// Time limit for fetching one URL input, including redirects.
    #[arg(long, env = "VITRINE_FETCH_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub fetch_timeout: Duration,

    /// Largest image accepted, in megapixels (checked from the header, before decoding), at
    /// ingest and when a tool reads one.
    #[arg(long, env = "VITRINE_MAX_MEGAPIXELS", default_value_t = 50)]
    pub max_megapixels: u64,

    /// Longest video or audio input, e.g. `30m` (checked with ffprobe before any decoding).
    #[arg(long, env = "VITRINE_MAX_DURATION", default_value = "30m", value_parser = parse_duration)]
    pub max_duration: Duration,

    /// Most frames one tool call may sample from a video (`extract_frames`, `contact_sheet`).
    /// A call that asks for more fails with 400 `too_many_frames` naming this limit; it never
    /// returns fewer frames than asked for.
    #[arg(long, env = "VITRINE_MAX_FRAMES", default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_frames: u32,

    /// Most pages a PDF input may have; a longer one is refused with 400 `too_many_pages`
    /// before any tool runs. Tools that work through every page (`redact_document`) refuse
    /// longer PDFs made by other tools.
    #[arg(long, env = "VITRINE_MAX_PDF_PAGES", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub max_pdf_pages: u32,

    /// Largest JSON request body, in MB (data URLs travel inside it).
    #[arg(long, env = "VITRINE_MAX_REQUEST_MB", default_value_t = 64)]
    pub max_request_mb: u64,

    /// Largest uploaded file, in MB (uploads stream to disk).
    #[arg(long, env = "VITRINE_MAX_UPLOAD_MB", default_value_t = 4096)]
    pub max_upload_mb: u64,

    /// Most MB the artifacts of one session may add up to (0: no limit); a write past it is
    /// refused with 413 and nothing is stored.
    #[arg(long, env = "VITRINE_MAX_SESSION_MB", default_value_t = 16000)]
    pub max_session_mb: u64,

    /// Most MB one tenant may keep stored, artifacts and uploaded files (0: no limit); a
    /// write past it is refused with 507 and nothing is stored. With `--meta postgres://`
    /// it is counted in PostgreSQL, so it holds across replicas.
    #[arg(long, env = "VITRINE_TENANT_QUOTA_MB", default_value_t = 0)]
    pub tenant_quota_mb: u64,

    /// Time limit for one request.
    #[arg(long, env = "VITRINE_REQUEST_TIMEOUT", default_value = "10m", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Time limit for one tool step, e.g. `2m`; past it the request answers 504 naming the step.
    #[arg(long, env = "VITRINE_TOOL_TIMEOUT", default_value = "2m", value_parser = parse_duration)]
    pub tool_timeout: Duration,
    /// Time a client has to send a request's headers (and to start its next request on a
    /// kept-alive connection) before the connection is closed: slow clients cannot hold
    /// connections open.
    #[arg(long, env = "VITRINE_HEADER_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub header_timeout: Duration,

    /// Directory with the model files that `scripts/fetch-models.sh` fetched
    /// (face, text, object and person models and the ONNX Runtime library).
    /// The default is where that script installs them
    /// (`$XDG_DATA_HOME/vitrine/models`, else `~/.local/share/vitrine/models`).
    /// Models load on first use; nothing is ever downloaded at run time.
    #[arg(long, env = "VITRINE_MODELS_DIR", default_value_os_t = vitrine_server::default_models_dir())]
    pub models_dir: PathBuf,

    /// How often expired artifacts are swept.
    #[arg(long, env = "VITRINE_SWEEP_INTERVAL", default_value = "60s", value_parser = parse_duration)]
    pub sweep_interval: Duration,

    /// External providers (LLM planner, images API).
    #[command(flatten)]
    pub providers: crate::providers::ProviderArgs,
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text).map_err(|error| {
        format!("`{text}` is not a duration like `90s`, `15m` or `24h`: {error}")
    })?;
    if duration.is_zero() {
        return Err("the duration must be greater than zero".into());
    }
    Ok(duration)
}
