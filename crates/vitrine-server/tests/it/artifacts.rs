//! Artifacts: listing, deletion, expiry and sweeping, durability, headers.

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::*;

async fn one_image(app: &TestApp, rgb: [u8; 3]) -> (String, String, Vec<u8>) {
    let bytes = png(12, 12, rgb);
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &bytes)),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    (
        completion["session_id"]
            .as_str()
            .expect("session")
            .to_owned(),
        first_input_ref(&completion),
        bytes,
    )
}

#[tokio::test]
async fn response_header_names_are_title_case_for_the_vlmrun_sdk() {
    let app = spawn().await;
    let (session, id, _) = one_image(&app, [1, 2, 3]).await;
    let address = app
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/v1")
        .to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");
    let request = format!(
        "GET /v1/artifacts?session_id={session}&object_id={id} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {KEY_ACME}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let head = String::from_utf8_lossy(&raw);
    assert!(
        head.contains("\r\nContent-Type: image/png\r\n"),
        "{head:.300}"
    );
    assert!(head.contains("\r\nContent-Length: "), "{head:.300}");
}

#[tokio::test]
async fn delete_one_artifact_then_the_whole_session() {
    let app = spawn().await;
    let (session, id, _) = one_image(&app, [1, 2, 3]).await;
    let path = format!("/artifacts?session_id={session}&object_id={id}");
    let response = app
        .http
        .delete(app.url(&path))
        .bearer_auth(KEY_ACME)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), 200);
    let response = app.get(&path, KEY_ACME).send().await.expect("get");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "artifact_deleted");

    let response = app
        .http
        .delete(app.url(&format!("/sessions/{session}")))
        .bearer_auth(KEY_ACME)
        .send()
        .await
        .expect("delete");
    assert_eq!(response.status(), 200);
    let response = app
        .get(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .send()
        .await
        .expect("list");
    assert_eq!(response.status(), 404);
    assert!(!exists(&app.data_dir.join("blobs").join(&session)));
}

#[tokio::test]
async fn expired_artifacts_answer_404_saying_so_and_the_sweeper_deletes_their_bytes() {
    let app = spawn_with(Options {
        retention: 90,
        ..Options::default()
    })
    .await;
    let (session, id, bytes) = one_image(&app, [4, 5, 6]).await;
    app.clock.advance(91);
    let response = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.expect("json");
    assert!(error_message(&body).contains("expired"), "{body}");

    let report = vitrine_store::ArtifactStore::sweep(app.store.as_ref())
        .await
        .expect("sweep");
    assert_eq!((report.artifacts, report.sessions), (1, 1));
    // Small blobs live in the store's index, larger ones as files: either way the
    // sweeper reports freeing exactly the artifact's bytes.
    assert_eq!(report.bytes, bytes.len() as u64, "swept bytes are freed");
    let response = app
        .get(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .send()
        .await
        .expect("list");
    let body: Value = response.json().await.expect("json");
    assert_eq!(error_code(&body), "session_expired", "{body}");
    // The expired session cannot be continued.
    let mut request = ask_with_image("x", &data_url("image/png", &png(2, 2, [0, 0, 0])));
    request["session_id"] = serde_json::json!(session);
    let (status, _) = app.chat(KEY_ACME, request).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_restarted_server_finds_every_acknowledged_artifact_intact() {
    let app = spawn().await;
    let mut made = Vec::new();
    for shade in 0..5u8 {
        made.push(one_image(&app, [shade * 40, 0, 255 - shade * 40]).await);
    }
    let (data_dir, keep_alive) = app.stop().await;
    let app = spawn_with(Options {
        data_dir: Some(data_dir),
        ..Options::default()
    })
    .await;
    for (session, id, bytes) in made {
        let response = app
            .get(
                &format!("/artifacts?session_id={session}&object_id={id}"),
                KEY_ACME,
            )
            .send()
            .await
            .expect("get");
        assert_eq!(response.status(), 200);
        let body = response.bytes().await.expect("bytes");
        assert_eq!(sha256_hex(&body), sha256_hex(&bytes));
        let listed: Value = app
            .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
            .await;
        assert_eq!(
            listed["items"][0]["sha256"].as_str(),
            Some(sha256_hex(&bytes).as_str())
        );
    }
    drop(keep_alive);
}

#[tokio::test]
async fn bad_artifact_queries_say_what_to_fix() {
    let app = spawn().await;
    let response = app
        .get("/artifacts?object_id=img_abcdef", KEY_ACME)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["param"], "session_id");
    let response = app
        .get(
            "/artifacts?session_id=0123456789abcdef0123456789abcdef&object_id=picture",
            KEY_ACME,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 400);
    let response = app.get("/nowhere", KEY_ACME).send().await.expect("get");
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn range_requests_return_exactly_the_bytes_asked_for() {
    // Video players seek with `Range`; the answer is 206 with exactly those bytes.
    let app = spawn().await;
    let (session, id, bytes) = one_image(&app, [9, 8, 7]).await;
    let path = format!("/artifacts?session_id={session}&object_id={id}");
    let get = |range: &'static str| {
        app.http
            .get(app.url(&path))
            .bearer_auth(KEY_ACME)
            .header("Range", range)
            .send()
    };
    let size = bytes.len();
    for (range, start, end) in [
        ("bytes=0-9", 0, 10),
        ("bytes=5-", 5, size),
        ("bytes=-7", size - 7, size),
    ] {
        let response = get(range).await.expect("sent");
        assert_eq!(response.status().as_u16(), 206, "{range}");
        assert_eq!(
            response.headers()["content-range"],
            format!("bytes {start}-{}/{size}", end - 1).as_str()
        );
        assert_eq!(response.headers()["accept-ranges"], "bytes");
        let body = response.bytes().await.expect("body");
        assert_eq!(&body[..], &bytes[start..end], "{range}");
    }
    let outside = get("bytes=100000-").await.expect("sent");
    assert_eq!(outside.status().as_u16(), 416);
    assert_eq!(
        outside.headers()["content-range"],
        format!("bytes */{size}").as_str()
    );
    let whole = app
        .http
        .get(app.url(&path))
        .bearer_auth(KEY_ACME)
        .send()
        .await
        .expect("sent");
    assert_eq!(whole.status().as_u16(), 200);
    assert_eq!(&whole.bytes().await.expect("body")[..], &bytes[..]);
}
