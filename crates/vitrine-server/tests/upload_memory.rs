//! A large upload streams to disk: the process's peak memory grows by far
//! less than the upload's size. Runs alone in its own test binary so that no
//! other test's allocations count.

use std::path::PathBuf;

use futures_util::stream;
use vitrine_server::{ApiKeys, Providers, ServerConfig, Settings};

const MB: u64 = 1024 * 1024;

fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| {
            value
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse::<u64>()
                .ok()
        })
        .map(|kb| kb * 1024)
        .expect("VmHWM")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_512_mb_upload_does_not_need_512_mb_of_memory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let app = vitrine_server::build(Settings {
        data_dir: dir.path().to_owned(),
        backend: vitrine_server::Backend::default(),
        models_dir: std::env::var_os("VITRINE_MODELS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(vitrine_server::default_models_dir),
        retention: std::time::Duration::from_secs(3600),
        keys: ApiKeys::open(),
        config: ServerConfig::default(),
        providers: Providers::default(),
    })
    .expect("the server builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("address"));
    tokio::spawn(vitrine_server::run(
        listener,
        app.state,
        std::future::pending(),
    ));
    let client = reqwest::Client::new();

    let before = peak_rss_bytes();
    let total = 512 * MB;
    let chunk = bytes::Bytes::from(vec![7u8; MB as usize]);
    let body = reqwest::Body::wrap_stream(stream::iter(
        (0..total / MB).map(move |_| Ok::<_, std::io::Error>(chunk.clone())),
    ));
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::stream_with_length(body, total).file_name("big.bin"),
    );
    let response = client
        .post(format!("{base}/files"))
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 201);
    let file: serde_json::Value = response.json().await.expect("file object");
    assert_eq!(file["bytes"].as_u64(), Some(total));
    let grown = peak_rss_bytes().saturating_sub(before);
    assert!(
        grown < 64 * MB,
        "peak memory grew by {} MB for a {} MB upload",
        grown / MB,
        total / MB
    );
}
