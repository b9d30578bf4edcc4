//! The `web` toolset end to end: a page host on 127.0.0.1 (opened with
//! `--fetch-allow-hosts`, as users would), the shipped Chromium driven through
//! chat in ordinary words, and a hostile page whose subresources, redirects,
//! `fetch()`, WebSocket and frames aim at loopback, private and metadata
//! addresses while a listener there counts hits (it must see none).
//!
//! Needs Chromium and the `vitrine-browser` user (scripts/setup.sh).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use serde_json::{Value, json};

use crate::*;

const BLOCKS: &str = r#"<!doctype html><html><head><title>Blocks</title>
<meta name="viewport" content="width=device-width">
<style>body{margin:0} .a{height:100px;background:#ff0000} .b{height:1500px;background:#0000ff}</style>
</head><body><div class="a"></div><div class="b"></div></body></html>"#;

const THREE_PAGES: &str = r#"<!doctype html><html><head><title>Three pages</title>
<style>section{page-break-after:always} section:last-child{page-break-after:auto}</style></head>
<body><section>one</section><section>two</section><section>three</section></body></html>"#;

const GALLERY: &str = r#"<!doctype html><html><head><title>Gallery</title></head><body>
<h1>Spring catalogue</h1><p>Our finest lamps.</p>
<img src="/red.png" alt="red"><img src="/green.png" alt="green"><img src="/icon.png" alt="icon">
<a href="/alpha">Alpha page</a> <a href="https://example.com/beta?x=1">Beta</a>
<a href="/alpha">Alpha again</a> <a href="mailto:a@example.com">mail</a>
<a href="javascript:void(0)">nothing</a>
</body></html>"#;

/// Links to pages of the host and to places the web tools must not open.
fn links_page(victim: u16) -> String {
    format!(
        r#"<!doctype html><html><head><title>Links</title></head><body>
<a href="/blocks">Blocks</a> <a href="/three">Three</a> <a href="/gallery">Gallery</a>
<a href="http://127.0.0.1:{victim}/private">Private</a>
<a href="http://internal.test:{victim}/">Internal</a>
</body></html>"#
    )
}

/// Serves the test pages; `victim` is the port of the listener the hostile page aims at.
async fn page_host(victim: u16) -> u16 {
    let red = png(40, 30, [255, 0, 0]);
    let green = png(24, 24, [0, 255, 0]);
    let icon = png(8, 8, [0, 0, 0]);
    let hostile = hostile_page(victim);
    let links = links_page(victim);
    let routes = axum::Router::new()
        .route("/links", get(move || async move { Html(links) }))
        .route("/blocks", get(|| async { Html(BLOCKS) }))
        .route("/three", get(|| async { Html(THREE_PAGES) }))
        .route("/gallery", get(|| async { Html(GALLERY) }))
        .route(
            "/alpha",
            get(|| async { Html("<title>Alpha</title>alpha") }),
        )
        .route("/hostile", get(move || async move { Html(hostile) }))
        .route(
            "/to-victim",
            get(move || async move {
                Redirect::temporary(&format!("http://127.0.0.1:{victim}/redirected"))
            }),
        )
        .route(
            "/to-metadata",
            get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/red.png",
            get(move || async move { ([("content-type", "image/png")], red).into_response() }),
        )
        .route(
            "/green.png",
            get(move || async move { ([("content-type", "image/png")], green).into_response() }),
        )
        .route(
            "/icon.png",
            get(move || async move { ([("content-type", "image/png")], icon).into_response() }),
        );
    media_server(routes).await.port()
}

/// Every way a page can make the browser send a request, aimed at forbidden places.
fn hostile_page(victim: u16) -> String {
    let targets = [
        format!("http://127.0.0.1:{victim}"),
        format!("http://localhost:{victim}"),
        format!("http://[::1]:{victim}"),
        format!("http://internal.test:{victim}"),
        format!("http://rebind.test:{victim}"),
        format!("http://metadata.test:{victim}"),
        "http://169.254.169.254".to_owned(),
    ];
    let mut html = String::from(
        "<!doctype html><html><head><title>Hostile</title></head><body style=\"margin:0;background:#00ff00\">",
    );
    for (index, target) in targets.iter().enumerate() {
        html.push_str(&format!(
            r#"<img src="{target}/img{index}.png"><iframe src="{target}/frame{index}"></iframe>
<link rel="stylesheet" href="{target}/style{index}.css"><script src="{target}/script{index}.js"></script>
<div style="background:url({target}/bg{index}.png)">x</div>"#
        ));
    }
    html.push_str(r#"<img src="/to-victim"><img src="/to-metadata"><script>"#);
    for target in &targets {
        let ws = target.replacen("http://", "ws://", 1);
        html.push_str(&format!(
            r#"fetch("{target}/fetch", {{mode: "no-cors"}}).catch(() => {{}});
try {{ new WebSocket("{ws}/ws"); }} catch (e) {{}}
try {{ navigator.sendBeacon("{target}/beacon", "x"); }} catch (e) {{}}
try {{ const x = new XMLHttpRequest(); x.open("GET", "{target}/xhr"); x.send(); }} catch (e) {{}}
"#
        ));
    }
    html.push_str("</script></body></html>");
    html
}

/// A listener that only counts connections.
async fn victim() -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, hits)
}

