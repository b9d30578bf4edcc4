//! The everyday single-step asks through the HTTP API, each checked on the downloaded
//! artifacts: sizes, pixels, ffprobe durations, text read back.

use image::GenericImageView;
use serde_json::{Value, json};

use super::{
    agent_app, ask, content_json, content_text, download_image, ffprobe_duration, final_ref, part,
    photo, text_png, tools_run,
};
use crate::*;

fn image_ref_schema(fields: &[&str]) -> Value {
    let properties: serde_json::Map<String, Value> = fields
        .iter()
        .map(|field| ((*field).to_owned(), json!({"$ref": "#/$defs/ImageRef"})))
        .collect();
    json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": properties,
        "required": fields,
        "type": "object"
    })
}

/// A follow-up request in the same session about an earlier artifact.
async fn ask_about(app: &TestApp, earlier: &Value, text: &str, id: &str) -> Value {
    let body = json!({
        "model": "vlmrun-orion-1:auto",
        "session_id": earlier["session_id"],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": text},
            {"type": "input_ref", "id": id}
        ]}]
    });
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    completion
}

#[tokio::test]
async fn crop_to_the_largest_face() {
    let app = agent_app().await;
    let group = photo("solvay-1927.png");
    let completion = ask(
        &app,
        "Crop to the largest face",
        vec![part("image_url", "image/png", &group)],
        None,
    )
    .await;
    assert!(
        content_text(&completion).contains("largest face"),
        "{completion}"
    );
    let id = final_ref(&completion);
    let crop = download_image(&app, &completion, &id).await;
    let (width, height) = crop.dimensions();
    assert!(
        (40..400).contains(&width) && (40..400).contains(&height),
        "a face-sized crop of a 1666×1136 group photo: {width}×{height}"
    );
    // The crop is a face: the face detector finds one in it.
    let faces = ask_about(&app, &completion, "Find the faces and draw boxes", &id).await;
    assert!(content_text(&faces).starts_with("Found 1 face"), "{faces}");
}

#[tokio::test]
async fn thumbnail_and_resize_to_n_px() {
    let app = agent_app().await;
    let dog = photo("dog.jpg"); // 768×576
    let completion = ask(
        &app,
        "Make a 128 px thumbnail",
        vec![part("image_url", "image/jpeg", &dog)],
        None,
    )
    .await;
    let thumb = download_image(&app, &completion, &final_ref(&completion)).await;
    assert_eq!(thumb.dimensions(), (128, 96));

    let completion = ask(
        &app,
        "Resize it to 300 pixels wide",
        vec![part("image_url", "image/jpeg", &dog)],
        None,
    )
    .await;
    let resized = download_image(&app, &completion, &final_ref(&completion)).await;
    assert_eq!(resized.dimensions(), (300, 225));
}

#[tokio::test]
async fn nine_by_sixteen_crop() {
    let app = agent_app().await;
    let completion = ask(
        &app,
        "Crop this to 9:16 for a story",
        vec![part("image_url", "image/jpeg", &photo("dog.jpg"))],
        Some(image_ref_schema(&["story"])),
    )
    .await;
    let id = content_json(&completion)["story"]["id"]
        .as_str()
        .expect("ref")
        .to_owned();
    let story = download_image(&app, &completion, &id).await;
    assert_eq!(story.height(), 576, "a crop keeps the full height");
    let ratio = f64::from(story.width()) / f64::from(story.height());
    assert!(
        (ratio - 9.0 / 16.0).abs() < 0.01,
        "{:?}",
        story.dimensions()
    );
}

#[tokio::test]
async fn grayscale_and_rotate() {
    let app = agent_app().await;
    let person = photo("person.jpg"); // 640×424
    let completion = ask(
        &app,
        "Make it black and white",
        vec![part("image_url", "image/jpeg", &person)],
        None,
    )
    .await;
    let gray = download_image(&app, &completion, &final_ref(&completion)).await;
    assert_eq!(gray.dimensions(), (640, 424));
    assert!(
        gray.to_rgb8()
            .pixels()
            .all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]),
        "not gray"
    );

    let completion = ask(
        &app,
        "Rotate the photo 90 degrees clockwise",
        vec![part("image_url", "image/jpeg", &person)],
        None,
    )
    .await;
    let rotated = download_image(&app, &completion, &final_ref(&completion)).await;
    assert_eq!(rotated.dimensions(), (424, 640));
    // Clockwise: the original's bottom-left corner becomes the top-left.
    let original = image::load_from_memory(&person).expect("jpeg").to_rgb8();
    let expected = original.get_pixel(0, 423).0;
    let got = rotated.to_rgb8().get_pixel(0, 0).0;
    let distance: u32 = expected
        .iter()
        .zip(got)
        .map(|(a, b)| u32::from(a.abs_diff(b)))
        .sum();
    assert!(distance < 40, "{expected:?} vs {got:?}");
}

