//! Structured output: fills the caller's `response_format` JSON Schema from what ran.
//!
//! Ref fields (pydantic's `ImageRef`, `VideoRef`, ... `$defs`: an object whose `id` has a
//! `pattern` naming the prefix) take the plan's final outputs of the matching kind in order
//! (arrays take all of them). Other fields take only facts the tools reported: counts for
//! integer fields named after what was counted, the OCR text, labels, and a sentence for
//! `notes`-like strings. A required field that nothing that ran can fill is an error naming the
//! field, never a guess; the result is validated against the schema before it is returned.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Map, Value, json};
use vitrine_store::ArtifactMeta;
use vitrine_wire::ArtifactKind;

use crate::error::AgentError;
use crate::executor::ExecutedPlan;
use crate::plan::with_article;
use vitrine_tools::ToolCatalog;
use vitrine_tools::meaning::FactKind;

/// Extracts the JSON Schema from any of the `response_format` shapes clients send:
/// `{"type": "json_schema", "schema": S}`, `{"type": "json_schema", "json_schema": {"name",
/// "schema"}}`, `{"name", "schema"}`, or the bare schema. `{"type": "json_object"}` gives a
/// schema that accepts any object; `{"type": "text"}` and `null` mean no schema.
pub fn unwrap_schema(format: &Value) -> Option<Value> {
    if let Some(schema) = format
        .get("json_schema")
        .and_then(|inner| inner.get("schema"))
    {
        return Some(schema.clone());
    }
    if let Some(schema) = format.get("schema").filter(|schema| schema.is_object()) {
        return Some(schema.clone());
    }
    match format.get("type").and_then(Value::as_str) {
        Some("json_object") => return Some(json!({"type": "object"})),
        Some("text") => return None,
        _ => {}
    }
    if format.is_null() {
        return None;
    }
    Some(format.clone())
}

/// Follows a local `$ref` (`#/$defs/ImageRef`) and merges sibling keys such as `description`.
fn resolve<'a>(root: &'a Value, node: &'a Value) -> Value {
    let mut current = node.clone();
    for _ in 0..16 {
        let Some(target) = current.get("$ref").and_then(Value::as_str) else {
            break;
        };
        let Some(pointer) = target.strip_prefix('#') else {
            break;
        };
        let Some(found) = root.pointer(pointer) else {
            break;
        };
        let mut merged = found.clone();
        if let (Value::Object(merged_map), Value::Object(siblings)) = (&mut merged, &current) {
            for (key, value) in siblings {
                if key != "$ref" {
                    merged_map.insert(key.clone(), value.clone());
                }
            }
        }
        current = merged;
    }
    current
}

/// The artifact kind of a ref schema (an object with an `id` whose pattern names a prefix).
fn ref_kind(schema: &Value) -> Option<ArtifactKind> {
    let pattern = schema
        .get("properties")?
        .get("id")?
        .get("pattern")?
        .as_str()?;
    let prefix = pattern.strip_prefix('^')?.split('_').next()?;
    ArtifactKind::from_prefix(prefix)
}

fn type_of(schema: &Value) -> Option<&str> {
    match schema.get("type") {
        Some(Value::String(name)) => Some(name.as_str()),
        Some(Value::Array(names)) => names
            .iter()
            .filter_map(Value::as_str)
            .find(|name| *name != "null"),
        _ => None,
    }
}

/// The non-null alternative of `Optional[X]` (`anyOf: [X, {"type": "null"}]`).
fn optional_inner(schema: &Value) -> Option<&Value> {
    let options = schema
        .get("anyOf")
        .or_else(|| schema.get("oneOf"))?
        .as_array()?;
    let mut non_null = options
        .iter()
        .filter(|option| option.get("type").and_then(Value::as_str) != Some("null"));
    let inner = non_null.next()?;
    non_null.next().is_none().then_some(inner)
}

fn allows_null(schema: &Value) -> bool {
    let null_option = |options: &Value| {
        options.as_array().is_some_and(|options| {
            options
                .iter()
                .any(|option| option.get("type").and_then(Value::as_str) == Some("null"))
        })
    };
    schema.get("anyOf").is_some_and(null_option)
        || schema.get("oneOf").is_some_and(null_option)
        || schema
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t.as_str() == Some("null")))
}

