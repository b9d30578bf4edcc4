//! Tools run against a real store: outputs, provenance, facts.

use std::sync::Arc;

use serde_json::json;
use vitrine_store::ArtifactMeta;
use vitrine_tools::{LazyModels, ToolCatalog, ToolContext};

use crate::support::{context, put, read};
use vitrine_wire::ArtifactKind;

async fn put_png(cx: &ToolContext, width: u32, height: u32) -> ArtifactMeta {
    let image = vitrine_media::image::RgbImage::from_fn(width, height, |x, y| {
        vitrine_media::image::Rgb([(x * 7 % 256) as u8, (y * 5 % 256) as u8, 200])
    });
    put_rgb(cx, image).await
}

/// Stores `image` as a PNG input of the session.
pub(crate) async fn put_rgb(
    cx: &ToolContext,
    image: vitrine_media::image::RgbImage,
) -> ArtifactMeta {
    put_image(cx, vitrine_media::image::DynamicImage::ImageRgb8(image)).await
}

async fn put_image(cx: &ToolContext, image: vitrine_media::image::DynamicImage) -> ArtifactMeta {
    let bytes = vitrine_media::encode_png(&image).expect("png");
    put(cx, &bytes, ArtifactKind::Image, "image/png").await
}

#[tokio::test]
async fn aspect_crop_writes_a_jpeg_with_provenance_and_no_metadata() {
    let (_dir, cx) = context().await;
    let input = put_png(&cx, 400, 300).await;
    let args = json!({"image": input.id.to_string(), "ratio": "9:16", "mode": "crop"});
    let output = ToolCatalog::standard()
        .get("aspect")
        .expect("tool")
        .run(&cx, args.clone())
        .await
        .expect("runs");
    let made = output.output("image").next().expect("image");
    assert_eq!(made.content_type, "image/jpeg");
    assert_eq!(
        (made.media.width, made.media.height),
        (Some(169), Some(300))
    );
    assert_eq!(made.provenance.parents, vec![input.id.clone()]);
    assert_eq!(made.provenance.operation, "aspect");
    assert_eq!(made.provenance.params, args);
    assert_eq!(output.facts["width"], 169);
    let bytes = read(&cx, made).await;
    assert_eq!(&bytes[..2], b"\xff\xd8");
    assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF block");
}

#[tokio::test]
async fn redact_image_fills_the_given_box() {
    let (_dir, cx) = context().await;
    let input = put_png(&cx, 100, 80).await;
    let output = ToolCatalog::standard()
        .get("redact_image")
        .expect("tool")
        .run(
            &cx,
            json!({
                "image": input.id.to_string(),
                "regions": [{"shape": "box", "x0": 10, "y0": 10, "x1": 50, "y1": 40}],
                "method": "fill",
                "color": "#00ff00"
            }),
        )
        .await
        .expect("runs");
    let made = output.output("image").next().expect("image");
    let image = vitrine_media::decode(&read(&cx, made).await, &Default::default())
        .expect("decodes")
        .into_rgb();
    let inside = image.get_pixel(30, 25).0;
    assert!(
        inside[1] > 230 && inside[0] < 30 && inside[2] < 30,
        "{inside:?}"
    );
    let outside = image.get_pixel(80, 70).0;
    assert!(outside[2] > 180, "{outside:?}");
    assert_eq!(output.facts["regions"], 1);
}

/// A rendered document: `lines` in black DejaVu Sans (vitrine-media's annotation font) on
/// white, `size` px high, `spacing` px apart from (30, 30).
pub(crate) fn render_lines(
    lines: &[&str],
    width: u32,
    height: u32,
    size: f32,
    spacing: f64,
) -> vitrine_media::image::DynamicImage {
    let page =
        vitrine_media::image::DynamicImage::ImageRgb8(vitrine_media::image::RgbImage::from_pixel(
            width,
            height,
            vitrine_media::image::Rgb([255; 3]),
        ));
    let params = vitrine_media::AnnotateParams {
        texts: lines
            .iter()
            .enumerate()
            .map(|(row, text)| vitrine_media::TextAnnotation {
                text: (*text).to_owned(),
                position: vitrine_media::Point {
                    x: 30.0,
                    y: 30.0 + spacing * row as f64,
                },
                color: Some(vitrine_media::Color::BLACK),
                size: Some(size),
            })
            .collect(),
        ..Default::default()
    };
    vitrine_media::annotate(&page, &params).expect("draws")
}

