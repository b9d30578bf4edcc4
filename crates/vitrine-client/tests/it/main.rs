//! The SDK against a live Vitrine server on 127.0.0.1, one server per test.
//!
//! Each server is the one `vitrine serve` builds (`vitrine_server::build`):
//! the agent runs every completion with the shipped models, so asks are ones
//! it really performs ("convert this to grayscale"), and one it cannot plan
//! still stores its inputs and names them. Inputs are real files: PNG from the `image`
//! crate, a hand-written PDF, MP4 and MP3 from ffmpeg, an `.npy`, an SPZ
//! header in gzip; the server sniffs each from its magic bytes.

mod artifacts;
mod chat;
mod cli;
mod errors;
mod files;
mod schema;
mod sse;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use tokio::sync::oneshot;
use vitrine_client::{ChatRequest, Client, FileObject, RetryPolicy};
use vitrine_server::{ApiKeys, Providers, ServerConfig, Settings};

pub(crate) const KEY: &str = "acme-key-0001";

/// A running server, a client for it, and a scratch directory.
pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: Client,
    pub(crate) dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub(crate) async fn spawn() -> TestApp {
    spawn_with_config(ServerConfig::default()).await
}

/// A server with its own settings (limits).
pub(crate) async fn spawn_with_config(config: ServerConfig) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = Settings {
        data_dir: dir.path().join("data"),
        backend: vitrine_server::Backend::default(),
        models_dir: models_dir(),
        retention: std::time::Duration::from_secs(24 * 3600),
        keys: ApiKeys::parse(&format!("acme:{KEY}")).expect("test key"),
        config,
        providers: Providers::default(),
    };
    let app = vitrine_server::build(settings).expect("the server builds");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(vitrine_server::run(listener, app.state, async {
        let _ = stopped.await;
    }));
    let base = format!("http://{address}/v1");
    let client = client_for(&base, KEY, &dir.path().join("cache"));
    TestApp {
        base,
        client,
        dir,
        stop: Some(stop),
    }
}

/// The models `scripts/fetch-models.sh` installed: `VITRINE_MODELS_DIR`, else
/// its default, which is also `vitrine serve`'s.
pub(crate) fn models_dir() -> PathBuf {
    std::env::var_os("VITRINE_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(vitrine_server::default_models_dir)
}

/// A client with fast retries and its own cache directory.
pub(crate) fn client_for(base: &str, key: &str, cache: &Path) -> Client {
    Client::builder(base)
        .api_key(key)
        .cache_dir(cache)
        .retry(RetryPolicy {
            max_attempts: 3,
            initial_delay: std::time::Duration::from_millis(20),
            max_delay: std::time::Duration::from_millis(100),
        })
        .build()
        .expect("client builds")
}

impl TestApp {
    /// Writes `bytes` to `name` in the scratch directory.
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("fixture written");
        path
    }

    /// Uploads files and sends one chat turn with them; returns the session
    /// and the input refs in upload order (read from `vitrine.inputs`).
    pub(crate) async fn session_with(&self, paths: &[&Path]) -> (String, Vec<String>) {
        let mut request = ChatRequest::new("vlmrun-orion-1:auto").text("Store these");
        for path in paths {
            let file: FileObject = self.client.files().upload(path).await.expect("upload");
            request = request.input_file(file.id);
        }
        let completion = self
            .client
            .agent()
            .completions()
            .create(request)
            .await
            .expect("completion");
        let refs = completion
            .vitrine
            .as_ref()
            .and_then(|extension| extension["inputs"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|input| input["ref"].as_str().map(str::to_owned))
            .collect();
        (completion.session_id, refs)
    }
}

/// A PNG with a left half of one colour and a right half of another.
pub(crate) fn png(width: u32, height: u32, left: [u8; 3], right: [u8; 3]) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, _| {
        image::Rgb(if x < width / 2 { left } else { right })
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png encodes");
    bytes.into_inner()
}

/// A one-page PDF written by hand, with a correct cross-reference table.
pub(crate) fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        {
            let stream = "BT /F1 18 Tf 20 40 Td (Vitrine) Tj ET";
            format!("<< /Length {} >>\nstream\n{stream}\nendstream", stream.len())
        },
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (index, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        write!(out, "{} 0 obj\n{body}\nendobj\n", index + 1).expect("vec write");
    }
    let xref = out.len();
    write!(out, "xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).expect("vec write");
    for offset in offsets {
        writeln!(out, "{offset:010} 00000 n ").expect("vec write");
    }
    write!(
        out,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    )
    .expect("vec write");
    out
}

/// Runs ffmpeg to make a short clip; `args` are the input and codec flags.
pub(crate) fn ffmpeg(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let path = dir.join(name);
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .arg(&path)
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg made {name}");
    path
}

/// A 1-second 64×48 H.264 MP4.
pub(crate) fn mp4(dir: &Path) -> PathBuf {
    ffmpeg(
        dir,
        "clip.mp4",
        &[
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=10",
            "-t",
            "1",
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
        ],
    )
}

/// A 1-second 440 Hz MP3.
pub(crate) fn mp3(dir: &Path) -> PathBuf {
    ffmpeg(
        dir,
        "tone.mp3",
        &[
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-c:a",
            "libmp3lame",
        ],
    )
}

/// A `.npy` of `<f4` values with the given shape.
pub(crate) fn npy(shape: &[usize], values: &[f32]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape_text}, }}");
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(
        &u16::try_from(header.len())
            .expect("short header")
            .to_le_bytes(),
    );
    bytes.extend_from_slice(header.as_bytes());
    for value in values {
        bytes.extend_from_slice(&value.to_le_bytes());
    }
    bytes
}

/// An SPZ file: gzip of the `NGSP` header (version 2, no points) and nothing else.
pub(crate) fn spz() -> Vec<u8> {
    let mut header = Vec::new();
    header.extend_from_slice(b"NGSP");
    header.extend_from_slice(&2u32.to_le_bytes()); // version
    header.extend_from_slice(&0u32.to_le_bytes()); // number of points
    header.extend_from_slice(&[0, 12, 0, 0]); // sh degree, fractional bits, flags, reserved
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&header).expect("gzip in memory");
    encoder.finish().expect("gzip finishes")
}
