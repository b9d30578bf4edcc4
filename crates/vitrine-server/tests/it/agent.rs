//! The agent behind the chat endpoint: the seed's redaction example, progress
//! streaming, plain refusals, toolset filtering. Uses the shipped models
//! (`scripts/fetch-models.sh`).

use serde_json::{Value, json};

use crate::*;

fn astronaut() -> Vec<u8> {
    let path = workspace().join("crates/vitrine-vision/testdata/astronaut.png");
    std::fs::read(&path).expect("the astronaut photo ships in vitrine-vision's testdata")
}

const REDACT: &str = "Blur all faces and remove any PHI from this image.";

async fn agent_app() -> TestApp {
    spawn_with(Options {
        with_agent: true,
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn the_seed_redaction_example_blurs_the_face_through_http() {
    let app = agent_app().await;
    let original = astronaut();
    let mut body = ask_with_image(REDACT, &data_url("image/png", &original));
    body["response_format"] = json!({"type": "json_schema", "schema": redaction_schema()});
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    let content: Value = serde_json::from_str(
        completion["choices"][0]["message"]["content"]
            .as_str()
            .expect("content"),
    )
    .expect("JSON");
    let id = content["redacted_image"]["id"].as_str().expect("ref");
    assert!(
        content["notes"].as_str().expect("notes").contains("face"),
        "{content}"
    );
    assert!(
        completion["vitrine"]["plan"].is_object(),
        "the executed plan is returned: {completion}"
    );

    let session = completion["session_id"].as_str().expect("session");
    let response = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    let redacted = image::load_from_memory(&response.bytes().await.expect("bytes"))
        .expect("an image")
        .to_rgb8();
    let original = image::load_from_memory(&original).expect("png").to_rgb8();
    assert_eq!(redacted.dimensions(), original.dimensions());
    // The plan reports the face boxes it found; inside them the detail must
    // be gone (gradient energy far below the original's).
    let face_box = completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find_map(|step| step["facts"]["faces"][0]["box"].as_array().cloned())
        .expect("a face was found");
    let [x0, y0, x1, y1] = [0, 1, 2, 3].map(|i| face_box[i].as_f64().unwrap_or_default() as u32);
    assert!(
        x1 - x0 >= 40 && y1 - y0 >= 40,
        "a face-sized box: {face_box:?}"
    );
    let (width, height) = original.dimensions();
    let detail = |image: &image::RgbImage| -> u64 {
        (y0..y1.min(height - 1))
            .flat_map(|y| (x0..x1.min(width - 1)).map(move |x| (x, y)))
            .map(|(x, y)| {
                let here = image.get_pixel(x, y).0;
                let right = image.get_pixel(x + 1, y).0;
                let below = image.get_pixel(x, y + 1).0;
                (0..3)
                    .map(|c| {
                        u64::from(here[c].abs_diff(right[c]))
                            + u64::from(here[c].abs_diff(below[c]))
                    })
                    .sum::<u64>()
            })
            .sum()
    };
    let (before, after) = (detail(&original), detail(&redacted));
    assert!(
        after * 5 < before,
        "the face lost its detail: {before} -> {after}"
    );
    let listed = app
        .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
        .await;
    let made = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["object_id"] == id)
        .expect("listed");
    assert!(
        !made["provenance"]["parents"]
            .as_array()
            .map(Vec::is_empty)
            .unwrap_or(true),
        "{made}"
    );
}

#[tokio::test]
async fn streaming_reports_steps_and_refs_before_the_answer() {
    let app = agent_app().await;
    let mut body = ask_with_image("Blur the faces", &data_url("image/png", &astronaut()));
    body["stream"] = json!(true);
    let text = app
        .http
        .post(app.url("/chat/completions"))
        .bearer_auth(KEY_ACME)
        .json(&body)
        .send()
        .await
        .expect("stream")
        .text()
        .await
        .expect("body");
    let chunks: Vec<Value> = text
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .filter(|data| *data != "[DONE]")
        .map(|data| serde_json::from_str(data).expect("JSON chunks"))
        .collect();
    let event_types: Vec<&str> = chunks
        .iter()
        .filter_map(|c| c["vitrine_event"]["type"].as_str())
        .collect();
    for expected in [
        "input_stored",
        "step_started",
        "step_finished",
        "artifact_made",
    ] {
        assert!(
            event_types.contains(&expected),
            "{expected} in {event_types:?}"
        );
    }
    let content_at = chunks
        .iter()
        .position(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|t| t.contains("img_"))
        })
        .expect("the answer names the new ref");
    let made_at = chunks
        .iter()
        .position(|c| c["vitrine_event"]["type"] == "artifact_made")
        .expect("made");
    assert!(
        made_at < content_at,
        "refs are announced as soon as they exist"
    );
    assert!(text.trim_end().ends_with("data: [DONE]"));
}

