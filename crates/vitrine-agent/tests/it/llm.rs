//! The LLM planner against a local stand-in that speaks the OpenAI chat-completions protocol
//! and returns scripted tool calls (including a bad one the agent must report back).

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use vitrine_agent::{Agent, AgentRequest, LlmConfig};

use crate::support::{
    TENANT, image_of, json, models_dir, photo, serve, session, store, upload_image,
};

/// Decides the reply to each request body (and sees every body it was sent).
type Script = Arc<dyn Fn(usize, &Value) -> Value + Send + Sync>;

/// Serves scripted chat completions on 127.0.0.1; returns the base URL and the bodies seen.
async fn stand_in(script: Script) -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&seen);
    let base = serve(Arc::new(move |head: String, body: Vec<u8>| {
        assert!(head.starts_with("post /v1/chat/completions "), "{head}");
        let body: Value = serde_json::from_slice(&body).expect("JSON body");
        let turn = {
            let mut seen = recorded.lock().expect("lock");
            seen.push(body.clone());
            seen.len() - 1
        };
        let reply = script(turn, &body);
        Box::pin(async move { reply })
    }))
    .await;
    (base, seen)
}

fn calls(calls: &[(&str, Value)]) -> Value {
    let tool_calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(index, (name, args))| {
            json!({"id": format!("call_{index}"), "type": "function",
                   "function": {"name": name, "arguments": args.to_string()}})
        })
        .collect();
    json!({"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0,
        "message": {"role": "assistant", "content": null, "tool_calls": tool_calls},
        "finish_reason": "tool_calls"}]})
}

