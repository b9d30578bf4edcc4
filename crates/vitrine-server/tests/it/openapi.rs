//! `/openapi.json` against what the server serves: every documented operation answers,
//! every method a documented path lacks is refused, every endpoint of README's API table is
//! documented, and real responses validate against their documented schemas.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::*;

const METHODS: [&str; 5] = ["get", "post", "put", "delete", "patch"];

fn root(app: &TestApp) -> String {
    app.base.trim_end_matches("/v1").to_owned()
}

async fn document(app: &TestApp) -> Value {
    let response = app
        .http
        .get(format!("{}/openapi.json", root(app)))
        .send()
        .await
        .expect("openapi.json");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "served as JSON"
    );
    response.json().await.expect("the document is JSON")
}

/// `/v1/files/{file_id}` → `/v1/files/{}`, so names of parameters do not matter.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out
}

/// A concrete URL path: every parameter filled with a well-formed id that names nothing.
fn concrete(path: &str) -> String {
    shape(path).replace("{}", "zzz000")
}

/// Sends `method` to `path` with the tenant's key (and an empty JSON object as body).
async fn call(app: &TestApp, method: &str, path: &str) -> (u16, Value) {
    let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
    let mut request = app
        .http
        .request(method.clone(), format!("{}{path}", root(app)))
        .bearer_auth(KEY_ACME);
    if method == Method::POST || method == Method::PUT || method == Method::PATCH {
        request = request.json(&json!({}));
    }
    let response = request.send().await.expect("request is sent");
    let status = response.status().as_u16();
    let is_json = response
        .headers()
        .get("content-type")
        .is_some_and(|value| value.as_bytes().starts_with(b"application/json"));
    // Streams (events) are not read to the end: the status says enough.
    let body = if is_json {
        response.json().await.unwrap_or(Value::Null)
    } else {
        Value::Null
    };
    (status, body)
}

#[tokio::test]
async fn every_documented_operation_answers_and_no_other_method_does() {
    let app = spawn().await;
    let doc = document(&app).await;
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("paths");
    assert!(paths.len() >= 30, "only {} paths documented", paths.len());
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS {
            let documented = item.get(method).is_some();
            let (status, body) = call(&app, method, &concrete(path)).await;
            let code = error_code(&body);
            if documented {
                operations += 1;
                assert!(
                    code != "unknown_endpoint" && code != "method_not_allowed" && status != 405,
                    "documented {method} {path} is not served: {status} {body}"
                );
                let operation = &item[method];
                assert!(
                    operation["responses"]
                        .as_object()
                        .is_some_and(|r| !r.is_empty()),
                    "{method} {path} documents no response"
                );
                // Every `{name}` in the path is a documented path parameter.
                let declared: BTreeSet<&str> = operation["parameters"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter(|p| p["in"] == "path")
                    .filter_map(|p| p["name"].as_str())
                    .collect();
                let in_path: BTreeSet<&str> = path
                    .split('{')
                    .skip(1)
                    .filter_map(|rest| rest.split('}').next())
                    .collect();
                assert_eq!(declared, in_path, "{method} {path}: path parameters");
            } else {
                assert_eq!(
                    code, "method_not_allowed",
                    "{method} {path} answers ({status}) but is not documented: {body}"
                );
            }
        }
    }
    assert!(operations >= 38, "{operations} operations");
    // A path the document does not have is not served either.
    let (status, body) = call(&app, "get", "/v1/agent/create").await;
    assert_eq!((status, error_code(&body)), (404, "unknown_endpoint"));
}

/// The endpoints README's API table promises, as `(METHOD, path shape)`.
fn readme_endpoints() -> BTreeSet<(String, String)> {
    let readme = std::fs::read_to_string(workspace().join("README.md")).expect("README.md");
    let section = readme
        .split("\n## API\n")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("an API section");
    let mut endpoints = BTreeSet::new();
    for line in section.lines().filter(|line| line.starts_with("| `")) {
        for cell in line.split('`').skip(1).step_by(2) {
            let Some((method, path)) = cell.split_once(' ') else {
                continue;
            };
            if !METHODS.contains(&method.to_lowercase().as_str()) || !path.starts_with('/') {
                continue;
            }
            let path = path.split('?').next().unwrap_or(path);
            let path = if path == "/metrics" || path == "/openapi.json" || path.starts_with("/v1") {
                path.to_owned()
            } else {
                format!("/v1{path}")
            };
            endpoints.insert((method.to_lowercase(), shape(&path)));
        }
    }
    endpoints
}

