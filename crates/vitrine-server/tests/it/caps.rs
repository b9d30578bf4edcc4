//! Frame and PDF page caps (`--max-frames`, `--max-pdf-pages`) and tool outputs over the
//! session and tenant quotas, through HTTP: each refusal names its limit and setting, and
//! a refused request leaves nothing of its output behind.

use serde_json::{Value, json};

use crate::limits::noise_png;
use crate::*;

fn ask_with_parts(text: &str, parts: Vec<Value>) -> Value {
    let mut content = vec![json!({"type": "text", "text": text})];
    content.extend(parts);
    json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": content}]})
}

/// A request that only sends a video: it is stored (and measured) and nothing runs.
fn just_video(clip: &[u8]) -> Value {
    json!({"model": "vlmrun-orion-1", "messages": [{"role": "user", "content": [
        {"type": "video_url", "video_url": {"url": data_url("video/mp4", clip)}}]}]})
}

fn part(kind: &str, mime: &str, bytes: &[u8]) -> Value {
    json!({"type": kind, kind: {"url": data_url(mime, bytes)}})
}

fn tools_run(completion: &Value) -> Vec<String> {
    completion["vitrine"]["plan"]["steps"]
        .as_array()
        .map(|steps| {
            steps
                .iter()
                .filter_map(|step| step["tool"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The session's artifacts as `GET /v1/artifacts/list` shows them: `(id, bytes)`.
async fn listing(app: &TestApp, session: &str) -> Vec<(String, u64)> {
    let listed = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|item| {
            (
                item["object_id"].as_str().expect("id").to_owned(),
                item["bytes"].as_u64().unwrap_or_default(),
            )
        })
        .collect()
}

fn entries(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(Iterator::count).unwrap_or(0)
}

/// A PDF of `pages` pages, made as the other PDF tests make theirs.
fn pdf(pages: usize) -> Vec<u8> {
    let images: Vec<Vec<u8>> = (0..pages)
        .map(|index| png(40, 30, [(index * 60) as u8, 90, 200]))
        .collect();
    let slices: Vec<&[u8]> = images.iter().map(Vec::as_slice).collect();
    vitrine_document::images_to_pdf(&slices, &vitrine_document::ImagesToPdfParams::default())
        .expect("pdf")
}

#[tokio::test]
async fn a_pdf_over_the_page_cap_is_refused_at_ingest_naming_the_setting() {
    let mut options = Options::default();
    options.config.limits.max_pdf_pages = 2;
    let app = spawn_with(options).await;

    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_parts(
                "How many pages does this PDF have?",
                vec![part("file_url", "application/pdf", &pdf(3))],
            ),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "too_many_pages"),
        "{body}"
    );
    let message = error_message(&body);
    assert!(
        message.contains("3 pages")
            && message.contains("limit is 2 pages")
            && message.contains("--max-pdf-pages"),
        "{message}"
    );
    assert!(body["error"]["param"].is_string(), "{body}");
    assert_eq!(entries(&app.data_dir.join("tmp")), 0, "no temp file left");

    // The same bytes uploaded first and then named are refused the same way.
    let upload = app
        .http
        .post(app.url("/files?purpose=assistants"))
        .bearer_auth(KEY_ACME)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(pdf(3)).file_name("three.pdf"),
        ))
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 201);
    let file: Value = upload.json().await.expect("file object");
    let mut request = ask_with_parts("How many pages does this PDF have?", Vec::new());
    request["messages"][0]["content"]
        .as_array_mut()
        .expect("content")
        .push(json!({"type": "input_file", "file_id": file["id"]}));
    let (status, body) = app.chat(KEY_ACME, request).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "too_many_pages"),
        "{body}"
    );

    // At the cap, the PDF goes through.
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_parts(
                "How many pages does this PDF have?",
                vec![part("file_url", "application/pdf", &pdf(2))],
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["pdf_info"]);
    assert_eq!(
        completion["vitrine"]["plan"]["steps"][0]["facts"]["pages"],
        2
    );
}

