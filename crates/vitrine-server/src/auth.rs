//! API keys → tenants. A tenant sees only its own sessions and files.

use std::collections::HashMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::{ApiError, AppState};

/// The tenant used when the server runs without keys.
pub(crate) const OPEN_TENANT: &str = "local";

/// Configured API keys.
#[derive(Debug, Clone, Default)]
pub struct ApiKeys {
    by_key: HashMap<String, String>,
}

impl ApiKeys {
    /// No keys: every caller is the `local` tenant.
    pub fn open() -> Self {
        ApiKeys::default()
    }

    /// Parses `tenant:key,tenant:key` (also one pair per line, `#` comments).
    pub fn parse(spec: &str) -> Result<Self, String> {
        let mut by_key = HashMap::new();
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
            if key.len() < 8 {
                return Err(format!(
                    "the API key of tenant `{tenant}` is shorter than 8 characters"
                ));
            }
            if by_key.insert(key.to_owned(), tenant.to_owned()).is_some() {
                return Err(format!(
                    "the same API key is given twice (second time for tenant `{tenant}`)"
                ));
            }
        }
        Ok(ApiKeys { by_key })
    }

    /// True when no keys are configured and the server is open.
    pub fn is_open(&self) -> bool {
        self.by_key.is_empty()
    }

    /// How many keys there are.
    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    /// True when there are no keys.
    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }

    fn tenant_for(&self, key: &str) -> Option<&str> {
        self.by_key.get(key).map(String::as_str)
    }
}

fn redact(entry: &str) -> String {
    match entry.split_once(':') {
        Some((tenant, _)) => format!("{tenant}:…"),
        None => "…".into(),
    }
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Tenant(pub(crate) String);

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
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
            .ok_or_else(|| {
                ApiError::Unauthorized("the API key is not valid for this server".into())
            })
    }
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
}
