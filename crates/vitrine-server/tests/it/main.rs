//! Black-box tests of the real HTTP API over a socket on 127.0.0.1.
//!
//! Every test spawns its own server with its own data directory, built by
//! `vitrine_server::build_in` from the same `Settings` that `vitrine serve`
//! fills from its flags: the agent always runs, with the shipped models, and
//! providers point at local stand-ins where a test needs them. URL inputs
//! resolve through a static table (no DNS) and outgoing connections are bound
//! to 127.0.0.1, so no test can send a packet off this machine even if the
//! SSRF guard were broken.

mod agent;
mod artifacts;
mod caps;
mod chat;
mod core_tools;
mod depth_provider;
mod executions;
mod files;
mod hostile;
mod limits;
mod openapi;
mod operability;
mod playground;
mod skills;
mod ssrf;
mod tenancy;
mod usage;
mod web;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::oneshot;
use vitrine_server::{ApiKeys, Environment, Providers, ServerConfig, Settings, StaticResolver};
use vitrine_store::{ArtifactStore, ManualClock};

pub(crate) const KEY_ACME: &str = "acme-key-0001";
pub(crate) const KEY_GLOBEX: &str = "globex-key-0002";

/// A running server and what a test needs to poke at it.
pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    pub(crate) store: Arc<dyn ArtifactStore>,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: Option<tempfile::TempDir>,
}

/// Options for [`spawn_with`].
pub(crate) struct Options {
    pub(crate) keys: ApiKeys,
    pub(crate) config: ServerConfig,
    pub(crate) resolver: StaticResolver,
    pub(crate) retention: u64,
    pub(crate) data_dir: Option<PathBuf>,
    /// Providers, as `vitrine serve`'s `--llm-base-url` and friends set them.
    pub(crate) providers: Providers,
    /// The address the server listens on (`vitrine serve --bind`); clients call 127.0.0.1.
    pub(crate) listen: IpAddr,
}

impl Default for Options {
    fn default() -> Self {
        let mut config = ServerConfig::default();
        config.fetch.bind_address = Some(IpAddr::V4(Ipv4Addr::LOCALHOST));
        config.fetch.timeout = Duration::from_secs(10);
        config.sweep_interval = Duration::from_secs(3600);
        Options {
            keys: ApiKeys::parse(&format!("acme:{KEY_ACME},globex:{KEY_GLOBEX}"))
                .expect("test keys"),
            config,
            resolver: StaticResolver::new(),
            retention: 24 * 3600,
            data_dir: None,
            providers: Providers::default(),
            listen: IpAddr::V4(Ipv4Addr::LOCALHOST),
        }
    }
}

pub(crate) async fn spawn() -> TestApp {
    spawn_with(Options::default()).await
}

pub(crate) async fn spawn_with(options: Options) -> TestApp {
    let (dir, data_dir) = match options.data_dir {
        Some(path) => (None, path),
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().to_owned();
            (Some(dir), path)
        }
    };
    let clock = Arc::new(ManualClock::new(1_800_000_000));
    let settings = Settings {
        data_dir: data_dir.clone(),
        backend: vitrine_server::Backend::default(),
        models_dir: models_dir(),
        retention: Duration::from_secs(options.retention),
        keys: options.keys,
        config: options.config,
        providers: options.providers,
    };
    let environment = Environment {
        clock: clock.clone(),
        resolver: Arc::new(options.resolver),
    };
    let app = vitrine_server::build_in(settings, environment).expect("the server builds");
    let (state, store) = (app.state, app.store);
    let listener = tokio::net::TcpListener::bind(SocketAddr::new(options.listen, 0))
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let address = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(vitrine_server::run(listener, state, async {
        let _ = stopped.await;
    }));
    TestApp {
        base: format!("http://{address}/v1"),
        // Proxy variables (set by the SSRF test's child run) must not touch the test's own calls.
        http: reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client"),
        store,
        clock,
        data_dir,
        stop: Some(stop),
        task: Some(task),
        _dir: dir,
    }
}

impl TestApp {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub(crate) fn get(&self, path: &str, key: &str) -> reqwest::RequestBuilder {
        self.http.get(self.url(path)).bearer_auth(key)
    }

