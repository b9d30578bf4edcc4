//! `GET /v1/usage?since=&until=`: the caller's usage report from the ledger.

use std::time::{SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use super::files::iso8601;
use crate::auth::Tenant;
use crate::{ApiError, AppState};

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct UsageQuery {
    since: Option<String>,
    until: Option<String>,
}

/// RFC 3339 (`2026-12-01T00:00:00Z`) or unix seconds.
fn parse_time(text: &str, param: &str) -> Result<u64, ApiError> {
    if let Ok(seconds) = text.parse::<u64>() {
        return Ok(seconds);
    }
    humantime::parse_rfc3339_weak(text)
        .ok()
        .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
        .map(|elapsed| elapsed.as_secs())
        .ok_or_else(|| {
            ApiError::bad_request(
                format!(
                    "`{param}` is `{text}`; give an RFC 3339 time (2026-12-01T00:00:00Z) or unix seconds"
                ),
                Some(param.to_owned()),
            )
        })
}

#[utoipa::path(get, path = "/v1/usage", tag = "usage", params(UsageQuery), responses((status = 200, description = "The tenant's usage report", body = vitrine_wire::usage::UsageReport), crate::openapi::Errors))]
pub(super) async fn report(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<UsageQuery>,
) -> Result<Json<Value>, ApiError> {
    let since = query
        .since
        .as_deref()
        .map(|text| parse_time(text, "since"))
        .transpose()?
        .unwrap_or(0);
    let until = match query.until.as_deref() {
        Some(text) => parse_time(text, "until")?,
        None => u64::MAX,
    };
    if since > until {
        return Err(ApiError::bad_request(
            "`since` is after `until`",
            Some("since".to_owned()),
        ));
    }
    let report = state.usage.usage_report(&tenant, since, until).await?;
    let mut body = serde_json::to_value(&report).map_err(ApiError::internal)?;
    body["object"] = json!("usage.report");
    body["tenant"] = json!(tenant);
    body["since"] = json!(iso8601(since));
    // "No end" is shown as now, which is what it means for records made so far.
    let shown_until = if until == u64::MAX {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default()
    } else {
        until
    };
    body["until"] = json!(iso8601(shown_until));
    body["llm_tokens"]["total_tokens"] = json!(report.llm_tokens.total());
    Ok(Json(body))
}
