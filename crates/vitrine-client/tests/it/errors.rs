//! Error mapping from the server's OpenAI error JSON, and retries with backoff
//! against a local stub that fails on purpose.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use vitrine_client::{ChatRequest, Client, ClientError, RetryPolicy};

use crate::{client_for, png, spawn, spawn_with_config};

#[tokio::test]
async fn statuses_map_to_typed_errors_with_the_servers_details() {
    let app = spawn().await;

    // 401: a wrong key.
    let stranger = client_for(&app.base, "not-a-key", app.dir.path());
    match stranger.models().await {
        Err(ClientError::Unauthorized(error)) => {
            assert_eq!(error.status, 401);
            assert!(!error.message.is_empty());
        }
        other => panic!("expected 401, got {other:?}"),
    }

    // 404 with a param: an unknown model.
    match app
        .client
        .agent()
        .completions()
        .create(ChatRequest::new("gpt-17").text("hi"))
        .await
    {
        Err(ClientError::NotFound(error)) => {
            assert_eq!(error.param.as_deref(), Some("model"));
            assert_eq!(error.code.as_deref(), Some("model_not_found"));
            assert!(error.message.contains("gpt-17"), "{}", error.message);
        }
        other => panic!("expected 404, got {other:?}"),
    }

    // 404: a file that does not exist.
    match app
        .client
        .files()
        .get("file-000000000000000000000000")
        .await
    {
        Err(error @ ClientError::NotFound(_)) => assert_eq!(error.status(), Some(404)),
        other => panic!("expected 404, got {other:?}"),
    }

    // 400 with a param: an unknown toolset, and an out-of-range limit.
    match app
        .client
        .agent()
        .completions()
        .create(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("hi")
                .toolsets(["lasers"]),
        )
        .await
    {
        Err(ClientError::BadRequest(error)) => {
            assert_eq!(error.status, 400);
            assert_eq!(error.param.as_deref(), Some("toolsets[0]"));
            assert!(error.message.contains("lasers"), "{}", error.message);
            assert_eq!(error.kind.as_deref(), Some("invalid_request_error"));
        }
        other => panic!("expected 400, got {other:?}"),
    }
    match app.client.files().list(0, 0).await {
        Err(ClientError::BadRequest(error)) => assert_eq!(error.param.as_deref(), Some("limit")),
        other => panic!("expected 400, got {other:?}"),
    }
}

#[tokio::test]
async fn an_upload_over_the_servers_limit_is_payload_too_large() {
    let mut config = vitrine_server::ServerConfig::default();
    config.limits.max_upload_bytes = 10_000;
    let app = spawn_with_config(config).await;
    let big = app.write("big.png", &vec![7u8; 50_000]);
    match app.client.files().upload(&big).await {
        Err(ClientError::PayloadTooLarge(error)) => assert_eq!(error.status, 413),
        other => panic!("expected 413, got {other:?}"),
    }
    // Under the limit it goes through.
    let small = app.write("small.png", &png(4, 4, [0, 0, 0], [9, 9, 9]));
    app.client
        .files()
        .upload(&small)
        .await
        .expect("a small upload");
}

