//! API keys → tenants. A tenant sees only its own sessions, files and executions.
//!
//! Keys come from `--api-keys` (`tenant:key,…`, a shortcut) or from a tenants
//! file (`--tenants FILE`, TOML) that also holds each tenant's webhook secret:
//!
//! ```toml
//! [tenants.acme]
//! api_keys = ["acme-key-0001"]
//! webhook_secret = "whsec-acme"
//! # Optional; unset limits fall back to the server's flags.
//! requests_per_minute = 600
//! burst = 60
//! max_concurrent = 4
//! ```
//!
//! Keys are compared in constant time: each presented key is hashed and its
//! digest compared with every configured key's digest, with no early exit.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::config::TenantLimits;
use crate::{ApiError, AppState};

/// The tenant used when the server runs without keys.
pub(crate) const OPEN_TENANT: &str = "local";

/// Configured API keys.
#[derive(Clone, Default)]
pub struct ApiKeys {
    /// SHA-256 of each key → its tenant; looked up by scanning all (see the module docs).
    by_digest: Vec<([u8; 32], String)>,
    /// Tenant → the secret that signs its webhooks.
    webhook_secrets: HashMap<String, String>,
    /// Tenant → its own rate and concurrency limits.
    limits: HashMap<String, TenantLimits>,
}

impl std::fmt::Debug for ApiKeys {
    // Keys and secrets never reach a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKeys")
            .field("keys", &self.by_digest.len())
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish()
    }
}

/// The tenants file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantsFile {
    #[serde(default)]
    tenants: BTreeMap<String, TenantEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantEntry {
    #[serde(default)]
    api_keys: Vec<String>,
    #[serde(default)]
    webhook_secret: Option<String>,
    // Listed, not flattened: serde cannot deny unknown fields next to a flattened struct.
    #[serde(default)]
    requests_per_minute: Option<u32>,
    #[serde(default)]
    burst: Option<u32>,
    #[serde(default)]
    max_concurrent: Option<usize>,
}

impl ApiKeys {
    /// No keys: every caller is the `local` tenant.
    pub fn open() -> Self {
        ApiKeys::default()
    }

    /// Parses a tenants file (TOML, see the module docs).
    pub fn parse_tenants(text: &str) -> Result<Self, String> {
        let file: TenantsFile = toml::from_str(text).map_err(|error| {
            // Only the line: TOML and serde messages quote values, which may be keys.
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(1);
            format!(
                "the tenants file is invalid at line {line}: each tenant is a `[tenants.NAME]` table with `api_keys = [\"…\"]` and optionally `webhook_secret = \"…\"`"
            )
        })?;
        let mut keys = ApiKeys::default();
        for (tenant, entry) in file.tenants {
            for key in entry.api_keys {
                keys.add(&tenant, &key)?;
            }
            if let Some(secret) = entry.webhook_secret {
                if secret.len() < 8 {
                    return Err(format!(
                        "the webhook secret of tenant `{tenant}` is shorter than 8 characters"
                    ));
                }
                keys.webhook_secrets.insert(tenant.clone(), secret);
            }
            let limits = TenantLimits {
                requests_per_minute: entry.requests_per_minute,
                burst: entry.burst,
                max_concurrent: entry.max_concurrent,
            };
            if limits != TenantLimits::default() {
                keys.limits.insert(tenant, limits);
            }
        }
        Ok(keys)
    }

    /// The secret that signs `tenant`'s webhooks, if the tenants file gives one.
    pub fn webhook_secret(&self, tenant: &str) -> Option<&str> {
        self.webhook_secrets.get(tenant).map(String::as_str)
    }

    /// `tenant`'s limits: its own from the tenants file, else `fallback`'s.
    pub fn limits_for(&self, tenant: &str, fallback: &TenantLimits) -> TenantLimits {
        self.limits
            .get(tenant)
            .map_or_else(|| fallback.clone(), |own| own.or(fallback))
    }

