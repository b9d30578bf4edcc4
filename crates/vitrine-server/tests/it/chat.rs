//! Chat completions: shapes, streaming, structured output, sessions, errors.

use serde_json::{Value, json};

use crate::*;

#[tokio::test]
async fn health_and_readiness_answer_without_a_key() {
    let app = spawn().await;
    let health = app
        .http
        .get(app.url("/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(
        health.status(),
        200,
        "health needs no key: the SDK calls it first"
    );
    let ready = app.http.get(app.url("/ready")).send().await.expect("ready");
    assert_eq!(ready.status(), 200);
    let ready: Value = ready.json().await.expect("JSON");
    assert_eq!(ready["status"], "ready", "{ready}");
    for check in ["models", "ffmpeg", "store"] {
        assert_eq!(ready["checks"][check]["ok"], true, "{check}: {ready}");
    }
    assert_eq!(
        ready["checks"]["models"]["dir"],
        models_dir().display().to_string()
    );
}

#[tokio::test]
async fn readiness_fails_naming_the_store_when_it_cannot_write() {
    let app = spawn().await;
    // The store writes every blob to `tmp/` first; a plain file in its place
    // makes writing fail even for root, whom directory modes do not stop.
    let staging = app.data_dir.join("tmp");
    std::fs::remove_dir_all(&staging).expect("staging dir removed");
    std::fs::write(&staging, b"not a directory").expect("file in its place");
    let ready = app.http.get(app.url("/ready")).send().await.expect("ready");
    assert_eq!(ready.status(), 503);
    let ready: Value = ready.json().await.expect("JSON");
    assert_eq!(ready["status"], "not_ready", "{ready}");
    assert_eq!(ready["checks"]["store"]["ok"], false, "{ready}");
    assert_eq!(ready["checks"]["models"]["ok"], true, "{ready}");
}

#[tokio::test]
async fn models_are_listed_in_the_vlmrun_and_the_openai_shapes() {
    let app = spawn().await;
    let names = [
        "vlmrun-orion-1:fast",
        "vlmrun-orion-1:auto",
        "vlmrun-orion-1:pro",
        "vlmrun-orion-1:lite",
        "vlmrun-orion-2:fast",
        "vlmrun-orion-2:auto",
        "vlmrun-orion-2:pro",
    ];
    // vlmrun's `client.models.list()` wants a bare list of `{model, domain}`.
    let vlmrun: Value = app.get_json("/models", KEY_ACME).await;
    let listed: Vec<&str> = vlmrun
        .as_array()
        .expect("a bare list")
        .iter()
        .map(|entry| {
            assert!(entry["domain"].is_string(), "{entry}");
            entry["model"].as_str().expect("model")
        })
        .collect();
    assert!(names.iter().all(|name| listed.contains(name)), "{vlmrun}");
    // OpenAI's `client.models.list()` wants `{object: "list", data: [{id, object}]}`.
    let openai: Value = app.get_json("/openai/models", KEY_ACME).await;
    assert_eq!(openai["object"], "list");
    let ids: Vec<&str> = openai["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|model| {
            assert_eq!(model["object"], "model");
            model["id"].as_str().expect("id")
        })
        .collect();
    assert_eq!(ids, listed, "both lists name the same models");
}

#[tokio::test]
async fn an_unknown_endpoint_is_a_404_naming_it() {
    let app = spawn().await;
    let response = app
        .http
        .post(app.url("/agent/create"))
        .bearer_auth(KEY_ACME)
        .json(&json!({}))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("OpenAI error JSON");
    assert!(
        error_message(&body).contains("no such endpoint: POST /v1/agent/create"),
        "{body}"
    );
    assert_eq!(body["error"]["type"], "invalid_request_error", "{body}");
    let body = app.get_json("/fine_tuning/jobs", KEY_ACME).await;
    assert!(
        error_message(&body).contains("GET /v1/fine_tuning/jobs"),
        "{body}"
    );
}

/// True when every pixel of `image` is gray (r = g = b).
fn is_gray(image: &image::RgbImage) -> bool {
    image
        .pixels()
        .all(|pixel| pixel[0] == pixel[1] && pixel[1] == pixel[2])
}