fn ip(text: &str) -> std::net::IpAddr {
    text.parse().expect("address")
}

/// A server whose web tools may open `pages.test` (127.0.0.1) and nothing private besides.
async fn web_app() -> (TestApp, u16, u16, Arc<AtomicUsize>) {
    let (victim_port, hits) = victim().await;
    let pages = page_host(victim_port).await;
    let mut options = Options::default();
    options.config.fetch.allow_hosts.insert("pages.test".into());
    options.resolver = StaticResolver::new()
        .with("pages.test", &[ip("127.0.0.1")])
        .with("localhost", &[ip("127.0.0.1")])
        .with("internal.test", &[ip("10.0.0.5")])
        .with("rebind.test", &[ip("93.184.216.34"), ip("127.0.0.1")])
        .with("metadata.test", &[ip("169.254.169.254")]);
    (spawn_with(options).await, pages, victim_port, hits)
}

fn web_ask(text: &str) -> Value {
    json!({
        "model": "vlmrun-orion-1:auto",
        "toolsets": ["web", "image"],
        "messages": [{"role": "user", "content": text}],
    })
}

fn plan_steps(completion: &Value) -> Vec<(String, Value)> {
    completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| {
            (
                step["tool"].as_str().unwrap_or_default().to_owned(),
                step["args"].clone(),
            )
        })
        .collect()
}

fn made(completion: &Value, prefix: &str) -> Vec<String> {
    completion["vitrine"]["made"]
        .as_array()
        .expect("made")
        .iter()
        .filter_map(Value::as_str)
        .filter(|id| id.starts_with(prefix))
        .map(str::to_owned)
        .collect()
}

fn decode(bytes: &[u8]) -> image::RgbImage {
    image::load_from_memory(bytes).expect("PNG").to_rgb8()
}

fn near(pixel: &image::Rgb<u8>, want: [u8; 3]) -> bool {
    pixel
        .0
        .iter()
        .zip(want)
        .all(|(have, want)| have.abs_diff(want) <= 8)
}

#[tokio::test]
async fn a_full_page_screenshot_shows_the_page_blocks_at_the_asked_width() {
    let (app, pages, _, _) = web_app().await;
    let url = format!("http://pages.test:{pages}/blocks");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "take a full page screenshot of {url} at 400 px wide"
            )),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let steps = plan_steps(&completion);
    assert_eq!(steps.len(), 1, "{completion}");
    assert_eq!(steps[0].0, "screenshot_page");
    assert_eq!(steps[0].1["url"], url.as_str());
    let shot = decode(&download(&app, &completion, &made(&completion, "img_")[0]).await);
    assert_eq!(shot.dimensions(), (400, 1600));
    assert!(
        near(shot.get_pixel(10, 50), [255, 0, 0]),
        "{:?}",
        shot.get_pixel(10, 50)
    );
    assert!(near(shot.get_pixel(390, 99), [255, 0, 0]));
    assert!(near(shot.get_pixel(10, 101), [0, 0, 255]));
    assert!(near(shot.get_pixel(200, 1599), [0, 0, 255]));
}

#[tokio::test]
async fn a_phone_screenshot_of_the_first_screen_has_the_phone_size() {
    let (app, pages, _, _) = web_app().await;
    let url = format!("http://pages.test:{pages}/blocks");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "screenshot {url} above the fold as it looks on a phone"
            )),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let steps = plan_steps(&completion);
    assert_eq!(steps[0].1["device"], "phone", "{completion}");
    assert_eq!(steps[0].1["full_page"], false, "{completion}");
    let shot = decode(&download(&app, &completion, &made(&completion, "img_")[0]).await);
    // 390×844 CSS pixels at 3 device pixels each.
    assert_eq!(shot.dimensions(), (1170, 2532));
    assert!(near(shot.get_pixel(5, 5), [255, 0, 0]));
    assert!(near(shot.get_pixel(5, 2000), [0, 0, 255]));
}

