//! The providers through the HTTP API, against stand-ins on 127.0.0.1: the LLM planner
//! (scripted tool calls, one of them bad) and the images provider (the seed's try-on).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use base64::Engine as _;
use serde_json::{Value, json};

use super::{content_json, download_image, part, photo, tools_run};
use crate::*;

/// Serves `handler` for `POST path` on 127.0.0.1 and records every body; returns the
/// `/v1` base URL and the bodies seen.
pub(crate) async fn stand_in<F, Fut>(path: &str, handler: F) -> (String, Arc<Mutex<Vec<Bytes>>>)
where
    F: Fn(usize, Bytes) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = Value> + Send + 'static,
{
    let seen: Arc<Mutex<Vec<Bytes>>> = Arc::default();
    let recorded = Arc::clone(&seen);
    let route = axum::routing::post(move |body: Bytes| {
        let turn = {
            let mut seen = recorded.lock().expect("lock");
            seen.push(body.clone());
            seen.len() - 1
        };
        let reply = handler(turn, body);
        async move {
            (
                [("content-type", "application/json")],
                reply.await.to_string(),
            )
        }
    });
    let address = media_server(axum::Router::new().route(path, route)).await;
    (format!("http://{address}/v1"), seen)
}

async fn app_with(providers: vitrine_server::Providers) -> TestApp {
    vitrine_server::install_crypto_provider();
    spawn_with(Options {
        providers,
        ..Options::default()
    })
    .await
}

pub(crate) fn tool_calls(name: &str, args: Value) -> Value {
    json!({"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0,
        "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "call_0", "type": "function",
            "function": {"name": name, "arguments": args.to_string()}}]},
        "finish_reason": "tool_calls"}]})
}

/// The image ref the opening user message lists (`- img_…: image (…)`).
fn input_ref(body: &Value) -> String {
    body["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .split_whitespace()
        .find_map(|word| word.strip_suffix(':').filter(|w| w.starts_with("img_")))
        .unwrap_or_default()
        .to_owned()
}

/// The JSON content of the last message (a tool result) of a request body.
fn last_tool_result(body: &Value) -> Value {
    let last = body["messages"]
        .as_array()
        .and_then(|messages| messages.last())
        .expect("a message");
    assert_eq!(last["role"], "tool", "{last}");
    serde_json::from_str(last["content"].as_str().expect("content")).expect("JSON tool result")
}

#[tokio::test]
async fn the_llm_planner_recovers_from_a_bad_tool_call_through_http() {
    let (base, seen) = stand_in("/v1/chat/completions", |turn, body: Bytes| async move {
        let body: Value = serde_json::from_slice(&body).expect("JSON request");
        let input = input_ref(&body);
        match turn {
            // `strength` must be a number: the agent must say so and let the model retry.
            0 => tool_calls("blur_faces", json!({"image": input, "strength": "very"})),
            1 => {
                let result = last_tool_result(&body);
                if !result["error"]
                    .as_str()
                    .is_some_and(|error| error.contains("strength"))
                {
                    return json!({"error": {"message": format!("expected an error naming `strength`: {result}")}});
                }
                tool_calls("blur_faces", json!({"image": input, "strength": 2}))
            }
            2 => {
                let made = last_tool_result(&body)["made"][0]["id"].clone();
                tool_calls("grayscale", json!({"image": made}))
            }
            _ => json!({"id": "chatcmpl-2", "object": "chat.completion", "choices": [{"index": 0,
                "message": {"role": "assistant", "content": "Blurred the face and removed the colour."},
                "finish_reason": "stop"}]}),
        }
    })
    .await;
    let app = app_with(vitrine_server::Providers {
        llm: Some(vitrine_agent::LlmConfig::new(base, "scripted-model", None)),
        ..Default::default()
    })
    .await;
    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"result": {"$ref": "#/$defs/ImageRef"}, "notes": {"type": "string"}},
        "required": ["result", "notes"],
        "type": "object"
    });
    let astronaut = photo("astronaut.png");
    let mut content =
        vec![json!({"type": "text", "text": "Give it the usual treatment for our press archive"})];
    content.push(part("image_url", "image/png", &astronaut));
    let body = json!({
        "model": "vlmrun-orion-1:auto",
        "messages": [{"role": "user", "content": content}],
        "toolsets": ["image"],
        "response_format": {"type": "json_schema", "json_schema": {"name": "R", "schema": schema}}
    });
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(
        completion["vitrine"]["plan"]["planner"], "llm",
        "{completion}"
    );
    assert_eq!(
        tools_run(&completion),
        ["blur_faces", "grayscale"],
        "the failed call is not a step"
    );
    let answer = content_json(&completion);
    let result = download_image(
        &app,
        &completion,
        answer["result"]["id"].as_str().expect("id"),
    )
    .await;
    assert_eq!((result.width(), result.height()), (512, 512));
    let rgb = result.to_rgb8();
    assert!(
        rgb.pixels()
            .all(|p| p.0[0].abs_diff(p.0[1]) < 8 && p.0[1].abs_diff(p.0[2]) < 8),
        "the final image is gray"
    );
    // The blur step reported the face; inside it, the detail is gone.
    let face: [f64; 4] = serde_json::from_value(
        completion["vitrine"]["plan"]["steps"][0]["facts"]["faces"][0]["box"].clone(),
    )
    .expect("face box");
    let original = image::load_from_memory(&astronaut).expect("png").to_luma8();
    let energy = |gray: &image::GrayImage| -> u64 {
        let [x0, y0, x1, y1] = face.map(|v| v as u32);
        (y0..y1.min(gray.height()))
            .flat_map(|y| (x0..x1.min(gray.width()) - 1).map(move |x| (x, y)))
            .map(|(x, y)| {
                u64::from(gray.get_pixel(x, y).0[0].abs_diff(gray.get_pixel(x + 1, y).0[0]))
            })
            .sum()
    };
    let (before, after) = (energy(&original), energy(&result.to_luma8()));
    assert!(
        after * 4 < before,
        "the face lost its detail: {before} -> {after}"
    );

    let bodies: Vec<Value> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|body| serde_json::from_slice(body).expect("JSON"))
        .collect();
    assert_eq!(bodies.len(), 4, "bad call, retry, grayscale, answer");
    let offered: Vec<&str> = bodies[0]["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|tool| tool["function"]["name"].as_str())
        .collect();
    assert!(offered.contains(&"blur_faces"), "{offered:?}");
    assert!(
        !offered.contains(&"trim_video"),
        "toolsets [\"image\"] keeps video tools away from the model: {offered:?}"
    );
}

