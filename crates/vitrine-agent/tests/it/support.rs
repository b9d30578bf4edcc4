//! Shared fixtures: one store and agent per test binary (the models load once), uploads,
//! rendered text, test clips and PDFs, and pixel statistics.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{DynamicImage, RgbImage};
use serde_json::Value;
use tokio::io::AsyncReadExt;
use vitrine_agent::{Agent, AgentOutcome, AgentRequest};
use vitrine_store::{
    ArtifactMeta, ArtifactStore, LocalStore, MediaInfo, NewArtifact, Provenance, SystemClock,
};
use vitrine_tools::{LazyModels, ToolCatalog, ToolContext};
use vitrine_wire::{ArtifactId, ArtifactKind, SessionId};

/// The tenant every test uses.
pub(crate) const TENANT: &str = "tenant-test";

/// The models directory: `VITRINE_MODELS_DIR`, else the fetch script's default.
pub(crate) fn models_dir() -> PathBuf {
    match std::env::var_os("VITRINE_MODELS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => vitrine_vision::store::default_dir(),
    }
}

struct Shared {
    _dir: tempfile::TempDir,
    store: Arc<dyn ArtifactStore>,
    agent: Agent,
    models: Arc<LazyModels>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let store: Arc<dyn ArtifactStore> = Arc::new(
            LocalStore::open(dir.path(), 86_400, Arc::new(SystemClock)).expect("store opens"),
        );
        let agent = Agent::new(Arc::clone(&store), models_dir());
        Shared {
            _dir: dir,
            store,
            agent,
            models: Arc::new(LazyModels::new(models_dir())),
        }
    })
}

/// The shared store.
pub(crate) fn store() -> Arc<dyn ArtifactStore> {
    Arc::clone(&shared().store)
}

/// The shared agent.
pub(crate) fn agent() -> &'static Agent {
    &shared().agent
}

/// A fresh session.
pub(crate) async fn session() -> SessionId {
    store().create_session(TENANT).await.expect("session").id
}

/// Stores `bytes` as an input artifact of `session`.
pub(crate) async fn upload(
    session: &SessionId,
    bytes: &[u8],
    kind: ArtifactKind,
    content_type: &str,
) -> ArtifactMeta {
    let store = store();
    let mut blob = store.stage(1 << 30).await.expect("stage");
    blob.write(bytes).await.expect("write");
    store
        .put(
            TENANT,
            session,
            blob,
            NewArtifact {
                kind,
                content_type: content_type.to_owned(),
                media: MediaInfo::default(),
                provenance: Provenance {
                    parents: Vec::new(),
                    operation: "test.upload".to_owned(),
                    params: Value::Null,
                },
                filename: None,
            },
        )
        .await
        .expect("put")
}

/// Encodes and uploads an image as PNG.
pub(crate) async fn upload_image(session: &SessionId, image: &RgbImage) -> ArtifactMeta {
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(image.clone())
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("png");
    upload(session, &bytes, ArtifactKind::Image, "image/png").await
}

/// Runs the agent.
pub(crate) async fn ask(
    session: &SessionId,
    instruction: &str,
    inputs: Vec<ArtifactMeta>,
    schema: Option<Value>,
    toolsets: Option<Vec<&str>>,
) -> Result<AgentOutcome, vitrine_agent::AgentError> {
    agent()
        .run(
            AgentRequest {
                tenant: TENANT.to_owned(),
                session: session.clone(),
                instruction: instruction.to_owned(),
                inputs,
                response_schema: schema,
                toolsets: toolsets.map(|names| names.into_iter().map(str::to_owned).collect()),
            },
            None,
        )
        .await
}

/// An artifact's bytes.
pub(crate) async fn bytes_of(session: &SessionId, id: &str) -> (ArtifactMeta, Vec<u8>) {
    let id: ArtifactId = id.parse().expect("artifact id");
    let store = store();
    let meta = store
        .artifact(TENANT, session, &id)
        .await
        .expect("artifact exists");
    let mut reader = store.open(&meta).await.expect("open");
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).await.expect("read");
    (meta, bytes)
}

/// An image artifact, decoded.
pub(crate) async fn image_of(session: &SessionId, id: &str) -> (ArtifactMeta, DynamicImage) {
    let (meta, bytes) = bytes_of(session, id).await;
    (meta, image::load_from_memory(&bytes).expect("decodes"))
}

/// Runs one tool directly (to measure inputs and outputs independently of the agent).
pub(crate) async fn tool(
    session: &SessionId,
    name: &str,
    args: Value,
) -> vitrine_tools::ToolOutput {
    let cx = ToolContext::new(
        store(),
        TENANT.to_owned(),
        session.clone(),
        Arc::clone(&shared().models),
    );
    ToolCatalog::standard()
        .get(name)
        .expect("tool exists")
        .run(&cx, args)
        .await
        .unwrap_or_else(|error| panic!("{name} failed: {error}"))
}

/// A photo from the vision crate's `testdata/`.
pub(crate) fn photo(name: &str) -> RgbImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vitrine-vision/testdata")
        .join(name);
    image::open(&path)
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", path.display()))
        .to_rgb8()
}

/// DejaVu Sans from Debian's `fonts-dejavu-core`.
fn font() -> FontVec {
    let path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    let bytes = std::fs::read(path)
        .unwrap_or_else(|error| panic!("{path}: {error} (apt-get install fonts-dejavu-core)"));
    FontVec::try_from_vec(bytes).expect("DejaVuSans.ttf is a valid font")
}

