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