fn colour_of(view: &str) -> [u8; 3] {
    match view {
        "front" => [220, 30, 30],
        "back" => [30, 200, 30],
        _ => [30, 30, 220],
    }
}

#[tokio::test]
async fn the_try_on_example_runs_three_edits_in_parallel_through_http() {
    // The stand-in holds each answer until all three edits are in flight (or 10 s pass).
    let barrier = Arc::new(tokio::sync::Barrier::new(3));
    let parallel = Arc::new(Mutex::new(true));
    let together = Arc::clone(&parallel);
    let (base, seen) = stand_in("/v1/images/edits", move |_, body: Bytes| {
        let (barrier, together) = (Arc::clone(&barrier), Arc::clone(&together));
        async move {
            let text = String::from_utf8_lossy(&body).to_string();
            let view = ["front", "back", "side"]
                .into_iter()
                .find(|view| text.contains(&format!("the {view} view")))
                .unwrap_or("none");
            if tokio::time::timeout(Duration::from_secs(10), barrier.wait())
                .await
                .is_err()
            {
                *together.lock().expect("lock") = false;
            }
            let image = png(576, 1024, colour_of(view));
            json!({"created": 0, "data": [{"b64_json": base64::engine::general_purpose::STANDARD.encode(image)}]})
        }
    })
    .await;
    let app = app_with(vitrine_server::Providers {
        images: Some(vitrine_agent::ImagesConfig::new(
            base,
            "test-image-model",
            Some("images-key".to_owned()),
        )),
        ..Default::default()
    })
    .await;
    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "title": "Id", "type": "string"}},
                               "required": ["id"], "title": "ImageRef", "type": "object"}},
        "properties": {
            "front": {"$ref": "#/$defs/ImageRef", "description": "Front view (9:16)"},
            "back": {"$ref": "#/$defs/ImageRef", "description": "Back view (9:16)"},
            "side": {"$ref": "#/$defs/ImageRef", "description": "Side view (9:16)"}
        },
        "required": ["front", "back", "side"],
        "type": "object"
    });
    let prompt = "You are provided with two images: one of a dress (the first image) and one of a person (the second image). \
        Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person. Provide exactly 3 images \
        (9:16 aspect ratio) as output: one from the front, one from the back, and one from the side.";
    let body = json!({
        "model": "vlmrun-orion-1:auto",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": prompt},
            part("image_url", "image/png", &png(300, 500, [200, 0, 90])),
            part("image_url", "image/jpeg", &photo("person.jpg"))
        ]}],
        "response_format": {"type": "json_schema", "schema": schema}
    });
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    assert!(
        *parallel.lock().expect("lock"),
        "the three edits were not in flight together"
    );
    let requests = seen.lock().expect("lock").clone();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let text = String::from_utf8_lossy(request);
        assert_eq!(
            text.matches("name=\"image[]\"").count(),
            2,
            "the dress and the person are both sent"
        );
    }
    let inputs: Vec<&str> = completion["vitrine"]["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .filter_map(|input| input["ref"].as_str())
        .collect();
    let answer = content_json(&completion);
    let session = completion["session_id"].as_str().expect("session");
    let listed = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    for view in ["front", "back", "side"] {
        let id = answer[view]["id"].as_str().expect("ref");
        let image = download_image(&app, &completion, id).await;
        let (width, height) = (image.width(), image.height());
        assert!(
            (f64::from(width) / f64::from(height) - 9.0 / 16.0).abs() < 0.01,
            "{view}: {width}×{height}"
        );
        let centre = image.to_rgb8().get_pixel(width / 2, height / 2).0;
        assert!(
            centre
                .iter()
                .zip(colour_of(view))
                .all(|(a, b)| a.abs_diff(b) < 12),
            "{view} is the stand-in's {view} image: {centre:?}"
        );
        let item = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|item| item["object_id"] == id)
            .expect("listed");
        assert_eq!(item["provenance"]["parents"], json!(inputs), "{item}");
    }
}