#[tokio::test]
async fn a_data_url_image_becomes_an_artifact_with_the_same_bytes() {
    let app = spawn().await;
    let bytes = png(64, 48, [200, 10, 10]);
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("what is this?", &data_url("image/png", &bytes)),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(completion["object"], "chat.completion");
    let session = completion["session_id"].as_str().expect("session id");
    assert_eq!(session.len(), 32);
    let id = first_input_ref(&completion);
    assert!(id.starts_with("img_"));
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    // "What is this?" is answered from what the shipped models find.
    assert!(
        content.contains("64×48") && content.contains("red"),
        "the answer describes the stored image: {content}"
    );
    let usage = &completion["usage"];
    assert_eq!(
        usage["total_tokens"].as_u64(),
        Some(
            usage["prompt_tokens"].as_u64().unwrap_or(0)
                + usage["completion_tokens"].as_u64().unwrap_or(0)
        )
    );

    let response = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("artifact");
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(
        response.bytes().await.expect("bytes").as_ref(),
        bytes.as_slice()
    );
}

#[tokio::test]
async fn webp_inputs_are_stored_as_png_for_clients() {
    let app = spawn().await;
    let image = image::RgbImage::from_pixel(10, 8, image::Rgb([1, 2, 3]));
    let mut webp = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut webp, image::ImageFormat::WebP)
        .expect("webp encodes");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/webp", webp.get_ref())),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(
        completion["vitrine"]["inputs"][0]["content_type"],
        "image/png"
    );
}

