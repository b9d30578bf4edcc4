//! The answer a chat completion gives before the agent lands: a factual
//! account of the inputs it stored, and structured output filled only with
//! those inputs and that account. Nothing here invents content.

use serde_json::{Map, Value, json};
use vitrine_wire::chat::{ChatCompletionRequest, MessageContent, ResponseFormat, Usage};
use vitrine_wire::{ArtifactId, ArtifactKind};

use crate::ApiError;
use crate::ingest::{Input, Origin};

/// String fields that a factual account of the inputs honestly fills.
const ACCOUNT_FIELDS: [&str; 8] = [
    "notes",
    "note",
    "summary",
    "description",
    "explanation",
    "message",
    "answer",
    "details",
];

/// The answer text and the refs it names.
pub(crate) struct Answer {
    pub(crate) content: String,
}

/// Builds the answer for a request whose inputs are stored.
pub(crate) fn compose(
    request: &ChatCompletionRequest,
    inputs: &[Input],
) -> Result<Answer, ApiError> {
    let account = account(inputs);
    let content = match &request.response_format {
        None | Some(ResponseFormat::Text) => account,
        Some(ResponseFormat::JsonObject) => json!({
            "inputs": inputs.iter().map(describe_input).collect::<Vec<_>>(),
            "notes": account,
        })
        .to_string(),
        Some(format @ ResponseFormat::JsonSchema { .. }) => {
            let schema = format.schema().ok_or_else(|| {
                ApiError::bad_request(
                    "`response_format` of type `json_schema` needs a `schema` (or `json_schema.schema`)",
                    Some("response_format".to_owned()),
                )
            })?;
            fill_schema(schema, inputs, &account)?.to_string()
        }
    };
    Ok(Answer { content })
}

/// The account a server without an agent gives: what it stored, and that no
/// tools ran.
fn account(inputs: &[Input]) -> String {
    if inputs.is_empty() {
        return "No media inputs were received, and no tools ran: this Vitrine build has no planner yet, \
                so it can only store inputs and report on them. Attach an image, video, audio file or PDF \
                (as a URL, a data URL, an uploaded file_id, or an artifact ref) to have it stored in this session."
            .into();
    }
    format!(
        "{}\nNo tools ran on them: this Vitrine build has no planner yet, so it can only store inputs and report on them.",
        stored_inputs(inputs)
    )
}

/// One line per stored input: its ref, type, size and origin.
pub(crate) fn stored_inputs(inputs: &[Input]) -> String {
    let mut text = format!(
        "Received {} input{}, stored as artifacts of this session:",
        inputs.len(),
        if inputs.len() == 1 { "" } else { "s" }
    );
    for input in inputs {
        let artifact = &input.artifact;
        let mut facts = vec![artifact.content_type.clone()];
        if let (Some(width), Some(height)) = (artifact.media.width, artifact.media.height) {
            facts.push(format!("{width}×{height}"));
        }
        facts.push(human_bytes(artifact.size));
        facts.push(match &input.origin {
            Origin::Url(url) => format!("fetched from {url}"),
            Origin::DataUrl => "decoded from a data URL".into(),
            Origin::File(id) => format!("from uploaded file {id}"),
            Origin::Ref => "already in this session".into(),
        });
        text.push_str(&format!("\n- {}: {}", artifact.id, facts.join(", ")));
    }
    text
}

fn describe_input(input: &Input) -> Value {
    let artifact = &input.artifact;
    json!({
        "id": artifact.id,
        "kind": artifact.kind,
        "content_type": artifact.content_type,
        "bytes": artifact.size,
        "width": artifact.media.width,
        "height": artifact.media.height,
    })
}

fn human_bytes(size: u64) -> String {
    match size {
        0..1_000 => format!("{size} B"),
        1_000..1_000_000 => format!("{:.1} KB", size as f64 / 1e3),
        _ => format!("{:.1} MB", size as f64 / 1e6),
    }
}

/// Follows a local `$ref` (`#/$defs/Name`) to its target.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        let Some(reference) = current.get("$ref").and_then(Value::as_str) else {
            return current;
        };
        match reference
            .strip_prefix('#')
            .and_then(|pointer| root.pointer(pointer))
        {
            Some(target) => current = target,
            None => return current,
        }
    }
    current
}

/// The artifact kind of a ref-typed schema: an object whose `id` has a
/// pattern naming the prefix, as pydantic emits for `ImageRef` and friends.
pub(crate) fn ref_kind(schema: &Value, root: &Value) -> Option<ArtifactKind> {
    let schema = resolve(schema, root);
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        return options.iter().find_map(|option| ref_kind(option, root));
    }
    let pattern = schema.pointer("/properties/id/pattern")?.as_str()?;
    let prefix = pattern.trim_start_matches('^').split('_').next()?;
    ArtifactKind::from_prefix(prefix)
}