#[tokio::test]
async fn an_instruction_it_cannot_plan_is_said_plainly() {
    let app = agent_app().await;
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Write me a sonnet about it",
                &data_url("image/png", &png(8, 8, [1, 2, 3])),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(
        content.contains("could not work out") && content.contains("--llm-base-url"),
        "{content}"
    );
    assert!(
        content.contains("img_"),
        "the stored input is still named: {content}"
    );

    let mut body = ask_with_image(
        "Write me a sonnet about it",
        &data_url("image/png", &png(8, 8, [1, 2, 3])),
    );
    body["response_format"] = json!({"type": "json_schema", "schema": {
        "properties": {"poem": {"type": "string"}}, "required": ["poem"], "type": "object"}});
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 400, "{error}");
    assert!(
        error_message(&error).contains("could not work out"),
        "{error}"
    );
}

#[tokio::test]
async fn toolsets_restrict_what_may_run() {
    let app = agent_app().await;
    let mut body = ask_with_image(REDACT, &data_url("image/png", &astronaut()));
    body["toolsets"] = json!(["video"]);
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 400, "{error}");
    assert!(error_message(&error).contains("toolsets"), "{error}");
}

#[tokio::test]
async fn the_try_on_example_without_an_images_provider_names_the_setting() {
    let app = agent_app().await;
    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "title": "Id", "type": "string"}},
                               "required": ["id"], "title": "ImageRef", "type": "object"}},
        "properties": {
            "front": {"$ref": "#/$defs/ImageRef", "description": "Front view (9:16)"},
            "back": {"$ref": "#/$defs/ImageRef", "description": "Back view (9:16)"},
            "side": {"$ref": "#/$defs/ImageRef", "description": "Side view (9:16)"}
        },
        "required": ["front", "back", "side"],
        "type": "object"
    });
    let prompt = "You are provided with two images: one of a dress (the first image) and one of a person (the second image). \
        Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person. Provide exactly 3 images \
        (9:16 aspect ratio) as output: one from the front, one from the back, and one from the side.";
    let body = json!({
        "model": "vlmrun-orion-1:auto",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": prompt},
            {"type": "image_url", "image_url": {"url": data_url("image/png", &png(60, 90, [200, 30, 60]))}},
            {"type": "image_url", "image_url": {"url": data_url("image/png", &astronaut())}}
        ]}],
        "response_format": {"type": "json_schema", "schema": schema}
    });
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 501, "{error}");
    assert!(
        error_message(&error).contains("--images-base-url"),
        "{error}"
    );
}

/// A one-message chat request with `text` and the given content parts.
fn ask_with_parts(text: &str, parts: Vec<Value>) -> Value {
    let mut content = vec![json!({"type": "text", "text": text})];
    content.extend(parts);
    json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": content}]})
}

fn image_part(bytes: &[u8]) -> Value {
    json!({"type": "image_url", "image_url": {"url": data_url("image/png", bytes)}})
}

/// The tools the executed plan ran, in order.
fn tools_run(completion: &Value) -> Vec<String> {
    completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| step["tool"].as_str().expect("tool").to_owned())
        .collect()
}

/// The one final ref of a plain answer, which the answer names.
fn only_final_ref(completion: &Value) -> String {
    let finals = completion["vitrine"]["plan"]["final_refs"]
        .as_array()
        .expect("final refs");
    assert_eq!(finals.len(), 1, "{completion}");
    let id = finals[0].as_str().expect("id").to_owned();
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.contains(&id), "the answer names {id}: {content}");
    id
}

async fn download(app: &TestApp, completion: &Value, id: &str) -> Vec<u8> {
    let session = completion["session_id"].as_str().expect("session");
    let response = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 200);
    response.bytes().await.expect("bytes").to_vec()
}

/// ffprobe's codec, pixel format and decoded frame count of a clip's first video stream.
fn probe_clip(bytes: &[u8]) -> (String, String, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, bytes).expect("write");
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,pix_fmt,nb_read_frames",
            "-of",
            "json",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe runs");
    assert!(output.status.success());
    let probe: Value = serde_json::from_slice(&output.stdout).expect("json");
    let stream = &probe["streams"][0];
    (
        stream["codec_name"].as_str().unwrap_or_default().to_owned(),
        stream["pix_fmt"].as_str().unwrap_or_default().to_owned(),
        stream["nb_read_frames"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    )
}

