//! Per-tenant request rate and concurrent work (429 with `Retry-After`), the
//! free-disk floor (507, nothing written), stored-bytes quotas (a session's size: 413;
//! a tenant's stored bytes: 507; nothing written) and the header timeout (slow clients),
//! through HTTP.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::Notify;
use vitrine_server::{ApiKeys, TenantLimits};

use crate::*;

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_tenant_over_its_rate_gets_429_with_retry_after_and_others_do_not() {
    // acme keeps the server's 3 per minute; globex sets its own in the tenants file.
    let mut options = Options {
        keys: ApiKeys::parse_tenants(&format!(
            "[tenants.acme]\napi_keys = [\"{KEY_ACME}\"]\n\n[tenants.globex]\napi_keys = [\"{KEY_GLOBEX}\"]\nrequests_per_minute = 600\n"
        ))
        .expect("tenants file"),
        ..Options::default()
    };
    options.config.tenant_limits = TenantLimits {
        requests_per_minute: Some(3),
        ..TenantLimits::default()
    };
    let app = spawn_with(options).await;
    for _ in 0..3 {
        let response = app.get("/files", KEY_ACME).send().await.expect("list");
        assert_eq!(response.status(), 200);
    }
    let refused = app.get("/files", KEY_ACME).send().await.expect("list");
    assert_eq!(refused.status(), 429);
    let retry: u64 = header(&refused, "retry-after")
        .parse()
        .expect("Retry-After");
    assert!((1..=20).contains(&retry), "one token per 20 s: {retry}");
    let id = header(&refused, "x-request-id");
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_code(&body), "rate_limited");
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert_eq!(body["error"]["id"], id.as_str());
    assert!(
        error_message(&body).contains("3 requests per minute"),
        "{body}"
    );
    for _ in 0..10 {
        let response = app.get("/files", KEY_GLOBEX).send().await.expect("list");
        assert_eq!(response.status(), 200, "globex has its own, larger rate");
    }
    // Unauthenticated callers are refused before any bucket is touched.
    let anonymous = app.http.get(app.url("/files")).send().await.expect("list");
    assert_eq!(anonymous.status(), 401);
}

/// An OpenAI-compatible planner stand-in whose first answer says it `arrived`
/// and waits for `gate`.
async fn slow_planner(arrived: Arc<Notify>, gate: Arc<Notify>) -> String {
    let turn = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let route = axum::routing::post(move || {
        let (arrived, gate, turn) = (Arc::clone(&arrived), Arc::clone(&gate), Arc::clone(&turn));
        async move {
            if turn.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                arrived.notify_one();
                gate.notified().await;
            }
            axum::Json(
                json!({"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"index": 0,
                "message": {"role": "assistant", "content": "Done thinking."},
                "finish_reason": "stop"}]}),
            )
        }
    });
    let address = media_server(axum::Router::new().route("/v1/chat/completions", route)).await;
    format!("http://{address}/v1")
}

fn ask_planner(text: &str) -> Value {
    json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": text}]})
}

#[tokio::test]
async fn a_tenant_at_its_concurrency_limit_gets_429_until_its_work_ends() {
    let (arrived, gate) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let mut options = Options::default();
    options.providers.llm = Some(vitrine_agent::LlmConfig::new(
        slow_planner(Arc::clone(&arrived), Arc::clone(&gate)).await,
        "scripted-model",
        None,
    ));
    options.config.tenant_limits = TenantLimits {
        max_concurrent: Some(1),
        ..TenantLimits::default()
    };
    let app = Arc::new(spawn_with(options).await);
    let first = tokio::spawn({
        let app = Arc::clone(&app);
        async move {
            app.chat(KEY_ACME, ask_planner("Think about our archive policy"))
                .await
        }
    });
    // The first request is planning, holding acme's one slot.
    arrived.notified().await;
    let refused = app
        .http
        .post(app.url("/chat/completions"))
        .bearer_auth(KEY_ACME)
        .json(&ask_planner("And another thing"))
        .send()
        .await
        .expect("chat");
    assert_eq!(refused.status(), 429);
    assert_eq!(header(&refused, "retry-after"), "1");
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_code(&body), "concurrency_limited", "{body}");
    assert!(
        error_message(&body).contains("1 requests at work"),
        "{body}"
    );

    let (status, other) = app
        .chat(KEY_GLOBEX, ask_planner("Think about our policy too"))
        .await;
    assert_eq!(status, 200, "another tenant is not held up: {other}");

    gate.notify_one();
    let (status, answer) = first.await.expect("first chat");
    assert_eq!(status, 200, "{answer}");
    let (status, again) = app.chat(KEY_ACME, ask_planner("One more")).await;
    assert_eq!(status, 200, "the slot is free again: {again}");
}