#[tokio::test]
async fn streaming_chunks_carry_the_session_and_end_with_done() {
    let app = spawn().await;
    let mut body = ask_with_image("hi", &data_url("image/png", &png(8, 8, [0, 0, 0])));
    body["stream"] = json!(true);
    let response = app
        .http
        .post(app.url("/openai/chat/completions"))
        .bearer_auth(KEY_ACME)
        .json(&body)
        .send()
        .await
        .expect("stream");
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap_or_default()
            .starts_with("text/event-stream")
    );
    let text = response.text().await.expect("body");
    let data: Vec<&str> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .collect();
    assert_eq!(data.last(), Some(&"[DONE]"));
    let chunks: Vec<Value> = data[..data.len() - 1]
        .iter()
        .map(|chunk| serde_json::from_str(chunk).expect("chunks are JSON"))
        .collect();
    let session = chunks[0]["session_id"].as_str().expect("session id");
    assert!(
        chunks
            .iter()
            .all(|chunk| chunk["session_id"] == session
                && chunk["object"] == "chat.completion.chunk")
    );
    let content: String = chunks
        .iter()
        .filter_map(|chunk| chunk["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert!(content.contains("img_"), "{content}");
    assert!(
        chunks
            .iter()
            .any(|chunk| chunk["vitrine_event"]["type"] == "input_stored")
    );
    assert!(
        chunks
            .iter()
            .any(|chunk| chunk["choices"][0]["finish_reason"] == "stop")
    );
}

#[tokio::test]
async fn both_json_schema_forms_get_refs_to_what_the_agent_made() {
    let app = spawn().await;
    let url = data_url("image/png", &png(16, 16, [200, 30, 60]));
    for format in [
        json!({"type": "json_schema", "schema": redaction_schema()}),
        json!({"type": "json_schema", "json_schema": {"name": "RedactionResult", "schema": redaction_schema()}}),
    ] {
        let mut body = ask_with_image("Convert this image to grayscale", &url);
        body["response_format"] = format;
        let (status, completion) = app.chat(KEY_ACME, body).await;
        assert_eq!(status, 200, "{completion}");
        let content: Value = serde_json::from_str(
            completion["choices"][0]["message"]["content"]
                .as_str()
                .expect("content"),
        )
        .expect("content is JSON");
        let id = content["redacted_image"]["id"].as_str().expect("ref");
        assert_ne!(
            id,
            first_input_ref(&completion),
            "a new image, not the input"
        );
        assert!(content["notes"].is_string(), "{content}");
        let made = download(&app, &completion, id).await;
        let made = image::load_from_memory(&made).expect("an image").to_rgb8();
        assert_eq!(made.dimensions(), (16, 16));
        assert!(is_gray(&made), "the ref is the grayscale result");
    }
}

#[tokio::test]
async fn json_object_mode_returns_the_answer_and_the_refs_made() {
    let app = spawn().await;
    let mut body = ask_with_image(
        "Convert this image to grayscale",
        &data_url("image/png", &png(4, 4, [1, 200, 1])),
    );
    body["response_format"] = json!({"type": "json_object"});
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    let content: Value = serde_json::from_str(
        completion["choices"][0]["message"]["content"]
            .as_str()
            .expect("content"),
    )
    .expect("json");
    assert!(content["answer"].is_string(), "{content}");
    let id = content["artifacts"][0].as_str().expect("a ref");
    let made = download(&app, &completion, id).await;
    assert!(is_gray(
        &image::load_from_memory(&made).expect("image").to_rgb8()
    ));
}

#[tokio::test]
async fn an_unsatisfiable_schema_is_a_clear_error_not_partial_json() {
    let app = spawn().await;
    // A video ref cannot be filled by an image ask.
    let mut body = ask_with_image(
        "Convert this image to grayscale",
        &data_url("image/png", &png(4, 4, [1, 1, 1])),
    );
    body["response_format"] = json!({"type": "json_schema", "schema": {
        "$defs": {"VideoRef": {"properties": {"id": {"pattern": "^vid_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"clip": {"$ref": "#/$defs/VideoRef"}}, "required": ["clip"], "type": "object"}});
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error_code(&error), "schema_unsatisfiable", "{error}");
    assert!(error_message(&error).contains("clip"), "{error}");
}

#[tokio::test]
async fn a_second_request_continues_the_session_and_uses_refs_three_ways() {
    let app = spawn().await;
    let (_, first) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &png(5, 5, [5, 5, 5]))),
        )
        .await;
    let session = first["session_id"].as_str().expect("session").to_owned();
    let id = first_input_ref(&first);
    for content in [
        json!([{"type": "image_url", "image_url": {"url": id}}]),
        json!([{"type": "input_ref", "id": id}]),
        json!(format!("now blur the faces in {id} please")),
    ] {
        let (status, second) = app
            .chat(
                KEY_ACME,
                json!({"model": "vlmrun-orion-1:fast", "session_id": session,
                                   "messages": [{"role": "user", "content": content}]}),
            )
            .await;
        assert_eq!(status, 200, "{second}");
        assert_eq!(second["session_id"], session.as_str());
        assert_eq!(first_input_ref(&second), id);
    }
    let listed: Value = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    let items = listed["items"].as_array().expect("items");
    let stored: Vec<&Value> = items
        .iter()
        .filter(|item| {
            item["provenance"]["operation"]
                .as_str()
                .is_some_and(|operation| operation.starts_with("ingest"))
        })
        .collect();
    assert_eq!(stored.len(), 1, "refs are not copied: {listed}");
    assert_eq!(stored[0]["object_id"], id.as_str());
    // What the agent made from the ref names it as its parent.
    for made in items.iter().filter(|item| item["object_id"] != id.as_str()) {
        assert_eq!(made["provenance"]["parents"][0], id.as_str(), "{made}");
    }
}

#[tokio::test]
async fn refs_outside_the_session_or_of_the_wrong_kind_are_errors() {
    let app = spawn().await;
    let (_, first) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &png(5, 5, [5, 5, 5]))),
        )
        .await;
    let id = first_input_ref(&first);
    // In a new session (no session_id), an old ref is not found, with a hint.
    let (status, error) = app.chat(KEY_ACME, ask_with_image("x", &id)).await;
    assert_eq!(status, 404);
    assert!(error_message(&error).contains("session_id"), "{error}");
    // An unknown ref in the right session.
    let session = first["session_id"].as_str().expect("session");
    let mut body = ask_with_image("x", "img_000000");
    body["session_id"] = json!(session);
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(
        (status, error_code(&error)),
        (404, "artifact_not_found"),
        "{error}"
    );
    // An image ref where a video goes.
    let body = json!({"model": "vlmrun-orion-1", "session_id": session, "messages": [{"role": "user", "content": [
        {"type": "video_url", "video_url": {"url": id}}]}]});
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(
        (status, error_code(&error)),
        (400, "wrong_ref_kind"),
        "{error}"
    );
    // An unknown session.
    let mut body = ask_with_image("x", &id);
    body["session_id"] = json!("0123456789abcdef0123456789abcdef");
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(
        (status, error_code(&error)),
        (404, "session_not_found"),
        "{error}"
    );
}

#[tokio::test]
async fn malformed_requests_get_openai_errors_naming_the_field() {
    let app = spawn().await;
    let response = app
        .http
        .post(app.url("/chat/completions"))
        .bearer_auth(KEY_ACME)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "invalid_json");
    assert_eq!(body["error"]["type"], "invalid_request_error");

    let (status, body) = app
        .chat(
            KEY_ACME,
            json!({"model": "gpt-9", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .await;
    assert_eq!((status, error_code(&body)), (404, "model_not_found"));
    assert_eq!(body["error"]["param"], "model");

    let (status, body) = app
        .chat(KEY_ACME, json!({"model": "vlmrun-orion-1", "messages": [{"role": "user", "content": [{"type": "hologram"}]}]}))
        .await;
    assert_eq!(status, 400);
    assert!(error_message(&body).contains("messages[0]"), "{body}");

    let (status, body) = app
        .chat(KEY_ACME, json!({"model": "vlmrun-orion-1", "messages": []}))
        .await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("messages"))
    );

    let (status, body) = app
        .chat(KEY_ACME, json!({"model": "vlmrun-orion-1", "toolsets": ["teleport"], "messages": [{"role": "user", "content": "x"}]}))
        .await;
    assert_eq!(
        (status, body["error"]["param"].as_str()),
        (400, Some("toolsets[0]"))
    );

    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("text/plain", b"hello there, not an image")),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (415, "unsupported_media"),
        "{body}"
    );
}