    /// GET as JSON, whatever the status.
    pub(crate) async fn get_json(&self, path: &str, key: &str) -> Value {
        self.get(path, key)
            .send()
            .await
            .expect("request is sent")
            .json()
            .await
            .expect("the body is JSON")
    }

    pub(crate) async fn chat(&self, key: &str, body: Value) -> (u16, Value) {
        let response = self
            .http
            .post(self.url("/chat/completions"))
            .bearer_auth(key)
            .json(&body)
            .send()
            .await
            .expect("request is sent");
        let status = response.status().as_u16();
        let body = response.json().await.unwrap_or(Value::Null);
        (status, body)
    }

    /// Stops the server and waits for it; keeps the data directory.
    pub(crate) async fn stop(mut self) -> (PathBuf, Option<tempfile::TempDir>) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server ran");
        }
        (self.data_dir.clone(), self._dir.take())
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// What pydantic emits for the seed's `RedactionResult` model.
pub(crate) fn redaction_schema() -> Value {
    json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "title": "Id", "type": "string"}},
                               "required": ["id"], "title": "ImageRef", "type": "object"}},
        "properties": {
            "redacted_image": {"$ref": "#/$defs/ImageRef", "description": "Image with sensitive regions removed"},
            "notes": {"title": "Notes", "type": "string"}
        },
        "required": ["redacted_image", "notes"],
        "title": "RedactionResult",
        "type": "object"
    })
}

/// The models `scripts/fetch-models.sh` installed: `VITRINE_MODELS_DIR`, else
/// its default, which is also `vitrine serve`'s.
pub(crate) fn models_dir() -> PathBuf {
    std::env::var_os("VITRINE_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(vitrine_server::default_models_dir)
}

pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A PNG of the given size and colour.
pub(crate) fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let image = image::RgbImage::from_pixel(width, height, image::Rgb(rgb));
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png encodes");
    bytes.into_inner()
}

pub(crate) fn data_url(mime: &str, bytes: &[u8]) -> String {
    use base64::Engine as _;
    format!(
        "data:{mime};base64,{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

/// An artifact of the completion's session, downloaded through `GET /v1/artifacts`.
pub(crate) async fn download(app: &TestApp, completion: &Value, id: &str) -> Vec<u8> {
    let session = completion["session_id"].as_str().expect("session");
    let response = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200, "{id}");
    response.bytes().await.expect("bytes").to_vec()
}

/// A one-message chat request with `text` and one image part.
pub(crate) fn ask_with_image(text: &str, url: &str) -> Value {
    json!({
        "model": "vlmrun-orion-1:auto",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": text},
            {"type": "image_url", "image_url": {"url": url}}
        ]}]
    })
}

pub(crate) fn first_input_ref(completion: &Value) -> String {
    completion["vitrine"]["inputs"][0]["ref"]
        .as_str()
        .expect("an input ref")
        .to_owned()
}

pub(crate) fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

pub(crate) fn error_message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    digest_with("sha256sum", bytes)
}

pub(crate) fn md5_hex(bytes: &[u8]) -> String {
    digest_with("md5sum", bytes)
}

/// Hashes with coreutils, an implementation independent of the server's.
fn digest_with(program: &str, bytes: &[u8]) -> String {
    let mut child = std::process::Command::new(program)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("coreutils hashers run");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write");
    }
    let output = child.wait_with_output().expect("hasher output");
    let text = String::from_utf8_lossy(&output.stdout);
    text.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A `seconds`-long 64×48 H.264 test clip at 10 fps, made by Debian's `ffmpeg`.
pub(crate) fn ffmpeg_clip(seconds: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clip.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=64x48:rate=10",
            "-t",
        ])
        .arg(seconds.to_string())
        .args(["-c:v", "libx264", "-pix_fmt", "yuv420p"])
        .arg(&path)
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(status.success());
    std::fs::read(path).expect("clip")
}

/// A tiny media server on 127.0.0.1 for URL inputs.
pub(crate) async fn media_server(routes: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move {
        let _ = axum::serve(listener, routes).await;
    });
    address
}

pub(crate) fn exists(path: &Path) -> bool {
    path.exists()
}