#[tokio::test]
async fn detect_objects_and_faces_and_draw_boxes() {
    let app = agent_app().await;
    let dog = photo("dog.jpg");
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
    let completion = ask(
        &app,
        "Detect the objects and draw boxes around them",
        vec![part("image_url", "image/jpeg", &dog)],
        Some(schema),
    )
    .await;
    let answer = content_json(&completion);
    assert!(
        answer["labels"]
            .as_array()
            .expect("labels")
            .contains(&json!("dog")),
        "{answer}"
    );
    assert!(answer["object_count"].as_u64() >= Some(1), "{answer}");
    let annotated = download_image(
        &app,
        &completion,
        answer["annotated"]["id"].as_str().expect("id"),
    )
    .await;
    let before = image::load_from_memory(&dog).expect("jpeg").to_rgb8();
    let changed = before
        .pixels()
        .zip(annotated.to_rgb8().pixels())
        .filter(|(a, b)| a.0.iter().zip(b.0).any(|(x, y)| x.abs_diff(y) > 60))
        .count();
    assert!(
        changed > 1000,
        "boxes were drawn ({changed} pixels changed)"
    );

    let completion = ask(
        &app,
        "Find the faces and draw boxes",
        vec![part("image_url", "image/png", &photo("astronaut.png"))],
        None,
    )
    .await;
    assert!(
        content_text(&completion).starts_with("Found 1 face"),
        "{completion}"
    );
    let boxed = download_image(&app, &completion, &final_ref(&completion)).await;
    assert_eq!(boxed.dimensions(), (512, 512));
}

#[tokio::test]
async fn pixelate_the_faces() {
    let app = agent_app().await;
    let astronaut = photo("astronaut.png");
    let completion = ask(
        &app,
        "Pixelate the faces",
        vec![part("image_url", "image/png", &astronaut)],
        None,
    )
    .await;
    assert!(
        content_text(&completion).starts_with("Pixelated 1 face"),
        "{completion}"
    );
    let face: [f64; 4] = completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find_map(|step| serde_json::from_value(step["facts"]["faces"][0]["box"].clone()).ok())
        .expect("the plan reports the face box");
    let after = download_image(&app, &completion, &final_ref(&completion)).await;
    let before = image::load_from_memory(&astronaut).expect("png");
    // A mosaic is flat inside each block: most neighbouring pixels become (nearly) equal.
    let (was, now) = (flat_fraction(&before, face), flat_fraction(&after, face));
    assert!(
        was < 0.5 && now > 0.8,
        "flat neighbours {was:.2} -> {now:.2}"
    );
}

/// Fraction of horizontally adjacent gray pixel pairs inside `face` that differ by at most 2.
fn flat_fraction(image: &image::DynamicImage, face: [f64; 4]) -> f64 {
    let gray = image.to_luma8();
    let [x0, y0, x1, y1] = face.map(|v| v as u32);
    let (mut flat, mut total) = (0u32, 0u32);
    for y in y0..y1.min(gray.height()) {
        for x in x0..x1.min(gray.width()) - 1 {
            total += 1;
            if gray.get_pixel(x, y).0[0].abs_diff(gray.get_pixel(x + 1, y).0[0]) <= 2 {
                flat += 1;
            }
        }
    }
    f64::from(flat) / f64::from(total.max(1))
}

#[tokio::test]
async fn ocr_the_text() {
    let app = agent_app().await;
    let page = text_png(700, 140, &["Invoice 4471", "Total due: 129.50 EUR"]);
    let schema = json!({
        "properties": {"text": {"type": "string", "description": "All text in the image"}, "line_count": {"type": "integer"}},
        "required": ["text", "line_count"],
        "type": "object"
    });
    let completion = ask(
        &app,
        "OCR the text",
        vec![part("image_url", "image/png", &page)],
        Some(schema),
    )
    .await;
    let answer = content_json(&completion);
    assert_eq!(
        answer["text"], "Invoice 4471\nTotal due: 129.50 EUR",
        "{answer}"
    );
    assert_eq!(answer["line_count"], 2);
    assert_eq!(tools_run(&completion), ["ocr"]);
}

