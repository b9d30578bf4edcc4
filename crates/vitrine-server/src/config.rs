//! Checked server settings. The CLI parses flags and environment into these;
//! nothing below reads the environment.

use std::collections::HashSet;
use std::net::IpAddr;
use std::time::Duration;

/// Size, pixel, count and time limits on every input.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest JSON request body (data URLs travel inside it).
    pub max_request_bytes: u64,
    /// Largest uploaded file.
    pub max_upload_bytes: u64,
    /// Largest decoded image, in pixels.
    pub max_pixels: u64,
    /// Most media inputs in one chat request.
    pub max_inputs: usize,
    /// Longest video or audio input.
    pub max_duration: Duration,
    /// Most frames one tool call may sample from a video (`--max-frames`); a call asking for
    /// more fails naming the limit, it never returns fewer than asked.
    pub max_frames: usize,
    /// Most pages a PDF input may have (`--max-pdf-pages`); a longer one is refused at
    /// ingest, and tools that work through every page refuse longer PDFs made by tools.
    pub max_pdf_pages: u32,
    /// Longest time one request may take.
    pub request_timeout: Duration,
    /// Longest time one tool step may run (`--tool-timeout`); past it the request answers
    /// 504 naming the step.
    pub tool_timeout: Duration,
    /// Bytes the artifacts of one session may add up to (`--max-session-mb`); 0: no limit.
    /// A write past it is refused with 413 and stores nothing.
    pub max_session_bytes: u64,
    /// Bytes one tenant may keep stored, artifacts and files (`--tenant-quota-mb`); 0: no
    /// limit. A write past it is refused with 507 and stores nothing. Counted in the
    /// metadata store, so with PostgreSQL it holds across replicas.
    pub max_tenant_bytes: u64,
    /// Longest time a client may take to send a request's headers, and to start the next one
    /// on a kept-alive connection: slow clients (slowloris) cannot hold connections forever.
    pub header_timeout: Duration,
}

impl Limits {
    /// What tools may take and make: the server's pixel, frame and page limits.
    pub fn tools(&self) -> vitrine_agent::ToolLimits {
        vitrine_agent::ToolLimits {
            max_pixels: self.max_pixels,
            max_frames: self.max_frames,
            max_pdf_pages: self.max_pdf_pages,
            ..vitrine_agent::ToolLimits::default()
        }
    }

    /// The stored-bytes quotas the store enforces.
    pub fn quotas(&self) -> vitrine_store::Quotas {
        vitrine_store::Quotas {
            tenant_bytes: Some(self.max_tenant_bytes).filter(|bytes| *bytes > 0),
            session_bytes: Some(self.max_session_bytes).filter(|bytes| *bytes > 0),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_request_bytes: 64 << 20,
            max_upload_bytes: 4 << 30,
            max_pixels: 50_000_000,
            max_inputs: 32,
            max_duration: Duration::from_secs(30 * 60),
            max_frames: vitrine_agent::ToolLimits::default().max_frames,
            max_pdf_pages: vitrine_agent::ToolLimits::default().max_pdf_pages,
            request_timeout: Duration::from_secs(600),
            tool_timeout: vitrine_agent::Limits::default().step,
            max_session_bytes: 16_000_000_000,
            max_tenant_bytes: 0,
            header_timeout: Duration::from_secs(30),
        }
    }
}

/// How the server fetches `http(s)://` inputs.
#[derive(Debug, Clone)]
pub struct FetchPolicy {
    /// Hosts that may be fetched even when they resolve to private,
    /// loopback or link-local addresses (lower-case host names or IP literals).
    pub allow_hosts: HashSet<String>,
    /// Largest body fetched from a URL.
    pub max_bytes: u64,
    /// Redirects followed, each re-checked.
    pub max_redirects: usize,
    /// Time for the whole fetch including redirects.
    pub timeout: Duration,
    /// Local address outgoing connections are bound to, if any.
    pub bind_address: Option<IpAddr>,
}

impl Default for FetchPolicy {
    fn default() -> Self {
        FetchPolicy {
            allow_hosts: HashSet::new(),
            max_bytes: 40 << 20,
            max_redirects: 5,
            timeout: Duration::from_secs(30),
            bind_address: None,
        }
    }
}

/// How executions run and report back.
#[derive(Debug, Clone)]
pub struct ExecutionsConfig {
    /// Executions running at once on this server, all tenants together.
    pub workers: usize,
    /// Executions of one tenant running at once; the rest wait in the queue.
    pub max_per_tenant: usize,
    /// The HMAC key that signs webhooks of tenants without their own
    /// (`--webhook-secret`); without any, webhooks go out unsigned.
    pub webhook_secret: Option<String>,
    /// Delivery attempts per webhook.
    pub webhook_attempts: u32,
    /// Wait before the second attempt; doubled for each further one.
    pub webhook_backoff: Duration,
}

impl Default for ExecutionsConfig {
    fn default() -> Self {
        ExecutionsConfig {
            workers: 4,
            max_per_tenant: 2,
            webhook_secret: None,
            webhook_attempts: 4,
            webhook_backoff: Duration::from_secs(1),
        }
    }
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Input limits.
    pub limits: Limits,
    /// URL fetching policy.
    pub fetch: FetchPolicy,
    /// How often expired artifacts are swept.
    pub sweep_interval: Duration,
    /// How long a presigned upload URL stays valid by default.
    pub upload_url_ttl: Duration,
    /// Executions and webhooks.
    pub executions: ExecutionsConfig,
    /// Request rate and concurrent work of each tenant without its own in the tenants file.
    pub tenant_limits: TenantLimits,
    /// Writes are refused (507) while the data directory's file system has
    /// fewer free bytes than this; 0 turns the check off.
    pub min_free_disk: u64,
    /// The bearer key that lets callers other than loopback read `/metrics`.
    pub metrics_key: Option<String>,
    /// Origins browsers may call the API from (`*` for any); none by default.
    pub cors_origins: Vec<String>,
    /// The headless browser of the `web` tools; `None` turns them off (they answer
    /// `not_configured`). Its requests follow [`ServerConfig::fetch`]'s allowlist.
    pub browser: Option<vitrine_web::BrowserConfig>,
}

/// A tenant's request rate and concurrent work; `None` means no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantLimits {
    /// Requests per minute, any route.
    pub requests_per_minute: Option<u32>,
    /// Requests that may come at once before the rate applies (default: one minute's worth).
    pub burst: Option<u32>,
    /// Chat completions in flight at once.
    pub max_concurrent: Option<usize>,
}

impl TenantLimits {
    /// These limits, with `fallback`'s where these set none.
    pub fn or(&self, fallback: &TenantLimits) -> TenantLimits {
        TenantLimits {
            requests_per_minute: self.requests_per_minute.or(fallback.requests_per_minute),
            burst: self.burst.or(fallback.burst),
            max_concurrent: self.max_concurrent.or(fallback.max_concurrent),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits::default(),
            fetch: FetchPolicy::default(),
            sweep_interval: Duration::from_secs(60),
            upload_url_ttl: Duration::from_secs(24 * 3600),
            executions: ExecutionsConfig::default(),
            tenant_limits: TenantLimits::default(),
            min_free_disk: 64_000_000,
            metrics_key: None,
            cors_origins: Vec::new(),
            browser: Some(vitrine_web::BrowserConfig::default()),
        }
    }
}
