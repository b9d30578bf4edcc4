//! Hostile inputs that lie about their size: refused from what they declare, before anything
//! large is allocated, and the server keeps serving.

use std::io::Write as _;

use crate::*;

/// A PNG whose header declares `width`×`height` RGB pixels but whose data is a few bytes.
fn lying_png(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&u32::try_from(data.len()).expect("len").to_be_bytes());
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    let mut idat = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    idat.write_all(&[0u8; 64]).expect("deflate");
    let idat = idat.finish().expect("deflate");
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    png
}

#[tokio::test]
async fn a_png_declaring_100k_by_100k_pixels_is_refused_from_its_header() {
    let app = spawn().await;
    let bomb = lying_png(100_000, 100_000);
    assert!(bomb.len() < 200, "{} bytes", bomb.len());
    for url in [data_url("image/png", &bomb)] {
        let (status, body) = app.chat(KEY_ACME, ask_with_image("x", &url)).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "too_many_pixels"),
            "{body}"
        );
        let message = error_message(&body);
        assert!(
            message.contains("100000×100000") && message.contains("--max-megapixels"),
            "{message}"
        );
    }
    // The same bytes uploaded as a file and then used as an input: the same refusal.
    let part = reqwest::multipart::Part::bytes(bomb).file_name("bomb.png");
    let upload: serde_json::Value = app
        .http
        .post(app.url("/files?purpose=vision"))
        .bearer_auth(KEY_ACME)
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let file_id = upload["id"].as_str().expect("file id");
    let (status, body) = app
        .chat(
            KEY_ACME,
            serde_json::json!({
                "model": "vlmrun-orion-1:auto",
                "messages": [{"role": "user", "content": [
                    {"type": "text", "text": "x"},
                    {"type": "input_file", "file_id": file_id}
                ]}]
            }),
        )
        .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "too_many_pixels"),
        "{body}"
    );
    let health = app.get("/health", KEY_ACME).send().await.expect("health");
    assert_eq!(health.status(), 200);
}

/// `--tool-timeout` bounds each step: with 1 ms, a step that decodes, converts, encodes and
/// durably stores a 6-megapixel image cannot finish in time (a tiny one might).
#[tokio::test]
async fn a_step_past_the_tool_timeout_answers_504_naming_the_step_and_setting() {
    let mut options = Options::default();
    options.config.limits.tool_timeout = std::time::Duration::from_millis(1);
    let app = spawn_with(options).await;
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Make it black and white",
                &data_url("image/png", &png(3000, 2000, [200, 10, 10])),
            ),
        )
        .await;
    assert_eq!((status, error_code(&body)), (504, "timeout"), "{body}");
    let message = error_message(&body);
    assert!(
        message.contains("(`grayscale`)") && message.contains("--tool-timeout"),
        "{message}"
    );
    // With the default limit the same request works.
    let app = spawn().await;
    let (status, body) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Make it black and white",
                &data_url("image/png", &png(40, 30, [200, 10, 10])),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