#[tokio::test]
async fn below_the_free_disk_floor_writes_get_507_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut options = Options {
        data_dir: Some(dir.path().to_owned()),
        ..Options::default()
    };
    // More than any disk has: the floor is always crossed.
    options.config.min_free_disk = u64::MAX / 2;
    let app = spawn_with(options).await;
    let form = || {
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(png(16, 16, [9, 9, 9])).file_name("a.png"),
        )
    };
    let upload = app
        .http
        .post(app.url("/files?purpose=assistants"))
        .bearer_auth(KEY_ACME)
        .multipart(form())
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 507);
    let body: Value = upload.json().await.expect("json");
    assert_eq!(error_code(&body), "insufficient_storage");
    assert!(
        error_message(&body).contains("--min-free-disk-mb"),
        "{body}"
    );
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &png(8, 8, [1, 1, 1]))),
        )
        .await;
    assert_eq!(status, 507, "{body}");
    // Reads still work, so callers can look around and delete.
    let list = app.get_json("/files", KEY_ACME).await;
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");
    let (data_dir, _keep) = app.stop().await;
    for sub in ["files", "blobs", "tmp"] {
        let entries = std::fs::read_dir(data_dir.join(sub))
            .expect("store dir")
            .count();
        assert_eq!(entries, 0, "nothing written under {sub}");
    }

    // With space again, the same store takes writes. (The connection tasks let go of the
    // store just after the drain; the index lock goes with them.)
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let app = spawn_with(Options {
        data_dir: Some(data_dir),
        ..Options::default()
    })
    .await;
    let upload = app
        .http
        .post(app.url("/files?purpose=assistants"))
        .bearer_auth(KEY_ACME)
        .multipart(form())
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), 201);
}

/// Bytes that do not compress, from a small LCG.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 56) as u8
        })
        .collect()
}

/// A square PNG of noise: it does not compress, so its size is predictable.
pub(crate) fn noise_png(side: u32, seed: u64) -> Vec<u8> {
    let pixels = noise((side * side * 3) as usize, seed);
    let image = image::RgbImage::from_raw(side, side, pixels).expect("image");
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    bytes.into_inner()
}

async fn upload(app: &TestApp, key: &str, bytes: Vec<u8>) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name("blob.bin");
    let response = app
        .http
        .post(app.url("/files?purpose=assistants"))
        .bearer_auth(key)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

fn entries(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map(Iterator::count).unwrap_or(0)
}

#[tokio::test]
async fn a_tenant_over_its_stored_bytes_gets_507_naming_the_setting_and_nothing_is_kept() {
    let mut options = Options::default();
    options.config.limits.max_tenant_bytes = 100_000;
    let app = spawn_with(options).await;
    let (status, first) = upload(&app, KEY_ACME, noise(60_000, 1)).await;
    assert_eq!(status, 201, "{first}");
    let (status, body) = upload(&app, KEY_ACME, noise(60_000, 2)).await;
    assert_eq!(status, 507, "{body}");
    assert_eq!(error_code(&body), "tenant_quota_exceeded");
    let message = error_message(&body);
    assert!(
        message.contains("100000 bytes")
            && message.contains("60000 bytes stored")
            && message.contains("--tenant-quota-mb"),
        "{message}"
    );
    assert!(body["error"]["id"].is_string(), "{body}");
    let files = app.get_json("/files", KEY_ACME).await;
    assert_eq!(files.as_array().map(Vec::len), Some(1), "{files}");
    assert_eq!(entries(&app.data_dir.join("files")), 1, "one file on disk");
    assert_eq!(entries(&app.data_dir.join("tmp")), 0, "no temp file left");

    // Inputs of a chat count too: a 60 kB image is refused before the agent sees it.
    let image = noise_png(150, 3);
    assert!(image.len() > 40_000, "{}", image.len());
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &image)),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (507, "tenant_quota_exceeded"),
        "{body}"
    );

    // Another tenant has its own quota.
    let (status, body) = upload(&app, KEY_GLOBEX, noise(60_000, 4)).await;
    assert_eq!(status, 201, "{body}");

    // Deleting makes room.
    let id = first["id"].as_str().expect("file id");
    let deleted = app
        .http
        .delete(app.url(&format!("/files/{id}")))
        .bearer_auth(KEY_ACME)
        .send()
        .await
        .expect("delete");
    assert_eq!(deleted.status(), 200);
    let (status, body) = upload(&app, KEY_ACME, noise(60_000, 5)).await;
    assert_eq!(status, 201, "{body}");
}

