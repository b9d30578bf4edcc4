//! The web playground's page and the signed artifact URLs its media elements load.

use reqwest::StatusCode;
use reqwest::header;
use serde_json::{Value, json};

use crate::*;

impl TestApp {
    /// `http://127.0.0.1:PORT`, where the page lives (outside `/v1`).
    fn origin(&self) -> &str {
        self.base.trim_end_matches("/v1")
    }
}

async fn signed_urls(app: &TestApp, key: &str, body: Value) -> (StatusCode, Value) {
    let response = app
        .http
        .post(app.url("/artifacts/signed-urls"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .expect("request is sent");
    let status = response.status();
    (status, response.json().await.expect("JSON"))
}

#[tokio::test]
async fn the_page_and_its_assets_come_from_the_binary() {
    let app = spawn().await;
    let page = app
        .http
        .get(format!("{}/", app.origin()))
        .send()
        .await
        .expect("page");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .expect("ascii");
    assert!(policy.starts_with("default-src 'self';"), "{policy}");
    let etag = headers[header::ETAG].clone();
    let html = page.text().await.expect("html");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page loads nothing from elsewhere"
    );
    let built = workspace().join("crates/vitrine-server/playground");
    assert_eq!(
        sha256_hex(html.as_bytes()),
        sha256_hex(&std::fs::read(built.join("index.html")).expect("built page")),
        "index.html is the committed build"
    );
    for (name, kind) in [
        ("app.js", "text/javascript; charset=utf-8"),
        ("app.css", "text/css; charset=utf-8"),
        ("splat.js", "text/javascript; charset=utf-8"),
    ] {
        if name != "splat.js" {
            assert!(
                html.contains(&format!("/playground/{name}")),
                "the page links {name}"
            );
        }
        let response = app
            .http
            .get(format!("{}/playground/{name}", app.origin()))
            .send()
            .await
            .expect("asset");
        assert_eq!(response.status(), 200, "{name}");
        assert_eq!(response.headers()[header::CONTENT_TYPE], kind, "{name}");
        let body = response.bytes().await.expect("body");
        let on_disk = std::fs::read(built.join(name)).expect("built file");
        // Digests, not bytes: a stale build would otherwise print megabytes.
        assert_eq!(
            sha256_hex(&body),
            sha256_hex(&on_disk),
            "{name} is the committed build (rebuild the server after `npm run build`)"
        );
    }
    let again = app
        .http
        .get(format!("{}/", app.origin()))
        .header(header::IF_NONE_MATCH, etag)
        .send()
        .await
        .expect("revalidation");
    assert_eq!(again.status(), 304);
    let missing = app
        .http
        .get(format!("{}/playground/secrets.txt", app.origin()))
        .send()
        .await
        .expect("missing asset");
    assert_eq!(missing.status(), 404);
    // The API's unknown paths still answer in JSON.
    let unknown = app.get_json("/no-such-thing", KEY_ACME).await;
    assert_eq!(error_code(&unknown), "unknown_endpoint", "{unknown}");
}

#[tokio::test]
async fn signed_urls_serve_bytes_and_ranges_without_the_key() {
    let app = spawn().await;
    let bytes = png(40, 30, [200, 40, 10]);
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &bytes)),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"].as_str().expect("session");
    let id = first_input_ref(&completion);

    let anonymous = app
        .http
        .post(app.url("/artifacts/signed-urls"))
        .json(&json!({ "session_id": session }))
        .send()
        .await
        .expect("sent");
    assert_eq!(anonymous.status(), 401, "signing needs the key");
    let (status, signed) = signed_urls(
        &app,
        KEY_ACME,
        json!({ "session_id": session, "ttl_seconds": 60 }),
    )
    .await;
    assert_eq!(status, 200, "{signed}");
    let path = signed["urls"][&id]["url"].as_str().expect("url").to_owned();
    assert!(
        path.starts_with(&format!("/v1/artifacts/signed/{session}/{id}?")),
        "{path}"
    );
    assert!(!path.contains(KEY_ACME), "the key never goes in a URL");
    let url = format!("{}{path}", app.origin());

    let whole = app.http.get(&url).send().await.expect("signed get");
    assert_eq!(whole.status(), 200);
    assert_eq!(whole.headers()[header::ACCEPT_RANGES], "bytes");
    assert_eq!(whole.headers()[header::CONTENT_TYPE], "image/png");
    assert_eq!(
        whole.bytes().await.expect("body").as_ref(),
        bytes.as_slice()
    );

    let size = bytes.len();
    for (range, start, end) in [
        ("bytes=2-9".to_owned(), 2, 9),
        ("bytes=-4".to_owned(), size - 4, size - 1),
        (format!("bytes={}-", size - 7), size - 7, size - 1),
    ] {
        let part = app
            .http
            .get(&url)
            .header(header::RANGE, &range)
            .send()
            .await
            .expect("range");
        assert_eq!(part.status(), 206, "{range}");
        assert_eq!(
            part.headers()[header::CONTENT_RANGE],
            format!("bytes {start}-{end}/{size}").as_str()
        );
        assert_eq!(
            part.bytes().await.expect("body").as_ref(),
            &bytes[start..=end],
            "{range}"
        );
    }
    let beyond = app
        .http
        .get(&url)
        .header(header::RANGE, format!("bytes={size}-"))
        .send()
        .await
        .expect("range");
    assert_eq!(beyond.status(), 416);
    assert_eq!(
        beyond.headers()[header::CONTENT_RANGE],
        format!("bytes */{size}").as_str()
    );

    let download = app
        .http
        .get(format!("{url}&download=1"))
        .send()
        .await
        .expect("download");
    let disposition = download.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(disposition.starts_with("attachment;"), "{disposition}");

    // Any change to what was signed is refused.
    let signature_at = url.find("signature=").expect("signature") + "signature=".len();
    let mut tampered = url.clone();
    let flipped = if &url[signature_at..=signature_at] == "0" {
        "1"
    } else {
        "0"
    };
    tampered.replace_range(signature_at..=signature_at, flipped);
    let other_tenant = url.replace("tenant=acme", "tenant=globex");
    let other_expiry = url.replace("expires=", "expires=9");
    for bad in [tampered, other_tenant, other_expiry] {
        let response = app.http.get(&bad).send().await.expect("sent");
        assert_eq!(response.status(), 401, "{bad}");
        let body: Value = response.json().await.expect("JSON error");
        assert!(error_message(&body).contains("signature"), "{body}");
    }
}

#[tokio::test]
async fn signing_is_limited_to_the_callers_sessions_and_sane_lifetimes() {
    let app = spawn().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &png(8, 8, [1, 2, 3]))),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"].as_str().expect("session");
    let id = first_input_ref(&completion);
    let (status, body) = signed_urls(
        &app,
        KEY_GLOBEX,
        json!({ "session_id": session, "object_ids": [id] }),
    )
    .await;
    assert_eq!(status, 404, "another tenant's session is not found: {body}");
    let (status, body) = signed_urls(
        &app,
        KEY_ACME,
        json!({ "session_id": session, "ttl_seconds": 86400 }),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["param"], "ttl_seconds");
    let (status, body) = signed_urls(
        &app,
        KEY_ACME,
        json!({ "session_id": session, "object_ids": ["img_000000"] }),
    )
    .await;
    assert_eq!(status, 404, "{body}");
}
