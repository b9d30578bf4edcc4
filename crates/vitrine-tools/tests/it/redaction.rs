//! Verified redaction: faces and PHI hidden, checked by readers the tools do not use (the
//! `tesseract` binary, the face detector at a threshold below the tools' second look), and a
//! redaction too weak to verify refused.

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, Rgb, RgbImage};
use vitrine_store::ArtifactMeta;
use vitrine_tools::{ToolCatalog, ToolContext};
use vitrine_vision::FaceOptions;
use vitrine_wire::ArtifactKind;

use crate::support::{context, put, read};

/// PHI on the badge beside the photo; only the first line has a label.
const BADGE: [&str; 5] = [
    "Sarah Johnson",
    "DOB: 03/14/1962",
    "MRN 00482913",
    "Seen 04/22/2023, call 415-555-0100",
    "Diagnosis: seasonal allergies",
];
/// Pieces of the PHI above that must not be readable afterwards.
const PLANTED: [&str; 8] = [
    "Sarah", "Johnson", "1962", "00482913", "04/22", "2023", "415", "0100",
];

/// The astronaut portrait (one face) at (20, 24) and the badge text to its right, on white.
fn photo_with_badge() -> RgbImage {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vitrine-vision/testdata/astronaut.png");
    let photo = vitrine_media::decode(
        &std::fs::read(path).expect("astronaut.png"),
        &Default::default(),
    )
    .expect("decodes")
    .into_rgb();
    let mut canvas = RgbImage::from_pixel(1240, 560, Rgb([255; 3]));
    vitrine_media::image::imageops::replace(&mut canvas, &photo, 20, 24);
    let params = vitrine_media::AnnotateParams {
        texts: BADGE
            .iter()
            .enumerate()
            .map(|(row, text)| vitrine_media::TextAnnotation {
                text: (*text).to_owned(),
                position: vitrine_media::Point {
                    x: 580.0,
                    y: 60.0 + 90.0 * row as f64,
                },
                color: Some(vitrine_media::Color::BLACK),
                size: Some(30.0),
            })
            .collect(),
        ..Default::default()
    };
    vitrine_media::annotate(&DynamicImage::ImageRgb8(canvas), &params)
        .expect("draws")
        .to_rgb8()
}

async fn put_rgb(cx: &ToolContext, image: &RgbImage) -> ArtifactMeta {
    let bytes = vitrine_media::encode_png(&DynamicImage::ImageRgb8(image.clone())).expect("png");
    put(cx, &bytes, ArtifactKind::Image, "image/png").await
}

async fn decoded(cx: &ToolContext, meta: &ArtifactMeta) -> RgbImage {
    vitrine_media::decode(&read(cx, meta).await, &Default::default())
        .expect("decodes")
        .into_rgb()
}

/// What the `tesseract` binary reads in `image`: a reader none of the tools below ran.
fn tesseract_text(image: &RgbImage) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("page.png");
    let png = vitrine_media::encode_png(&DynamicImage::ImageRgb8(image.clone())).expect("png");
    std::fs::write(&path, png).expect("png written");
    let output = Command::new("tesseract")
        .arg(&path)
        .arg("stdout")
        .output()
        .expect("the `tesseract` binary runs (Debian: tesseract-ocr tesseract-ocr-eng)");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Mean absolute difference of two images inside `[x0, y0, x1, y1]`.
fn mean_difference(a: &RgbImage, b: &RgbImage, [x0, y0, x1, y1]: [u32; 4]) -> f64 {
    let mut total = 0.0;
    let mut count = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            for channel in 0..3 {
                total += (f64::from(a.get_pixel(x, y)[channel])
                    - f64::from(b.get_pixel(x, y)[channel]))
                .abs();
                count += 1.0;
            }
        }
    }
    total / count
}

