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

/// A two-page PDF the way scanners and form printers make them: page 1 is the badge photo at
/// 150 dpi with its text as an invisible text layer (as OCRed scans carry), page 2 is typed text
/// in Helvetica. `pdftotext` reads every PHI line of both.
fn pdf_with_text_layer(badge: &RgbImage) -> Vec<u8> {
    use pdf_writer::types::TextRenderingMode;
    use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};

    let (width, height) = badge.dimensions();
    let (page_w, page_h) = (width as f32 * 72.0 / 150.0, height as f32 * 72.0 / 150.0);
    let mut pdf = Pdf::new();
    let (catalog, tree, font) = (Ref::new(1), Ref::new(2), Ref::new(3));
    let pages = [Ref::new(4), Ref::new(5)];
    let (image, first, second) = (Ref::new(6), Ref::new(7), Ref::new(8));
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(pages).count(2);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (page_id, content) in [(pages[0], first), (pages[1], second)] {
        let mut page = pdf.page(page_id);
        page.parent(tree)
            .media_box(Rect::new(0.0, 0.0, page_w, page_h))
            .contents(content);
        let mut resources = page.resources();
        resources.x_objects().pair(Name(b"Im0"), image);
        resources.fonts().pair(Name(b"F1"), font);
        resources.finish();
        page.finish();
    }
    let mut xobject = pdf.image_xobject(image, badge.as_raw());
    xobject.width(width as i32).height(height as i32);
    xobject.color_space().device_rgb();
    xobject.bits_per_component(8);
    xobject.finish();

    let mut scan = Content::new();
    scan.save_state();
    scan.transform([page_w, 0.0, 0.0, page_h, 0.0, 0.0]);
    scan.x_object(Name(b"Im0"));
    scan.restore_state();
    scan.begin_text();
    scan.set_text_rendering_mode(TextRenderingMode::Invisible);
    scan.set_font(Name(b"F1"), 14.0);
    for (row, line) in BADGE.iter().enumerate() {
        scan.set_text_matrix([1.0, 0.0, 0.0, 1.0, 280.0, page_h - 40.0 - 43.0 * row as f32]);
        scan.show(Str(line.as_bytes()));
    }
    scan.end_text();
    pdf.stream(first, &scan.finish());

    let mut typed = Content::new();
    typed.begin_text();
    typed.set_font(Name(b"F1"), 16.0);
    for (row, line) in BADGE.iter().enumerate() {
        typed.set_text_matrix([1.0, 0.0, 0.0, 1.0, 40.0, page_h - 50.0 - 36.0 * row as f32]);
        typed.show(Str(line.as_bytes()));
    }
    typed.end_text();
    pdf.stream(second, &typed.finish());
    pdf.finish()
}

/// `pdftotext` (poppler-utils) of a PDF's bytes: its text layer, what copy and paste would give.
fn pdftotext(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).expect("pdf written");
    let output = Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .expect("the `pdftotext` binary runs (Debian: poppler-utils)");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redacted_pdf_has_no_text_layer_no_readable_phi_and_no_face() {
    let (_dir, cx) = context().await;
    let badge = photo_with_badge();
    let pdf = pdf_with_text_layer(&badge);
    let layer = pdftotext(&pdf);
    for planted in PLANTED {
        assert!(
            layer.contains(planted),
            "{planted:?} not in the text layer:\n{layer}"
        );
    }
    let input = put(&cx, &pdf, ArtifactKind::Document, "application/pdf").await;
    let output = ToolCatalog::standard()
        .get("redact_document")
        .expect("tool")
        .run(&cx, json!({"document": input.id.to_string()}))
        .await
        .expect("redact_document verifies every page");
    let facts = &output.facts;
    eprintln!("redact_document facts: {facts}");
    assert_eq!(facts["page_count"], 2, "{facts}");
    assert!(facts["faces_hidden"].as_u64() >= Some(1), "{facts}");
    assert_eq!(facts["pages"][1]["faces"], 0, "{facts}");
    assert!(facts["pages"][1]["phi"].as_u64() >= Some(4), "{facts}");
    let serialized = facts.to_string();
    for planted in PLANTED {
        assert!(!serialized.contains(planted), "the facts leak {planted:?}");
    }
    let document = output.output("document").next().expect("document");
    assert_eq!(document.content_type, "application/pdf");
    let redacted = read(&cx, document).await;

    // No text layer at all: nothing to copy out from under the boxes.
    let layer = pdftotext(&redacted);
    assert!(layer.trim().is_empty(), "text layer left: {layer:?}");

    // Rendered again by poppler and read by tesseract: no PHI, the diagnosis kept; page 1
    // keeps its size in points.
    let poppler = vitrine_document::Poppler::new();
    let info = poppler.info((&redacted).into()).await.expect("pdfinfo");
    assert_eq!(info.pages.len(), 2);
    let original = poppler.info((&pdf).into()).await.expect("pdfinfo");
    assert!((info.pages[0].width_pt - original.pages[0].width_pt).abs() < 1.0);
    let pages = poppler
        .render_pages(
            (&redacted).into(),
            &vitrine_document::RenderParams::default(),
        )
        .await
        .expect("renders");
    for page in &pages {
        let image = vitrine_media::decode(&page.png, &Default::default())
            .expect("decodes")
            .into_rgb();
        let text = tesseract_text(&image);
        eprintln!("tesseract on redacted page {}:\n{text}", page.page);
        for planted in PLANTED {
            assert!(
                !text.contains(planted),
                "{planted:?} readable on page {}:\n{text}",
                page.page
            );
        }
        assert!(
            text.contains("Diagnosis"),
            "kept text lost on page {}:\n{text}",
            page.page
        );
    }
    let first = vitrine_media::decode(&pages[0].png, &Default::default())
        .expect("decodes")
        .into_rgb();
    let options = FaceOptions {
        min_score: 0.15,
        exhaustive: true,
        ..FaceOptions::default()
    };
    let models = cx.models.get().await.expect("models load");
    let faces = models.detect_faces(&first, &options).expect("detects");
    assert!(
        faces.is_empty(),
        "a face is still found on page 1: {faces:?}"
    );
}