/// A stub that answers `failures` times with `status`, then 200 `{"status":"ok"}`.
async fn stub(status: StatusCode, failures: u32) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/v1/health",
        get(move || {
            let counter = counter.clone();
            async move {
                let hit = counter.fetch_add(1, Ordering::SeqCst);
                if hit < failures {
                    (
                        status,
                        [("retry-after", "0")],
                        r#"{"error":{"message":"try later","type":"server_error","param":null,"code":"busy"}}"#,
                    )
                        .into_response()
                } else {
                    (StatusCode::OK, r#"{"status":"ok"}"#).into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/v1"), hits)
}

fn fast(base: &str, attempts: u32) -> Client {
    Client::builder(base)
        .retry(RetryPolicy {
            max_attempts: attempts,
            initial_delay: std::time::Duration::from_millis(10),
            max_delay: std::time::Duration::from_millis(50),
        })
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_503_twice_is_retried_until_the_200() {
    let (base, hits) = stub(StatusCode::SERVICE_UNAVAILABLE, 2).await;
    let health = fast(&base, 5)
        .health()
        .await
        .expect("third attempt succeeds");
    assert_eq!(health.status, "ok");
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_stop_at_the_limit_and_report_the_last_error() {
    let (base, hits) = stub(StatusCode::SERVICE_UNAVAILABLE, 10).await;
    match fast(&base, 3).health().await {
        Err(ClientError::Server(error)) => {
            assert_eq!(error.status, 503);
            assert_eq!(error.code.as_deref(), Some("busy"));
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    assert_eq!(hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_429_is_retried_and_a_400_is_not() {
    let (base, hits) = stub(StatusCode::TOO_MANY_REQUESTS, 1).await;
    fast(&base, 3)
        .health()
        .await
        .expect("second attempt succeeds");
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    let (base, hits) = stub(StatusCode::BAD_REQUEST, 1).await;
    assert!(matches!(
        fast(&base, 5).health().await,
        Err(ClientError::BadRequest(_))
    ));
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_after_retries() {
    // Bind and drop: the port is very likely closed afterwards.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    match fast(&format!("http://{address}/v1"), 2).health().await {
        Err(error @ ClientError::Transport(_)) => assert!(error.is_retryable()),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_timeout_is_retried() {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/v1/health",
        get(move || {
            let counter = counter.clone();
            async move {
                // The first answer comes too late for the client's timeout.
                if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
                }
                (StatusCode::OK, r#"{"status":"ok"}"#)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = Client::builder(format!("http://{address}/v1"))
        .timeout(std::time::Duration::from_millis(300))
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_delay: std::time::Duration::from_millis(10),
            max_delay: std::time::Duration::from_millis(50),
        })
        .build()
        .expect("client");
    client.health().await.expect("the retry succeeds");
    assert_eq!(hits.load(Ordering::SeqCst), 2);

    // Without retries the timeout is reported as such.
    let (slow_hits, once) = (
        hits.clone(),
        Client::builder(format!("http://{address}/v1"))
            .timeout(std::time::Duration::from_millis(300))
            .retry(RetryPolicy::none())
            .build()
            .expect("client"),
    );
    slow_hits.store(0, Ordering::SeqCst);
    assert!(matches!(
        once.health().await,
        Err(ClientError::Timeout { .. })
    ));
}

/// A chat endpoint that answers `status` to its first `failures` posts and counts them.
async fn chat_stub(status: StatusCode, failures: u32) -> (String, Arc<AtomicU32>) {
    let hits = Arc::new(AtomicU32::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/v1/openai/chat/completions",
        axum::routing::post(move || {
            let counter = counter.clone();
            async move {
                if counter.fetch_add(1, Ordering::SeqCst) < failures {
                    (
                        status,
                        [("retry-after", "0")],
                        r#"{"error":{"message":"no images provider; set --images-base-url","type":"server_error","param":null,"code":null}}"#,
                    )
                        .into_response()
                } else {
                    (
                        StatusCode::OK,
                        [("content-type", "application/json")],
                        r#"{"id":"chatcmpl-1","object":"chat.completion","created":0,"model":"vlmrun-orion-1:auto",
                            "choices":[{"index":0,"message":{"role":"assistant","content":"done"},"finish_reason":"stop"}],
                            "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2},"session_id":"0123456789abcdef0123456789abcdef"}"#,
                    )
                        .into_response()
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{address}/v1"), hits)
}

async fn ask(base: &str) -> Result<vitrine_client::ChatCompletion, ClientError> {
    fast(base, 5)
        .agent()
        .completions()
        .create(ChatRequest::new("vlmrun-orion-1:auto").text("make a picture of a cat"))
        .await
}

#[tokio::test]
async fn a_chat_answered_501_or_504_is_final_and_sent_once() {
    // 501: the provider is not configured; 504: the work timed out. Asking
    // again would give the same answer minutes later.
    for status in [StatusCode::NOT_IMPLEMENTED, StatusCode::GATEWAY_TIMEOUT] {
        let (base, hits) = chat_stub(status, 10).await;
        match ask(&base).await {
            Err(ClientError::Server(error)) => assert_eq!(error.status, status.as_u16()),
            other => panic!("expected a {status} server error, got {other:?}"),
        }
        assert_eq!(hits.load(Ordering::SeqCst), 1, "{status} is not retried");
    }
    let (base, hits) = chat_stub(StatusCode::INTERNAL_SERVER_ERROR, 10).await;
    assert!(ask(&base).await.is_err());
    assert_eq!(hits.load(Ordering::SeqCst), 1, "a 500 may have acted");
}

#[tokio::test]
async fn a_chat_answered_502_503_or_429_is_retried() {
    for status in [
        StatusCode::BAD_GATEWAY,
        StatusCode::SERVICE_UNAVAILABLE,
        StatusCode::TOO_MANY_REQUESTS,
    ] {
        let (base, hits) = chat_stub(status, 2).await;
        let completion = ask(&base).await.expect("the third attempt answers");
        assert_eq!(
            completion.choices[0].message.content.as_deref(),
            Some("done")
        );
        assert_eq!(hits.load(Ordering::SeqCst), 3, "{status} is retried");
    }
}

#[tokio::test]
async fn a_failed_upload_is_not_sent_again_when_the_server_already_has_it() {
    // The stub stores the upload, then answers 503 as a proxy might after the
    // server took it; the retry must find it by MD5 instead of sending it again.
    let uploads = Arc::new(AtomicU32::new(0));
    let stored = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (counter, on_upload) = (uploads.clone(), stored.clone());
    let file_json = r#"{"id":"file-0123456789abcdef01234567","object":"file","bytes":3,"created_at":"2026-01-01T00:00:00Z","filename":"x.png","purpose":"assistants","public_url":null}"#;
    let app = Router::new()
        .route(
            "/v1/files",
            axum::routing::post(move || {
                let (counter, on_upload) = (counter.clone(), on_upload.clone());
                async move {
                    counter.fetch_add(1, Ordering::SeqCst);
                    on_upload.store(true, Ordering::SeqCst);
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        r#"{"error":{"message":"busy","type":"server_error","param":null,"code":null}}"#,
                    )
                }
            }),
        )
        .route(
            "/v1/files/hash/{md5}",
            get(move || {
                let stored = stored.clone();
                async move {
                    if stored.load(Ordering::SeqCst) {
                        (StatusCode::OK, file_json).into_response()
                    } else {
                        (
                            StatusCode::NOT_FOUND,
                            r#"{"error":{"message":"no file","type":"invalid_request_error","param":null,"code":null}}"#,
                        )
                            .into_response()
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("x.png");
    std::fs::write(&path, png(4, 4, [1, 2, 3], [4, 5, 6])).expect("write");
    let file = fast(&format!("http://{address}/v1"), 5)
        .files()
        .upload(&path)
        .await
        .expect("the server's copy is found");
    assert_eq!(file.id, "file-0123456789abcdef01234567");
    assert_eq!(
        uploads.load(Ordering::SeqCst),
        1,
        "the bytes went over once"
    );
}