fn answer(text: &str) -> Value {
    json!({"id": "chatcmpl-2", "object": "chat.completion", "choices": [{"index": 0,
        "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]})
}

/// The `content` of the last tool message, as JSON.
fn last_tool_result(body: &Value) -> Value {
    let messages = body["messages"].as_array().expect("messages");
    let last = messages.last().expect("a message");
    assert_eq!(last["role"], "tool", "{last}");
    serde_json::from_str(last["content"].as_str().expect("content")).expect("JSON tool result")
}

fn agent_for(base: String) -> Agent {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Agent::new(store(), models_dir())
        .with_llm(LlmConfig::new(
            base,
            "scripted-model",
            Some("secret".to_owned()),
        ))
        .expect("client builds")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_llm_planner_recovers_from_a_bad_call_and_fills_the_schema() {
    let session = session().await;
    let input = upload_image(&session, &photo("astronaut.png")).await;
    let input_id = input.id.to_string();
    let script: Script = Arc::new(move |turn, body| match turn {
        // A bad argument first: `strength` must be a number.
        0 => calls(&[("blur_faces", json!({"image": input_id, "strength": "very"}))]),
        1 => {
            let result = last_tool_result(body);
            assert!(
                result["error"]
                    .as_str()
                    .is_some_and(|e| e.contains("strength")),
                "{result}"
            );
            calls(&[("blur_faces", json!({"image": input_id, "strength": 2}))])
        }
        2 => {
            let result = last_tool_result(body);
            let made = result["made"][0]["id"]
                .as_str()
                .expect("made id")
                .to_owned();
            assert_eq!(result["facts"]["count"], 1, "{result}");
            calls(&[("grayscale", json!({"image": made}))])
        }
        _ => {
            let result = last_tool_result(body);
            let id = result["made"][0]["id"].as_str().expect("id");
            answer(&format!("Blurred the face and made it gray: {id}"))
        }
    });
    let (base, seen) = stand_in(script).await;
    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"result": {"$ref": "#/$defs/ImageRef"}, "notes": {"type": "string"}},
        "required": ["result", "notes"],
        "type": "object"
    });
    let outcome = agent_for(base)
        .run(
            AgentRequest {
                tenant: TENANT.to_owned(),
                session: session.clone(),
                instruction: "Hide the face, then give it the vintage newspaper treatment"
                    .to_owned(),
                inputs: vec![input.clone()],
                response_schema: Some(
                    json!({"type": "json_schema", "json_schema": {"name": "R", "schema": schema}}),
                ),
                toolsets: Some(vec!["image".to_owned()]),
            },
            None,
        )
        .await
        .expect("the LLM plan runs");
    let answer = json(&outcome);
    assert_eq!(
        answer["notes"],
        "Blurred 1 face (checked again: none remain) and converted the image to grayscale."
    );
    let (meta, image) = image_of(&session, answer["result"]["id"].as_str().expect("id")).await;
    assert_eq!(meta.provenance.operation, "grayscale");
    let rgb = image.to_rgb8();
    assert!(
        rgb.pixels()
            .all(|p| p.0[0].abs_diff(p.0[1]) < 8 && p.0[1].abs_diff(p.0[2]) < 8)
    );
    assert_eq!(outcome.plan["planner"], "llm");
    let tools: Vec<&str> = outcome.plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["tool"].as_str())
        .collect();
    assert_eq!(
        tools,
        ["blur_faces", "grayscale"],
        "the failed call is not a step"
    );
    assert_eq!(outcome.made.len(), 2);

    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 4);
    let first = &seen[0];
    assert_eq!(first["model"], "scripted-model");
    let offered: Vec<&str> = first["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .filter_map(|t| t["function"]["name"].as_str())
        .collect();
    assert!(
        offered.contains(&"blur_faces") && offered.contains(&"redact_phi"),
        "{offered:?}"
    );
    assert!(
        !offered.contains(&"trim_video") && !offered.contains(&"annotate"),
        "only the image toolset: {offered:?}"
    );
    assert!(
        !offered.contains(&"estimate_depth") && !offered.contains(&"detect_open_vocab"),
        "tools whose provider is not configured are not offered: {offered:?}"
    );
    let user = first["messages"][1]["content"]
        .as_str()
        .expect("user message");
    assert!(
        user.contains(&input.id.to_string()) && user.contains("image"),
        "{user}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_model_that_never_answers_is_stopped_after_max_turns() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let input_id = input.id.to_string();
    let script: Script = Arc::new(move |_, _| calls(&[("ocr", json!({"image": input_id}))]));
    let (base, seen) = stand_in(script).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = LlmConfig::new(base, "looping", None);
    config.max_turns = 3;
    let agent = Agent::new(store(), models_dir())
        .with_llm(config)
        .expect("client");
    let error = agent
        .run(
            AgentRequest {
                tenant: TENANT.to_owned(),
                session,
                instruction: "Process it the usual way".to_owned(),
                inputs: vec![input],
                response_schema: None,
                toolsets: None,
            },
            None,
        )
        .await
        .expect_err("no answer");
    assert_eq!(error.code(), "llm_planner_failed");
    assert!(!error.is_client_error());
    assert!(error.to_string().contains("3 turns"), "{error}");
    assert_eq!(seen.lock().expect("lock").len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_llm_is_a_server_error_naming_the_url() {
    let session = session().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    // Bound then dropped: nothing listens there any more.
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let agent = Agent::new(store(), models_dir())
        .with_llm(LlmConfig::new(
            format!("http://127.0.0.1:{port}/v1"),
            "m",
            None,
        ))
        .expect("client");
    let error = agent
        .run(
            AgentRequest {
                tenant: TENANT.to_owned(),
                session,
                instruction: "anything".to_owned(),
                inputs: vec![],
                response_schema: None,
                toolsets: None,
            },
            None,
        )
        .await
        .expect_err("unreachable");
    assert!(!error.is_client_error());
    assert!(
        error.to_string().contains(&format!("127.0.0.1:{port}")),
        "{error}"
    );
}

/// The image part of a user message's content parts, decoded.
fn sent_image(content: &Value, id: &str) -> image::DynamicImage {
    let parts = content.as_array().expect("content parts");
    let label = parts
        .iter()
        .position(|part| part["text"] == format!("{id}:"))
        .unwrap_or_else(|| panic!("no part names {id}: {content}"));
    let url = parts[label + 1]["image_url"]["url"]
        .as_str()
        .expect("an image_url part follows the label");
    let data = url
        .strip_prefix("data:image/jpeg;base64,")
        .expect("a JPEG data URL");
    use base64::Engine as _;
    let jpeg = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    image::load_from_memory_with_format(&jpeg, image::ImageFormat::Jpeg).expect("a JPEG")
}

#[tokio::test(flavor = "multi_thread")]
async fn a_vision_model_sees_downscaled_copies_of_the_images() {
    let session = session().await;
    let large = photo("solvay-1927.png"); // 1666×1136: sent at 768×524
    let small = photo("astronaut.png"); // 512×512: sent as is
    let large_input = upload_image(&session, &large).await;
    let small_input = upload_image(&session, &small).await;
    let (base, seen) = stand_in(Arc::new(|_, _| answer("Two photos."))).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let request = AgentRequest {
        tenant: TENANT.to_owned(),
        session,
        instruction: "What mood do these two pictures share?".to_owned(),
        inputs: vec![large_input.clone(), small_input.clone()],
        response_schema: None,
        toolsets: None,
    };
    for vision in [true, false] {
        Agent::new(store(), models_dir())
            .with_llm(LlmConfig::new(base.clone(), "vision-model", None).with_vision(vision))
            .expect("client")
            .run(request.clone(), None)
            .await
            .expect("the model answers");
    }
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2, "one turn per run");

    let content = &seen[0]["messages"][1]["content"];
    assert!(
        content[0]["text"]
            .as_str()
            .is_some_and(|text| text.contains(&large_input.id.to_string())),
        "the refs and metadata come first: {content}"
    );
    for (input, original, expected) in [
        (&large_input, &large, (768, 524)),
        (&small_input, &small, (512, 512)),
    ] {
        let sent = sent_image(content, input.id.as_str());
        assert_eq!((sent.width(), sent.height()), expected, "{}", input.id);
        // The pixels are the input's, downscaled: compare with our own downscale.
        let reference = image::imageops::resize(
            original,
            expected.0,
            expected.1,
            image::imageops::FilterType::Triangle,
        );
        let sent = sent.to_rgb8();
        let mean_diff = sent
            .as_raw()
            .iter()
            .zip(reference.as_raw())
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / sent.as_raw().len() as f64;
        assert!(mean_diff < 8.0, "{}: mean difference {mean_diff}", input.id);
    }

    // With vision off the model gets the refs and metadata as plain text only.
    let content = &seen[1]["messages"][1]["content"];
    assert!(
        content
            .as_str()
            .is_some_and(|text| text.contains(&small_input.id.to_string())),
        "{content}"
    );
}
