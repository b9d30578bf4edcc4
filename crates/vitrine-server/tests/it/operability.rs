//! What operators and browsers see: request ids in headers and error bodies,
//! `/metrics`, security headers on downloads, CORS.

use serde_json::Value;

use crate::*;

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_response_has_a_request_id_and_every_error_body_names_it() {
    let app = spawn().await;
    let health = app.get("/health", KEY_ACME).send().await.expect("health");
    let minted = header(&health, "x-request-id").to_owned();
    assert!(minted.starts_with("req_") && minted.len() == 28, "{minted}");

    // A caller's own id is kept, so its logs and ours can be joined…
    let traced = app
        .get("/health", KEY_ACME)
        .header("X-Request-Id", "trace-42.a")
        .send()
        .await
        .expect("health");
    assert_eq!(header(&traced, "x-request-id"), "trace-42.a");
    // …unless it could forge a header or a log line.
    let forged = app
        .get("/health", KEY_ACME)
        .header("X-Request-Id", "a b;c")
        .send()
        .await
        .expect("health");
    assert!(header(&forged, "x-request-id").starts_with("req_"));

    // Errors from the handlers, from axum's extractors, from auth and from routing.
    let failures = [
        app.http.get(app.url("/files")).send().await,
        app.get("/files?limit=lots", KEY_ACME).send().await,
        app.get("/nowhere", KEY_ACME).send().await,
        app.http
            .post(app.url("/chat/completions"))
            .bearer_auth(KEY_ACME)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await,
        app.get("/artifacts?session_id=nope&object_id=img_000000", KEY_ACME)
            .send()
            .await,
    ];
    let mut ids = Vec::new();
    for response in failures {
        let response = response.expect("request is sent");
        let status = response.status();
        assert!(status.is_client_error(), "{status}");
        let id = header(&response, "x-request-id").to_owned();
        let body: Value = response.json().await.expect("a JSON error body");
        assert_eq!(body["error"]["id"], id.as_str(), "{status}: {body}");
        assert!(!error_message(&body).is_empty(), "{body}");
        assert!(body["error"]["type"].is_string(), "{body}");
        ids.push(id);
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each request has its own id");
}

/// The value of the sample `name` (with its labels, as written) in a Prometheus text body.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_tools_and_plans_in_prometheus_text() {
    let app = spawn().await;
    for _ in 0..3 {
        app.get("/health", KEY_ACME).send().await.expect("health");
    }
    app.get("/files/file-nope", KEY_ACME)
        .send()
        .await
        .expect("a 400");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Make it black and white",
                &data_url("image/png", &png(40, 30, [200, 10, 10])),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");

    let response = app
        .http
        .get(app.url("").replace("/v1", "/metrics"))
        .send()
        .await
        .expect("metrics");
    assert_eq!(response.status(), 200, "loopback callers need no key");
    assert!(header(&response, "content-type").starts_with("text/plain; version=0.0.4"));
    let text = response.text().await.expect("text");

    let count = |name: &str| sample(&text, name).unwrap_or_else(|| panic!("{name}\n{text}"));
    assert_eq!(
        count(r#"vitrine_http_requests_total{method="GET",route="/v1/health",status="200"}"#),
        3.0
    );
    assert_eq!(
        count(
            r#"vitrine_http_requests_total{method="GET",route="/v1/files/{file_id}",status="400"}"#
        ),
        1.0
    );
    assert_eq!(
        count(
            r#"vitrine_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}"#
        ),
        1.0
    );
    assert_eq!(
        count(r#"vitrine_http_request_duration_seconds_count{route="/v1/health"}"#),
        3.0
    );
    assert_eq!(
        count(r#"vitrine_http_request_duration_seconds_bucket{route="/v1/health",le="+Inf"}"#),
        3.0
    );
    assert_eq!(
        count(r#"vitrine_tool_duration_seconds_count{tool="grayscale"}"#),
        1.0
    );
    assert_eq!(
        count(r#"vitrine_plans_total{planner="offline",outcome="ok"}"#),
        1.0
    );
    assert_eq!(count("vitrine_execution_queue_depth"), 0.0);
    assert!(
        count("vitrine_store_disk_bytes") > 0.0,
        "the index at least"
    );
    assert!(count("vitrine_disk_free_bytes") > 0.0);
    assert!(
        !text.contains("acme") && !text.contains(KEY_ACME),
        "no tenants or keys in metrics"
    );
}

#[tokio::test]
async fn downloads_cannot_run_as_pages_and_every_response_is_nosniff() {
    let app = spawn().await;
    let bytes = png(8, 8, [1, 2, 3]);
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &bytes)),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"].as_str().expect("session");
    let id = first_input_ref(&completion);
    let download = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("download");
    assert_eq!(download.status(), 200);
    assert_eq!(header(&download, "x-content-type-options"), "nosniff");
    assert_eq!(
        header(&download, "content-security-policy"),
        "default-src 'none'; sandbox"
    );
    let health = app.get("/health", KEY_ACME).send().await.expect("health");
    assert_eq!(header(&health, "x-content-type-options"), "nosniff");
    assert_eq!(header(&health, "content-security-policy"), "");
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let preflight = |app: &TestApp, origin: &str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/chat/completions"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
            .send()
    };
    let closed = spawn().await;
    let response = preflight(&closed, "https://app.example")
        .await
        .expect("preflight");
    assert_eq!(header(&response, "access-control-allow-origin"), "");

    let mut options = Options::default();
    options.config.cors_origins = vec!["https://app.example".to_owned()];
    let app = spawn_with(options).await;
    let response = preflight(&app, "https://app.example")
        .await
        .expect("preflight");
    assert!(response.status().is_success(), "{}", response.status());
    assert_eq!(
        header(&response, "access-control-allow-origin"),
        "https://app.example"
    );
    assert!(
        header(&response, "access-control-allow-headers").contains("authorization"),
        "{:?}",
        response.headers()
    );
    let other = preflight(&app, "https://evil.example")
        .await
        .expect("preflight");
    assert_eq!(header(&other, "access-control-allow-origin"), "");

    let simple = app
        .get("/health", KEY_ACME)
        .header("Origin", "https://app.example")
        .send()
        .await
        .expect("health");
    assert_eq!(
        header(&simple, "access-control-allow-origin"),
        "https://app.example"
    );
    assert!(
        header(&simple, "access-control-expose-headers").contains("x-request-id"),
        "{:?}",
        simple.headers()
    );
}

/// A server listening on every interface (`0.0.0.0`, as `--bind 0.0.0.0:…` does) wants the
/// metrics key even from a caller on 127.0.0.1: a reverse proxy on the same host would make
/// every outside request look like one. The tests run in a network namespace with only a
/// loopback interface (scripts/test.sh), so 0.0.0.0 reaches nothing beyond this machine.
#[tokio::test]
async fn metrics_on_a_non_loopback_listener_need_the_metrics_key() {
    let any = std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
    let metrics = |app: &TestApp| app.url("").replace("/v1", "/metrics");

    let app = spawn_with(Options {
        listen: any,
        ..Options::default()
    })
    .await;
    let refused = app.http.get(metrics(&app)).send().await.expect("metrics");
    assert_eq!(refused.status(), 403);
    let body: Value = refused.json().await.expect("json");
    assert_eq!(error_code(&body), "forbidden");
    let message = error_message(&body);
    assert!(
        message.contains("listens on 0.0.0.0:") && message.contains("--metrics-key"),
        "{message}"
    );
    // A tenant's API key is not the metrics key.
    let refused = app
        .http
        .get(metrics(&app))
        .bearer_auth(KEY_ACME)
        .send()
        .await
        .expect("metrics");
    assert_eq!(refused.status(), 403);
    drop(app);

    let mut options = Options {
        listen: any,
        ..Options::default()
    };
    options.config.metrics_key = Some("scrape-key-42".into());
    let app = spawn_with(options).await;
    for key in [None, Some(KEY_ACME), Some("scrape-key-4")] {
        let mut request = app.http.get(metrics(&app));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("metrics");
        assert_eq!(response.status(), 401, "key {key:?}");
        let body: Value = response.json().await.expect("json");
        assert!(error_message(&body).contains("--metrics-key"), "{body}");
    }
    let served = app
        .http
        .get(metrics(&app))
        .bearer_auth("scrape-key-42")
        .send()
        .await
        .expect("metrics");
    assert_eq!(served.status(), 200);
    let text = served.text().await.expect("text");
    assert!(text.contains("vitrine_http_requests_total{"), "{text}");
    // The rest of the API is unchanged on that listener.
    let health = app.get("/health", KEY_ACME).send().await.expect("health");
    assert_eq!(health.status(), 200);
}