struct Filler<'a> {
    root: &'a Value,
    plan: &'a ExecutedPlan,
    inputs: &'a [ArtifactMeta],
    /// Final outputs first, then intermediate ones, per kind; fields take from the front.
    queues: BTreeMap<&'static str, VecDeque<ArtifactMeta>>,
    made: &'a [ArtifactMeta],
    /// What was done and not done, for `notes`-like fields.
    notes: &'a str,
    /// The tools, whose declared facts answer count, text and label fields.
    catalog: &'a ToolCatalog,
    /// True when the request asked for its input back: ref fields take the inputs.
    returns_input: bool,
}

/// Words in a field's name and description.
fn words(name: &str, schema: &Value) -> String {
    let mut text = name.replace(['_', '-'], " ").to_lowercase();
    for key in ["description", "title"] {
        if let Some(more) = schema.get(key).and_then(Value::as_str) {
            text.push(' ');
            text.push_str(&more.to_lowercase());
        }
    }
    text
}

fn has_any(text: &str, needles: &[&str]) -> bool {
    needles.iter().any(|needle| text.contains(needle))
}

impl Filler<'_> {
    /// The first fact of `kind` that a step reported and whose tool declares it as about a word
    /// of the field's name or description.
    fn declared_fact(&self, kind: FactKind, text: &str) -> Option<Option<&Value>> {
        let mut about_field = false;
        for step in &self.plan.steps {
            let Some(tool) = self.catalog.get(&step.tool) else {
                continue;
            };
            for fact in tool.meaning().facts {
                if fact.kind == kind && has_any(text, fact.about) {
                    about_field = true;
                    if let Some(value) = step.facts.get(fact.key) {
                        return Some(Some(value));
                    }
                }
            }
        }
        about_field.then_some(None)
    }

    fn count(&self, text: &str) -> Result<Option<u64>, String> {
        match self.declared_fact(FactKind::Count, text) {
            Some(Some(value)) => return Ok(value.as_u64()),
            Some(None) => {
                return Err(format!(
                    "it asks for a count of something no step of the plan counted (the plan ran: {})",
                    self.tools_ran()
                ));
            }
            None => {}
        }
        if has_any(text, &["count", "number", "total", "how many", "num "]) {
            let counts: Vec<u64> = self
                .plan
                .steps
                .iter()
                .filter_map(|step| step.facts.get("count").and_then(Value::as_u64))
                .collect();
            if counts.len() == 1 {
                return Ok(Some(counts[0]));
            }
        }
        Ok(None)
    }

    fn tools_ran(&self) -> String {
        self.plan
            .steps
            .iter()
            .map(|step| format!("`{}`", step.tool))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn made_list(&self) -> String {
        if self.made.is_empty() {
            return "it made no artifacts".to_owned();
        }
        let list: Vec<String> = self
            .made
            .iter()
            .map(|meta| format!("`{}` ({})", meta.id, meta.kind.noun()))
            .collect();
        format!("it made {}", list.join(", "))
    }

    fn take_ref(&mut self, kind: ArtifactKind, name: &str, text: &str) -> Option<ArtifactMeta> {
        if has_any(text, &["original", "input", "source"])
            && let Some(input) = self.inputs.iter().find(|input| input.kind == kind)
        {
            return Some(input.clone());
        }
        // A field named like what a step was asked for (`front` and a prompt asking for "the
        // front view") takes that step's output; JSON objects do not keep field order.
        let wanted = format!("the {} view", name.replace('_', " ").to_lowercase());
        let plan = self.plan;
        let queue = self.queues.get_mut(kind.prefix())?;
        let named = queue.iter().position(|meta| {
            plan.artifacts.iter().any(|(step_id, made)| {
                made.id == meta.id
                    && plan.steps.iter().any(|step| {
                        step.id == *step_id
                            && step
                                .args
                                .get("prompt")
                                .and_then(Value::as_str)
                                .is_some_and(|prompt| prompt.to_lowercase().contains(&wanted))
                    })
            })
        });
        match named {
            Some(index) => queue.remove(index),
            None => queue.pop_front(),
        }
    }

    /// The input of `kind`, when the request asked for its input back.
    fn returned_input(&self, kind: ArtifactKind) -> Option<ArtifactMeta> {
        if !self.returns_input {
            return None;
        }
        self.inputs.iter().find(|input| input.kind == kind).cloned()
    }

    /// Fills one value; `Ok(None)` means "nothing to say" (fine for optional fields).
    fn fill(&mut self, path: &str, name: &str, node: &Value) -> Result<Option<Value>, AgentError> {
        let schema = resolve(self.root, node);
        let unsatisfiable = |why: String| AgentError::SchemaUnsatisfiable {
            field: path.to_owned(),
            why,
        };
        if let Some(kind) = ref_kind(&schema) {
            let text = words(name, &schema);
            let taken = self
                .take_ref(kind, name, &text)
                .or_else(|| self.returned_input(kind));
            return match taken {
                Some(meta) => Ok(Some(json!({"id": meta.id.to_string()}))),
                None => Err(unsatisfiable(format!(
                    "it needs {} ref, but the plan made none ({})",
                    with_article(kind.noun()),
                    self.made_list()
                ))),
            };
        }
        if let Some(inner) = optional_inner(&schema) {
            let inner = resolve(self.root, inner);
            let mut merged = inner.clone();
            if let (Value::Object(map), Some(description)) =
                (&mut merged, schema.get("description"))
            {
                map.entry("description").or_insert(description.clone());
            }
            return match self.fill(path, name, &merged) {
                Ok(value) => Ok(value.or(Some(Value::Null))),
                Err(AgentError::SchemaUnsatisfiable { .. }) => Ok(Some(Value::Null)),
                Err(other) => Err(other),
            };
        }
        if schema.get("const").is_some() {
            return Ok(schema.get("const").cloned());
        }
        let text = words(name, &schema);
        match type_of(&schema) {
            Some("object") => self.fill_object(path, &schema).map(Some),
            Some("array") => {
                let items = schema.get("items").map(|items| resolve(self.root, items));
                if let Some(kind) = items.as_ref().and_then(ref_kind) {
                    let mut refs = Vec::new();
                    if let Some(queue) = self.queues.get_mut(kind.prefix()) {
                        // An array takes every final output of its kind.
                        let finals: Vec<ArtifactMeta> = queue
                            .iter()
                            .filter(|meta| self.plan.final_refs.contains(&meta.id.to_string()))
                            .cloned()
                            .collect();
                        let take = if finals.is_empty() {
                            queue.iter().cloned().collect()
                        } else {
                            finals
                        };
                        queue.retain(|meta| !take.contains(meta));
                        refs = take;
                    }
                    return Ok(Some(Value::Array(
                        refs.iter()
                            .map(|meta| json!({"id": meta.id.to_string()}))
                            .collect(),
                    )));
                }
                let item_type = items.as_ref().and_then(type_of);
                if item_type == Some("string")
                    && let Some(list) = self.string_list(&text)
                {
                    return Ok(Some(list));
                }
                Ok(None)
            }
            Some("integer") | Some("number") => {
                if let Some(n) = self.count(&text).map_err(unsatisfiable)? {
                    return Ok(Some(json!(n)));
                }
                if let Some(dimension) = ["width", "height"].into_iter().find(|d| text.contains(d))
                    && let Some(value) = self.final_dimension(dimension)
                {
                    return Ok(Some(json!(value)));
                }
                Ok(None)
            }
            Some("boolean") => {
                let n = self.count(&text).map_err(unsatisfiable)?;
                Ok(n.map(|n| Value::Bool(n > 0)))
            }
            Some("string") => {
                if schema.get("enum").is_some() {
                    return Ok(None);
                }
                if !has_any(&text, &["note", "summary"])
                    && let Some(Some(found)) = self.declared_fact(FactKind::Text, &text)
                {
                    return Ok(Some(found.clone()));
                }
                if has_any(
                    &text,
                    &[
                        "note",
                        "summary",
                        "description",
                        "descri",
                        "explan",
                        "message",
                        "detail",
                        "comment",
                        "reason",
                        "log",
                        "caption",
                        "result",
                        "answer",
                        "status",
                        "report",
                        "what was",
                        "action",
                        "change",
                        "redaction",
                    ],
                ) {
                    return Ok(Some(Value::String(self.notes.to_owned())));
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    fn string_list(&self, text: &str) -> Option<Value> {
        if let Some(Some(found)) = self.declared_fact(FactKind::Labels, text) {
            return match found {
                Value::Object(map) => Some(Value::Array(
                    map.keys().cloned().map(Value::String).collect(),
                )),
                Value::Array(_) => Some(found.clone()),
                _ => None,
            };
        }
        if has_any(text, &["line", "text"])
            && let Some(lines) = self
                .plan
                .facts_of("ocr")
                .and_then(|facts| facts.get("lines"))
                .and_then(Value::as_array)
        {
            return Some(Value::Array(
                lines
                    .iter()
                    .filter_map(|line| line.get("text").cloned())
                    .collect(),
            ));
        }
        None
    }

    fn final_dimension(&self, dimension: &str) -> Option<u32> {
        let meta = self
            .made
            .iter()
            .rev()
            .find(|meta| self.plan.final_refs.contains(&meta.id.to_string()))?;
        match dimension {
            "width" => meta.media.width,
            _ => meta.media.height,
        }
    }

    fn fill_object(&mut self, path: &str, schema: &Value) -> Result<Value, AgentError> {
        let mut out = Map::new();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(Value::Object(properties)) = schema.get("properties") else {
            if path.is_empty() {
                // `json_object` or a schema without properties: report refs and the summary.
                out.insert("notes".to_owned(), Value::String(self.notes.to_owned()));
                out.insert(
                    "refs".to_owned(),
                    Value::Array(
                        self.plan
                            .final_refs
                            .iter()
                            .map(|id| json!({"id": id}))
                            .collect(),
                    ),
                );
            }
            return Ok(Value::Object(out));
        };
        for (name, property) in properties {
            let field = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let is_required = required.contains(&name.as_str());
            match self.fill(&field, name, property) {
                Ok(Some(value)) => {
                    out.insert(name.clone(), value);
                }
                Ok(None) => {
                    let resolved = resolve(self.root, property);
                    if let Some(default) = resolved.get("default") {
                        out.insert(name.clone(), default.clone());
                    } else if allows_null(&resolved) {
                        out.insert(name.clone(), Value::Null);
                    } else if is_required {
                        return Err(AgentError::SchemaUnsatisfiable {
                            field,
                            why: format!(
                                "nothing that ran reports a value for it (the plan ran: {}); only artifacts and facts the tools observed are filled in",
                                self.tools_ran()
                            ),
                        });
                    }
                }
                Err(error) if !is_required => {
                    // An optional field we cannot fill is left out rather than invented.
                    tracing::debug!(%error, "optional field left out");
                }
                Err(error) => return Err(error),
            }
        }
        Ok(Value::Object(out))
    }
}

/// Kinds of ref fields in `schema` that must be filled, to check a plan before it runs.
pub fn required_ref_kinds(schema: &Value) -> Vec<(String, ArtifactKind)> {
    let mut out = Vec::new();
    let root = schema;
    let resolved = resolve(root, root);
    let required: Vec<&str> = resolved
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(Value::Object(properties)) = resolved.get("properties") {
        for (name, property) in properties {
            if !required.contains(&name.as_str()) {
                continue;
            }
            let property = resolve(root, property);
            if let Some(kind) = ref_kind(&property) {
                out.push((name.clone(), kind));
            }
        }
    }
    out
}

/// What an answer knows besides the executed plan.
#[derive(Debug, Clone, Copy)]
pub struct Answering<'a> {
    /// What was done and not done, for `notes`-like fields.
    pub notes: &'a str,
    /// The tools, whose declared facts answer count, text and label fields.
    pub catalog: &'a ToolCatalog,
    /// True when the request asked for its input back: ref fields take the inputs.
    pub returns_input: bool,
}

/// Fills `schema` from the executed plan and validates the result.
pub fn fill(
    schema: &Value,
    plan: &ExecutedPlan,
    inputs: &[ArtifactMeta],
    made: &[ArtifactMeta],
    answering: &Answering<'_>,
) -> Result<Value, AgentError> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|error| AgentError::InvalidSchema(error.to_string()))?;
    let mut queues: BTreeMap<&'static str, VecDeque<ArtifactMeta>> = BTreeMap::new();
    let is_final = |meta: &ArtifactMeta| plan.final_refs.contains(&meta.id.to_string());
    for meta in made.iter().filter(|meta| is_final(meta)) {
        queues
            .entry(meta.kind.prefix())
            .or_default()
            .push_back(meta.clone());
    }
    for meta in made.iter().filter(|meta| !is_final(meta)).rev() {
        // Later intermediate results are closer to the final one.
        queues
            .entry(meta.kind.prefix())
            .or_default()
            .push_back(meta.clone());
    }
    let mut filler = Filler {
        root: schema,
        plan,
        inputs,
        queues,
        made,
        notes: answering.notes,
        catalog: answering.catalog,
        returns_input: answering.returns_input,
    };
    let root = resolve(schema, schema);
    let value = match type_of(&root) {
        Some("object") | None => filler.fill_object("", &root)?,
        Some(other) => {
            return Err(AgentError::SchemaUnsatisfiable {
                field: "(root)".to_owned(),
                why: format!("the top level must be an object, not `{other}`"),
            });
        }
    };
    if let Some(error) = validator.iter_errors(&value).next() {
        let at = error.instance_path().to_string();
        let field = if at.is_empty() {
            "(root)".to_owned()
        } else {
            at.trim_start_matches('/').replace('/', ".")
        };
        return Err(AgentError::SchemaUnsatisfiable {
            field,
            why: format!("the filled value does not validate: {error}"),
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use vitrine_store::{MediaInfo, Provenance};
    use vitrine_wire::{ArtifactId, SessionId};

    use super::*;
    use crate::executor::ExecutedStep;

    static CATALOG: std::sync::LazyLock<ToolCatalog> =
        std::sync::LazyLock::new(ToolCatalog::standard);

    fn answering() -> Answering<'static> {
        answering_with("Done.")
    }

    /// Answers with the notes the tools' own summaries give for `plan`.
    fn answering_with(notes: &str) -> Answering<'_> {
        Answering {
            notes,
            catalog: &CATALOG,
            returns_input: false,
        }
    }

    fn meta(kind: ArtifactKind) -> ArtifactMeta {
        ArtifactMeta {
            id: ArtifactId::generate(kind),
            session_id: SessionId::generate(),
            tenant: "t".to_owned(),
            kind,
            content_type: "image/jpeg".to_owned(),
            size: 1,
            sha256: String::new(),
            created_at: 0,
            expires_at: 0,
            media: MediaInfo {
                width: Some(64),
                height: Some(48),
                ..MediaInfo::default()
            },
            provenance: Provenance::default(),
            filename: None,
        }
    }

    fn step(tool: &str, facts: Value) -> ExecutedStep {
        ExecutedStep {
            id: "s1".to_owned(),
            tool: tool.to_owned(),
            args: json!({}),
            started_ms: 0,
            elapsed_ms: 0,
            made: Vec::new(),
            facts,
        }
    }

    fn executed(steps: Vec<ExecutedStep>, made: &[ArtifactMeta], finals: usize) -> ExecutedPlan {
        ExecutedPlan {
            steps,
            elapsed_ms: 0,
            artifacts: made.iter().map(|m| ("s1".to_owned(), m.clone())).collect(),
            final_refs: made[made.len() - finals..]
                .iter()
                .map(|m| m.id.to_string())
                .collect(),
        }
    }

    fn image_ref() -> Value {
        json!({"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"})
    }

    #[test]
    fn every_response_format_shape_unwraps() {
        let schema = json!({"type": "object", "properties": {}});
        assert_eq!(
            unwrap_schema(&json!({"type": "json_schema", "schema": schema})),
            Some(schema.clone())
        );
        assert_eq!(
            unwrap_schema(
                &json!({"type": "json_schema", "json_schema": {"name": "r", "schema": schema, "strict": true}})
            ),
            Some(schema.clone())
        );
        assert_eq!(
            unwrap_schema(&json!({"type": "json_object"})),
            Some(json!({"type": "object"}))
        );
        assert_eq!(unwrap_schema(&json!({"type": "text"})), None);
        assert_eq!(unwrap_schema(&schema), Some(schema.clone()));
    }

    #[test]
    fn refs_take_final_outputs_first_and_arrays_take_them_all() {
        let made = [
            meta(ArtifactKind::Image),
            meta(ArtifactKind::Image),
            meta(ArtifactKind::Image),
        ];
        let plan = executed(vec![step("extract_frames", json!({"count": 2}))], &made, 2);
        let schema = json!({
            "$defs": {"ImageRef": image_ref()},
            "properties": {
                "frames": {"type": "array", "items": {"$ref": "#/$defs/ImageRef"}},
                "frame_count": {"type": "integer"},
                "source": {"anyOf": [{"$ref": "#/$defs/ImageRef"}, {"type": "null"}], "default": null}
            },
            "required": ["frames", "frame_count"],
            "type": "object"
        });
        let inputs = [meta(ArtifactKind::Image)];
        let value = fill(&schema, &plan, &inputs, &made, &answering()).expect("fills");
        assert_eq!(
            value["frames"],
            json!([{"id": made[1].id.to_string()}, {"id": made[2].id.to_string()}])
        );
        assert_eq!(value["frame_count"], 2);
        assert_eq!(
            value["source"],
            json!({"id": inputs[0].id.to_string()}),
            "named as the source"
        );
    }

    #[test]
    fn optional_fields_nothing_reports_are_null_or_left_out() {
        let made = [meta(ArtifactKind::Image)];
        let plan = executed(
            vec![step("grayscale", json!({"width": 64, "height": 48}))],
            &made,
            1,
        );
        let schema = json!({
            "$defs": {"ImageRef": image_ref()},
            "properties": {
                "image": {"$ref": "#/$defs/ImageRef"},
                "caption": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": null},
                "width": {"type": "integer"},
                "mood": {"type": "string"}
            },
            "required": ["image", "width"],
            "type": "object"
        });
        let notes = crate::summary::notes(&plan, &CATALOG, &[], &[]);
        let value = fill(&schema, &plan, &[], &made, &answering_with(&notes)).expect("fills");
        assert_eq!(value["width"], 64);
        assert!(value.get("mood").is_none(), "{value}");
        assert_eq!(
            value["caption"], "Converted the image to grayscale.",
            "caption is a summary word"
        );
    }

    #[test]
    fn a_json_object_answer_lists_refs_and_notes() {
        let made = [meta(ArtifactKind::Image)];
        let plan = executed(
            vec![step("blur_faces", json!({"count": 2, "method": "blur"}))],
            &made,
            1,
        );
        let notes = crate::summary::notes(&plan, &CATALOG, &[], &[]);
        let value = fill(
            &json!({"type": "object"}),
            &plan,
            &[],
            &made,
            &answering_with(&notes),
        )
        .expect("fills");
        assert_eq!(value["notes"], "Blurred 2 faces.");
        assert_eq!(value["refs"], json!([{"id": made[0].id.to_string()}]));
    }

    #[test]
    fn counts_of_things_that_were_not_counted_are_refused() {
        let made = [meta(ArtifactKind::Image)];
        let plan = executed(vec![step("grayscale", json!({}))], &made, 1);
        let schema = json!({"properties": {"face_count": {"type": "integer"}}, "required": ["face_count"], "type": "object"});
        let error = fill(&schema, &plan, &[], &made, &answering()).expect_err("no face count");
        match error {
            AgentError::SchemaUnsatisfiable { field, why } => {
                assert_eq!(field, "face_count");
                assert!(why.contains("nothing that ran reports"), "{why}");
            }
            other => panic!("{other:?}"),
        }
    }
}