    /// Parses `tenant:key,tenant:key` (also one pair per line, `#` comments).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut keys = ApiKeys::default();
        for entry in spec
            .split([',', '\n'])
            .map(str::trim)
            .filter(|entry| !entry.is_empty() && !entry.starts_with('#'))
        {
            let (tenant, key) = entry.split_once(':').ok_or_else(|| {
                format!(
                    "API key entry `{}` must look like `tenant:key`",
                    redact(entry)
                )
            })?;
            let (tenant, key) = (tenant.trim(), key.trim());
            if tenant.is_empty() || key.is_empty() {
                return Err(format!(
                    "API key entry `{}` has an empty tenant or key",
                    redact(entry)
                ));
            }
            keys.add(tenant, key)?;
        }
        Ok(keys)
    }

    fn add(&mut self, tenant: &str, key: &str) -> Result<(), String> {
        if tenant.is_empty() || tenant.contains(['/', '\n']) {
            return Err(format!(
                "tenant name `{tenant}` must be non-empty and hold no `/` or line break"
            ));
        }
        if key.len() < 8 {
            return Err(format!(
                "the API key of tenant `{tenant}` is shorter than 8 characters"
            ));
        }
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        if self.by_digest.iter().any(|(known, _)| *known == digest) {
            return Err(format!(
                "the same API key is given twice (second time for tenant `{tenant}`)"
            ));
        }
        self.by_digest.push((digest, tenant.to_owned()));
        Ok(())
    }

    /// True when no keys are configured and the server is open.
    pub fn is_open(&self) -> bool {
        self.by_digest.is_empty()
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.by_digest.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.by_digest.is_empty()
    }

    fn tenant_for(&self, key: &str) -> Option<&str> {
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let mut found = None;
        for (known, tenant) in &self.by_digest {
            if bool::from(known.ct_eq(&digest)) {
                found = Some(tenant.as_str());
            }
        }
        found
    }
}

fn redact(entry: &str) -> String {
    match entry.split_once(':') {
        Some((tenant, _)) => format!("{tenant}:…"),
        None => "…".into(),
    }
}

/// True when `given` is `expected`, in time that does not depend on where they differ.
pub(crate) fn same_secret(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    given.ct_eq(&expected).into()
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Tenant(pub(crate) String);

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let tenant = authenticate(parts, state)?;
        let limits = state
            .keys
            .limits_for(&tenant.0, &state.config.tenant_limits);
        state.limiter.admit(&tenant.0, &limits).inspect_err(|_| {
            state.metrics.refused("request_rate");
        })?;
        Ok(tenant)
    }
}

impl Tenant {
    /// A slot of concurrent work for this tenant (429 when all are taken); held until dropped.
    pub(crate) fn begin_work(
        &self,
        state: &AppState,
    ) -> Result<Option<crate::limits::WorkPermit>, ApiError> {
        let limits = state.keys.limits_for(&self.0, &state.config.tenant_limits);
        state.limiter.begin_work(&self.0, &limits).inspect_err(|_| {
            state.metrics.refused("concurrent_work");
        })
    }
}

fn authenticate(parts: &Parts, state: &AppState) -> Result<Tenant, ApiError> {
    if state.keys.is_open() {
        return Ok(Tenant(OPEN_TENANT.into()));
    }
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or_else(|| {
            ApiError::Unauthorized("missing API key: send `Authorization: Bearer <key>`".into())
        })?;
    let key = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .ok_or_else(|| {
            ApiError::Unauthorized("the Authorization header must be `Bearer <key>`".into())
        })?;
    state
        .keys
        .tenant_for(key)
        .map(|tenant| Tenant(tenant.to_owned()))
        .ok_or_else(|| ApiError::Unauthorized("the API key is not valid for this server".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pairs_and_rejects_bad_entries() {
        let keys =
            ApiKeys::parse("acme:key-aaaa-1111, globex:key-bbbb-2222\n# comment").expect("valid");
        assert_eq!(keys.len(), 2);
        assert_eq!(keys.tenant_for("key-bbbb-2222"), Some("globex"));
        assert!(ApiKeys::parse("nokey").is_err());
        assert!(ApiKeys::parse("acme:short").is_err());
        assert!(ApiKeys::parse("a:key-aaaa-1111,b:key-aaaa-1111").is_err());
        let error = ApiKeys::parse("acme").expect_err("bad");
        assert!(
            !error.contains("key-"),
            "errors never echo secrets: {error}"
        );
    }

    #[test]
    fn a_tenants_file_gives_keys_and_webhook_secrets() {
        let keys = ApiKeys::parse_tenants(
            "[tenants.acme]\napi_keys = [\"key-aaaa-1111\", \"key-aaaa-2222\"]\nwebhook_secret = \"whsec-acme-1\"\n\n[tenants.globex]\napi_keys = [\"key-bbbb-1111\"]\n",
        )
        .expect("valid");
        assert_eq!(keys.len(), 3);
        assert_eq!(keys.tenant_for("key-aaaa-2222"), Some("acme"));
        assert_eq!(keys.webhook_secret("acme"), Some("whsec-acme-1"));
        assert_eq!(keys.webhook_secret("globex"), None);
        assert!(ApiKeys::parse_tenants("[tenants.a]\napi_keys = [\"short\"]").is_err());
        assert!(ApiKeys::parse_tenants("[tenants.a]\nkeys = [\"key-aaaa-1111\"]").is_err());
        let error = ApiKeys::parse_tenants("[tenants.a]\napi_keys = \"key-secret-1\"")
            .expect_err("not a list");
        assert!(!error.contains("key-secret-1"), "{error}");
    }
}