#[tokio::test]
async fn ocr_engines_ppocr_and_tesseract_read_the_same_lines() {
    const LINES: [&str; 3] = ["Invoice 2024-0042", "Total due: $1,250.00", "Thank you"];
    let page = render_lines(&LINES, 700, 260, 32.0, 70.0);
    let (_dir, cx) = context().await;
    let input = put_image(&cx, page).await;
    let catalog = ToolCatalog::standard();
    let ocr = catalog.get("ocr").expect("tool");
    for engine in ["ppocr", "tesseract"] {
        let output = ocr
            .run(
                &cx,
                json!({"image": input.id.to_string(), "engine": engine}),
            )
            .await
            .unwrap_or_else(|error| panic!("{engine}: {error}"));
        assert_eq!(output.facts["engine"], engine);
        assert_eq!(output.facts["text"], LINES.join("\n"), "{engine}");
        let first = &output.facts["lines"][0]["box"];
        let top = first[1].as_f64().expect("y0");
        assert!((20.0..45.0).contains(&top), "{engine}: {first}");
    }
}

#[tokio::test]
async fn redact_phi_with_tesseract_leaves_no_phi_that_pp_ocr_can_read() {
    const FORM: [&str; 7] = [
        "Discharge summary",
        "Patient: John A. Smith",
        "DOB: 03/14/1962",
        "MRN: 00482913",
        "Phone: (555) 867-5309",
        "Email: jsmith@example.org",
        "Diagnosis: seasonal allergies",
    ];
    const PLANTED: [&str; 7] = [
        "John",
        "Smith",
        "1962",
        "00482913",
        "867-5309",
        "jsmith",
        "example.org",
    ];
    let (_dir, cx) = context().await;
    let input = put_image(&cx, render_lines(&FORM, 1000, 560, 30.0, 70.0)).await;
    let catalog = ToolCatalog::standard();
    let read = async |id: String| {
        let output = catalog
            .get("ocr")
            .expect("tool")
            .run(&cx, json!({"image": id, "engine": "ppocr"}))
            .await
            .expect("PP-OCR runs");
        output.facts["text"].as_str().expect("text").to_owned()
    };
    let before = read(input.id.to_string()).await;
    for planted in PLANTED {
        assert!(
            before.contains(planted),
            "{planted:?} not legible before:\n{before}"
        );
    }

    let output = catalog
        .get("redact_phi")
        .expect("tool")
        .run(
            &cx,
            json!({"image": input.id.to_string(), "engine": "tesseract"}),
        )
        .await
        .expect("redact_phi with tesseract runs");
    assert_eq!(output.facts["engine"], "tesseract");
    assert_eq!(output.facts["lines_read"], FORM.len(), "{}", output.facts);
    let made = output.output("image").next().expect("image");
    let after = read(made.id.to_string()).await;
    eprintln!("PP-OCR after tesseract-driven redaction:\n{after}");
    for planted in PLANTED {
        assert!(
            !after.contains(planted),
            "{planted:?} still readable:\n{after}"
        );
    }
    for kept in [
        "Discharge summary",
        "Diagnosis: seasonal allergies",
        "Patient",
        "MRN",
    ] {
        assert!(after.contains(kept), "{kept:?} lost:\n{after}");
    }
}

#[tokio::test]
async fn bad_arguments_name_the_parameter() {
    let (_dir, cx) = context().await;
    let input = put_png(&cx, 50, 50).await;
    let error = ToolCatalog::standard()
        .get("thumbnail")
        .expect("tool")
        .run(
            &cx,
            json!({"image": input.id.to_string(), "max_side": "big"}),
        )
        .await
        .expect_err("bad max_side");
    assert!(error.is_client_error());
    assert_eq!(error.code(), "invalid_tool_arguments");
    assert!(error.to_string().contains("thumbnail"), "{error}");

    let error = ToolCatalog::standard()
        .get("crop")
        .expect("tool")
        .run(&cx, json!({"image": input.id.to_string()}))
        .await
        .expect_err("no region");
    assert!(
        error.to_string().contains("`region` is required"),
        "{error}"
    );
}

#[tokio::test]
async fn missing_models_are_a_server_error_that_names_the_fix() {
    let (_dir, mut cx) = context().await;
    cx.models = Arc::new(LazyModels::new("/nonexistent-models"));
    let input = put_png(&cx, 50, 50).await;
    let error = ToolCatalog::standard()
        .get("detect_faces")
        .expect("tool")
        .run(&cx, json!({"image": input.id.to_string()}))
        .await
        .expect_err("no models");
    assert!(!error.is_client_error());
    assert_eq!(error.code(), "models_missing");
    assert!(error.to_string().contains("fetch-models.sh"), "{error}");
}
