//! The everyday single-step asks, each checked on real pixels, bytes and model outputs.

use image::GenericImageView;
use serde_json::{Value, json};
use vitrine_wire::ArtifactKind;

use crate::support::{
    ask, bytes_of, image_of, json, photo, session, test_clip, test_pdf, text_image, tool, upload,
    upload_image,
};

fn image_ref_schema(field: &str) -> Value {
    json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {field: {"$ref": "#/$defs/ImageRef"}},
        "required": [field],
        "type": "object"
    })
}

/// The only final ref of a plain-text answer, which must name it.
fn final_ref(outcome: &vitrine_agent::AgentOutcome) -> String {
    let finals = outcome.plan["final_refs"].as_array().expect("final refs");
    assert_eq!(finals.len(), 1, "{}", outcome.plan);
    let id = finals[0].as_str().expect("id").to_owned();
    assert!(
        outcome.content.contains(&id),
        "the answer must name {id}: {}",
        outcome.content
    );
    id
}

#[tokio::test(flavor = "multi_thread")]
async fn crop_to_the_largest_face() {
    let session = session().await;
    let input = upload_image(&session, &photo("solvay-1927.png")).await;
    let outcome = ask(
        &session,
        "Crop to the largest face",
        vec![input],
        None,
        None,
    )
    .await
    .expect("crop");
    let (_, cropped) = image_of(&session, &final_ref(&outcome)).await;
    assert!(
        cropped.width() < 400 && cropped.height() < 400,
        "{:?}",
        cropped.dimensions()
    );
    let faces = tool(
        &session,
        "detect_faces",
        json!({"image": final_ref(&outcome)}),
    )
    .await;
    assert!(
        faces.facts["count"].as_u64() >= Some(1),
        "a face fills the crop: {}",
        faces.facts
    );
    assert!(
        outcome.content.contains("largest face"),
        "{}",
        outcome.content
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn thumbnail_and_resize_to_n_px() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let outcome = ask(
        &session,
        "Make a 128 px thumbnail",
        vec![input.clone()],
        None,
        None,
    )
    .await
    .expect("thumbnail");
    let (meta, thumb) = image_of(&session, &final_ref(&outcome)).await;
    assert_eq!(thumb.dimensions(), (128, 96));
    assert_eq!(meta.content_type, "image/jpeg");

    let outcome = ask(
        &session,
        "Resize it to 300 pixels wide",
        vec![input],
        None,
        None,
    )
    .await
    .expect("resize");
    let (_, resized) = image_of(&session, &final_ref(&outcome)).await;
    assert_eq!(resized.dimensions(), (300, 225));
}

#[tokio::test(flavor = "multi_thread")]
async fn nine_by_sixteen_crop() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let outcome = ask(
        &session,
        "Crop this to 9:16 for a story",
        vec![input],
        Some(image_ref_schema("story")),
        None,
    )
    .await
    .expect("aspect");
    let id = json(&outcome)["story"]["id"]
        .as_str()
        .expect("ref")
        .to_owned();
    let (_, story) = image_of(&session, &id).await;
    assert_eq!(story.height(), 576, "a crop keeps the full height");
    let ratio = f64::from(story.width()) / f64::from(story.height());
    assert!(
        (ratio - 9.0 / 16.0).abs() < 0.01,
        "{:?}",
        story.dimensions()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn grayscale_and_rotate() {
    let session = session().await;
    let input = upload_image(&session, &photo("person.jpg")).await;
    let outcome = ask(
        &session,
        "Make it black and white",
        vec![input.clone()],
        None,
        None,
    )
    .await
    .expect("grayscale");
    let (_, gray) = image_of(&session, &final_ref(&outcome)).await;
    let rgb = gray.to_rgb8();
    assert!(
        rgb.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]),
        "not gray"
    );

    let outcome = ask(
        &session,
        "Rotate the photo 90 degrees clockwise",
        vec![input],
        None,
        None,
    )
    .await
    .expect("rotate");
    let (_, rotated) = image_of(&session, &final_ref(&outcome)).await;
    assert_eq!(rotated.dimensions(), (424, 640));
    let original = photo("person.jpg");
    // Clockwise: the original's bottom-left corner becomes the top-left.
    let expected = original.get_pixel(0, 423).0;
    let got = rotated.to_rgb8().get_pixel(0, 0).0;
    let distance: i32 = expected
        .iter()
        .zip(got)
        .map(|(a, b)| (i32::from(*a) - i32::from(b)).abs())
        .sum();
    assert!(distance < 40, "{expected:?} vs {got:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn detect_faces_and_objects_and_draw_boxes() {
    let session = session().await;
    let dog = upload_image(&session, &photo("dog.jpg")).await;
    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {
            "annotated": {"$ref": "#/$defs/ImageRef"},
            "object_count": {"type": "integer"},
            "labels": {"type": "array", "items": {"type": "string"}}
        },
        "required": ["annotated", "object_count", "labels"],
        "type": "object"
    });
    let outcome = ask(
        &session,
        "Detect the objects and draw boxes around them",
        vec![dog.clone()],
        Some(schema),
        None,
    )
    .await
    .expect("objects");
    let answer = json(&outcome);
    let labels: Vec<&str> = answer["labels"]
        .as_array()
        .expect("labels")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(labels.contains(&"dog"), "{answer}");
    assert!(answer["object_count"].as_u64() >= Some(1), "{answer}");
    let (_, annotated) = image_of(&session, answer["annotated"]["id"].as_str().expect("id")).await;
    let before = photo("dog.jpg");
    let changed = before
        .pixels()
        .zip(annotated.to_rgb8().pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0).any(|(x, y)| x.abs_diff(y) > 60))
        .count();
    assert!(
        changed > 1000,
        "boxes were drawn ({changed} pixels changed)"
    );

    let astronaut = upload_image(&session, &photo("astronaut.png")).await;
    let outcome = ask(
        &session,
        "Find the faces and draw boxes",
        vec![astronaut],
        None,
        None,
    )
    .await
    .expect("faces");
    assert!(
        outcome.content.starts_with("Found 1 face"),
        "{}",
        outcome.content
    );
    final_ref(&outcome);
}

