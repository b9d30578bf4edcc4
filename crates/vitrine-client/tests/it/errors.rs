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
