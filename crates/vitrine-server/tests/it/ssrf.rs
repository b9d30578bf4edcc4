//! URL inputs: fetching works for allowed hosts; private, loopback,
//! link-local and metadata targets are refused before any connection, also
//! through redirects and odd host spellings.
//!
//! Names resolve through a static table and sockets are bound to 127.0.0.1,
//! so even a broken guard could only reach loopback.

use std::net::IpAddr;
use std::sync::Arc;

use axum::response::{IntoResponse, Redirect};
use axum::routing::get;
use serde_json::Value;

use crate::*;

fn ip(text: &str) -> IpAddr {
    text.parse().expect("test address")
}

async fn media_origin() -> std::net::SocketAddr {
    let image = png(20, 10, [250, 0, 0]);
    let routes =
        axum::Router::new()
            .route(
                "/photo.png",
                get(move || async move {
                    ([("content-type", "image/png")], image.clone()).into_response()
                }),
            )
            .route(
                "/to-loopback",
                get(|| async { Redirect::temporary("http://127.0.0.1:9/photo.png") }),
            )
            .route(
                "/to-metadata",
                get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data") }),
            )
            .route("/huge", get(|| async { vec![0u8; 3 * 1024 * 1024] }));
    media_server(routes).await
}

async fn app_with_media() -> (TestApp, u16) {
    let origin = media_origin().await;
    let mut options = Options::default();
    options.config.fetch.allow_hosts.insert("media.test".into());
    options.config.fetch.max_bytes = 1024 * 1024;
    options.resolver = StaticResolver::new()
        .with("media.test", &[ip("127.0.0.1")])
        .with("internal.test", &[ip("10.0.0.5")])
        .with("sneaky.test", &[ip("93.184.216.34"), ip("192.168.1.20")])
        .with("metadata.test", &[ip("169.254.169.254")]);
    (spawn_with(options).await, origin.port())
}

#[tokio::test]
async fn an_allowed_host_is_fetched_and_sniffed() {
    let (app, port) = app_with_media().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &format!("http://media.test:{port}/photo.png")),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(
        completion["vitrine"]["inputs"][0]["content_type"],
        "image/png"
    );
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(
        content.contains("20×10") && content.contains("fetched from http://media.test"),
        "{content}"
    );
}

async fn refused(app: &TestApp, url: &str) -> Value {
    let (status, body) = app.chat(KEY_ACME, ask_with_image("x", url)).await;
    assert_eq!(status, 400, "{url} must be refused: {body}");
    assert_eq!(error_code(&body), "url_refused", "{url}: {body}");
    assert_eq!(
        body["error"]["param"],
        "messages[0].content[1].image_url.url"
    );
    body
}

#[tokio::test]
async fn private_loopback_and_metadata_addresses_are_refused() {
    let (app, port) = app_with_media().await;
    for url in [
        format!("http://127.0.0.1:{port}/photo.png"),
        format!("http://localhost.:{port}/photo.png"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://[::1]/".to_owned(),
        "http://[::ffff:127.0.0.1]/".to_owned(),
        "http://[fe80::1]/".to_owned(),
        "http://2130706433/".to_owned(), // 127.0.0.1 as one number
        "http://0x7f.1/".to_owned(),
        "http://127.1/".to_owned(),
        "http://0.0.0.0/".to_owned(),
        "http://100.64.0.1/".to_owned(),
        "http://224.0.0.1/".to_owned(),
    ] {
        if url.contains("localhost.") {
            // Not in the static table: fails to resolve, which is also a refusal to fetch.
            let (status, _) = app.chat(KEY_ACME, ask_with_image("x", &url)).await;
            assert_eq!(status, 400);
            continue;
        }
        refused(&app, &url).await;
    }
}

#[tokio::test]
async fn a_name_resolving_to_a_private_address_is_refused_before_connecting() {
    let (app, _) = app_with_media().await;
    let body = refused(&app, "http://internal.test/secret.png").await;
    assert!(error_message(&body).contains("10.0.0.5"), "{body}");
    // One bad address among good ones is enough to refuse.
    let body = refused(&app, "http://sneaky.test/a.png").await;
    assert!(error_message(&body).contains("192.168.1.20"), "{body}");
    let body = refused(&app, "http://metadata.test/").await;
    assert!(error_message(&body).contains("link-local"), "{body}");
}

#[tokio::test]
async fn redirects_are_rechecked_at_every_hop() {
    let (app, port) = app_with_media().await;
    refused(&app, &format!("http://media.test:{port}/to-loopback")).await;
    refused(&app, &format!("http://media.test:{port}/to-metadata")).await;
}

#[tokio::test]
async fn bodies_over_the_fetch_limit_and_odd_schemes_are_refused() {
    let (app, port) = app_with_media().await;
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &format!("http://media.test:{port}/huge")),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (413, "body_too_large"),
        "{body}"
    );
    let (status, body) = app
        .chat(KEY_ACME, ask_with_image("x", "file:///etc/passwd"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "unsupported_url"),
        "{body}"
    );
    let (status, body) = app
        .chat(KEY_ACME, ask_with_image("x", "gopher://example.com/"))
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "unsupported_url"),
        "{body}"
    );
}