#[tokio::test]
async fn a_session_over_its_size_gets_413_naming_the_setting_and_keeps_what_it_had() {
    let mut options = Options::default();
    options.config.limits.max_session_bytes = 30_000;
    let app = spawn_with(options).await;
    let image = |seed| noise_png(80, seed);
    let first = image(1);
    assert!((15_000..30_000).contains(&first.len()), "{}", first.len());
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("what size is this image?", &data_url("image/png", &first)),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let listing = format!("/artifacts/list?session_id={session}");
    let before = app.get_json(&listing, KEY_ACME).await["items"].clone();
    assert!(
        before.as_array().is_some_and(|items| !items.is_empty()),
        "{before}"
    );
    let blobs_before = entries(&app.data_dir.join("blobs").join(&session));

    let mut request = ask_with_image("and this one?", &data_url("image/png", &image(2)));
    request["session_id"] = json!(session);
    let (status, body) = app.chat(KEY_ACME, request).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), "session_too_large");
    let message = error_message(&body);
    assert!(
        message.contains("the session's size")
            && message.contains("30000 bytes")
            && message.contains("--max-session-mb"),
        "{message}"
    );
    assert_eq!(
        app.get_json(&listing, KEY_ACME).await["items"],
        before,
        "the session is as it was"
    );
    assert_eq!(
        entries(&app.data_dir.join("blobs").join(&session)),
        blobs_before
    );
    assert_eq!(entries(&app.data_dir.join("tmp")), 0, "no temp file left");

    // A new session has room.
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &image(3))),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_client_sending_its_headers_a_byte_at_a_time_is_cut_off_and_others_are_served() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut options = Options::default();
    options.config.limits.header_timeout = std::time::Duration::from_secs(1);
    let app = spawn_with(options).await;
    let address = app
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let mut slow = Vec::new();
    for _ in 0..20 {
        let mut stream = tokio::net::TcpStream::connect(&address)
            .await
            .expect("connect");
        stream
            .write_all(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")
            .await
            .expect("write");
        slow.push(stream);
    }
    let started = std::time::Instant::now();
    // One more header byte per connection every 100 ms: never a whole request.
    let mut closed_after = vec![None; slow.len()];
    while closed_after.iter().any(Option::is_none)
        && started.elapsed() < std::time::Duration::from_secs(5)
    {
        for (stream, closed) in slow.iter_mut().zip(&mut closed_after) {
            if closed.is_some() {
                continue;
            }
            let mut probe = [0u8; 64];
            let gone = match tokio::time::timeout(
                std::time::Duration::from_millis(5),
                stream.read(&mut probe),
            )
            .await
            {
                Ok(Ok(0) | Err(_)) => true,
                Ok(Ok(_)) => false,
                Err(_) => stream.write_all(b"x").await.is_err(),
            };
            if gone {
                *closed = Some(started.elapsed());
            }
        }
        // Meanwhile a normal client gets in at once.
        let response = app.get("/health", KEY_ACME).send().await.expect("health");
        assert_eq!(response.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    for closed in closed_after {
        let closed = closed.expect("every slow connection is closed");
        assert!(
            closed >= std::time::Duration::from_millis(800)
                && closed < std::time::Duration::from_secs(4),
            "closed after {closed:?}"
        );
    }
}
