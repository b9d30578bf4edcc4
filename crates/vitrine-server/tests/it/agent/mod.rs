//! The agent behind the chat endpoint: the seed's redaction example, progress
//! streaming, plain refusals, toolset filtering; the everyday asks in [`everyday`];
//! the LLM planner and the images provider against local stand-ins in [`providers`].
//! Uses the shipped models (`scripts/fetch-models.sh`).

mod everyday;
mod media;
pub(crate) mod providers;

use serde_json::{Value, json};

use crate::*;

/// A photo from vitrine-vision's `testdata/`, as its file bytes.
fn photo(name: &str) -> Vec<u8> {
    let path = workspace()
        .join("crates/vitrine-vision/testdata")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

fn astronaut() -> Vec<u8> {
    photo("astronaut.png")
}

/// A content part carrying `bytes` as a data URL: `image_url`, `video_url` or `file_url`.
fn part(kind: &str, mime: &str, bytes: &[u8]) -> Value {
    json!({"type": kind, kind: {"url": data_url(mime, bytes)}})
}

/// A one-message chat request with `text` and the given content parts.
fn ask_with_parts(text: &str, parts: Vec<Value>) -> Value {
    let mut content = vec![json!({"type": "text", "text": text})];
    content.extend(parts);
    json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": content}]})
}

/// Asks the agent `text` about `parts` (with a `schema` if given); the request must succeed.
async fn ask(app: &TestApp, text: &str, parts: Vec<Value>, schema: Option<Value>) -> Value {
    let mut body = ask_with_parts(text, parts);
    if let Some(schema) = schema {
        body["response_format"] = json!({"type": "json_schema", "schema": schema});
    }
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{text}: {completion}");
    completion
}

fn content_text(completion: &Value) -> &str {
    completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content")
}

/// The structured content, parsed.
fn content_json(completion: &Value) -> Value {
    serde_json::from_str(content_text(completion)).expect("JSON content")
}

/// The tools the executed plan ran, in order.
fn tools_run(completion: &Value) -> Vec<String> {
    completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|step| step["tool"].as_str().map(str::to_owned))
        .collect()
}

/// The plan's only final ref, which a plain-text answer must name.
fn final_ref(completion: &Value) -> String {
    let finals = completion["vitrine"]["plan"]["final_refs"]
        .as_array()
        .expect("final refs");
    assert_eq!(finals.len(), 1, "{completion}");
    let id = finals[0].as_str().expect("id").to_owned();
    assert!(content_text(completion).contains(&id), "{completion}");
    id
}

async fn download_image(app: &TestApp, completion: &Value, id: &str) -> image::DynamicImage {
    image::load_from_memory(&download(app, completion, id).await).expect("an image")
}

/// A white PNG with `lines` of black DejaVu Sans text, 32 px, drawn by `ffmpeg`'s drawtext.
fn text_png(width: u32, height: u32, lines: &[&str]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tempdir");
    let filters: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(index, line)| {
            // A text file spares escaping `:` and friends in the filter graph.
            let file = dir.path().join(format!("line{index}.txt"));
            std::fs::write(&file, line).expect("write line");
            format!(
                "drawtext=fontfile=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:textfile={}:fontsize=32:fontcolor=black:x=24:y={}",
                file.display(),
                24 + index * 48
            )
        })
        .collect();
    let out = dir.path().join("text.png");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg(format!("color=c=white:s={width}x{height}"))
        .args(["-vf", &filters.join(","), "-frames:v", "1"])
        .arg(&out)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success(), "ffmpeg drew no text");
    std::fs::read(out).expect("png")
}

/// A clip's duration in seconds, as `ffprobe` reads it.
fn ffprobe_duration(bytes: &[u8]) -> f64 {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clip");
    std::fs::write(&path, bytes).expect("write clip");
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "csv=p=0",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("ffprobe: {}", String::from_utf8_lossy(&output.stderr)))
}

const REDACT: &str = "Blur all faces and remove any PHI from this image.";

