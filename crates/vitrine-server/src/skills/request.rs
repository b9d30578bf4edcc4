//! A request's `skills` (chat `skills`, an execution's `config.skills`), resolved and run.
//!
//! Each item is `{"type": "skill_reference", "skill_id", "skill_version"?}` (`skill_id` an
//! id or a name, `name:3` allowed; the SDK's `skill_name` and `version` spellings too) or
//! `{"type": "inline", "name"?, "description"?, "source": {"type": "base64", "data"}}`.
//! Then, with the request's `mode` (`program`, the default, or `agent`):
//! - one skill with a `plan.json` runs that program with no planner, for every model;
//! - otherwise (or with `mode: "agent"`) the skills' text guides the LLM planner, which must
//!   be configured (else 501 naming `--llm-base-url`).

use base64::Engine as _;
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use vitrine_agent::{AgentError, AgentEvent, AgentOutcome, AgentRequest};
use vitrine_store::SkillRecord;
use vitrine_wire::chat::ChatCompletionRequest;

use super::bundle::{self, Bundle, BundleError};
use crate::{ApiError, AppState};

/// Most skills in one request.
pub(crate) const MAX_SKILLS_PER_REQUEST: usize = 8;

/// A skill ready to use.
struct Resolved {
    name: String,
    /// Stored skills only.
    record: Option<SkillRecord>,
    bundle: Bundle,
}

impl Resolved {
    fn summary(&self) -> Value {
        let mut summary = json!({
            "name": self.name,
            "source": if self.record.is_some() { "reference" } else { "inline" },
            "program": self.bundle.program.is_some(),
        });
        if let Some(record) = &self.record {
            summary["id"] = json!(record.id);
            summary["skill_version"] = json!(record.version.to_string());
        }
        summary
    }

    /// The text the LLM planner sees.
    fn guidance(&self) -> String {
        let mut text = format!("## Skill `{}`", self.name);
        if !self.bundle.description.is_empty() {
            text.push_str(&format!("\n{}", self.bundle.description));
        }
        if !self.bundle.instructions.is_empty() {
            text.push_str(&format!("\n\n{}", self.bundle.instructions));
        }
        if let Some(program) = &self.bundle.program
            && let Ok(steps) = serde_json::to_string(&program.steps)
        {
            text.push_str(&format!(
                "\n\nIts saved plan (steps over the same tools): {steps}"
            ));
        }
        text
    }
}

/// A bundle error as the client sees it, naming the field at fault.
pub(crate) fn bundle_error(error: BundleError, param: &str) -> ApiError {
    match error {
        BundleError::TooLarge(message) => ApiError::TooLarge(message),
        BundleError::Invalid(message) => {
            ApiError::invalid("invalid_skill", message, Some(param.to_owned()))
        }
    }
}

/// `"latest"`, `"3"`, `3` or absent → a version (`None` = the latest).
pub(crate) fn parse_version(value: Option<&Value>, param: &str) -> Result<Option<u32>, ApiError> {
    let bad = || {
        ApiError::bad_request(
            format!("`{param}` must be `latest` or a version number such as `2`"),
            Some(param.to_owned()),
        )
    };
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) if text.is_empty() || text == "latest" => Ok(None),
        Some(Value::String(text)) => text.parse().map(Some).map_err(|_| bad()),
        Some(Value::Number(number)) => number
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .map(Some)
            .ok_or_else(bad),
        Some(_) => Err(bad()),
    }
}

/// A stored skill by id (`skill_…`) or name (`name`, `name:3`, `name:latest`).
pub(crate) async fn lookup(
    state: &AppState,
    tenant: &str,
    skill_id: &str,
    version: Option<u32>,
) -> Result<SkillRecord, ApiError> {
    if skill_id.starts_with("skill_") {
        return Ok(state.skills.skill(tenant, skill_id, version).await?);
    }
    let (name, version) = match skill_id.rsplit_once(':') {
        Some((name, suffix)) if version.is_none() => {
            (name, parse_version(Some(&json!(suffix)), "skill_id")?)
        }
        _ => (skill_id, version),
    };
    Ok(state.skills.skill_by_name(tenant, name, version).await?)
}