fn fill_schema(schema: &Value, inputs: &[Input], account: &str) -> Result<Value, ApiError> {
    let root = schema;
    let object = resolve(schema, root);
    let properties = object
        .get("properties")
        .and_then(Value::as_object)
        .ok_or_else(|| {
            ApiError::invalid(
                "schema_unsatisfiable",
                "the `response_format` schema must describe an object with `properties`",
                Some("response_format".to_owned()),
            )
        })?;
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut used: Vec<&ArtifactId> = Vec::new();
    let mut filled = Map::new();
    for (name, property) in properties {
        let is_required = required.contains(&name.as_str());
        let unfillable = |why: String| {
            ApiError::invalid(
                "schema_unsatisfiable",
                format!(
                    "cannot fill `{name}` in `response_format`: {why}. This Vitrine build has no planner yet, so it can only return the inputs it stored and an account of them"
                ),
                Some(format!("response_format.schema.properties.{name}")),
            )
        };
        if let Some(kind) = ref_kind(property, root) {
            match inputs
                .iter()
                .find(|input| input.artifact.kind == kind && !used.contains(&&input.artifact.id))
            {
                Some(input) => {
                    used.push(&input.artifact.id);
                    filled.insert(name.clone(), json!({ "id": input.artifact.id }));
                }
                None if is_required => {
                    return Err(unfillable(format!(
                        "it is a {} and the request has no unused {} input to put there",
                        kind.ref_type_name(),
                        kind.noun()
                    )));
                }
                None => {}
            }
            continue;
        }
        let resolved = resolve(property, root);
        if let Some(kind) = resolved
            .get("items")
            .and_then(|items| ref_kind(items, root))
        {
            let refs: Vec<Value> = inputs
                .iter()
                .filter(|input| input.artifact.kind == kind)
                .map(|input| json!({ "id": input.artifact.id }))
                .collect();
            filled.insert(name.clone(), Value::Array(refs));
            continue;
        }
        let is_string = resolved.get("type").and_then(Value::as_str) == Some("string");
        if is_string && ACCOUNT_FIELDS.contains(&name.to_ascii_lowercase().as_str()) {
            filled.insert(name.clone(), Value::String(account.to_owned()));
        } else if is_required {
            return Err(unfillable("only the agent could know its value".into()));
        }
    }
    let value = Value::Object(filled);
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(schema)
        .map_err(|error| {
            ApiError::invalid(
                "invalid_schema",
                format!("the `response_format` schema is not a valid JSON Schema: {error}"),
                Some("response_format".to_owned()),
            )
        })?;
    if let Some(error) = validator.iter_errors(&value).next() {
        return Err(ApiError::invalid(
            "schema_unsatisfiable",
            format!(
                "the answer Vitrine can give does not satisfy the `response_format` schema at `{}`: {error}",
                error.instance_path()
            ),
            Some("response_format".to_owned()),
        ));
    }
    Ok(value)
}

/// Token counts, estimated at four characters per token (there is no
/// language model in this build to count real tokens).
pub(crate) fn usage(request: &ChatCompletionRequest, content: &str) -> Usage {
    let prompt_chars: usize = request
        .messages
        .iter()
        .filter_map(|message| message.content.as_ref())
        .map(|content| match content {
            MessageContent::Text(text) => text.chars().count(),
            MessageContent::Parts(parts) => parts
                .iter()
                .map(|part| match part {
                    vitrine_wire::chat::ContentPart::Text { text } => text.chars().count(),
                    _ => 0,
                })
                .sum(),
        })
        .sum();
    let prompt_tokens = prompt_chars.div_ceil(4) as u64;
    let completion_tokens = content.chars().count().div_ceil(4) as u64;
    Usage {
        prompt_tokens,
        completion_tokens,
        total_tokens: prompt_tokens + completion_tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_pydantic_ref_fields() {
        let schema = json!({
            "$defs": {"ImageRef": {"type": "object", "properties": {"id": {"type": "string", "pattern": "^img_\\w{6}$"}}, "required": ["id"]}},
            "properties": {
                "redacted_image": {"$ref": "#/$defs/ImageRef"},
                "maybe": {"anyOf": [{"$ref": "#/$defs/ImageRef"}, {"type": "null"}]},
                "notes": {"type": "string"}
            },
            "type": "object"
        });
        let properties = &schema["properties"];
        assert_eq!(
            ref_kind(&properties["redacted_image"], &schema),
            Some(ArtifactKind::Image)
        );
        assert_eq!(
            ref_kind(&properties["maybe"], &schema),
            Some(ArtifactKind::Image)
        );
        assert_eq!(ref_kind(&properties["notes"], &schema), None);
    }
}