#[tokio::test]
async fn remove_the_background() {
    let app = agent_app().await;
    let schema = json!({
        "$defs": {
            "ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"},
            "ArrayRef": {"properties": {"id": {"pattern": "^arr_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}
        },
        "properties": {"cutout": {"$ref": "#/$defs/ImageRef"}, "mask": {"$ref": "#/$defs/ArrayRef"}},
        "required": ["cutout", "mask"],
        "type": "object"
    });
    let completion = ask(
        &app,
        "Remove the background",
        vec![part("image_url", "image/jpeg", &photo("person.jpg"))],
        Some(schema),
    )
    .await;
    let answer = content_json(&completion);
    let cutout = download(
        &app,
        &completion,
        answer["cutout"]["id"].as_str().expect("id"),
    )
    .await;
    assert!(
        cutout.starts_with(b"\x89PNG"),
        "a PNG keeps the transparency"
    );
    let rgba = image::load_from_memory(&cutout).expect("png").to_rgba8();
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
    let npy = download(
        &app,
        &completion,
        answer["mask"]["id"].as_str().expect("id"),
    )
    .await;
    assert!(npy.starts_with(b"\x93NUMPY"), "an .npy file");
    assert!(
        String::from_utf8_lossy(&npy[..128]).contains("(424, 640)"),
        "shape (h, w)"
    );
}

#[tokio::test]
async fn trim_extract_frames_and_contact_sheet() {
    let app = agent_app().await;
    let clip = ffmpeg_clip(6); // 64×48 at 10 fps
    let schema = json!({
        "$defs": {"VideoRef": {"properties": {"id": {"pattern": "^vid_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"clip": {"$ref": "#/$defs/VideoRef"}},
        "required": ["clip"],
        "type": "object"
    });
    let completion = ask(
        &app,
        "Trim the video from 1.5 to 4 seconds",
        vec![part("video_url", "video/mp4", &clip)],
        Some(schema),
    )
    .await;
    let trimmed = download(
        &app,
        &completion,
        content_json(&completion)["clip"]["id"]
            .as_str()
            .expect("id"),
    )
    .await;
    let duration = ffprobe_duration(&trimmed);
    assert!((duration - 2.5).abs() < 0.15, "ffprobe says {duration} s");

    let schema = json!({
        "$defs": {"ImageRef": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"frames": {"type": "array", "items": {"$ref": "#/$defs/ImageRef"}}},
        "required": ["frames"],
        "type": "object"
    });
    let completion = ask(
        &app,
        "Extract 4 frames from this video",
        vec![part("video_url", "video/mp4", &clip)],
        Some(schema),
    )
    .await;
    let frames = content_json(&completion)["frames"]
        .as_array()
        .expect("frames")
        .clone();
    assert_eq!(frames.len(), 4);
    let mut seen = Vec::new();
    for frame in &frames {
        let image = download_image(&app, &completion, frame["id"].as_str().expect("id")).await;
        assert_eq!(image.dimensions(), (64, 48));
        seen.push(image.to_rgb8().into_raw());
    }
    seen.dedup();
    assert_eq!(
        seen.len(),
        4,
        "four different moments of a moving test pattern"
    );

    let completion = ask(
        &app,
        "Make a contact sheet of 6 frames",
        vec![part("video_url", "video/mp4", &clip)],
        None,
    )
    .await;
    assert!(
        content_text(&completion).contains("6 frames"),
        "{completion}"
    );
    let sheet = download_image(&app, &completion, &final_ref(&completion)).await;
    assert!(
        sheet.width() >= 2 * 64 && sheet.height() >= 2 * 48,
        "six 64×48 frames on one sheet: {:?}",
        sheet.dimensions()
    );
}

#[tokio::test]
async fn render_page_k_of_a_pdf() {
    let app = agent_app().await;
    let pages = [
        text_png(400, 300, &["First page"]),
        text_png(400, 300, &["Second page"]),
    ];
    let slices: Vec<&[u8]> = pages.iter().map(Vec::as_slice).collect();
    let pdf =
        vitrine_document::images_to_pdf(&slices, &vitrine_document::ImagesToPdfParams::default())
            .expect("pdf");
    let completion = ask(
        &app,
        "Render page 2 of the PDF and read the text",
        vec![part("file_url", "application/pdf", &pdf)],
        None,
    )
    .await;
    assert_eq!(tools_run(&completion), ["render_pdf_page", "ocr"]);
    let text = content_text(&completion);
    assert!(
        text.contains("Second page") && !text.contains("First page"),
        "{text}"
    );
    let page = completion["vitrine"]["plan"]["steps"][0]["made"][0]["id"]
        .as_str()
        .expect("the rendered page's ref");
    let rendered = download_image(&app, &completion, page).await;
    // A 400×300 px page at 72 dpi renders at 150 dpi or more: about 833×625.
    let ratio = f64::from(rendered.width()) / f64::from(rendered.height());
    assert!(
        rendered.width() >= 400 && (ratio - 4.0 / 3.0).abs() < 0.02,
        "{:?}",
        rendered.dimensions()
    );
}