/// Draws `lines` in black onto `image` from `(left, top)`, `size` px high.
pub(crate) fn draw_lines(image: &mut RgbImage, lines: &[&str], size: f32, left: f32, top: f32) {
    let font = font();
    let scaled = font.as_scaled(PxScale::from(size));
    let spacing = size * 1.5;
    for (row, line) in lines.iter().enumerate() {
        let baseline = top + scaled.ascent() + row as f32 * spacing;
        let mut caret = left;
        let mut previous = None;
        for character in line.chars() {
            let glyph_id = scaled.glyph_id(character);
            if let Some(previous) = previous {
                caret += scaled.kern(previous, glyph_id);
            }
            let glyph = glyph_id.with_scale_and_position(size, ab_glyph::point(caret, baseline));
            caret += scaled.h_advance(glyph_id);
            previous = Some(glyph_id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|x, y, coverage| {
                    let px = bounds.min.x as i64 + i64::from(x);
                    let py = bounds.min.y as i64 + i64::from(y);
                    if px < 0
                        || py < 0
                        || px >= i64::from(image.width())
                        || py >= i64::from(image.height())
                    {
                        return;
                    }
                    let pixel = image.get_pixel_mut(px as u32, py as u32);
                    for channel in pixel.0.iter_mut() {
                        *channel = (f32::from(*channel) * (1.0 - coverage)).round() as u8;
                    }
                });
            }
        }
    }
}

/// A white canvas with `lines` of text.
pub(crate) fn text_image(width: u32, height: u32, lines: &[&str], size: f32) -> RgbImage {
    let mut image = RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    draw_lines(&mut image, lines, size, 24.0, 24.0);
    image
}

/// Mean squared difference between horizontally and vertically adjacent gray pixels inside
/// `[x0, y0, x1, y1]`: high for detail (eyes, hair, edges), near zero after a strong blur.
pub(crate) fn detail_energy(image: &DynamicImage, bbox: [f64; 4]) -> f64 {
    let gray = image.to_luma8();
    let x0 = bbox[0].max(0.0) as u32;
    let y0 = bbox[1].max(0.0) as u32;
    let x1 = (bbox[2] as u32).min(gray.width() - 1);
    let y1 = (bbox[3] as u32).min(gray.height() - 1);
    let mut sum = 0.0;
    let mut n: f64 = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let here = f64::from(gray.get_pixel(x, y).0[0]);
            let right = f64::from(gray.get_pixel(x + 1, y).0[0]);
            let below = f64::from(gray.get_pixel(x, y + 1).0[0]);
            sum += (here - right).powi(2) + (here - below).powi(2);
            n += 2.0;
        }
    }
    sum / n.max(1.0)
}

/// A synthetic test clip made by Debian's `ffmpeg`: `seconds` long, 320×240, 25 fps, with a
/// moving test pattern and a tone.
pub(crate) fn test_clip(seconds: u32) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("clip.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
        ])
        .arg(format!("testsrc=duration={seconds}:size=320x240:rate=25"))
        .args(["-f", "lavfi", "-i"])
        .arg(format!("sine=frequency=440:duration={seconds}"))
        .args([
            "-pix_fmt",
            "yuv420p",
            "-c:v",
            "libx264",
            "-c:a",
            "aac",
            "-shortest",
        ])
        .arg(&path)
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg could not make the test clip");
    std::fs::read(&path).expect("clip written")
}

/// A PDF whose pages are the given images (as PNG).
pub(crate) fn test_pdf(pages: &[RgbImage]) -> Vec<u8> {
    let encoded: Vec<Vec<u8>> = pages
        .iter()
        .map(|page| {
            let mut bytes = Vec::new();
            DynamicImage::ImageRgb8(page.clone())
                .write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Png,
                )
                .expect("png");
            bytes
        })
        .collect();
    let slices: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
    vitrine_document::images_to_pdf(&slices, &vitrine_document::ImagesToPdfParams::default())
        .expect("pdf")
}

/// The content as JSON.
pub(crate) fn json(outcome: &AgentOutcome) -> Value {
    serde_json::from_str(&outcome.content)
        .unwrap_or_else(|error| panic!("content is not JSON ({error}): {}", outcome.content))
}

/// Answers one HTTP request: gets the lower-cased head (request line and headers) and the
/// body, returns the JSON to send back with status 200.
pub(crate) type Handler = Arc<
    dyn Fn(String, Vec<u8>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Value> + Send>>
        + Send
        + Sync,
>;

/// A minimal HTTP/1.1 server on 127.0.0.1 (keep-alive, Content-Length bodies) for stand-ins of
/// external APIs; returns its base URL ending in `/v1`.
pub(crate) async fn serve(handler: Handler) -> String {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}/v1", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let handler = Arc::clone(&handler);
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    let header_end = loop {
                        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break end + 4;
                        }
                        let mut chunk = [0u8; 65536];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..header_end]).to_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|line| line.strip_prefix("content-length:"))
                        .and_then(|value| value.trim().parse().ok())
                        .unwrap_or(0);
                    while buffer.len() < header_end + length {
                        let mut chunk = [0u8; 65536];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let body = buffer[header_end..header_end + length].to_vec();
                    buffer.drain(..header_end + length);
                    let reply = handler(head, body).await.to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{reply}",
                        reply.len()
                    );
                    if socket.write_all(response.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    base
}
