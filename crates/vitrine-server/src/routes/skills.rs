//! `/v1/skills`: a tenant's saved skills — list, get, lookup by name, create (from an
//! uploaded zip, an inline zip or the last plan a session ran), update (a new version) and
//! download through a short-lived link.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt as _;
use vitrine_agent::Program;
use vitrine_store::{NewSkill, SkillQuery, SkillRecord, SkillUpdate};
use vitrine_wire::{FileId, SessionId};

use super::files::{iso8601, origin};
use crate::auth::Tenant;
use crate::json::AppJson;
use crate::skills::bundle::{self, BundleError};
use crate::skills::lookup;
use crate::skills::request::{bundle_error, parse_version};
use crate::{ApiError, AppState};

/// How long a download link works.
const DOWNLOAD_TTL_SECS: u64 = 300;

fn skill_object(record: &SkillRecord) -> Value {
    json!({
        "id": record.id,
        "object": "skill",
        "name": record.name,
        "description": record.description,
        "skill_version": record.version.to_string(),
        "created_at": iso8601(record.created_at),
        "updated_at": iso8601(record.created_at),
        "status": "completed",
        "is_public": false,
        "bytes": record.size,
        "sha256": record.sha256,
    })
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    #[serde(default = "default_limit")]
    limit: usize,
    #[serde(default)]
    offset: usize,
    /// `true`/`false` in any case: the Python SDK sends `True`/`False`.
    #[serde(default)]
    grouped: Option<String>,
}

fn default_limit() -> usize {
    25
}

#[utoipa::path(get, path = "/v1/skills", tag = "skills", params(ListQuery), responses((status = 200, description = "The tenant's skills", body = Vec<Object>), crate::openapi::Errors))]
pub(super) async fn list(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Query(query): Query<ListQuery>,
) -> Result<Json<Vec<Value>>, ApiError> {
    super::check_limit(query.limit)?;
    let records = state
        .skills
        .list_skills(
            &tenant,
            SkillQuery {
                skip: query.offset,
                limit: query.limit,
                latest_only: query
                    .grouped
                    .as_deref()
                    .is_some_and(|grouped| grouped.eq_ignore_ascii_case("true") || grouped == "1"),
            },
        )
        .await?;
    Ok(Json(records.iter().map(skill_object).collect()))
}

