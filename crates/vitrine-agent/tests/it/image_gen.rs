//! The seed's virtual try-on: two images in, front/back/side views at 9:16 out, through three
//! parallel edit calls to a local stand-in of the OpenAI Images API.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use image::{DynamicImage, RgbImage};
use serde_json::{Value, json};
use vitrine_agent::{Agent, AgentError};
use vitrine_tools::ImagesConfig;

use crate::support::{ask, image_of, json, models_dir, photo, serve, session, store, upload_image};

const PROMPT: &str = "You are provided with two images: one of a dress (the first image) and one of a person (the second image). \
Generate highly realistic virtual try-on by seamlessly compositing the dress onto the person, ensuring natural fit \
and alignment, and that the person appears fully and appropriately dressed. Provide exactly 3 images (9:16 aspect ratio) \
as output: one from the front, one from the back, and one from the side.";

/// `GeneratedImagesResponse.model_json_schema()` from the seed.
fn try_on_schema() -> Value {
    json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "title": "Id", "type": "string"}}, "required": ["id"], "title": "ImageRef", "type": "object"}},
        "properties": {
            "front": {"$ref": "#/$defs/ImageRef", "description": "Front view (9:16)"},
            "back": {"$ref": "#/$defs/ImageRef", "description": "Back view (9:16)"},
            "side": {"$ref": "#/$defs/ImageRef", "description": "Side view (9:16)"}
        },
        "required": ["front", "back", "side"],
        "title": "GeneratedImagesResponse",
        "type": "object"
    })
}

fn colour_of(view: &str) -> [u8; 3] {
    match view {
        "front" => [220, 30, 30],
        "back" => [30, 200, 30],
        _ => [30, 30, 220],
    }
}

fn png(width: u32, height: u32, colour: [u8; 3]) -> Vec<u8> {
    let mut bytes = Vec::new();
    DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, image::Rgb(colour)))
        .write_to(
            &mut std::io::Cursor::new(&mut bytes),
            image::ImageFormat::Png,
        )
        .expect("png");
    bytes
}

#[tokio::test(flavor = "multi_thread")]
async fn virtual_try_on_makes_three_views_in_parallel() {
    let session = session().await;
    let dress = upload_image(
        &session,
        &RgbImage::from_pixel(300, 500, image::Rgb([200, 0, 90])),
    )
    .await;
    let person = upload_image(&session, &photo("person.jpg")).await;
    // The stand-in holds every answer until three edits are in flight (or 10 s pass).
    let barrier = Arc::new(tokio::sync::Barrier::new(3));
    let requests: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let parallel = Arc::new(Mutex::new(true));
    let (seen, together) = (Arc::clone(&requests), Arc::clone(&parallel));
    let base = serve(Arc::new(move |head: String, body: Vec<u8>| {
        let (barrier, seen, together) = (
            Arc::clone(&barrier),
            Arc::clone(&seen),
            Arc::clone(&together),
        );
        Box::pin(async move {
            assert!(head.starts_with("post /v1/images/edits "), "{head}");
            assert!(head.contains("authorization: bearer images-key"), "{head}");
            let text = String::from_utf8_lossy(&body).to_string();
            assert_eq!(
                text.matches("name=\"image[]\"").count(),
                2,
                "both input images are sent"
            );
            assert!(
                text.contains("name=\"model\"\r\n\r\ntest-image-model"),
                "model field"
            );
            assert!(text.contains("1024x1536"), "a portrait size for 9:16");
            let view = ["front", "back", "side"]
                .into_iter()
                .find(|view| text.contains(&format!("the {view} view")))
                .expect("the prompt names a view");
            seen.lock().expect("lock").push(view.to_owned());
            if tokio::time::timeout(Duration::from_secs(10), barrier.wait())
                .await
                .is_err()
            {
                *together.lock().expect("lock") = false;
            }
            let encoded =
                base64::engine::general_purpose::STANDARD.encode(png(1024, 1536, colour_of(view)));
            json!({"created": 0, "data": [{"b64_json": encoded}]})
        })
    }))
    .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let agent = Agent::new(store(), models_dir())
        .with_images(ImagesConfig::new(
            base,
            "test-image-model",
            Some("images-key".to_owned()),
        ))
        .expect("client");
    let outcome = agent
        .run(
            vitrine_agent::AgentRequest {
                tenant: crate::support::TENANT.to_owned(),
                session: session.clone(),
                instruction: PROMPT.to_owned(),
                inputs: vec![dress.clone(), person.clone()],
                response_schema: Some(json!({"type": "json_schema", "schema": try_on_schema()})),
                toolsets: None,
            },
            None,
        )
        .await
        .expect("try-on runs");
    assert!(
        *parallel.lock().expect("lock"),
        "the three edits were not in flight together"
    );
    let mut views = requests.lock().expect("lock").clone();
    views.sort();
    assert_eq!(views, ["back", "front", "side"]);
    let answer = json(&outcome);
    assert!(
        jsonschema::validator_for(&try_on_schema())
            .expect("schema")
            .is_valid(&answer)
    );
    for view in ["front", "back", "side"] {
        let id = answer[view]["id"].as_str().expect("ref");
        let (meta, image) = image_of(&session, id).await;
        let (width, height) = (image.width(), image.height());
        assert_eq!(height, 1536);
        assert!(
            (f64::from(width) / f64::from(height) - 9.0 / 16.0).abs() < 0.01,
            "{width}x{height}"
        );
        let centre = image.to_rgb8().get_pixel(width / 2, height / 2).0;
        let expected = colour_of(view);
        assert!(
            centre.iter().zip(expected).all(|(a, b)| a.abs_diff(b) < 12),
            "{view}: {centre:?}"
        );
        assert_eq!(
            meta.provenance.parents,
            vec![dress.id.clone(), person.id.clone()]
        );
        assert_eq!(meta.provenance.operation, "edit_image");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn image_generation_without_a_provider_names_the_settings() {
    let session = session().await;
    let dress = upload_image(
        &session,
        &RgbImage::from_pixel(30, 50, image::Rgb([200, 0, 90])),
    )
    .await;
    let person = upload_image(&session, &photo("person.jpg")).await;
    let error = ask(
        &session,
        PROMPT,
        vec![dress, person],
        Some(try_on_schema()),
        None,
    )
    .await
    .expect_err("no provider");
    assert!(matches!(error, AgentError::Tool { .. }), "{error:?}");
    assert_eq!(error.code(), "not_configured");
    let message = error.to_string();
    assert!(
        message.contains("--images-base-url") && message.contains("VITRINE_IMAGES_BASE_URL"),
        "{message}"
    );
    let listed = store()
        .list(crate::support::TENANT, &session)
        .await
        .expect("list");
    assert_eq!(listed.len(), 2, "nothing ran");
}