#[tokio::test]
async fn transcoding_and_images_to_video_through_chat() {
    let app = agent_app().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("clip.mkv");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .args(["testsrc2=size=96x64:rate=10", "-t", "1", "-c:v", "libx264"])
        .args(["-pix_fmt", "yuv444p"])
        .arg(&source)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let clip = std::fs::read(&source).expect("clip");
    let body = ask_with_parts(
        "Transcode this video so it plays in a browser",
        vec![
            json!({"type": "video_url", "video_url": {"url": data_url("video/x-matroska", &clip)}}),
        ],
    );
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["transcode_video"]);
    let id = only_final_ref(&completion);
    assert!(id.starts_with("vid_"));
    let (codec, pixels, frames) = probe_clip(&download(&app, &completion, &id).await);
    assert_eq!(
        (codec.as_str(), pixels.as_str(), frames),
        ("h264", "yuv420p", 10)
    );

    let parts: Vec<Value> = [[200, 0, 0], [0, 200, 0], [0, 0, 200]]
        .into_iter()
        .map(|rgb| image_part(&png(64, 48, rgb)))
        .collect();
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_parts("Make a video from these images at 2 fps", parts),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["frames_to_video"]);
    let id = only_final_ref(&completion);
    let (codec, _, frames) = probe_clip(&download(&app, &completion, &id).await);
    assert_eq!((codec.as_str(), frames), ("h264", 3));
}

#[tokio::test]
async fn page_counts_through_chat() {
    let app = agent_app().await;
    let parts: Vec<Value> = [[10, 10, 10], [120, 120, 120]]
        .into_iter()
        .map(|rgb| image_part(&png(60, 80, rgb)))
        .collect();
    let (status, made) = app
        .chat(
            KEY_ACME,
            ask_with_parts("Make a PDF of these images", parts),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    let document = only_final_ref(&made);
    assert!(document.starts_with("doc_"));

    let mut body = ask_with_parts(
        "How many pages does this PDF have?",
        vec![json!({"type": "input_ref", "id": document})],
    );
    body["session_id"] = made["session_id"].clone();
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["pdf_info"]);
    assert_eq!(
        completion["vitrine"]["plan"]["steps"][0]["facts"]["pages"],
        2
    );
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.contains("2 pages"), "{content}");
}

#[tokio::test]
async fn side_by_side_and_a_pixelated_region_through_chat() {
    let app = agent_app().await;
    let parts = vec![
        image_part(&png(40, 30, [220, 20, 20])),
        image_part(&png(40, 30, [20, 20, 220])),
    ];
    let (status, completion) = app
        .chat(KEY_ACME, ask_with_parts("Put these side by side", parts))
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["combine_images"]);
    let id = only_final_ref(&completion);
    let sheet = image::load_from_memory(&download(&app, &completion, &id).await)
        .expect("image")
        .to_rgb8();
    // Two 40×30 cells with 8 px gaps between and around.
    assert_eq!(sheet.dimensions(), (2 * 40 + 3 * 8, 30 + 2 * 8));
    let near =
        |pixel: [u8; 3], rgb: [u8; 3]| pixel.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6);
    assert!(
        near(sheet.get_pixel(28, 23).0, [220, 20, 20]),
        "left cell red"
    );
    assert!(
        near(sheet.get_pixel(76, 23).0, [20, 20, 220]),
        "right cell blue"
    );

    // A fine checkerboard: every pixel differs from its neighbours until pixelation averages
    // a block into one flat colour.
    let checkers = image::RgbImage::from_fn(120, 80, |x, y| {
        let value = if (x + y) % 2 == 0 { 210 } else { 40 };
        image::Rgb([value, value, value])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    checkers
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_parts(
                "pixelate the region 10,10,74,74",
                vec![image_part(bytes.get_ref())],
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["redact_image"]);
    let id = only_final_ref(&completion);
    let out = image::load_from_memory(&download(&app, &completion, &id).await)
        .expect("image")
        .to_rgb8();
    assert_eq!(out.dimensions(), (120, 80));
    let roughness = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        let mut total = 0.0;
        let mut count = 0.0;
        for y in ys {
            for x in xs.clone() {
                total += f64::from(out.get_pixel(x, y)[0].abs_diff(out.get_pixel(x + 1, y)[0]));
                count += 1.0;
            }
        }
        total / count
    };
    let inside = roughness(14..70, 14..70);
    let outside = roughness(84..118, 0..80);
    assert!(inside < 15.0, "inside the region is flat blocks: {inside}");
    assert!(outside > 100.0, "outside keeps the checkerboard: {outside}");
}
