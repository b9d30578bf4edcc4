//! `/v1/skills` and skills in chat: per-tenant storage and versions, download links, a saved
//! plan that runs with no planner, `SKILL.md` guidance reaching a stand-in LLM, and unsafe
//! bundles refused.

use std::io::Write as _;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::*;

/// A zip of `(path, bytes)` entries, deflated.
pub(crate) fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in files {
        writer.start_file(*path, options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("zip").into_inner()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A skill whose `plan.json` makes an image gray and mirrors it, answering with a schema.
pub(crate) fn program_skill(name: &str) -> Vec<u8> {
    let plan = json!({
        "inputs": [{"name": "photo", "kind": "image"}],
        "steps": [
            {"id": "s1", "tool": "grayscale", "args": {"image": {"$ref": "input:photo"}}},
            {"id": "s2", "tool": "flip", "args": {"image": {"$ref": "step:s1.image"}, "direction": "horizontal"}}
        ],
        "response_format": {
            "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
            "properties": {"mirrored": {"$ref": "#/$defs/ImageRef"}, "notes": {"type": "string"}},
            "required": ["mirrored", "notes"],
            "type": "object"
        }
    });
    let skill_md = format!(
        "---\nname: {name}\ndescription: Gray and mirrored, for the archive\n---\nMake it gray, then mirror it.\n"
    );
    zip_of(&[
        ("SKILL.md", skill_md.as_bytes()),
        ("plan.json", plan.to_string().as_bytes()),
    ])
}

/// A gradient PNG: every pixel differs, so a mirror really moves pixels.
pub(crate) fn gradient(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([(x * 7) as u8, (y * 5) as u8, ((x + y) * 3) as u8])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png encodes");
    bytes.into_inner()
}

pub(crate) async fn post(app: &TestApp, path: &str, key: &str, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(app.url(path))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .expect("request is sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn create_inline(app: &TestApp, key: &str, zip: &[u8]) -> Value {
    let (status, skill) = post(
        app,
        "/skills/create",
        key,
        json!({"source": {"type": "base64", "data": b64(zip)}}),
    )
    .await;
    assert_eq!(status, 200, "{skill}");
    skill
}

fn with_skill(text: &str, image: &[u8], skill: Value) -> Value {
    let mut body = ask_with_image(text, &data_url("image/png", image));
    body["skills"] = json!([skill]);
    body
}

#[tokio::test]
async fn skills_are_versioned_looked_up_and_downloaded_by_their_tenant_only() {
    let app = spawn().await;
    let first = program_skill("archive-look");
    let skill = create_inline(&app, KEY_ACME, &first).await;
    assert_eq!(skill["name"], "archive-look");
    assert_eq!(skill["skill_version"], "1");
    assert_eq!(skill["description"], "Gray and mirrored, for the archive");
    let id = skill["id"].as_str().expect("id").to_owned();

    // A second skill from an uploaded zip, as the SDK's `create_from_directory` does.
    let guide = zip_of(&[(
        "SKILL.md",
        b"---\nname: house-style\ndescription: How we crop\n---\nCrop tight.",
    )]);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(guide.clone()).file_name("house-style.zip"),
    );
    let file: Value = app
        .http
        .post(app.url("/files?purpose=assistants"))
        .bearer_auth(KEY_ACME)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("file");
    let (status, uploaded) = post(
        &app,
        "/skills/create",
        KEY_ACME,
        json!({"file_id": file["id"], "name": "house-style", "description": "How we crop"}),
    )
    .await;
    assert_eq!(status, 200, "{uploaded}");
    let (status, again) = post(
        &app,
        "/skills/create",
        KEY_ACME,
        json!({"file_id": file["id"]}),
    )
    .await;
    assert_eq!(status, 400, "{again}");
    assert_eq!(error_code(&again), "skill_exists");

    let listed = app.get_json("/skills", KEY_ACME).await;
    let names: Vec<&str> = listed
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{listed}");
    assert!(names.contains(&"archive-look") && names.contains(&"house-style"));
    assert_eq!(
        app.get_json(&format!("/skills/{id}"), KEY_ACME).await["name"],
        "archive-look"
    );
    assert_eq!(
        app.get_json("/skills/archive-look", KEY_ACME).await["id"],
        id.as_str()
    );

    // An update is a new version; the old one keeps its bytes and description.
    let (status, updated) = post(
        &app,
        &format!("/skills/{id}/update"),
        KEY_ACME,
        json!({"description": "Gray, mirrored, v2"}),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["id"].as_str(), updated["skill_version"].as_str()),
        (Some(id.as_str()), Some("2"))
    );
    let (_, latest) = post(
        &app,
        "/skills/lookup",
        KEY_ACME,
        json!({"name": "archive-look"}),
    )
    .await;
    assert_eq!(latest["skill_version"], "2");
    let (_, pinned) = post(
        &app,
        "/skills/lookup",
        KEY_ACME,
        json!({"name": "archive-look", "skill_version": "1"}),
    )
    .await;
    assert_eq!(pinned["description"], "Gray and mirrored, for the archive");
    assert_eq!(
        app.get_json("/skills/archive-look:1", KEY_ACME).await["skill_version"],
        "1"
    );
    let grouped = app.get_json("/skills?grouped=true", KEY_ACME).await;
    assert_eq!(grouped.as_array().map(Vec::len), Some(2), "{grouped}");
    assert_eq!(
        app.get_json("/skills", KEY_ACME)
            .await
            .as_array()
            .map(Vec::len),
        Some(3)
    );

    // The download link works without the key, and gives the bytes that were uploaded.
    let link = app
        .get_json(&format!("/skills/{id}/download"), KEY_ACME)
        .await;
    assert_eq!(link["expires_in"], 300);
    let url = link["download_url"].as_str().expect("url");
    let response = reqwest::get(url).await.expect("download");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let bytes = response.bytes().await.expect("bytes");
    assert_eq!(sha256_hex(&bytes), sha256_hex(&first));
    let forged = reqwest::get(format!(
        "{}x",
        url.trim_end_matches(|c: char| c.is_ascii_hexdigit())
    ))
    .await
    .expect("request");
    assert_eq!(forged.status(), 404);

    // Another tenant sees none of it.
    assert_eq!(app.get_json("/skills", KEY_GLOBEX).await, json!([]));
    for path in [
        format!("/skills/{id}"),
        "/skills/archive-look".to_owned(),
        format!("/skills/{id}/download"),
    ] {
        let response = app.get(&path, KEY_GLOBEX).send().await.expect("get");
        assert_eq!(response.status(), 404, "{path}");
    }
    let (status, _) = post(
        &app,
        "/skills/lookup",
        KEY_GLOBEX,
        json!({"name": "archive-look"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = post(
        &app,
        &format!("/skills/{id}/update"),
        KEY_GLOBEX,
        json!({"description": "mine"}),
    )
    .await;
    assert_eq!(status, 404);
    let (status, body) = app
        .chat(
            KEY_GLOBEX,
            with_skill(
                "go",
                &gradient(40, 30),
                json!({"type": "skill_reference", "skill_id": id}),
            ),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    // Globex may use the same name for its own skill.
    create_inline(&app, KEY_GLOBEX, &program_skill("archive-look")).await;
}

#[tokio::test]
async fn a_saved_plan_runs_with_no_planner_and_answers_the_same_twice() {
    let app = spawn().await;
    let skill = create_inline(&app, KEY_ACME, &program_skill("archive-look")).await;
    let photo = gradient(64, 48);
    // Words no planner here understands: only the skill decides what runs.
    let instruction = "Give it the zorblax treatment";
    let (status, without) = app
        .chat(KEY_ACME, {
            let mut body = ask_with_image(instruction, &data_url("image/png", &photo));
            body["response_format"] = json!({"type": "json_object"});
            body
        })
        .await;
    assert_ne!(
        status, 200,
        "without the skill nothing is planned: {without}"
    );

    let mut answers = Vec::new();
    for reference in [
        json!({"type": "skill_reference", "skill_id": skill["id"]}),
        json!({"type": "skill_reference", "skill_id": "archive-look", "skill_version": "latest"}),
    ] {
        let (status, completion) = app
            .chat(KEY_ACME, with_skill(instruction, &photo, reference))
            .await;
        assert_eq!(status, 200, "{completion}");
        let plan = &completion["vitrine"]["plan"];
        assert_eq!(plan["planner"], "program", "{plan}");
        let tools: Vec<&str> = plan["steps"]
            .as_array()
            .expect("steps")
            .iter()
            .filter_map(|s| s["tool"].as_str())
            .collect();
        assert_eq!(tools, ["grayscale", "flip"]);
        assert_eq!(completion["vitrine"]["skills"][0]["name"], "archive-look");
        let content: Value = serde_json::from_str(
            completion["choices"][0]["message"]["content"]
                .as_str()
                .expect("content"),
        )
        .expect("JSON answer");
        let id = content["mirrored"]["id"].as_str().expect("ref");
        let bytes = download(&app, &completion, id).await;
        let image = image::load_from_memory(&bytes).expect("image").to_rgb8();
        // Gray, and mirrored: the left column of the result is the gray of the right column.
        let source = image::load_from_memory(&photo).expect("png").to_luma8();
        assert!(image.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
        // Whatever weights make the gray, the left column matches the source's right one.
        let distance = |column: u32| -> u32 {
            (0..48)
                .map(|y| {
                    u32::from(image.get_pixel(0, y).0[0].abs_diff(source.get_pixel(column, y).0[0]))
                })
                .sum()
        };
        assert!(distance(63) * 4 < distance(0), "the result is mirrored");
        let keys: Vec<String> = content
            .as_object()
            .expect("object")
            .keys()
            .cloned()
            .collect();
        answers.push((keys, sha256_hex(&bytes)));
    }
    assert_eq!(
        answers[0], answers[1],
        "the same shape and the same bytes twice"
    );

    // The program's inputs are checked: a video where it wants an image is refused.
    let (status, body) = app
        .chat(KEY_ACME, {
            let mut body = ask_with_image("go", &data_url("image/png", &photo));
            body["messages"][0]["content"]
                .as_array_mut()
                .expect("parts")
                .pop();
            body["skills"] = json!([{"type": "skill_reference", "skill_id": "archive-look"}]);
            body
        })
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(error_message(&body).contains("`photo`"), "{body}");
}

#[tokio::test]
async fn a_session_plan_is_saved_as_a_skill_and_replays_on_new_inputs() {
    let app = spawn().await;
    let (status, first) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Convert this image to grayscale",
                &data_url("image/png", &gradient(32, 32)),
            ),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    let (status, skill) = post(
        &app,
        "/skills/create",
        KEY_ACME,
        json!({"name": "gray", "description": "Grayscale", "session_id": first["session_id"]}),
    )
    .await;
    assert_eq!(status, 200, "{skill}");
    let (status, replay) = app
        .chat(
            KEY_ACME,
            with_skill(
                "zorblax",
                &gradient(20, 10),
                json!({"type": "skill_reference", "skill_id": "gray:1"}),
            ),
        )
        .await;
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["vitrine"]["plan"]["planner"], "program");
    assert_eq!(replay["vitrine"]["plan"]["steps"][0]["tool"], "grayscale");
    // Another tenant cannot save acme's session.
    let (status, _) = post(
        &app,
        "/skills/create",
        KEY_GLOBEX,
        json!({"name": "x", "session_id": first["session_id"]}),
    )
    .await;
    assert_eq!(status, 404);
}

/// An OpenAI-compatible stand-in: records each request body; calls `grayscale` on the first
/// input, then answers; reports token counts in `usage`.
pub(crate) async fn llm_stand_in() -> (String, Arc<Mutex<Vec<Value>>>) {
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let recorded = Arc::clone(&seen);
    let route = axum::routing::post(move |body: Bytes| {
        let recorded = Arc::clone(&recorded);
        async move {
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let turn = {
                let mut seen = recorded.lock().expect("lock");
                seen.push(body.clone());
                seen.len() - 1
            };
            let input = body["messages"][1]["content"]
                .as_str()
                .unwrap_or_default()
                .split_whitespace()
                .find_map(|word| word.strip_suffix(':').filter(|w| w.starts_with("img_")))
                .unwrap_or_default()
                .to_owned();
            let message = if turn == 0 {
                json!({"role": "assistant", "content": null, "tool_calls": [{"id": "call_0", "type": "function",
                    "function": {"name": "grayscale", "arguments": json!({"image": input}).to_string()}}]})
            } else {
                json!({"role": "assistant", "content": "Done as the skill says."})
            };
            let reply = json!({"id": "chatcmpl-1", "object": "chat.completion",
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 100 + turn, "completion_tokens": 10, "total_tokens": 110 + turn}});
            ([("content-type", "application/json")], reply.to_string())
        }
    });
    let address = media_server(axum::Router::new().route("/v1/chat/completions", route)).await;
    (format!("http://{address}/v1"), seen)
}

#[tokio::test]
async fn a_skill_without_a_plan_needs_the_llm_planner_and_its_text_reaches_it() {
    let guide = zip_of(&[(
        "SKILL.md",
        b"---\nname: mood-board\ndescription: Mood boards\n---\nAlways make mood-board images gray first (zephyr rule).",
    )]);
    let inline = json!({"type": "inline", "name": "mood-board", "description": "Mood boards",
        "source": {"type": "base64", "media_type": "application/zip", "data": b64(&guide)}});

    let app = spawn().await;
    let (status, body) = app
        .chat(
            KEY_ACME,
            with_skill("make a mood board", &gradient(16, 16), inline.clone()),
        )
        .await;
    assert_eq!(status, 501, "{body}");
    assert!(
        error_message(&body).contains("--llm-base-url")
            && error_message(&body).contains("mood-board"),
        "{body}"
    );

    vitrine_server::install_crypto_provider();
    let (base, seen) = llm_stand_in().await;
    let app = spawn_with(Options {
        providers: vitrine_server::Providers {
            llm: Some(vitrine_agent::LlmConfig::new(base, "stand-in", None)),
            ..Default::default()
        },
        ..Options::default()
    })
    .await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            with_skill("make a mood board", &gradient(16, 16), inline),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(completion["vitrine"]["plan"]["planner"], "llm");
    let system = seen.lock().expect("lock")[0]["messages"][0]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        system.contains("zephyr rule") && system.contains("mood-board"),
        "{system}"
    );
    // The model's own counts, summed over its two turns, are the completion's usage.
    assert_eq!(
        completion["usage"]["prompt_tokens"], 201,
        "{}",
        completion["usage"]
    );
    assert_eq!(completion["usage"]["completion_tokens"], 20);
    assert_eq!(completion["vitrine"]["usage"]["tokens"], "llm");
    let report = app.get_json("/usage", KEY_ACME).await;
    assert_eq!(report["llm_tokens"]["total_tokens"], 221, "{report}");
}

#[tokio::test]
async fn unsafe_bundles_are_refused_with_clear_errors() {
    let app = spawn().await;
    let skill_md: &[u8] = b"---\nname: bad\ndescription: d\n---\n";
    // 64 MB of zeros deflate to about 64 KB: a zip bomb.
    let zeros = vec![0u8; 64 << 20];
    let bomb = zip_of(&[("SKILL.md", skill_md), ("zeros.bin", &zeros)]);
    let traversal = zip_of(&[("SKILL.md", skill_md), ("../../outside.txt", b"x")]);
    let mut noise = vec![0u8; 9 << 20];
    let mut state = 0x2545_f491_u32;
    for byte in &mut noise {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = state as u8;
    }
    let oversized = zip_of(&[("SKILL.md", skill_md), ("noise.bin", &noise)]);
    let no_skill_md = zip_of(&[("README.md", b"hello")]);
    let cases: [(&str, &[u8], u16, &str); 4] = [
        ("zip bomb", &bomb, 413, "zip bomb"),
        ("traversal", &traversal, 400, "unsafe path"),
        ("oversized", &oversized, 413, "8388608 bytes"),
        ("no SKILL.md", &no_skill_md, 400, "SKILL.md"),
    ];
    for (what, zip, status, words) in cases {
        let (got, body) = post(
            &app,
            "/skills/create",
            KEY_ACME,
            json!({"name": "bad", "source": {"type": "base64", "data": b64(zip)}}),
        )
        .await;
        assert_eq!(got, status, "{what}: {body}");
        assert!(error_message(&body).contains(words), "{what}: {body}");
        let (got, body) = app
            .chat(
                KEY_ACME,
                with_skill(
                    "go",
                    &gradient(8, 8),
                    json!({"type": "inline", "source": {"type": "base64", "data": b64(zip)}}),
                ),
            )
            .await;
        assert_eq!(got, status, "{what} inline in chat: {body}");
    }
    assert_eq!(
        app.get_json("/skills", KEY_ACME).await,
        json!([]),
        "nothing was saved"
    );
    // A plan over a tool that does not exist is refused when saved, not when run.
    let plan = json!({"inputs": [{"name": "a", "kind": "image"}], "steps": [{"id": "s1", "tool": "teleport", "args": {}}]});
    let zip = zip_of(&[
        ("SKILL.md", skill_md),
        ("plan.json", plan.to_string().as_bytes()),
    ]);
    let (got, body) = post(
        &app,
        "/skills/create",
        KEY_ACME,
        json!({"source": {"type": "base64", "data": b64(&zip)}}),
    )
    .await;
    assert_eq!(got, 400, "{body}");
    assert!(error_message(&body).contains("teleport"), "{body}");
}