#[utoipa::path(get, path = "/v1/skills/{skill_id}", tag = "skills", params(("skill_id" = String, Path, description = "A skill id, or `name` / `name:version`")), responses((status = 200, description = "The skill", body = Object), crate::openapi::Errors))]
pub(super) async fn get(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(skill_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let record = lookup(&state, &tenant, &skill_id, None).await?;
    Ok(Json(skill_object(&record)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct LookupRequest {
    name: String,
    #[serde(default)]
    skill_version: Option<Value>,
    #[serde(default)]
    version: Option<Value>,
}

#[utoipa::path(post, path = "/v1/skills/lookup", tag = "skills", request_body = LookupRequest, responses((status = 200, description = "The skill", body = Object), crate::openapi::Errors))]
pub(super) async fn lookup_by_name(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    AppJson(request): AppJson<LookupRequest>,
) -> Result<Json<Value>, ApiError> {
    let version = parse_version(
        request.skill_version.as_ref().or(request.version.as_ref()),
        "skill_version",
    )?;
    let record = state
        .skills
        .skill_by_name(&tenant, &request.name, version)
        .await?;
    Ok(Json(skill_object(&record)))
}

/// `create` and `update` bodies: a bundle from an uploaded file or inline, or (create only)
/// the last plan of a session.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(super) struct SkillBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    file_id: Option<String>,
    #[serde(default)]
    source: Option<Value>,
    #[serde(default)]
    session_id: Option<String>,
    #[serde(default)]
    prompt: Option<String>,
}

/// The zip named by `file_id` or carried in `source.data`, checked; `None` if neither is given.
async fn given_bundle(
    state: &AppState,
    tenant: &str,
    body: &SkillBody,
) -> Result<Option<(Vec<u8>, bundle::Bundle)>, ApiError> {
    let (bytes, param) = if let Some(file_id) = &body.file_id {
        let id: FileId = file_id.parse().map_err(|error: vitrine_wire::IdError| {
            ApiError::bad_request(error.to_string(), Some("file_id".to_owned()))
        })?;
        let file = state.store.file(tenant, &id).await?;
        if file.bytes > bundle::MAX_BUNDLE_BYTES as u64 {
            return Err(bundle_error(
                BundleError::TooLarge(format!(
                    "file `{id}` is {} bytes; a skill bundle may be at most {} bytes",
                    file.bytes,
                    bundle::MAX_BUNDLE_BYTES
                )),
                "file_id",
            ));
        }
        let mut bytes = Vec::new();
        state
            .store
            .open_file(&file)
            .await?
            .take(bundle::MAX_BUNDLE_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(ApiError::internal)?;
        (bytes, "file_id")
    } else if let Some(source) = &body.source {
        let data = source.get("data").and_then(Value::as_str).ok_or_else(|| {
            ApiError::bad_request(
                "`source` needs `data`: the skill zip, base64-encoded",
                Some("source.data".to_owned()),
            )
        })?;
        if data.len() / 4 * 3 > bundle::MAX_BUNDLE_BYTES + 3 {
            return Err(ApiError::TooLarge(format!(
                "the skill bundle is larger than {} bytes",
                bundle::MAX_BUNDLE_BYTES
            )));
        }
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|error| {
                ApiError::bad_request(
                    format!("`source.data` is not base64: {error}"),
                    Some("source.data".to_owned()),
                )
            })?;
        (bytes, "source.data")
    } else {
        return Ok(None);
    };
    let opened = bundle::open(&bytes).map_err(|error| bundle_error(error, param))?;
    if let Some(program) = &opened.program {
        check_program(state, program, param)?;
    }
    Ok(Some((bytes, opened)))
}

fn check_program(state: &AppState, program: &Program, param: &str) -> Result<(), ApiError> {
    program.check(state.agent.catalog()).map_err(|error| {
        ApiError::invalid("invalid_skill", error.to_string(), Some(param.to_owned()))
    })
}

/// A bundle holding the last plan that ran in `session_id`, as `plan.json`.
async fn bundle_from_session(
    state: &AppState,
    tenant: &str,
    session_id: &str,
    name: &str,
    description: &str,
) -> Result<Vec<u8>, ApiError> {
    let session: SessionId = session_id.parse().map_err(|error: vitrine_wire::IdError| {
        ApiError::bad_request(error.to_string(), Some("session_id".to_owned()))
    })?;
    state.store.session(tenant, &session).await?;
    let saved = state
        .skills
        .session_program(tenant, &session)
        .await?
        .ok_or_else(|| ApiError::NotFound {
            message: format!(
                "no plan has run in session `{session}` yet; a skill is saved from the last completion of a session that ran tools"
            ),
            param: Some("session_id".into()),
            code: "no_plan_in_session",
        })?;
    let program: Program = serde_json::from_value(saved).map_err(ApiError::internal)?;
    let tools: Vec<&str> = program
        .steps
        .iter()
        .map(|step| step.tool.as_str())
        .collect();
    let skill_md = format!(
        "---\nname: {name}\ndescription: {description}\n---\nSaved from session {session}: runs {} as a fixed program (`plan.json`) with no planner.\n",
        tools.join(" → ")
    );
    let plan_json = serde_json::to_vec_pretty(&program).map_err(ApiError::internal)?;
    check_program(state, &program, "session_id")?;
    bundle::pack(&[("SKILL.md", skill_md.as_bytes()), ("plan.json", &plan_json)])
        .map_err(|error| bundle_error(error, "session_id"))
}

/// One line, so it fits a front-matter field.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[utoipa::path(post, path = "/v1/skills/create", tag = "skills", request_body = SkillBody, responses((status = 200, description = "The new skill", body = Object), crate::openapi::Errors))]
pub(super) async fn create(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    AppJson(body): AppJson<SkillBody>,
) -> Result<Json<Value>, ApiError> {
    let given = given_bundle(&state, &tenant, &body).await?;
    let from_bundle = |pick: fn(&bundle::Bundle) -> &String| {
        given
            .as_ref()
            .map(|(_, opened)| pick(opened).clone())
            .unwrap_or_default()
    };
    let name = body
        .name
        .clone()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| from_bundle(|opened| &opened.name));
    let description = one_line(
        &body
            .description
            .clone()
            .unwrap_or_else(|| from_bundle(|opened| &opened.description)),
    );
    bundle::check_name(&name).map_err(|error| bundle_error(error, "name"))?;
    bundle::check_description(&description).map_err(|error| bundle_error(error, "description"))?;
    let bytes = match (given, &body.session_id) {
        (Some((bytes, _)), _) => bytes,
        (None, Some(session_id)) => {
            bundle_from_session(&state, &tenant, session_id, &name, &description).await?
        }
        (None, None) if body.prompt.is_some() => {
            return Err(ApiError::bad_request(
                "Vitrine does not write skills from a prompt; upload a skill zip (`file_id` or `source.data`) or save a session's plan (`session_id`)",
                Some("prompt".to_owned()),
            ));
        }
        (None, None) => {
            return Err(ApiError::bad_request(
                "give the skill's zip as `file_id` (an uploaded file) or `source.data` (base64), or a `session_id` whose last plan to save",
                None,
            ));
        }
    };
    let record = state
        .skills
        .create_skill(
            &tenant,
            NewSkill {
                name,
                description,
                bundle: bytes,
            },
        )
        .await?;
    Ok(Json(skill_object(&record)))
}

#[utoipa::path(post, path = "/v1/skills/{skill_id}/update", tag = "skills", params(("skill_id" = String, Path, description = "The skill")), request_body = SkillBody, responses((status = 200, description = "The skill's new version", body = Object), crate::openapi::Errors))]
pub(super) async fn update(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(skill_id): Path<String>,
    AppJson(body): AppJson<SkillBody>,
) -> Result<Json<Value>, ApiError> {
    let current = lookup(&state, &tenant, &skill_id, None).await?;
    let given = given_bundle(&state, &tenant, &body).await?;
    if given.is_none() && body.description.is_none() {
        return Err(ApiError::bad_request(
            "an update needs a new zip (`file_id` or `source.data`) or a new `description`",
            None,
        ));
    }
    let description = body.description.as_deref().map(one_line);
    if let Some(description) = &description {
        bundle::check_description(description)
            .map_err(|error| bundle_error(error, "description"))?;
    }
    let record = state
        .skills
        .update_skill(
            &tenant,
            &current.id,
            SkillUpdate {
                description,
                bundle: given.map(|(bytes, _)| bytes),
            },
        )
        .await?;
    Ok(Json(skill_object(&record)))
}

#[utoipa::path(get, path = "/v1/skills/{skill_id}/download", tag = "skills", params(("skill_id" = String, Path, description = "The skill")), responses((status = 200, description = "`{download_url, expires_in}`", body = Object), crate::openapi::Errors))]
pub(super) async fn download_link(
    State(state): State<AppState>,
    Tenant(tenant): Tenant,
    Path(skill_id): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let record = lookup(&state, &tenant, &skill_id, None).await?;
    let base = origin(&headers)?;
    let token = state
        .skills
        .grant_skill_download(&record, DOWNLOAD_TTL_SECS)
        .await?;
    Ok(Json(json!({
        "download_url": format!("{base}/v1/skills/download/{token}"),
        "expires_in": DOWNLOAD_TTL_SECS,
    })))
}

/// The link's `GET`: authorised by the secret in the URL, like a presigned object-store
/// URL, so any HTTP client can fetch it without the API key.
#[utoipa::path(get, path = "/v1/skills/download/{token}", tag = "skills", security(()), params(("token" = String, Path, description = "The token of a download link")), responses((status = 200, description = "The bundle", content_type = "application/zip"), crate::openapi::Errors))]
pub(super) async fn download(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, ApiError> {
    let record = state.skills.redeem_skill_download(&token).await?;
    let bytes = state.skills.skill_bundle(&record).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}-{}.zip\"",
                    record.name, record.version
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
