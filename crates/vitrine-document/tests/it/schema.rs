use schemars::{JsonSchema, schema_for};
use serde_json::Value;
use vitrine_document::{ImagesToPdfParams, RenderParams};

/// Every property of every object in the schema (including `$defs`), with its path.
fn properties(value: &Value, path: &str, found: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, property) in properties {
                    found.push((format!("{path}.{name}"), property.clone()));
                }
            }
            for (key, child) in map {
                properties(child, &format!("{path}/{key}"), found);
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                properties(child, &format!("{path}[{index}]"), found);
            }
        }
        _ => {}
    }
}

fn documented_properties<T: JsonSchema>() -> Vec<String> {
    let schema = serde_json::to_value(schema_for!(T)).expect("schema as JSON");
    let mut found = Vec::new();
    properties(&schema, "", &mut found);
    for (path, property) in &found {
        let description = property.get("description").and_then(Value::as_str);
        assert!(
            description.is_some_and(|text| text.len() > 10),
            "property `{path}` has no description: {property}"
        );
    }
    found.into_iter().map(|(path, _)| path).collect()
}

#[test]
fn every_parameter_a_planner_sees_is_described() {
    let render = documented_properties::<RenderParams>();
    // pages, dpi, and the range variant's first and last.
    assert_eq!(render.len(), 4, "{render:?}");
    assert_eq!(documented_properties::<ImagesToPdfParams>().len(), 1);
}