#[tokio::test]
async fn redacting_a_tool_made_pdf_over_the_page_cap_fails_naming_the_setting() {
    let mut options = Options::default();
    options.config.limits.max_pdf_pages = 2;
    let app = spawn_with(options).await;
    // Tools may make longer PDFs than inputs may be: three images make three pages.
    let parts: Vec<Value> = [[10, 10, 10], [120, 120, 120], [200, 60, 60]]
        .into_iter()
        .map(|rgb| part("image_url", "image/png", &png(60, 80, rgb)))
        .collect();
    let (status, made) = app
        .chat(
            KEY_ACME,
            ask_with_parts("Make a PDF of these images", parts),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    let document = made["vitrine"]["plan"]["final_refs"][0]
        .as_str()
        .expect("the PDF's ref")
        .to_owned();
    let session = made["session_id"].as_str().expect("session").to_owned();
    let before = listing(&app, &session).await;

    let mut body = ask_with_parts(
        "Redact this PDF",
        vec![json!({"type": "input_ref", "id": document})],
    );
    body["session_id"] = json!(session);
    let (status, body) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 400, "{body}");
    let message = error_message(&body);
    assert!(
        message.contains("redact_document")
            && message.contains("3 pages")
            && message.contains("limit of 2")
            && message.contains("--max-pdf-pages"),
        "{message}"
    );
    assert_eq!(listing(&app, &session).await, before);
}

#[tokio::test]
async fn asking_for_more_frames_than_the_cap_fails_naming_the_setting_and_makes_nothing() {
    let mut options = Options::default();
    options.config.limits.max_frames = 3;
    let app = spawn_with(options).await;
    let clip = ffmpeg_clip(2);
    let (status, body) = app.chat(KEY_ACME, just_video(&clip)).await;
    assert_eq!(status, 200, "{body}");
    let session = body["session_id"].as_str().expect("session").to_owned();
    let video = first_input_ref(&body);
    let before = listing(&app, &session).await;

    let ask = |text: &str| {
        let mut body = ask_with_parts(text, vec![json!({"type": "input_ref", "id": video})]);
        body["session_id"] = json!(session);
        body
    };
    for (text, param, asked) in [
        ("Extract 5 frames from this video", "count", "5 frames"),
        (
            "Grab a frame every 0.5 seconds from this video",
            "interval_s",
            "4 frames",
        ),
        ("Make a contact sheet of 6 frames", "count", "6 frames"),
    ] {
        let (status, body) = app.chat(KEY_ACME, ask(text)).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "too_many_frames"),
            "{text}: {body}"
        );
        let message = error_message(&body);
        assert!(
            message.contains(asked)
                && message.contains("limit of 3")
                && message.contains("--max-frames"),
            "{text}: {message}"
        );
        assert!(message.contains(&format!("`{param}`")), "{text}: {message}");
        assert_eq!(
            listing(&app, &session).await,
            before,
            "{text}: nothing made"
        );
    }

    // Frames going the other way, images into a video, are held to the same limit.
    let stills: Vec<Value> = (0..4u8)
        .map(|shade| part("image_url", "image/png", &png(32, 24, [shade * 60, 80, 80])))
        .collect();
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_parts("Turn these four pictures into a video", stills),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "too_many_frames"),
        "{body}"
    );
    let message = error_message(&body);
    assert!(
        message.contains("`images`")
            && message.contains("4 frames")
            && message.contains("limit of 3")
            && message.contains("--max-frames"),
        "{message}"
    );

    // At the cap, every frame asked for is there.
    let (status, completion) = app
        .chat(KEY_ACME, ask("Extract 3 frames from this video"))
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["extract_frames"]);
    assert_eq!(
        completion["vitrine"]["plan"]["steps"][0]["made"]
            .as_array()
            .map(Vec::len),
        Some(3),
        "{completion}"
    );
}

/// Sends a small image into a new session (which fits), then asks `text` about it in that
/// session; returns the refusal and what the session held before and after it.
async fn output_over_quota(
    app: &TestApp,
    text: &str,
) -> ((u16, Value), Vec<(String, u64)>, Vec<(String, u64)>) {
    let image = noise_png(40, 7);
    let (status, first) = app
        .chat(
            KEY_ACME,
            ask_with_image("what size is this image?", &data_url("image/png", &image)),
        )
        .await;
    assert_eq!(status, 200, "{first}");
    let session = first["session_id"].as_str().expect("session").to_owned();
    let before = listing(app, &session).await;
    let mut request = ask_with_parts(
        text,
        vec![json!({"type": "input_ref", "id": first_input_ref(&first)})],
    );
    request["session_id"] = json!(session);
    let refused = app.chat(KEY_ACME, request).await;
    let after = listing(app, &session).await;
    (refused, before, after)
}