#[tokio::test]
async fn a_page_saved_as_a_pdf_has_its_pages() {
    let (app, pages, _, _) = web_app().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "save this page as a PDF http://pages.test:{pages}/three"
            )),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(plan_steps(&completion)[0].0, "page_to_pdf");
    let pdf = download(&app, &completion, &made(&completion, "doc_")[0]).await;
    assert!(pdf.starts_with(b"%PDF-"));
    // poppler's pdfinfo is the independent reader.
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), &pdf).expect("write");
    let info = std::process::Command::new("pdfinfo")
        .arg(file.path())
        .output()
        .expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&info.stdout);
    let pages_line = info
        .lines()
        .find(|line| line.starts_with("Pages:"))
        .expect("a Pages line");
    assert_eq!(pages_line.split_whitespace().nth(1), Some("3"), "{info}");
}

#[tokio::test]
async fn extract_page_stores_the_images_and_the_links_with_their_titles() {
    let (app, pages, _, _) = web_app().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "get the images from this URL http://pages.test:{pages}/gallery"
            )),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(plan_steps(&completion)[0].0, "extract_page");
    // Two images; the 8×8 icon is not one of the page's pictures.
    let images = made(&completion, "img_");
    assert_eq!(images.len(), 2, "{completion}");
    let first = decode(&download(&app, &completion, &images[0]).await);
    assert_eq!(first.dimensions(), (40, 30));
    assert!(near(first.get_pixel(20, 15), [255, 0, 0]));
    let second = decode(&download(&app, &completion, &images[1]).await);
    assert_eq!(second.dimensions(), (24, 24));
    assert!(near(second.get_pixel(3, 3), [0, 255, 0]));
    // Links: http(s) only, each once, served as their URL text and listed with their title.
    let links = made(&completion, "url_");
    assert_eq!(links.len(), 2, "{completion}");
    let alpha = download(&app, &completion, &links[0]).await;
    assert_eq!(
        String::from_utf8(alpha).expect("text"),
        format!("http://pages.test:{pages}/alpha")
    );
    let beta = download(&app, &completion, &links[1]).await;
    assert_eq!(&beta[..], b"https://example.com/beta?x=1");
    let session = completion["session_id"].as_str().expect("session");
    let listed = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    // The listing is ordered by id, not by creation.
    let mut titles: Vec<(&str, &str)> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|item| {
            item["object_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("url_"))
        })
        .map(|item| {
            (
                item["content_type"].as_str().unwrap_or_default(),
                item["title"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            ("text/plain; charset=utf-8", "Alpha page"),
            ("text/plain; charset=utf-8", "Beta")
        ]
    );
}

#[tokio::test]
async fn a_hostile_page_reaches_no_loopback_private_or_metadata_address() {
    let (app, pages, _, hits) = web_app().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "take a screenshot of http://pages.test:{pages}/hostile"
            )),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    // Give late requests (scripts, retries) time to arrive if any got through.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the victim listener was reached"
    );
    let shot = decode(&download(&app, &completion, &made(&completion, "img_")[0]).await);
    assert!(near(
        shot.get_pixel(shot.width() - 5, shot.height() - 5),
        [0, 255, 0]
    ));

    // The page itself, named by a forbidden address, is refused before the browser opens it.
    let (status, body) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "take a screenshot of http://127.0.0.1:{pages}/blocks"
            )),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "url_refused", "{body}");
    for url in [
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        format!("http://internal.test:{pages}/"),
        "file:///etc/passwd".to_owned(),
    ] {
        let (status, body) = app
            .chat(KEY_ACME, web_ask(&format!("take a screenshot of {url}")))
            .await;
        assert!((400..500).contains(&status), "{url}: {body}");
    }
    assert_eq!(hits.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn web_is_opt_in_streaming_or_not() {
    let (app, pages, _, _) = web_app().await;
    let ask = format!("take a screenshot of http://pages.test:{pages}/blocks");
    let body =
        json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": ask}]});
    let (status, error) = app.chat(KEY_ACME, body.clone()).await;
    assert_eq!(status, 400, "{error}");
    assert!(error_message(&error).contains("opt-in"), "{error}");
    let mut streamed = body;
    streamed["stream"] = json!(true);
    let response = app
        .http
        .post(app.url("/chat/completions"))
        .bearer_auth(KEY_ACME)
        .json(&streamed)
        .send()
        .await
        .expect("stream");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    assert!(text.contains("opt-in"), "{status}: {text}");
    assert!(!text.contains("img_"), "{text}");
}

/// Lists the links on `/links` with extract_page; returns the session and each stored `url_`
/// ref by the URL it holds.
async fn stored_links(
    app: &TestApp,
    pages: u16,
) -> (String, std::collections::BTreeMap<String, String>) {
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask(&format!(
                "list the links on http://pages.test:{pages}/links"
            )),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(plan_steps(&completion)[0].0, "extract_page");
    let mut by_url = std::collections::BTreeMap::new();
    for id in made(&completion, "url_") {
        let url = String::from_utf8(download(app, &completion, &id).await).expect("URL text");
        by_url.insert(url, id);
    }
    let session = completion["session_id"].as_str().expect("session");
    (session.to_owned(), by_url)
}

/// A web request in `session` with `content` as the user's message.
fn web_ask_in(session: &str, content: Value) -> Value {
    json!({
        "model": "vlmrun-orion-1:auto",
        "toolsets": ["web", "image"],
        "session_id": session,
        "messages": [{"role": "user", "content": content}],
    })
}

#[tokio::test]
async fn a_url_ref_goes_where_a_url_goes_in_every_way_a_ref_is_given() {
    let (app, pages, _, _) = web_app().await;
    let (session, links) = stored_links(&app, pages).await;
    let link = |path: &str| links[&format!("http://pages.test:{pages}{path}")].clone();

    // (b) an `input_ref` part beside the words.
    let blocks = link("/blocks");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask_in(
                &session,
                json!([{"type": "text", "text": "take a screenshot of that link"},
                       {"type": "input_ref", "id": blocks}]),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let steps = plan_steps(&completion);
    assert_eq!(steps.len(), 1, "{completion}");
    assert_eq!(steps[0].0, "screenshot_page");
    // The step names the ref; the tool opened the URL it holds.
    assert_eq!(steps[0].1["url"], blocks.as_str(), "{completion}");
    let facts = &completion["vitrine"]["plan"]["steps"][0]["facts"];
    assert_eq!(facts["url"], format!("http://pages.test:{pages}/blocks"));
    let shot = decode(&download(&app, &completion, &made(&completion, "img_")[0]).await);
    // The desktop preset's 1280 CSS pixels, the whole page: the blocks page, not another.
    assert_eq!(shot.dimensions(), (1280, 1600));
    assert!(near(shot.get_pixel(10, 50), [255, 0, 0]));
    assert!(near(shot.get_pixel(10, 1500), [0, 0, 255]));

    // (c) the ref named in the text.
    let three = link("/three");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask_in(&session, json!(format!("save the page {three} as a PDF"))),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(plan_steps(&completion)[0].0, "page_to_pdf", "{completion}");
    let pdf = download(&app, &completion, &made(&completion, "doc_")[0]).await;
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), &pdf).expect("write");
    let info = std::process::Command::new("pdfinfo")
        .arg(file.path())
        .output()
        .expect("pdfinfo runs");
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(
        info.lines()
            .any(|line| line.starts_with("Pages:") && line.ends_with(" 3")),
        "{info}"
    );

    // (a) the bare id as the `url` of a `file_url` part.
    let gallery = link("/gallery");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            web_ask_in(
                &session,
                json!([{"type": "text", "text": "get the images from that link"},
                       {"type": "file_url", "file_url": {"url": gallery}}]),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(plan_steps(&completion)[0].0, "extract_page", "{completion}");
    let images = made(&completion, "img_");
    assert_eq!(images.len(), 2, "{completion}");
    let first = decode(&download(&app, &completion, &images[0]).await);
    assert_eq!(first.dimensions(), (40, 30));
}

#[tokio::test]
async fn a_url_ref_to_a_private_address_is_refused_like_a_typed_one() {
    let (app, pages, victim, hits) = web_app().await;
    let (session, links) = stored_links(&app, pages).await;
    for url in [
        format!("http://127.0.0.1:{victim}/private"),
        format!("http://internal.test:{victim}/"),
    ] {
        let id = &links[&url];
        for ask in [
            "take a screenshot of that link",
            "save that link as a PDF",
            "get the text of that link",
        ] {
            let (status, body) = app
                .chat(
                    KEY_ACME,
                    web_ask_in(
                        &session,
                        json!([{"type": "text", "text": ask}, {"type": "input_ref", "id": id}]),
                    ),
                )
                .await;
            assert_eq!(status, 400, "{ask} {url}: {body}");
            assert_eq!(error_code(&body), "url_refused", "{ask} {url}: {body}");
        }
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the victim listener was reached"
    );
}

#[tokio::test]
async fn the_llm_planner_passes_a_url_ref_to_the_web_tools() {
    let (victim_port, hits) = victim().await;
    let pages = page_host(victim_port).await;
    // The session's links come from an offline run first; the model then names them.
    let ids: Arc<std::sync::Mutex<(String, String)>> = Arc::default();
    let named = Arc::clone(&ids);
    let (base, seen) = crate::agent::providers::stand_in(
        "/v1/chat/completions",
        move |turn, _body| {
            let (blocks, private) = named.lock().expect("lock").clone();
            async move {
                match turn {
                    0 => crate::agent::providers::tool_calls(
                        "screenshot_page",
                        json!({"url": blocks, "full_page": false}),
                    ),
                    1 => crate::agent::providers::tool_calls(
                        "screenshot_page",
                        json!({"url": private}),
                    ),
                    _ => json!({"id": "chatcmpl-2", "object": "chat.completion", "choices": [{"index": 0,
                        "message": {"role": "assistant", "content": "Took the screenshot; the other link is private."},
                        "finish_reason": "stop"}]}),
                }
            }
        },
    )
    .await;
    let mut options = Options::default();
    options.config.fetch.allow_hosts.insert("pages.test".into());
    options.resolver = StaticResolver::new().with("pages.test", &[ip("127.0.0.1")]);
    options.providers = vitrine_server::Providers {
        llm: Some(vitrine_agent::LlmConfig::new(base, "scripted-model", None)),
        ..Default::default()
    };
    vitrine_server::install_crypto_provider();
    let app = spawn_with(options).await;
    // The offline planner understands this one, so the model is not asked.
    let (status, completion) = app
        .chat(
            KEY_ACME,
            json!({
                "model": "vlmrun-orion-1:auto",
                "toolsets": ["web"],
                "messages": [{"role": "user", "content": format!("list the links on http://pages.test:{pages}/links")}],
            }),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let session = completion["session_id"]
        .as_str()
        .expect("session")
        .to_owned();
    let mut by_url = std::collections::BTreeMap::new();
    for id in made(&completion, "url_") {
        let url = String::from_utf8(download(&app, &completion, &id).await).expect("URL text");
        by_url.insert(url, id);
    }
    let blocks = by_url[&format!("http://pages.test:{pages}/blocks")].clone();
    let private = by_url[&format!("http://127.0.0.1:{victim_port}/private")].clone();
    *ids.lock().expect("lock") = (blocks.clone(), private.clone());

    let (status, completion) = app
        .chat(
            KEY_ACME,
            json!({
                "model": "vlmrun-orion-1:auto",
                "toolsets": ["web"],
                "session_id": session,
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "Do what we agreed with these two for the design review"},
                    {"type": "input_ref", "id": blocks},
                    {"type": "input_ref", "id": private},
                ]}],
            }),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(
        completion["vitrine"]["plan"]["planner"], "llm",
        "{completion}"
    );
    let images = made(&completion, "img_");
    assert_eq!(
        images.len(),
        1,
        "only the public link is shot: {completion}"
    );
    let shot = decode(&download(&app, &completion, &images[0]).await);
    assert_eq!(shot.dimensions(), (1280, 800));
    assert!(near(shot.get_pixel(10, 50), [255, 0, 0]));
    assert!(near(shot.get_pixel(10, 700), [0, 0, 255]));

    let bodies: Vec<Value> = seen
        .lock()
        .expect("lock")
        .iter()
        .map(|body| serde_json::from_slice(body).expect("JSON"))
        .collect();
    assert_eq!(bodies.len(), 3, "public link, private link, answer");
    // The model is told about both links, and the private one's refusal comes back to it.
    let opening = bodies[0]["messages"].to_string();
    assert!(
        opening.contains(&blocks) && opening.contains(&private),
        "{opening}"
    );
    let refusal = bodies[2]["messages"]
        .as_array()
        .and_then(|messages| messages.last())
        .expect("a tool result")["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let refusal: Value = serde_json::from_str(&refusal).expect("a JSON tool result");
    let refusal = refusal["error"].as_str().unwrap_or_default();
    assert!(
        refusal.contains(&format!(
            "refusing to open `http://127.0.0.1:{victim_port}/private`"
        )),
        "{refusal}"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the victim listener was reached"
    );
}