#[tokio::test]
async fn oversize_bodies_and_images_are_refused() {
    let mut options = Options::default();
    options.config.limits.max_request_bytes = 64 * 1024;
    options.config.limits.max_pixels = 100 * 100;
    let app = spawn_with(options).await;
    let big = vec![b'a'; 100 * 1024];
    let body = json!({"model": "vlmrun-orion-1", "messages": [{"role": "user", "content": String::from_utf8(big).unwrap_or_default()}]});
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(
        (status, error_code(&error)),
        (413, "body_too_large"),
        "{error}"
    );

    let (status, error) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &png(200, 100, [0, 0, 0]))),
        )
        .await;
    assert_eq!(
        (status, error_code(&error)),
        (400, "too_many_pixels"),
        "{error}"
    );
    assert!(error_message(&error).contains("200×100"), "{error}");
}

#[tokio::test]
async fn videos_are_measured_and_the_duration_limit_is_enforced() {
    let mut options = Options::default();
    options.config.limits.max_duration = std::time::Duration::from_secs(2);
    let app = spawn_with(options).await;
    let video = |bytes: &[u8]| {
        json!({"model": "vlmrun-orion-1", "messages": [{"role": "user", "content": [
            {"type": "video_url", "video_url": {"url": data_url("video/mp4", bytes)}}]}]})
    };
    let (status, completion) = app.chat(KEY_ACME, video(&ffmpeg_clip(1))).await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"].as_str().expect("session");
    let listed: Value = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    assert_eq!(
        (
            listed["items"][0]["width"].as_u64(),
            listed["items"][0]["height"].as_u64()
        ),
        (Some(64), Some(48))
    );
    assert_eq!(listed["items"][0]["content_type"], "video/mp4");

    let (status, error) = app.chat(KEY_ACME, video(&ffmpeg_clip(4))).await;
    assert_eq!((status, error_code(&error)), (400, "too_long"), "{error}");
    assert!(error_message(&error).contains("limit is 2 s"), "{error}");
}

#[tokio::test]
async fn webm_and_wav_inputs_are_stored_as_mp4_and_mp3_for_clients() {
    let app = spawn().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let make = |name: &str, args: &[&str]| {
        let path = dir.path().join(name);
        let status = std::process::Command::new("ffmpeg")
            .args(["-v", "error", "-y"])
            .args(args)
            .arg(&path)
            .status()
            .expect("ffmpeg runs");
        assert!(status.success());
        std::fs::read(path).expect("made")
    };
    let webm = make(
        "clip.webm",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x48:rate=10",
            "-t",
            "1",
            "-c:v",
            "libvpx",
        ],
    );
    let wav = make(
        "tone.wav",
        &["-f", "lavfi", "-i", "sine=frequency=440", "-t", "1"],
    );
    let body = json!({"model": "vlmrun-orion-1", "messages": [{"role": "user", "content": [
        {"type": "video_url", "video_url": {"url": data_url("video/webm", &webm)}},
        {"type": "audio_url", "audio_url": {"url": data_url("audio/wav", &wav)}}]}]});
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"].as_str().expect("session");
    for (index, (prefix, content_type, magic)) in [
        ("vid_", "video/mp4", &b"ftyp"[..]),
        ("aud_", "audio/mpeg", &b"ID3"[..]),
    ]
    .into_iter()
    .enumerate()
    {
        let input = &completion["vitrine"]["inputs"][index];
        assert_eq!(input["content_type"], content_type, "{completion}");
        let id = input["ref"].as_str().expect("ref");
        assert!(id.starts_with(prefix));
        let response = app
            .get(
                &format!("/artifacts?session_id={session}&object_id={id}"),
                KEY_ACME,
            )
            .send()
            .await
            .expect("get");
        assert_eq!(response.headers()["content-type"], content_type);
        let bytes = response.bytes().await.expect("bytes");
        assert!(
            bytes
                .windows(magic.len())
                .take(64)
                .any(|window| window == magic),
            "{content_type} bytes start right"
        );
    }
}