#[tokio::test]
async fn a_tool_output_past_the_session_size_is_refused_with_413_and_nothing_is_kept() {
    let mut options = Options::default();
    options.config.limits.max_session_bytes = 30_000;
    let app = spawn_with(options).await;
    let ((status, body), before, after) =
        output_over_quota(&app, "Resize this image to 800x800").await;
    assert!(
        before.iter().map(|(_, bytes)| bytes).sum::<u64>() < 30_000,
        "the input fits: {before:?}"
    );
    assert_eq!(
        (status, error_code(&body)),
        (413, "session_too_large"),
        "{body}"
    );
    let message = error_message(&body);
    assert!(
        message.contains("the session's size")
            && message.contains("30000 bytes")
            && message.contains("--max-session-mb"),
        "{message}"
    );
    assert_eq!(after, before, "no output, whole or partial, was kept");
    assert_eq!(entries(&app.data_dir.join("tmp")), 0, "no temp file left");
}

#[tokio::test]
async fn frames_past_the_session_size_are_refused_and_the_ones_that_fit_are_taken_back() {
    // Measure one frame and the clip on a server without the limit.
    let clip = ffmpeg_clip(2);
    let probe = spawn().await;
    let ask = |text: &str| ask_with_parts(text, vec![part("video_url", "video/mp4", &clip)]);
    let (status, completion) = probe
        .chat(KEY_ACME, ask("Extract 6 frames from this video"))
        .await;
    assert_eq!(status, 200, "{completion}");
    let sizes = listing(&probe, completion["session_id"].as_str().expect("session")).await;
    let total: u64 = sizes.iter().map(|(_, bytes)| bytes).sum();
    let largest_frame = sizes
        .iter()
        .filter(|(id, _)| id.starts_with("img_"))
        .map(|(_, bytes)| *bytes)
        .max()
        .expect("frames");
    let video_bytes = sizes
        .iter()
        .find(|(id, _)| id.starts_with("vid_"))
        .map(|(_, bytes)| *bytes)
        .expect("the clip");
    drop(probe);

    // Room for the clip and about three frames: the fourth does not fit.
    let limit = video_bytes + 3 * largest_frame + largest_frame / 2;
    assert!(limit < total, "{limit} < {total}");
    let mut options = Options::default();
    options.config.limits.max_session_bytes = limit;
    let app = spawn_with(options).await;
    let (status, first) = app.chat(KEY_ACME, just_video(&clip)).await;
    assert_eq!(status, 200, "{first}");
    let session = first["session_id"].as_str().expect("session").to_owned();
    let before = listing(&app, &session).await;
    let mut request = ask_with_parts(
        "Extract 6 frames from this video",
        vec![json!({"type": "input_ref", "id": first_input_ref(&first)})],
    );
    request["session_id"] = json!(session);
    let (status, body) = app.chat(KEY_ACME, request).await;
    assert_eq!(
        (status, error_code(&body)),
        (413, "session_too_large"),
        "{body}"
    );
    assert!(error_message(&body).contains("--max-session-mb"), "{body}");
    assert_eq!(
        listing(&app, &session).await,
        before,
        "the frames stored before the limit was reached were taken back"
    );
    // And the session has its room back: three frames fit.
    let mut request = ask_with_parts(
        "Extract 3 frames from this video",
        vec![json!({"type": "input_ref", "id": first_input_ref(&first)})],
    );
    request["session_id"] = json!(session);
    let (status, body) = app.chat(KEY_ACME, request).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_tool_output_past_the_tenant_quota_is_refused_with_507_and_nothing_is_kept() {
    let mut options = Options::default();
    options.config.limits.max_tenant_bytes = 30_000;
    let app = spawn_with(options).await;
    let ((status, body), before, after) =
        output_over_quota(&app, "Resize this image to 800x800").await;
    assert_eq!(
        (status, error_code(&body)),
        (507, "tenant_quota_exceeded"),
        "{body}"
    );
    assert!(error_message(&body).contains("--tenant-quota-mb"), "{body}");
    assert_eq!(after, before, "no output, whole or partial, was kept");
    assert_eq!(entries(&app.data_dir.join("tmp")), 0, "no temp file left");
}