/// A forward proxy on 127.0.0.1 that counts connections and answers each with a PNG of its
/// own (40×40), so a fetch that went through it would also show in the image's size.
async fn recording_proxy() -> (std::net::SocketAddr, Arc<std::sync::atomic::AtomicUsize>) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let counter = Arc::clone(&hits);
    let image = png(40, 40, [0, 250, 0]);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let image = image.clone();
            tokio::spawn(async move {
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head).await;
                let header = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    image.len()
                );
                let _ = stream.write_all(header.as_bytes()).await;
                let _ = stream.write_all(&image).await;
            });
        }
    });
    (address, hits)
}

const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
];

/// Proxy variables in the server's environment (ComfyUI's SSRF bypass) change nothing: an
/// allowed host is fetched directly, private targets and names the resolver does not know
/// are refused, and the proxy sees no connection. Environment variables are per process, so
/// the server runs in a child process of this test binary (the ignored test below) started
/// with every proxy variable pointing at a recording proxy.
#[tokio::test]
async fn proxy_variables_cannot_route_a_fetch_around_the_guard() {
    let (proxy, hits) = recording_proxy().await;
    let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"));
    child.args([
        "--exact",
        "ssrf::under_proxy_variables",
        "--ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for name in PROXY_VARIABLES {
        child.env(name, format!("http://{proxy}"));
    }
    child.env_remove("NO_PROXY").env_remove("no_proxy");
    let output = tokio::task::spawn_blocking(move || child.output())
        .await
        .expect("join")
        .expect("the test binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "the child run failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The proxy works (it is not the reason for zero hits): one request through it counts.
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the server used the proxy"
    );
    let through = reqwest::Client::builder()
        .proxy(reqwest::Proxy::http(format!("http://{proxy}")).expect("proxy"))
        .build()
        .expect("client")
        .get("http://media.test/photo.png")
        .send()
        .await
        .expect("through the proxy");
    assert_eq!(through.status(), 200);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// The child half of [`proxy_variables_cannot_route_a_fetch_around_the_guard`].
#[tokio::test]
#[ignore = "run by proxy_variables_cannot_route_a_fetch_around_the_guard with proxy variables set"]
async fn under_proxy_variables() {
    for name in PROXY_VARIABLES {
        assert!(std::env::var_os(name).is_some(), "{name} is not set");
    }
    let (app, port) = app_with_media().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &format!("http://media.test:{port}/photo.png")),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_default();
    assert!(
        content.contains("20×10"),
        "the origin's image, not the proxy's: {content}"
    );
    let body = refused(&app, "http://internal.test/secret.png").await;
    assert!(error_message(&body).contains("10.0.0.5"), "{body}");
    refused(&app, "http://metadata.test/").await;
    refused(&app, &format!("http://127.0.0.1:{port}/photo.png")).await;
    // A name only a proxy could resolve is not fetched either.
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", "http://unlisted.test/photo.png"),
        )
        .await;
    assert_eq!(status, 400, "{body}");
}