fn face_box(facts: &Value) -> [u32; 4] {
    let face = &facts["faces"][0]["box"];
    [0, 1, 2, 3].map(|i| face[i].as_f64().expect("box") as u32)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faces_and_phi_are_gone_for_independent_readers() {
    let (_dir, cx) = context().await;
    let original = photo_with_badge();
    let before = tesseract_text(&original);
    for planted in PLANTED {
        assert!(
            before.contains(planted),
            "{planted:?} not legible before:\n{before}"
        );
    }
    let input = put_rgb(&cx, &original).await;
    let catalog = ToolCatalog::standard();

    // Faces first, then the PHI of the blurred image, as a plan for "hide the people and the
    // patient info" chains them.
    let blurred = catalog
        .get("blur_faces")
        .expect("tool")
        .run(&cx, json!({"image": input.id.to_string()}))
        .await
        .expect("blur_faces verifies its output");
    let facts = &blurred.facts;
    eprintln!("blur_faces facts: {facts}");
    assert_eq!(facts["faces_found"], 1, "{facts}");
    assert_eq!(facts["faces_remaining"], 0, "{facts}");
    assert!(facts["faces_hidden"].as_u64() >= Some(1), "{facts}");
    assert!(facts["passes"].as_u64() >= Some(1), "{facts}");
    let face = face_box(facts);
    let summary = (catalog.get("blur_faces").expect("tool").meaning().summary)(&json!({}), facts)
        .expect("summary");
    assert!(summary.contains("checked again"), "{summary}");
    let step = blurred.output("image").next().expect("image");

    let cleaned = catalog
        .get("redact_phi")
        .expect("tool")
        .run(&cx, json!({"image": step.id.to_string()}))
        .await
        .expect("redact_phi verifies its output");
    let facts = &cleaned.facts;
    eprintln!("redact_phi facts: {facts}");
    assert_eq!(facts["phi_remaining"], 0, "{facts}");
    for kind in [
        "name",
        "date of birth",
        "medical record number",
        "date",
        "phone number",
    ] {
        assert!(
            facts["phi_found"][kind].as_u64() >= Some(1),
            "{kind}: {facts}"
        );
    }
    let serialized = facts.to_string();
    for planted in PLANTED {
        assert!(!serialized.contains(planted), "the facts leak {planted:?}");
    }
    let result = decoded(&cx, cleaned.output("image").next().expect("image")).await;

    // Tesseract, which neither tool ran, reads the kept text but none of the PHI.
    let after = tesseract_text(&result);
    eprintln!("tesseract after redaction:\n{after}");
    for planted in PLANTED {
        assert!(
            !after.contains(planted),
            "{planted:?} still readable:\n{after}"
        );
    }
    assert!(after.contains("Diagnosis"), "kept text lost:\n{after}");

    // The face's pixels changed, and the detector below the tools' own second look (0.24)
    // finds nothing where the face was.
    assert!(
        mean_difference(&original, &result, face) > 20.0,
        "the face at {face:?} is barely changed"
    );
    let options = FaceOptions {
        min_score: 0.15,
        exhaustive: true,
        ..FaceOptions::default()
    };
    let models = cx.models.get().await.expect("models load");
    let still = models.detect_faces(&result, &options).expect("detects");
    let [x0, y0, x1, y1] = face.map(|v| v as f32);
    assert!(
        !still.iter().any(|found| {
            let [a0, b0, a1, b1] = found.bbox;
            a0 < x1 && x0 < a1 && b0 < y1 && y0 < b1
        }),
        "a face is still found where the face was: {still:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redaction_too_weak_to_verify_fails_and_says_what_remains() {
    let (_dir, cx) = context().await;
    let input = put_rgb(&cx, &photo_with_badge()).await;
    // Pixelating with the smallest blocks leaves a face the detector still sees, and
    // pixelating it again on the same grid changes little: the tool must not answer with it.
    let error = ToolCatalog::standard()
        .get("blur_faces")
        .expect("tool")
        .run(
            &cx,
            json!({"image": input.id.to_string(), "method": "pixelate", "strength": 0.25}),
        )
        .await
        .expect_err("a face remains visible");
    eprintln!("{error}");
    assert_eq!(error.code(), vitrine_tools::REDACTION_UNVERIFIED);
    assert!(error.is_client_error());
    let message = error.to_string();
    assert!(message.contains("1 face still detected (at "), "{message}");
    assert!(message.contains("after 3 redaction passes"), "{message}");
    // Nothing but the input is in the session: the unverified image was not stored.
    let stored = cx.store.list(&cx.tenant, &cx.session).await.expect("lists");
    assert_eq!(stored.len(), 1, "{stored:?}");
}
