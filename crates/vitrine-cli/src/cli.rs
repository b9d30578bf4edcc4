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
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (OpenAI-compatible chat completions, files, artifacts).
    Serve(ServeArgs),
}

/// Settings of `vitrine serve`. Every flag can also be set by its environment
/// variable; a flag on the command line wins.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. Use 0.0.0.0 to accept connections from other hosts.
    #[arg(long, env = "VITRINE_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// TCP port to listen on (0 picks a free port and prints it).
    #[arg(long, env = "VITRINE_PORT", default_value_t = 8080)]
    pub port: u16,

    /// Directory for the embedded store: artifact bytes, uploaded files and the
    /// metadata index. Created if missing.
    #[arg(long, env = "VITRINE_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,

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
    #[arg(long, env = "VITRINE_API_KEYS_FILE")]
    pub api_keys_file: Option<PathBuf>,

    /// How long artifacts and uploaded files are kept, e.g. `90s`, `15m`, `24h`.
    /// Expired artifacts answer 404 and a background sweeper deletes them.
    #[arg(long, env = "VITRINE_RETENTION", default_value = "24h", value_parser = parse_duration)]
    pub retention: Duration,

    /// Hosts that URL inputs may be fetched from even though they resolve to
    /// private, loopback or link-local addresses (comma-separated host names or
    /// IP literals). Everything else must resolve to a public address.
    #[arg(long, env = "VITRINE_FETCH_ALLOW_HOSTS", value_delimiter = ',')]
    pub fetch_allow_hosts: Vec<String>,

    /// Largest input fetched from a URL or sent as a data URL, in MB.
    #[arg(long, env = "VITRINE_FETCH_MAX_MB", default_value_t = 40)]
    pub fetch_max_mb: u64,

    /// Time limit for fetching one URL input, including redirects.
    #[arg(long, env = "VITRINE_FETCH_TIMEOUT", default_value = "30s", value_parser = parse_duration)]
    pub fetch_timeout: Duration,

    /// Largest image accepted, in megapixels (checked from the header, before decoding).
    #[arg(long, env = "VITRINE_MAX_MEGAPIXELS", default_value_t = 50)]
    pub max_megapixels: u64,

    /// Longest video or audio input, e.g. `30m` (checked with ffprobe before any decoding).
    #[arg(long, env = "VITRINE_MAX_DURATION", default_value = "30m", value_parser = parse_duration)]
    pub max_duration: Duration,

    /// Largest JSON request body, in MB (data URLs travel inside it).
    #[arg(long, env = "VITRINE_MAX_REQUEST_MB", default_value_t = 64)]
    pub max_request_mb: u64,

    /// Largest uploaded file, in MB (uploads stream to disk).
    #[arg(long, env = "VITRINE_MAX_UPLOAD_MB", default_value_t = 4096)]
    pub max_upload_mb: u64,

    /// Time limit for one request.
    #[arg(long, env = "VITRINE_REQUEST_TIMEOUT", default_value = "10m", value_parser = parse_duration)]
    pub request_timeout: Duration,

    /// Directory with the model files that `scripts/fetch-models.sh` fetched
    /// (face, text, object and person models and the ONNX Runtime library).
    /// Models load on first use; nothing is ever downloaded at run time.
    #[arg(long, env = "VITRINE_MODELS_DIR", default_value = "models/fetched")]
    pub models_dir: PathBuf,

    /// How often expired artifacts are swept.
    #[arg(long, env = "VITRINE_SWEEP_INTERVAL", default_value = "60s", value_parser = parse_duration)]
    pub sweep_interval: Duration,
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
