//! Executions: enqueue, list, get, cancel, events, idempotency, tenant
//! isolation, durability across a restart, and signed webhooks received on
//! 127.0.0.1.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::*;

const WEBHOOK_SECRET: &str = "test-webhook-secret";

/// A body asking to make a solid-colour PNG black and white.
fn grayscale_job(rgb: [u8; 3]) -> Value {
    json!({
        "model": "vlmrun-orion-1:auto",
        "batch": true,
        "inputs": {"image": {"type": "image_url", "image_url": {"url": data_url("image/png", &png(40, 30, rgb))}}},
        "config": {"prompt": "Make it black and white"},
    })
}

async fn execute(app: &TestApp, key: &str, body: &Value) -> (u16, Value) {
    let response = app
        .http
        .post(app.url("/agent/execute"))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Polls until the execution has `status` (or a final one), for at most two minutes.
async fn wait_for(app: &TestApp, id: &str, wanted: &str) -> Value {
    for _ in 0..2400 {
        let execution = app
            .get_json(&format!("/agent/executions/{id}"), KEY_ACME)
            .await;
        let status = execution["status"].as_str().unwrap_or_default();
        if status == wanted || (wanted != "running" && matches!(status, "completed" | "failed")) {
            return execution;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("execution {id} never reached `{wanted}`");
}

fn options(workers: usize, per_tenant: usize) -> Options {
    let mut options = Options::default();
    options.config.executions.workers = workers;
    options.config.executions.max_per_tenant = per_tenant;
    options.config.executions.webhook_secret = Some(WEBHOOK_SECRET.into());
    options.config.executions.webhook_backoff = Duration::from_millis(50);
    options.config.fetch.allow_hosts.insert("127.0.0.1".into());
    options
}

/// A media host on 127.0.0.1 whose `/photo.png` hangs while `hang` is set.
async fn media_host(hang: Arc<AtomicBool>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = axum::Router::new().route(
        "/photo.png",
        axum::routing::get(move || {
            let hang = Arc::clone(&hang);
            async move {
                if hang.load(Ordering::SeqCst) {
                    std::future::pending::<()>().await;
                }
                ([("content-type", "image/png")], png(24, 16, [10, 200, 30])).into_response()
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    format!("http://{address}/photo.png")
}

fn url_job(url: &str) -> Value {
    json!({
        "batch": true,
        "model": "vlmrun-orion-1:fast",
        "inputs": {"photo": {"type": "image_url", "image_url": {"url": url}}},
        "config": {"prompt": "Make it black and white"},
    })
}

async fn download(app: &TestApp, key: &str, execution: &str, object: &str) -> (u16, Vec<u8>) {
    let response = app
        .get(
            &format!("/artifacts?execution_id={execution}&object_id={object}"),
            key,
        )
        .send()
        .await
        .expect("get");
    let status = response.status().as_u16();
    (status, response.bytes().await.expect("bytes").to_vec())
}

/// The SSE `data:` payloads of an events stream, read to its end.
async fn read_events(app: &TestApp, id: &str) -> Vec<Value> {
    let response = app
        .get(&format!("/agent/executions/{id}/events"), KEY_ACME)
        .send()
        .await
        .expect("events");
    assert_eq!(response.status(), 200);
    let text = tokio::time::timeout(Duration::from_secs(120), response.text())
        .await
        .expect("the stream ends")
        .expect("text");
    text.lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .map(|data| serde_json::from_str(data.trim()).expect("JSON event"))
        .collect()
}

#[tokio::test]
async fn an_execution_completes_and_its_refs_download_with_its_id() {
    let app = spawn_with(options(2, 2)).await;
    let (status, enqueued) = execute(&app, KEY_ACME, &grayscale_job([200, 40, 40])).await;
    assert_eq!(status, 200, "{enqueued}");
    assert_eq!(enqueued["status"], "enqueued");
    assert_eq!(enqueued["usage"]["duration_seconds"], 0);
    assert!(
        enqueued["created_at"]
            .as_str()
            .is_some_and(|at| at.ends_with('Z'))
    );
    let id = enqueued["id"].as_str().expect("id").to_owned();
    assert_eq!(id.len(), 36, "UUID-shaped: {id}");
    // The inline image was stored before the reply.
    assert_eq!(
        enqueued["vitrine"]["inputs"][0]["kind"], "image",
        "{enqueued}"
    );

    let events = read_events(&app, &id).await;
    let done = wait_for(&app, &id, "completed").await;
    assert_eq!(done["status"], "completed", "{done}");
    assert!(
        done["usage"]["steps"]
            .as_u64()
            .is_some_and(|steps| steps >= 1),
        "{done}"
    );
    let made = done["response"]["artifacts"][0]
        .as_str()
        .expect("a made ref");
    let (status, bytes) = download(&app, KEY_ACME, &id, made).await;
    assert_eq!(status, 200);
    let gray = image::load_from_memory(&bytes).expect("image").to_rgb8();
    assert_eq!(gray.dimensions(), (40, 30));
    assert!(
        gray.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]),
        "not gray"
    );

    // Progress: step events, then one final status event carrying the execution.
    let last = events.last().expect("events");
    assert_eq!(last["type"], "status");
    assert_eq!(last["status"], "completed");
    assert_eq!(last["execution"]["id"], id.as_str());
    assert!(
        events.iter().any(|event| event["type"] == "step_finished"),
        "{events:?}"
    );
    // Read again after the end: the stored events replay the same way.
    let replayed = read_events(&app, &id).await;
    let kinds = |events: &[Value]| -> Vec<String> {
        events
            .iter()
            .filter(|event| event["type"] != "status")
            .map(|event| event["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    assert_eq!(kinds(&replayed), kinds(&events));

    // Listed newest first.
    let (_, second) = execute(&app, KEY_ACME, &grayscale_job([10, 10, 240])).await;
    wait_for(&app, second["id"].as_str().expect("id"), "completed").await;
    let listed = app
        .get_json("/agent/executions?skip=0&limit=10", KEY_ACME)
        .await;
    let ids: Vec<&str> = listed
        .as_array()
        .expect("a bare list")
        .iter()
        .map(|execution| execution["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, [second["id"].as_str().expect("id"), id.as_str()]);
    let paged = app
        .get_json("/agent/executions?skip=1&limit=1", KEY_ACME)
        .await;
    assert_eq!(paged[0]["id"], id.as_str());
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_queued() {
    let app = spawn().await;
    let mut body = grayscale_job([1, 2, 3]);
    body["batch"] = json!(false);
    let (status, error) = execute(&app, KEY_ACME, &body).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["param"], "batch");
    let mut body = grayscale_job([1, 2, 3]);
    body["inputs"]["image"]["image_url"]["url"] = json!("data:image/png;base64,bm90IGFuIGltYWdl");
    let (status, error) = execute(&app, KEY_ACME, &body).await;
    assert_eq!(status, 415, "{error}");
    let mut body = grayscale_job([1, 2, 3]);
    body["model"] = json!("vlmrun-orion-9");
    let (status, _) = execute(&app, KEY_ACME, &body).await;
    assert_eq!(status, 404);
    let mut body = grayscale_job([1, 2, 3]);
    body["callback_url"] = json!("ftp://example.com/hook");
    let (status, error) = execute(&app, KEY_ACME, &body).await;
    assert_eq!(status, 400);
    assert_eq!(error["error"]["param"], "callback_url");
    let listed = app.get_json("/agent/executions", KEY_ACME).await;
    assert_eq!(listed, json!([]));
}

#[tokio::test]
async fn the_same_idempotency_key_never_enqueues_twice() {
    let app = spawn_with(options(1, 1)).await;
    let body = grayscale_job([90, 20, 20]);
    let send = |key: &'static str, idempotency: &'static str| {
        app.http
            .post(app.url("/agent/execute"))
            .bearer_auth(key)
            .header("Idempotency-Key", idempotency)
            .json(&body)
            .send()
    };
    let first: Value = send(KEY_ACME, "order-42")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    let again: Value = send(KEY_ACME, "order-42")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(first["id"], again["id"]);
    let other: Value = send(KEY_GLOBEX, "order-42")
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_ne!(first["id"], other["id"], "keys are per tenant");
    let listed = app.get_json("/agent/executions", KEY_ACME).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
}

#[tokio::test]
async fn another_tenant_sees_nothing_of_an_execution() {
    let app = spawn_with(options(2, 2)).await;
    let (_, enqueued) = execute(&app, KEY_ACME, &grayscale_job([30, 60, 90])).await;
    let id = enqueued["id"].as_str().expect("id");
    let done = wait_for(&app, id, "completed").await;
    let made = done["response"]["artifacts"][0].as_str().expect("made");
    for path in [
        format!("/agent/executions/{id}"),
        format!("/agent/executions/{id}/events"),
        format!("/agent/executions/{id}/deliveries"),
        format!("/artifacts?execution_id={id}&object_id={made}"),
        format!("/artifacts/list?execution_id={id}"),
    ] {
        let response = app.get(&path, KEY_GLOBEX).send().await.expect("sent");
        assert_eq!(response.status(), 404, "{path}");
    }
    let response = app
        .http
        .post(app.url(&format!("/agent/executions/{id}/cancel")))
        .bearer_auth(KEY_GLOBEX)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
    assert_eq!(
        app.get_json("/agent/executions", KEY_GLOBEX).await,
        json!([])
    );
    // The owner still can.
    assert_eq!(download(&app, KEY_ACME, id, made).await.0, 200);
}

#[tokio::test]
async fn cancel_fails_a_waiting_and_a_running_execution() {
    let hang = Arc::new(AtomicBool::new(true));
    let url = media_host(Arc::clone(&hang)).await;
    // One slot: the first execution hangs on its URL input, the second waits.
    let app = spawn_with(options(2, 1)).await;
    let (_, running) = execute(&app, KEY_ACME, &url_job(&url)).await;
    let running = running["id"].as_str().expect("id").to_owned();
    wait_for(&app, &running, "running").await;
    let (_, waiting) = execute(&app, KEY_ACME, &grayscale_job([1, 100, 1])).await;
    let waiting = waiting["id"].as_str().expect("id").to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let still = app
        .get_json(&format!("/agent/executions/{waiting}"), KEY_ACME)
        .await;
    assert_eq!(
        still["status"], "enqueued",
        "the tenant's limit holds it back: {still}"
    );

    let cancel = |id: String| {
        app.http
            .post(app.url(&format!("/agent/executions/{id}/cancel")))
            .bearer_auth(KEY_ACME)
            .send()
    };
    let cancelled: Value = cancel(waiting.clone())
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(cancelled["status"], "failed");
    assert_eq!(cancelled["usage"]["message"], "cancelled");

    let watcher = {
        let response = app
            .get(&format!("/agent/executions/{running}/events"), KEY_ACME)
            .send()
            .await
            .expect("events");
        tokio::spawn(async move { response.text().await.expect("text") })
    };
    cancel(running.clone()).await.expect("sent");
    let stopped = wait_for(&app, &running, "failed").await;
    assert_eq!(stopped["status"], "failed");
    assert_eq!(stopped["usage"]["message"], "cancelled");
    let stream = tokio::time::timeout(Duration::from_secs(10), watcher)
        .await
        .expect("the event stream ends")
        .expect("watcher");
    let last = stream
        .lines()
        .filter_map(|line| line.strip_prefix("data:"))
        .next_back()
        .expect("an event");
    let last: Value = serde_json::from_str(last.trim()).expect("json");
    assert_eq!(last["status"], "failed", "{last}");
    // Cancelling a final execution changes nothing.
    let again: Value = cancel(running.clone())
        .await
        .expect("sent")
        .json()
        .await
        .expect("json");
    assert_eq!(again["usage"]["message"], "cancelled");
}

#[tokio::test]
async fn queued_and_running_work_survives_a_restart_and_runs_to_completion_once() {
    let hang = Arc::new(AtomicBool::new(true));
    let url = media_host(Arc::clone(&hang)).await;
    let app = spawn_with(options(1, 1)).await;
    // Done before the restart: must not run again.
    let (_, done) = execute(&app, KEY_ACME, &grayscale_job([250, 250, 0])).await;
    let done = done["id"].as_str().expect("id").to_owned();
    wait_for(&app, &done, "completed").await;
    // Running (hung on its input) and queued behind it when the server stops.
    let (_, interrupted) = execute(&app, KEY_ACME, &url_job(&url)).await;
    let interrupted = interrupted["id"].as_str().expect("id").to_owned();
    wait_for(&app, &interrupted, "running").await;
    let mut queued = Vec::new();
    for shade in [40u8, 80, 120] {
        let (_, execution) = execute(&app, KEY_ACME, &grayscale_job([shade, 0, 0])).await;
        queued.push(execution["id"].as_str().expect("id").to_owned());
    }
    let (data_dir, keep) = app.stop().await;

    hang.store(false, Ordering::SeqCst);
    let mut again = options(2, 2);
    again.data_dir = Some(data_dir);
    let app = spawn_with(again).await;
    for id in queued.iter().chain([&interrupted]) {
        let execution = wait_for(&app, id, "completed").await;
        assert_eq!(execution["status"], "completed", "{execution}");
    }
    let listed = app.get_json("/agent/executions?limit=100", KEY_ACME).await;
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(5),
        "nothing lost or doubled"
    );
    for execution in listed.as_array().expect("list") {
        let id = execution["id"].as_str().expect("id");
        let attempts = execution["vitrine"]["attempts"].as_u64();
        let expected = if id == interrupted { 2 } else { 1 };
        assert_eq!(attempts, Some(expected), "{execution}");
        // One input and exactly one output per session: no run finished twice.
        let session = execution["vitrine"]["session_id"]
            .as_str()
            .expect("session");
        let artifacts = app
            .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
            .await;
        assert_eq!(
            artifacts["items"].as_array().map(Vec::len),
            Some(2),
            "{artifacts}"
        );
    }
    drop(keep);
}

type Received = (HeaderMap, Bytes);

/// A webhook receiver on 127.0.0.1 that answers 500 to the first `failures` posts.
async fn receiver(failures: usize) -> (String, mpsc::UnboundedReceiver<Received>) {
    let (sender, received) = mpsc::unbounded_channel();
    let seen = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let router = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let sender = sender.clone();
            let seen = Arc::clone(&seen);
            async move {
                let _ = sender.send((headers, body));
                if seen.fetch_add(1, Ordering::SeqCst) < failures {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::NO_CONTENT
                }
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    (format!("http://{address}/hook"), received)
}

fn expected_signature(body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).expect("key");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[tokio::test]
async fn the_finished_execution_is_posted_signed_and_retried_to_the_callback() {
    let (hook, mut received) = receiver(1).await;
    let app = spawn_with(options(2, 2)).await;
    let mut body = grayscale_job([5, 50, 150]);
    body["callback_url"] = json!(hook);
    let (_, enqueued) = execute(&app, KEY_ACME, &body).await;
    let id = enqueued["id"].as_str().expect("id").to_owned();

    let mut posts = Vec::new();
    for _ in 0..2 {
        let post = tokio::time::timeout(Duration::from_secs(120), received.recv())
            .await
            .expect("a webhook arrives")
            .expect("post");
        posts.push(post);
    }
    for (headers, body) in &posts {
        let signature = headers["x-vlmrun-signature"].to_str().expect("ascii");
        assert_eq!(signature, expected_signature(body));
        let payload: Value = serde_json::from_slice(body).expect("JSON body");
        assert_eq!(payload["id"], id.as_str());
        assert_eq!(payload["status"], "completed");
        assert!(payload["response"]["artifacts"][0].is_string(), "{payload}");
    }
    let delivery = |index: usize| {
        posts[index].0["x-vitrine-delivery"]
            .to_str()
            .expect("id")
            .to_owned()
    };
    assert_eq!(delivery(0), delivery(1), "a retry is the same delivery");

    // The log: a 500, then the 204.
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app
            .get_json(&format!("/agent/executions/{id}/deliveries"), KEY_ACME)
            .await;
        if log["deliveries"].as_array().map(Vec::len) == Some(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let statuses: Vec<Value> = log["deliveries"]
        .as_array()
        .expect("deliveries")
        .iter()
        .map(|entry| entry["status_code"].clone())
        .collect();
    assert_eq!(statuses, [json!(500), json!(204)], "{log}");
    let execution = app
        .get_json(&format!("/agent/executions/{id}"), KEY_ACME)
        .await;
    assert_eq!(
        execution["vitrine"]["webhook"]["deliveries"][1]["delivered"],
        true
    );
}

#[tokio::test]
async fn a_callback_to_a_private_address_is_refused_like_a_url_input() {
    let app = spawn_with(options(2, 2)).await;
    let mut body = grayscale_job([9, 9, 9]);
    body["callback_url"] = json!("http://10.1.2.3/hook");
    let (_, enqueued) = execute(&app, KEY_ACME, &body).await;
    let id = enqueued["id"].as_str().expect("id").to_owned();
    wait_for(&app, &id, "completed").await;
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app
            .get_json(&format!("/agent/executions/{id}/deliveries"), KEY_ACME)
            .await;
        if !log["deliveries"].as_array().is_none_or(Vec::is_empty) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let deliveries = log["deliveries"].as_array().expect("deliveries");
    assert_eq!(deliveries.len(), 1, "a refusal is not retried: {log}");
    assert_eq!(deliveries[0]["delivered"], false);
    assert!(
        deliveries[0]["error"]
            .as_str()
            .is_some_and(|error| error.contains("--fetch-allow-hosts")),
        "{log}"
    );
}

#[tokio::test]
async fn a_tenant_with_its_own_secret_in_the_tenants_file_signs_with_it() {
    let (hook, mut received) = receiver(0).await;
    let mut options = options(2, 2);
    options.keys = ApiKeys::parse_tenants(&format!(
        "[tenants.acme]\napi_keys = [\"{KEY_ACME}\"]\nwebhook_secret = \"acme-own-secret\"\n"
    ))
    .expect("tenants file");
    let app = spawn_with(options).await;
    let mut body = grayscale_job([70, 20, 20]);
    body["callback_url"] = json!(hook);
    let (status, enqueued) = execute(&app, KEY_ACME, &body).await;
    assert_eq!(status, 200, "{enqueued}");
    let (headers, body) = tokio::time::timeout(Duration::from_secs(120), received.recv())
        .await
        .expect("a webhook arrives")
        .expect("post");
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"acme-own-secret").expect("key");
    mac.update(&body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    assert_eq!(
        headers["x-vlmrun-signature"],
        format!("sha256={hex}").as_str()
    );
    assert_ne!(
        headers["x-vlmrun-signature"],
        expected_signature(&body).as_str(),
        "not the server-wide secret"
    );
}

#[tokio::test]
async fn a_webhook_owed_at_shutdown_is_delivered_after_the_restart() {
    let (hook, mut received) = receiver(1).await;
    let mut first_life = options(2, 2);
    // The retry after the first 500 would come long after the stop.
    first_life.config.executions.webhook_backoff = Duration::from_secs(600);
    let app = spawn_with(first_life).await;
    let mut body = grayscale_job([120, 60, 0]);
    body["callback_url"] = json!(hook);
    let (_, enqueued) = execute(&app, KEY_ACME, &body).await;
    let id = enqueued["id"].as_str().expect("id").to_owned();
    let (first, _) = tokio::time::timeout(Duration::from_secs(120), received.recv())
        .await
        .expect("the first attempt")
        .expect("post");
    for _ in 0..100 {
        let log = app
            .get_json(&format!("/agent/executions/{id}/deliveries"), KEY_ACME)
            .await;
        if log["deliveries"].as_array().map(Vec::len) == Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (data_dir, keep) = app.stop().await;

    let mut second_life = options(2, 2);
    second_life.data_dir = Some(data_dir);
    let app = spawn_with(second_life).await;
    let (second, body) = tokio::time::timeout(Duration::from_secs(60), received.recv())
        .await
        .expect("the owed webhook arrives after the restart")
        .expect("post");
    assert_eq!(second["x-vitrine-delivery"], first["x-vitrine-delivery"]);
    assert_eq!(
        second["x-vlmrun-signature"],
        expected_signature(&body).as_str()
    );
    let mut log = Value::Null;
    for _ in 0..100 {
        log = app
            .get_json(&format!("/agent/executions/{id}/deliveries"), KEY_ACME)
            .await;
        if log["deliveries"].as_array().map(Vec::len) == Some(2) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(log["deliveries"][1]["delivered"], true, "{log}");
    assert_eq!(log["deliveries"][1]["attempt"], 2, "{log}");
    // Settled: a further restart sends nothing.
    let (data_dir, _) = app.stop().await;
    let mut third_life = options(2, 2);
    third_life.data_dir = Some(data_dir);
    let _app = spawn_with(third_life).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(received.try_recv().is_err(), "delivered once");
    drop(keep);
}