#[tokio::test(flavor = "multi_thread")]
async fn pixelate_faces() {
    let session = session().await;
    let input = upload_image(&session, &photo("astronaut.png")).await;
    let outcome = ask(
        &session,
        "Pixelate the faces",
        vec![input.clone()],
        None,
        None,
    )
    .await
    .expect("pixelate");
    assert!(
        outcome.content.starts_with("Pixelated 1 face"),
        "{}",
        outcome.content
    );
    let faces = tool(
        &session,
        "detect_faces",
        json!({"image": input.id.to_string()}),
    )
    .await;
    let bbox: [f64; 4] =
        serde_json::from_value(faces.facts["faces"][0]["box"].clone()).expect("box");
    let (_, out) = image_of(&session, &final_ref(&outcome)).await;
    let original = image::DynamicImage::ImageRgb8(photo("astronaut.png"));
    // A mosaic is flat inside each block: most neighbouring pixels become (nearly) equal.
    let (was, now) = (flat_fraction(&original, bbox), flat_fraction(&out, bbox));
    assert!(
        was < 0.5 && now > 0.8,
        "flat neighbours {was:.2} -> {now:.2}"
    );
}

/// Fraction of horizontally adjacent gray pixel pairs inside `bbox` that differ by at most 2
/// (JPEG noise).
fn flat_fraction(image: &image::DynamicImage, bbox: [f64; 4]) -> f64 {
    let gray = image.to_luma8();
    let (x0, y0, x1, y1) = (
        bbox[0] as u32,
        bbox[1] as u32,
        bbox[2] as u32,
        bbox[3] as u32,
    );
    let mut flat = 0u32;
    let mut total = 0u32;
    for y in y0..y1.min(gray.height()) {
        for x in x0..(x1.min(gray.width()) - 1) {
            total += 1;
            if gray.get_pixel(x, y).0[0].abs_diff(gray.get_pixel(x + 1, y).0[0]) <= 2 {
                flat += 1;
            }
        }
    }
    f64::from(flat) / f64::from(total.max(1))
}

