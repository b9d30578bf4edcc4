//! Asks served by external providers: refused up front, naming the setting, when the provider
//! is not configured; run through a local stand-in of the detection provider when it is.

use std::sync::Arc;

use base64::Engine as _;
use image::{Rgb, RgbImage};
use serde_json::json;
use vitrine_agent::{Agent, AgentRequest};
use vitrine_tools::ProviderConfig;

use crate::support::{TENANT, ask, image_of, models_dir, serve, session, store, upload_image};

/// A gray photo with a red square at x 30..50, y 20..44.
fn red_square_photo() -> RgbImage {
    RgbImage::from_fn(120, 80, |x, y| {
        if (30..50).contains(&x) && (20..44).contains(&y) {
            Rgb([230, 20, 25])
        } else {
            Rgb([(x * 3 % 100) as u8 + 80, 120, (y * 5 % 90) as u8 + 60])
        }
    })
}

#[tokio::test]
async fn without_a_provider_the_refusal_names_its_setting() {
    let session = session().await;
    let photo = upload_image(&session, &red_square_photo()).await;
    for (instruction, setting) in [
        ("Find the paper lantern in this photo", "`--detect-url`"),
        ("Estimate the depth of this image", "`--depth-url`"),
    ] {
        let error = ask(&session, instruction, vec![photo.clone()], None, None)
            .await
            .expect_err("no provider is configured");
        assert_eq!(error.code(), "not_configured", "{instruction}: {error}");
        assert!(
            error.to_string().contains(setting),
            "{instruction}: {error}"
        );
    }
    let error = ask(&session, "Box the paper lantern", vec![photo], None, None)
        .await
        .expect_err("no provider");
    assert!(
        error.to_string().contains("not one of the 80 COCO classes"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn crop_to_a_thing_outside_coco_through_the_detection_provider() {
    let session = session().await;
    let photo = upload_image(&session, &red_square_photo()).await;
    // The stand-in finds the red pixels of the PNG it is sent.
    let base = serve(Arc::new(|head: String, body: Vec<u8>| {
        Box::pin(async move {
            assert!(head.starts_with("post /v1/detect "), "{head}");
            let request: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
            assert_eq!(request["labels"], json!(["sticky note"]));
            let png = base64::engine::general_purpose::STANDARD
                .decode(request["image"].as_str().expect("image"))
                .expect("base64");
            let image = image::load_from_memory(&png).expect("png").to_rgb8();
            let red: Vec<(u32, u32)> = image
                .enumerate_pixels()
                .filter(|(_, _, p)| p.0[0] > 200 && p.0[1] < 60)
                .map(|(x, y, _)| (x, y))
                .collect();
            let bbox = [
                red.iter().map(|p| p.0).min().unwrap_or(0),
                red.iter().map(|p| p.1).min().unwrap_or(0),
                red.iter().map(|p| p.0 + 1).max().unwrap_or(0),
                red.iter().map(|p| p.1 + 1).max().unwrap_or(0),
            ];
            json!({"detections": [{"label": "sticky note", "score": 0.8, "box": bbox}]})
        })
    }))
    .await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let agent = Agent::new(store(), models_dir())
        .with_detect(ProviderConfig::new(base, None))
        .expect("client");
    let outcome = agent
        .run(
            AgentRequest {
                tenant: TENANT.to_owned(),
                session: session.clone(),
                instruction: "Crop to the sticky note".to_owned(),
                inputs: vec![photo],
                response_schema: None,
                toolsets: None,
            },
            None,
        )
        .await
        .expect("the plan runs");
    assert!(
        outcome
            .content
            .contains("Found 1 sticky note and cropped to the best match"),
        "{}",
        outcome.content
    );
    let crop = outcome.made.last().expect("a crop");
    let (_, image) = image_of(&session, crop.id.as_str()).await;
    let image = image.to_rgb8();
    assert_eq!(image.dimensions(), (20, 24));
    assert!(
        image.pixels().all(|p| p.0[0] > 180 && p.0[1] < 90),
        "the red square"
    );
}
