//! The `core` tools through chat in ordinary words, with a WebP input: it is stored as PNG, yet
//! `image_info` and `strip_metadata` speak about the file as sent (checked with exiftool, an
//! independent reader, from Debian's `libimage-exiftool-perl`).

use std::process::Command;

use serde_json::{Value, json};

use crate::*;

/// A lossless WebP with EXIF (camera, GPS) written by exiftool.
fn tagged_webp(dir: &Path) -> Vec<u8> {
    let mut pixels = image::RgbImage::new(64, 48);
    for (x, y, pixel) in pixels.enumerate_pixels_mut() {
        *pixel = image::Rgb([(x * 4) as u8, (y * 5) as u8, 120]);
    }
    let path = dir.join("photo.webp");
    let mut bytes = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut bytes)
        .encode(pixels.as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
        .expect("webp encodes");
    std::fs::write(&path, &bytes).expect("write");
    let status = Command::new("exiftool")
        .args([
            "-q",
            "-overwrite_original",
            "-Make=Acme",
            "-GPSLatitude=48.8584",
            "-GPSLatitudeRef=N",
            "-GPSLongitude=2.2945",
            "-GPSLongitudeRef=E",
        ])
        .arg(&path)
        .status()
        .expect("exiftool runs; install it with `scripts/setup.sh --dev`");
    assert!(status.success());
    std::fs::read(&path).expect("tagged webp")
}

fn exif_tags(path: &Path) -> String {
    let output = Command::new("exiftool")
        .args(["-a", "-G1", "-s", "-EXIF:all", "-GPS:all", "-XMP:all"])
        .arg(path)
        .output()
        .expect("exiftool runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn step_facts(completion: &Value, tool: &str) -> Value {
    completion["vitrine"]["plan"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|step| step["tool"] == tool)
        .unwrap_or_else(|| panic!("no {tool} step in {completion}"))["facts"]
        .clone()
}

#[tokio::test]
async fn a_converted_webp_keeps_its_metadata_facts_and_strip_metadata_leaves_none() {
    let dir = tempfile::tempdir().expect("temp");
    let webp = tagged_webp(dir.path());
    assert!(exif_tags(&dir.path().join("photo.webp")).contains("GPSLatitude"));
    let app = spawn().await;
    let url = data_url("image/webp", &webp);

    let (status, info) = app
        .chat(
            KEY_ACME,
            ask_with_image("does this photo have any location data in it?", &url),
        )
        .await;
    assert_eq!(status, 200, "{info}");
    let facts = step_facts(&info, "image_info");
    assert_eq!(facts["content_type"], "image/png", "{facts}");
    assert_eq!(facts["gps_present"], true, "{facts}");
    assert_eq!(facts["exif"]["make"], "Acme", "{facts}");
    assert_eq!(facts["format"], "webp", "{facts}");

    let (status, stripped) = app
        .chat(
            KEY_ACME,
            ask_with_image("remove the location data before I share this", &url),
        )
        .await;
    assert_eq!(status, 200, "{stripped}");
    let facts = step_facts(&stripped, "strip_metadata");
    assert_eq!(facts["gps_removed"], true, "{facts}");
    let made = stripped["vitrine"]["made"]
        .as_array()
        .expect("made")
        .iter()
        .filter_map(Value::as_str)
        .find(|id| id.starts_with("img_"))
        .expect("an image")
        .to_owned();
    let png = download(&app, &stripped, &made).await;
    let path = dir.path().join("clean.png");
    std::fs::write(&path, &png).expect("write");
    let left = exif_tags(&path);
    assert!(!left.contains("GPS") && !left.contains("Make"), "{left}");
    // The pixels are the WebP's, exactly (lossless in, PNG out).
    assert_eq!(
        image::load_from_memory(&png).expect("png").to_rgb8(),
        image::load_from_memory(&webp).expect("webp").to_rgb8()
    );
}

#[tokio::test]
async fn compare_images_in_words_finds_the_planted_change_only() {
    let app = spawn().await;
    let base = image::RgbImage::from_pixel(120, 80, image::Rgb([40, 90, 160]));
    let mut changed = base.clone();
    for y in 30..50 {
        for x in 70..100 {
            changed.put_pixel(x, y, image::Rgb([250, 250, 20]));
        }
    }
    let encode = |image: &image::RgbImage| {
        let mut bytes = std::io::Cursor::new(Vec::new());
        image
            .write_to(&mut bytes, image::ImageFormat::Png)
            .expect("png");
        bytes.into_inner()
    };
    let body = json!({
        "model": "vlmrun-orion-1:auto",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "what changed between these two images?"},
            {"type": "image_url", "image_url": {"url": data_url("image/png", &encode(&base))}},
            {"type": "image_url", "image_url": {"url": data_url("image/png", &encode(&changed))}}
        ]}]
    });
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    let facts = step_facts(&completion, "compare_images");
    let regions = facts["regions"].as_array().expect("regions");
    assert_eq!(regions.len(), 1, "{facts}");
    assert_eq!(facts["changed_pixels"], 30 * 20, "{facts}");
}