#[tokio::test(flavor = "multi_thread")]
async fn ocr_the_text() {
    let session = session().await;
    let page = text_image(700, 200, &["Invoice 4471", "Total due: 129.50 EUR"], 32.0);
    let input = upload_image(&session, &page).await;
    let schema = json!({
        "properties": {"text": {"type": "string", "description": "All text in the image"}, "line_count": {"type": "integer"}},
        "required": ["text", "line_count"],
        "type": "object"
    });
    let outcome = ask(
        &session,
        "OCR the text",
        vec![input.clone()],
        Some(schema),
        None,
    )
    .await
    .expect("ocr");
    let answer = json(&outcome);
    assert_eq!(
        answer["text"], "Invoice 4471\nTotal due: 129.50 EUR",
        "{answer}"
    );
    assert_eq!(answer["line_count"], 2);
    assert!(outcome.made.is_empty());

    let outcome = ask(
        &session,
        "Read the text in this image",
        vec![input],
        None,
        None,
    )
    .await
    .expect("ocr");
    assert!(
        outcome.content.contains("Total due: 129.50 EUR"),
        "{}",
        outcome.content
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn remove_the_background() {
    let session = session().await;
    let input = upload_image(&session, &photo("person.jpg")).await;
    let schema = json!({
        "$defs": {
            "ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"},
            "ArrayRef": {"properties": {"id": {"pattern": "^arr_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}
        },
        "properties": {"cutout": {"$ref": "#/$defs/ImageRef"}, "mask": {"$ref": "#/$defs/ArrayRef"}},
        "required": ["cutout", "mask"],
        "type": "object"
    });
    let outcome = ask(
        &session,
        "Remove the background",
        vec![input],
        Some(schema),
        None,
    )
    .await
    .expect("background");
    let answer = json(&outcome);
    let (meta, cutout) = image_of(&session, answer["cutout"]["id"].as_str().expect("id")).await;
    assert_eq!(meta.content_type, "image/png");
    let rgba = cutout.to_rgba8();
    // The person in the blue jacket stays; the sky, the grass and the horse go.
    for (x, y) in [(230, 180), (232, 280)] {
        assert!(
            rgba.get_pixel(x, y).0[3] > 200,
            "person pixel ({x}, {y}) was removed"
        );
    }
    for (x, y) in [(40, 40), (600, 60), (500, 250), (320, 400)] {
        assert_eq!(
            rgba.get_pixel(x, y).0[3],
            0,
            "background pixel ({x}, {y}) was kept"
        );
    }
    let kept = rgba.pixels().filter(|p| p.0[3] >= 128).count() as f64
        / f64::from(rgba.width() * rgba.height());
    assert!((0.02..0.2).contains(&kept), "{kept}");
    let (mask_meta, npy) = bytes_of(&session, answer["mask"]["id"].as_str().expect("id")).await;
    assert_eq!(mask_meta.kind, ArtifactKind::Array);
    assert!(npy.starts_with(b"\x93NUMPY"), "an .npy file");
    assert!(
        String::from_utf8_lossy(&npy[..128]).contains("(424, 640)"),
        "shape (h, w)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn trim_extract_frames_and_contact_sheet() {
    let session = session().await;
    let clip = upload(&session, &test_clip(6), ArtifactKind::Video, "video/mp4").await;
    let schema = json!({
        "$defs": {"VideoRef": {"properties": {"id": {"pattern": "^vid_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"clip": {"$ref": "#/$defs/VideoRef"}},
        "required": ["clip"],
        "type": "object"
    });
    let outcome = ask(
        &session,
        "Trim the video from 1.5 to 4 seconds",
        vec![clip.clone()],
        Some(schema),
        None,
    )
    .await
    .expect("trim");
    let id = json(&outcome)["clip"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (meta, _) = bytes_of(&session, &id).await;
    assert_eq!(meta.content_type, "video/mp4");
    let duration = meta.media.duration_s.expect("duration");
    assert!((duration - 2.5).abs() < 0.15, "{duration}");

    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"frames": {"type": "array", "items": {"$ref": "#/$defs/ImageRef"}}},
        "required": ["frames"],
        "type": "object"
    });
    let outcome = ask(
        &session,
        "Extract 4 frames from this video",
        vec![clip.clone()],
        Some(schema),
        None,
    )
    .await
    .expect("frames");
    let frames = json(&outcome)["frames"].as_array().expect("frames").clone();
    assert_eq!(frames.len(), 4);
    for frame in &frames {
        let (_, image) = image_of(&session, frame["id"].as_str().expect("id")).await;
        assert_eq!(image.dimensions(), (320, 240));
    }

    let outcome = ask(
        &session,
        "Make a contact sheet of 6 frames",
        vec![clip],
        None,
        None,
    )
    .await
    .expect("sheet");
    let (_, sheet) = image_of(&session, &final_ref(&outcome)).await;
    assert!(
        sheet.width() > 640 && sheet.height() > 240,
        "{:?}",
        sheet.dimensions()
    );
    assert!(outcome.content.contains("6 frames"), "{}", outcome.content);
}

#[tokio::test(flavor = "multi_thread")]
async fn render_page_k_of_a_pdf() {
    let session = session().await;
    let pages = [
        text_image(400, 300, &["First page"], 30.0),
        text_image(400, 300, &["Second page"], 30.0),
    ];
    let pdf = upload(
        &session,
        &test_pdf(&pages),
        ArtifactKind::Document,
        "application/pdf",
    )
    .await;
    let outcome = ask(
        &session,
        "Render page 2 of the PDF and read the text",
        vec![pdf],
        None,
        None,
    )
    .await
    .expect("render");
    let tools: Vec<&str> = outcome.plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .filter_map(|s| s["tool"].as_str())
        .collect();
    assert_eq!(tools, ["render_pdf_page", "ocr"]);
    assert!(
        outcome.content.contains("Second page"),
        "{}",
        outcome.content
    );
    assert!(
        !outcome.content.contains("First page"),
        "{}",
        outcome.content
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn three_d_reconstruction_of_a_table_that_is_not_there_is_refused() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let schema = json!({
        "$defs": {"ReconRef": {"properties": {"id": {"pattern": "^recon_\\w{6}$", "title": "Id", "type": "string"}}, "required": ["id"], "title": "ReconRef", "type": "object"}},
        "properties": {"recon_path": {"$ref": "#/$defs/ReconRef", "description": "3D reconstruction artifact (SPZ format)"}},
        "required": ["recon_path"],
        "type": "object"
    });
    // The dog photo has no table: the whole scene is not a stand-in for it.
    let error = ask(
        &session,
        "Generate a 3D reconstruction of the table in the image.",
        vec![input],
        Some(schema),
        None,
    )
    .await
    .expect_err("no table to reconstruct");
    assert!(error.is_client_error(), "{error:?}");
    assert_eq!(error.code(), "nothing_found", "{error:?}");
    let message = error.to_string();
    assert!(
        message.contains("no dining table was found") && message.contains("dog"),
        "{message}"
    );
}

/// The number of points in an SPZ file's header (after gunzip: magic, version, count).
fn vitrine_splat_count(spz: &[u8]) -> u64 {
    use std::io::Read;
    let mut header = [0u8; 12];
    flate2::read::GzDecoder::new(spz)
        .read_exact(&mut header)
        .expect("gunzip");
    assert_eq!(&header[..4], b"NGSP", "SPZ magic");
    u64::from(u32::from_le_bytes([
        header[8], header[9], header[10], header[11],
    ]))
}

#[tokio::test(flavor = "multi_thread")]
async fn three_d_reconstruction_of_a_detected_object_keeps_only_that_object() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let scene = ask(
        &session,
        "Reconstruct this photo in 3D",
        vec![input.clone()],
        None,
        None,
    )
    .await
    .expect("scene");
    let dog = ask(
        &session,
        "Make a 3D reconstruction of the dog",
        vec![input],
        None,
        None,
    )
    .await
    .expect("dog");
    let facts = &dog.plan["steps"][0]["facts"];
    assert_eq!(facts["object_found"], true, "{facts}");
    assert_eq!(facts["object_label"], "dog");
    let whole = scene.plan["steps"][0]["facts"]["gaussians"]
        .as_u64()
        .expect("count");
    let only_dog = facts["gaussians"].as_u64().expect("count");
    assert!(
        only_dog < whole,
        "the dog ({only_dog}) is part of the scene ({whole})"
    );
    let fraction = facts["object_fraction"].as_f64().expect("object fraction");
    assert!(
        (0.03..0.4).contains(&fraction),
        "the dog's mask covers {fraction} of the photo"
    );
    assert!(
        dog.content.contains("Reconstructed the dog"),
        "{}",
        dog.content
    );
    // The answer names both the splat and its preview; the CLI downloads both.
    let refs: Vec<&str> = dog.plan["final_refs"]
        .as_array()
        .expect("refs")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(refs.len(), 2);
    assert!(
        refs[0].starts_with("recon_") && refs[1].starts_with("img_"),
        "{refs:?}"
    );
    let (_, preview) = image_of(&session, refs[1]).await;
    assert_eq!(preview.dimensions(), (640, 480));
    let (meta, spz) = bytes_of(&session, refs[0]).await;
    assert_eq!(meta.content_type, "application/octet-stream");
    assert_eq!(&spz[..2], b"\x1f\x8b", "SPZ is gzip-compressed");
    assert_eq!(
        vitrine_splat_count(&spz),
        only_dog,
        "the file holds what the facts say"
    );
}

/// The tools of `outcome`'s plan, in order.
fn planned_tools(outcome: &vitrine_agent::AgentOutcome) -> Vec<String> {
    outcome.plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| step["tool"].as_str().expect("tool").to_owned())
        .collect()
}

/// Writes `bytes` to a temporary file and runs `program args… file`, returning its stdout.
fn run_on_file(program: &str, args: &[&str], bytes: &[u8], suffix: &str) -> String {
    let file = tempfile::Builder::new()
        .suffix(suffix)
        .tempfile()
        .expect("temp file");
    std::fs::write(file.path(), bytes).expect("write");
    let out = std::process::Command::new(program)
        .args(args)
        .arg(file.path())
        .output()
        .unwrap_or_else(|error| panic!("{program} runs: {error}"));
    assert!(
        out.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn extract_the_audio_of_a_video_as_mp3() {
    let session = session().await;
    let clip = upload(&session, &test_clip(3), ArtifactKind::Video, "video/mp4").await;
    for instruction in ["Extract the audio", "get the soundtrack as mp3"] {
        let outcome = ask(&session, instruction, vec![clip.clone()], None, None)
            .await
            .expect("audio");
        assert_eq!(planned_tools(&outcome), ["extract_audio"], "{instruction}");
        let id = final_ref(&outcome);
        assert!(id.starts_with("aud_"), "{id}");
        let (meta, bytes) = bytes_of(&session, &id).await;
        assert_eq!(meta.content_type, "audio/mpeg");
        let duration: f64 = run_on_file(
            "ffprobe",
            &[
                "-v",
                "error",
                "-show_entries",
                "format=duration",
                "-of",
                "default=noprint_wrappers=1:nokey=1",
            ],
            &bytes,
            ".mp3",
        )
        .trim()
        .parse()
        .expect("duration");
        assert!((duration - 3.0).abs() < 0.15, "{duration}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn thumbnail_of_this_video() {
    let session = session().await;
    let clip = upload(&session, &test_clip(3), ArtifactKind::Video, "video/mp4").await;
    let outcome = ask(
        &session,
        "Make a 160 px thumbnail of this video",
        vec![clip],
        None,
        None,
    )
    .await
    .expect("thumbnail");
    assert_eq!(planned_tools(&outcome), ["video_thumbnail"]);
    let (_, image) = image_of(&session, &final_ref(&outcome)).await;
    assert_eq!(image.dimensions(), (160, 120));
    // The test pattern's colour bars: a blank or black frame would have one value.
    let gray = image.to_luma8();
    let values: Vec<f64> = gray.pixels().map(|p| f64::from(p.0[0])).collect();
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let spread =
        (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt();
    assert!(spread > 20.0, "luma std dev {spread}");
}

#[tokio::test(flavor = "multi_thread")]
async fn make_a_pdf_of_these_images() {
    let session = session().await;
    let mut inputs = Vec::new();
    for name in ["dog.jpg", "astronaut.png", "solvay-1927.png"] {
        inputs.push(upload_image(&session, &photo(name)).await);
    }
    let outcome = ask(&session, "Make a PDF of these images", inputs, None, None)
        .await
        .expect("pdf");
    assert_eq!(planned_tools(&outcome), ["images_to_pdf"]);
    let id = final_ref(&outcome);
    assert!(id.starts_with("doc_"), "{id}");
    let (meta, bytes) = bytes_of(&session, &id).await;
    assert_eq!(meta.content_type, "application/pdf");
    let info = run_on_file("pdfinfo", &[], &bytes, ".pdf");
    let pages = info
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .expect("pdfinfo names the page count")
        .trim()
        .to_owned();
    assert_eq!(pages, "3", "{info}");
}

#[tokio::test(flavor = "multi_thread")]
async fn blur_the_faces_in_this_video() {
    let session = session().await;
    let photo_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vitrine-vision/testdata/astronaut.png");
    let dir = tempfile::tempdir().expect("temp dir");
    let clip_path = dir.path().join("astronaut.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args([
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-loop",
            "1",
            "-i",
        ])
        .arg(&photo_path)
        .args([
            "-t", "1", "-r", "5", "-c:v", "libx264", "-pix_fmt", "yuv420p",
        ])
        .arg(&clip_path)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let clip_bytes = std::fs::read(&clip_path).expect("clip");
    let clip = upload(&session, &clip_bytes, ArtifactKind::Video, "video/mp4").await;
    let still = upload_image(&session, &photo("astronaut.png")).await;
    let faces = tool(
        &session,
        "detect_faces",
        json!({"image": still.id.to_string()}),
    )
    .await;
    let face = &faces.facts["faces"][0]["box"];
    let face_box = [0, 1, 2, 3].map(|i| face[i].as_f64().expect("box"));

    let outcome = ask(
        &session,
        "Blur the faces in this video",
        vec![clip],
        None,
        None,
    )
    .await
    .expect("blur");
    assert_eq!(planned_tools(&outcome), ["blur_faces_video"]);
    let id = final_ref(&outcome);
    assert!(id.starts_with("vid_"), "{id}");
    let (meta, bytes) = bytes_of(&session, &id).await;
    assert_eq!(meta.content_type, "video/mp4");
    let frame = |video: &[u8]| {
        let file = tempfile::Builder::new()
            .suffix(".mp4")
            .tempfile()
            .expect("temp file");
        std::fs::write(file.path(), video).expect("write");
        let out = std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-ss", "0.4", "-i"])
            .arg(file.path())
            .args(["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"])
            .output()
            .expect("ffmpeg");
        assert!(out.status.success());
        image::load_from_memory(&out.stdout).expect("frame")
    };
    let before = crate::support::detail_energy(&frame(&clip_bytes), face_box);
    let after = crate::support::detail_energy(&frame(&bytes), face_box);
    assert!(
        after < 0.3 * before,
        "face detail energy {before:.1} -> {after:.1}"
    );
}
