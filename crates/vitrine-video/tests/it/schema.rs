use schemars::{JsonSchema, schema_for};
use serde_json::Value;
use vitrine_video::{
    ContactSheetParams, ExtractAudioParams, ExtractFramesParams, MapFramesParams, ThumbnailParams,
    TranscodeParams, TrimParams,
};

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

fn assert_documented<T: JsonSchema>() -> usize {
    let schema = serde_json::to_value(schema_for!(T)).expect("schema as JSON");
    let mut found = Vec::new();
    properties(&schema, "", &mut found);
    for (path, property) in &found {
        // The `mode` tag of a tagged enum: the variant itself carries the description.
        if property.get("const").is_some() {
            continue;
        }
        let description = property.get("description").and_then(Value::as_str);
        assert!(
            description.is_some_and(|text| text.len() > 10),
            "{} property `{path}` has no description: {property}",
            std::any::type_name::<T>()
        );
    }
    found.len()
}

#[test]
fn every_parameter_a_planner_sees_is_described() {
    let counted = [
        assert_documented::<TrimParams>(),
        assert_documented::<ExtractFramesParams>(),
        assert_documented::<ThumbnailParams>(),
        assert_documented::<ContactSheetParams>(),
        assert_documented::<TranscodeParams>(),
        assert_documented::<ExtractAudioParams>(),
        assert_documented::<MapFramesParams>(),
    ];
    assert_eq!(counted[0], 3, "start_s, end_s, mode");
    // selection, format, max_side, plus a tag and a field in each of the three variants.
    assert_eq!(counted[1], 9);
}