async fn agent_app() -> TestApp {
    spawn().await
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
    let redacted = download_image(&app, &completion, id).await.to_rgb8();
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

/// What the `tesseract` binary reads in `image` (no tool of the server runs it by default).
fn tesseract_text(image: &image::RgbImage) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("page.png");
    image.save(&path).expect("png written");
    let output = std::process::Command::new("tesseract")
        .arg(&path)
        .arg("stdout")
        .output()
        .expect("the `tesseract` binary runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn the_seed_redaction_example_on_faces_and_phi_is_verified_and_audited() {
    // A badge without labels beside the astronaut: a bare name, phone and date.
    const BADGE: [&str; 3] = ["Sarah Johnson", "call 415-555-0100", "seen 04/22/2023"];
    const PLANTED: [&str; 6] = ["Sarah", "Johnson", "415", "0100", "04/22", "2023"];
    let text = image::load_from_memory(&text_png(520, 512, &BADGE))
        .expect("png")
        .to_rgb8();
    let photo = image::load_from_memory(&astronaut())
        .expect("png")
        .to_rgb8();
    let mut canvas = image::RgbImage::from_pixel(1032, 512, image::Rgb([255; 3]));
    image::imageops::replace(&mut canvas, &photo, 0, 0);
    image::imageops::replace(&mut canvas, &text, 512, 0);
    let before = tesseract_text(&canvas);
    for planted in PLANTED {
        assert!(
            before.contains(planted),
            "{planted:?} unreadable:\n{before}"
        );
    }
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(canvas)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");

    let app = agent_app().await;
    let completion = ask(
        &app,
        REDACT,
        vec![part("image_url", "image/png", &png)],
        Some(redaction_schema()),
    )
    .await;
    let steps = completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .clone();
    let facts_of = |tool: &str| {
        steps
            .iter()
            .find(|step| step["tool"] == tool)
            .map(|step| step["facts"].clone())
            .unwrap_or_else(|| panic!("no {tool} step: {completion}"))
    };
    let faces = facts_of("blur_faces");
    assert_eq!(faces["faces_found"], 1, "{faces}");
    assert_eq!(faces["faces_remaining"], 0, "{faces}");
    assert!(faces["passes"].as_u64() >= Some(1), "{faces}");
    let phi = facts_of("redact_phi");
    assert_eq!(phi["phi_remaining"], 0, "{phi}");
    for kind in ["name", "phone number", "date"] {
        assert!(phi["phi_found"][kind].as_u64() >= Some(1), "{kind}: {phi}");
    }
    let content = content_json(&completion);
    let notes = content["notes"].as_str().expect("notes");
    assert!(
        notes.contains("checked again") && notes.contains(": none remain"),
        "{notes}"
    );
    assert!(notes.contains("none remains readable"), "{notes}");

    let id = content["redacted_image"]["id"].as_str().expect("ref");
    let after = tesseract_text(&download_image(&app, &completion, id).await.to_rgb8());
    for planted in PLANTED {
        assert!(!after.contains(planted), "{planted:?} readable:\n{after}");
    }
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

#[tokio::test]
async fn a_schema_the_plan_cannot_fill_is_a_clear_error_not_partial_json() {
    let app = agent_app().await;
    // An image in, an image ask, and a schema that wants a video ref.
    let mut body = ask_with_image(
        "Make it black and white",
        &data_url("image/png", &png(16, 16, [200, 100, 50])),
    );
    body["response_format"] = json!({"type": "json_schema", "schema": {
        "$defs": {"VideoRef": {"properties": {"id": {"pattern": "^vid_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"clip": {"$ref": "#/$defs/VideoRef"}, "notes": {"type": "string"}},
        "required": ["clip", "notes"],
        "type": "object"
    }});
    let (status, error) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error_code(&error), "schema_unsatisfiable", "{error}");
    assert!(error_message(&error).contains("clip"), "{error}");
    assert!(error.get("choices").is_none(), "no partial answer: {error}");
}