#[tokio::test]
async fn every_endpoint_readme_lists_is_documented() {
    let app = spawn().await;
    let doc = document(&app).await;
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS
                .iter()
                .filter(|method| item.get(**method).is_some())
                .map(|method| (method.to_string(), shape(path)))
        })
        .collect();
    let listed = readme_endpoints();
    assert!(
        listed.len() >= 30,
        "README lists {} endpoints",
        listed.len()
    );
    let missing: Vec<_> = listed.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "in README, not in /openapi.json: {missing:?}"
    );
}

/// The schema `doc` gives for `method path` answering `status` as JSON, ready to validate
/// (its `$ref`s resolve against the document's components).
fn response_schema(doc: &Value, method: &str, path: &str, status: &str) -> jsonschema::Validator {
    let mut schema = doc["paths"][path][method]["responses"][status]["content"]["application/json"]
        ["schema"]
        .clone();
    assert!(
        schema.is_object(),
        "{method} {path} documents no JSON schema for {status}"
    );
    schema["components"] = doc["components"].clone();
    jsonschema::validator_for(&schema).expect("the documented schema compiles")
}

fn assert_valid(validator: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{instance}");
}

#[tokio::test]
async fn responses_validate_against_their_documented_schemas() {
    let app = spawn().await;
    let doc = document(&app).await;

    let health: Value = app
        .http
        .get(format!("{}/health", root(&app)))
        .send()
        .await
        .expect("health")
        .json()
        .await
        .expect("json");
    assert_valid(
        &response_schema(&doc, "get", "/health", "200"),
        &health,
        "health",
    );

    let models = app.get_json("/models", KEY_ACME).await;
    assert_valid(
        &response_schema(&doc, "get", "/v1/models", "200"),
        &models,
        "models",
    );
    let openai = app.get_json("/openai/models", KEY_ACME).await;
    assert_valid(
        &response_schema(&doc, "get", "/v1/openai/models", "200"),
        &openai,
        "openai models",
    );

    let part = reqwest::multipart::Part::bytes(png(8, 8, [1, 2, 3]))
        .file_name("dot.png")
        .mime_str("image/png")
        .expect("mime");
    let response = app
        .http
        .post(app.url("/files?purpose=vision"))
        .bearer_auth(KEY_ACME)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 201);
    let file: Value = response.json().await.expect("json");
    assert_valid(
        &response_schema(&doc, "post", "/v1/files", "201"),
        &file,
        "upload",
    );
    let files = app.get_json("/files", KEY_ACME).await;
    assert_eq!(files.as_array().map(Vec::len), Some(1));
    assert_valid(
        &response_schema(&doc, "get", "/v1/files", "200"),
        &files,
        "file list",
    );

    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "how big is this image?",
                &data_url("image/png", &png(20, 10, [9, 9, 9])),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_valid(
        &response_schema(&doc, "post", "/v1/chat/completions", "200"),
        &completion,
        "completion",
    );
    let session = completion["session_id"].as_str().expect("session");
    let listing = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    assert_valid(
        &response_schema(&doc, "get", "/v1/artifacts/list", "200"),
        &listing,
        "artifact list",
    );

    let usage = app.get_json("/usage", KEY_ACME).await;
    assert_valid(
        &response_schema(&doc, "get", "/v1/usage", "200"),
        &usage,
        "usage",
    );

    // Errors: the documented 4XX shape, with the request id.
    // A well-formed id that names no file.
    let id = file["id"].as_str().expect("id");
    let (prefix, digits) = id.split_at(id.len() - 4);
    let missing = format!("{prefix}{}", if digits == "0000" { "1111" } else { "0000" });
    let response = app
        .get(&format!("/files/{missing}"), KEY_ACME)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.expect("json");
    assert_valid(
        &response_schema(&doc, "get", "/v1/files/{file_id}", "4XX"),
        &error,
        "error",
    );
    assert!(error["error"]["id"].is_string(), "{error}");

    // The validation itself bites: a file object without its id is refused.
    let mut broken = file.clone();
    broken.as_object_mut().expect("object").remove("id");
    assert!(!response_schema(&doc, "post", "/v1/files", "201").is_valid(&broken));
}