async fn resolve_one(
    state: &AppState,
    tenant: &str,
    item: &Value,
    param: &str,
) -> Result<Resolved, ApiError> {
    let text = |key: &str| {
        item.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    match text("type").unwrap_or("skill_reference") {
        "skill_reference" => {
            let skill_id = text("skill_id")
                .or_else(|| text("skill_name"))
                .ok_or_else(|| {
                    ApiError::bad_request(
                        format!("`{param}` is a `skill_reference` without `skill_id`"),
                        Some(format!("{param}.skill_id")),
                    )
                })?;
            let version = parse_version(
                item.get("skill_version").or_else(|| item.get("version")),
                &format!("{param}.skill_version"),
            )?;
            let record = lookup(state, tenant, skill_id, version).await?;
            let bytes = state.skills.skill_bundle(&record).await?;
            let bundle = bundle::open(&bytes).map_err(|error| bundle_error(error, param))?;
            Ok(Resolved {
                name: record.name.clone(),
                record: Some(record),
                bundle,
            })
        }
        "inline" => {
            let data_param = format!("{param}.source.data");
            let data = item
                .pointer("/source/data")
                .or_else(|| item.get("bundle"))
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    ApiError::bad_request(
                        format!(
                            "`{param}` is an `inline` skill without `source.data` (a base64 zip)"
                        ),
                        Some(data_param.clone()),
                    )
                })?;
            if let Some(kind) = item.pointer("/source/type").and_then(Value::as_str)
                && kind != "base64"
            {
                return Err(ApiError::bad_request(
                    format!("`{param}.source.type` is `{kind}`; only `base64` is supported"),
                    Some(format!("{param}.source.type")),
                ));
            }
            // Base64 is 4/3 of the bytes: refuse before decoding anything too large.
            if data.len() / 4 * 3 > bundle::MAX_BUNDLE_BYTES + 3 {
                return Err(bundle_error(
                    BundleError::TooLarge(format!(
                        "the inline skill bundle is larger than {} bytes",
                        bundle::MAX_BUNDLE_BYTES
                    )),
                    &data_param,
                ));
            }
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|error| {
                    ApiError::bad_request(
                        format!("`{data_param}` is not base64: {error}"),
                        Some(data_param.clone()),
                    )
                })?;
            let bundle = bundle::open(&bytes).map_err(|error| bundle_error(error, &data_param))?;
            let name = text("name")
                .map(str::to_owned)
                .unwrap_or_else(|| bundle.name.clone());
            Ok(Resolved {
                name: if name.is_empty() {
                    "inline".to_owned()
                } else {
                    name
                },
                record: None,
                bundle,
            })
        }
        other => Err(ApiError::bad_request(
            format!("`{param}.type` is `{other}`; use `skill_reference` or `inline`"),
            Some(format!("{param}.type")),
        )),
    }
}

/// Runs the agent for a chat request, with its skills: returns what the agent did and one
/// summary per skill used (for the response's `vitrine` extension). The outer error is about
/// the skills themselves; the inner one is the agent's, for the caller to map.
pub(crate) async fn run(
    state: &AppState,
    tenant: &str,
    request: &ChatCompletionRequest,
    agent_request: AgentRequest,
    events: Option<UnboundedSender<AgentEvent>>,
) -> Result<(Result<AgentOutcome, AgentError>, Vec<Value>), ApiError> {
    let items = request.skills.as_deref().unwrap_or_default();
    if items.is_empty() {
        return Ok((state.agent.run(agent_request, events).await, Vec::new()));
    }
    if items.len() > MAX_SKILLS_PER_REQUEST {
        return Err(ApiError::bad_request(
            format!(
                "`skills` has {} items; at most {MAX_SKILLS_PER_REQUEST} are allowed",
                items.len()
            ),
            Some("skills".to_owned()),
        ));
    }
    let agent_mode = match request.extra.get("mode") {
        None | Some(Value::Null) => false,
        Some(Value::String(mode)) if mode == "program" => false,
        Some(Value::String(mode)) if mode == "agent" => true,
        Some(other) => {
            return Err(ApiError::bad_request(
                format!("`mode` is {other}; use `program` (the default) or `agent`"),
                Some("mode".to_owned()),
            ));
        }
    };
    let mut skills = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        skills.push(resolve_one(state, tenant, item, &format!("skills[{index}]")).await?);
    }
    let summaries: Vec<Value> = skills.iter().map(Resolved::summary).collect();
    let programs: Vec<&Resolved> = skills
        .iter()
        .filter(|skill| skill.bundle.program.is_some())
        .collect();
    if !agent_mode {
        match programs.as_slice() {
            [skill] => {
                if let Some(program) = &skill.bundle.program {
                    let outcome = state
                        .agent
                        .run_program(&skill.name, program, agent_request, events)
                        .await;
                    return Ok((outcome, summaries));
                }
            }
            [] => {}
            _ => {
                return Err(ApiError::bad_request(
                    format!(
                        "the skills {} each have a `plan.json`; a request can run one saved plan",
                        programs
                            .iter()
                            .map(|skill| format!("`{}`", skill.name))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Some("skills".to_owned()),
                ));
            }
        }
    }
    let why = if agent_mode {
        "`mode: \"agent\"` with skills".to_owned()
    } else {
        format!(
            "the skill `{}` (it has no `plan.json`, so its `SKILL.md` guides a planner)",
            skills[0].name
        )
    };
    let guidance: Vec<String> = skills.iter().map(Resolved::guidance).collect();
    let outcome = state
        .agent
        .run_guided(&why, &guidance, agent_request, events)
        .await;
    Ok((outcome, summaries))
}
