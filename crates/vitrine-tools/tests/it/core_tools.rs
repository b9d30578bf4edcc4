//! The everyday tools: flip, adjust_image, convert_image, strip_metadata, image_info,
//! compare_images, describe_image. Metadata is written and read back with exiftool, an independent tool.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, Rgb, RgbImage};
use vitrine_store::ArtifactMeta;
use vitrine_tools::{ToolCatalog, ToolContext, ToolOutput};
use vitrine_wire::ArtifactKind;

use crate::support::{context, put, read};

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vitrine-vision/testdata")
        .join(name)
}

async fn run(cx: &ToolContext, tool: &str, args: Value) -> ToolOutput {
    ToolCatalog::standard()
        .get(tool)
        .unwrap_or_else(|| panic!("{tool} is registered"))
        .run(cx, args)
        .await
        .unwrap_or_else(|error| panic!("{tool} runs: {error}"))
}

fn decode(bytes: &[u8]) -> DynamicImage {
    vitrine_media::decode(bytes, &Default::default())
        .expect("decodes")
        .image
}

/// Runs exiftool (Debian `libimage-exiftool-perl`, installed by `scripts/setup.sh --dev`).
fn exiftool(args: &[&str]) -> String {
    let output = Command::new("exiftool")
        .args(args)
        .output()
        .expect("exiftool runs; install it with `scripts/setup.sh --dev` (libimage-exiftool-perl)");
    assert!(
        output.status.success(),
        "exiftool {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Every tag exiftool reads from `path`, as `Group:Tag` keys.
fn tags(path: &Path) -> serde_json::Map<String, Value> {
    let json = exiftool(&["-j", "-G", "-a", path.to_str().expect("utf-8 path")]);
    let parsed: Value = serde_json::from_str(&json).expect("exiftool JSON");
    parsed[0].as_object().cloned().expect("one file")
}

/// The metadata groups that must be gone after stripping.
fn metadata_tags(tags: &serde_json::Map<String, Value>) -> Vec<String> {
    tags.keys()
        .filter(|key| {
            [
                "EXIF:",
                "GPS:",
                "XMP:",
                "IPTC:",
                "Photoshop:",
                "MakerNotes:",
            ]
            .iter()
            .any(|group| key.starts_with(group))
                || key.ends_with(":Comment")
                || key.starts_with("PNG:") && !is_png_image_tag(key)
        })
        .cloned()
        .collect()
}

/// PNG header fields exiftool lists under `PNG:` that describe the pixels, not the owner.
fn is_png_image_tag(key: &str) -> bool {
    [
        "PNG:ImageWidth",
        "PNG:ImageHeight",
        "PNG:BitDepth",
        "PNG:ColorType",
        "PNG:Compression",
        "PNG:Filter",
        "PNG:Interlace",
    ]
    .contains(&key)
}

/// A copy of a real JPEG photo with camera, date, GPS, XMP and a comment written by exiftool.
fn tagged_copy(dir: &Path, source: &Path, name: &str) -> PathBuf {
    let out = dir.join(name);
    exiftool(&[
        "-q",
        "-o",
        out.to_str().expect("utf-8 path"),
        "-EXIF:Make=Canon",
        "-EXIF:Model=EOS 5D",
        "-EXIF:DateTimeOriginal=2024:05:01 10:30:00",
        "-GPSLatitude=48.8582",
        "-GPSLatitudeRef=N",
        "-GPSLongitude=2.2945",
        "-GPSLongitudeRef=E",
        "-XMP:Creator=Ada Lovelace",
        "-Comment=taken at home",
        source.to_str().expect("utf-8 path"),
    ]);
    out
}

#[tokio::test]
async fn flip_mirrors_every_pixel_exactly() {
    let (_dir, cx) = context().await;
    let source = RgbImage::from_fn(7, 5, |x, y| Rgb([x as u8 * 30, y as u8 * 50, 9]));
    let png = vitrine_media::encode_png(&DynamicImage::ImageRgb8(source.clone())).expect("png");
    let input = put(&cx, &png, ArtifactKind::Image, "image/png").await;
    let horizontal: fn(u32, u32) -> (u32, u32) = |x, y| (6 - x, y);
    let vertical: fn(u32, u32) -> (u32, u32) = |x, y| (x, 4 - y);
    for (direction, mirrored) in [("horizontal", horizontal), ("vertical", vertical)] {
        let args = json!({"image": input.id.to_string(), "direction": direction});
        let output = run(&cx, "flip", args.clone()).await;
        let made = output.output("image").next().expect("image");
        assert_eq!(made.content_type, "image/png", "a PNG stays lossless");
        assert_eq!(made.provenance.parents, vec![input.id.clone()]);
        assert_eq!(made.provenance.params, args);
        let flipped = decode(&read(&cx, made).await).to_rgb8();
        for (x, y, pixel) in flipped.enumerate_pixels() {
            let (sx, sy) = mirrored(x, y);
            assert_eq!(pixel, source.get_pixel(sx, sy), "{direction} at ({x}, {y})");
        }
    }
}

fn mean_luma(image: &DynamicImage) -> f64 {
    let gray = image.to_luma8();
    gray.pixels()
        .map(|pixel| f64::from(pixel.0[0]))
        .sum::<f64>()
        / gray.len() as f64
}

#[tokio::test]
async fn adjust_image_brightens_by_the_asked_share_and_needs_a_change() {
    let (_dir, cx) = context().await;
    let photo = std::fs::read(testdata("astronaut.png")).expect("photo");
    let input = put(&cx, &photo, ArtifactKind::Image, "image/png").await;
    let output = run(
        &cx,
        "adjust_image",
        json!({"image": input.id.to_string(), "brightness": 0.2}),
    )
    .await;
    assert_eq!(output.facts["changed"], json!({"brightness": 0.2}));
    let made = output.output("image").next().expect("image");
    let before = mean_luma(&decode(&photo));
    let after = mean_luma(&decode(&read(&cx, made).await));
    // 20 % brighter, less what clips at white and the JPEG's rounding.
    assert!(
        after > before * 1.12 && after < before * 1.21,
        "{before} → {after}"
    );

    let error = ToolCatalog::standard()
        .get("adjust_image")
        .expect("tool")
        .run(&cx, json!({"image": input.id.to_string()}))
        .await
        .expect_err("no change asked");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("at least one"), "{error}");
    let error = ToolCatalog::standard()
        .get("adjust_image")
        .expect("tool")
        .run(&cx, json!({"image": input.id.to_string(), "saturation": 3}))
        .await
        .expect_err("out of range");
    assert!(error.to_string().contains("`saturation`"), "{error}");
}

#[tokio::test]
async fn strip_metadata_leaves_nothing_exiftool_can_read_and_the_same_pixels() {
    let (dir, cx) = context().await;
    let tagged = tagged_copy(dir.path(), &testdata("person.jpg"), "tagged.jpg");
    let before = tags(&tagged);
    assert!(before.contains_key("EXIF:GPSLatitude"), "{before:?}");
    assert!(before.contains_key("EXIF:Make"));
    assert!(before.contains_key("XMP:Creator"));
    let bytes = std::fs::read(&tagged).expect("tagged");
    let input = put(&cx, &bytes, ArtifactKind::Image, "image/jpeg").await;

    let output = run(
        &cx,
        "strip_metadata",
        json!({"image": input.id.to_string()}),
    )
    .await;
    let made = output.output("image").next().expect("image");
    assert_eq!(made.content_type, "image/jpeg");
    for removed in ["exif", "gps", "xmp", "comment"] {
        assert!(
            output.facts["removed"]
                .as_array()
                .expect("list")
                .contains(&json!(removed)),
            "{removed} in {}",
            output.facts
        );
    }
    assert_eq!(output.facts["reencoded"], false);
    let stripped = read(&cx, made).await;
    let path = dir.path().join("stripped.jpg");
    std::fs::write(&path, &stripped).expect("write");
    let left = metadata_tags(&tags(&path));
    assert!(left.is_empty(), "exiftool still reads {left:?}");
    assert_eq!(
        decode(&stripped).to_rgb8(),
        decode(&std::fs::read(testdata("person.jpg")).expect("original")).to_rgb8(),
        "pixels bit-exact"
    );
}

#[tokio::test]
async fn strip_metadata_keeps_png_pixels_and_drops_text_exif_and_xmp() {
    let (dir, cx) = context().await;
    let source = dir.path().join("plain.png");
    let image = RgbImage::from_fn(40, 30, |x, y| Rgb([x as u8 * 6, y as u8 * 8, 77]));
    image.save(&source).expect("png");
    let tagged = dir.path().join("tagged.png");
    exiftool(&[
        "-q",
        "-o",
        tagged.to_str().expect("utf-8 path"),
        "-PNG:Comment=secret note",
        "-PNG:Author=Ada Lovelace",
        "-EXIF:Make=Canon",
        "-GPSLatitude=48.8582",
        "-GPSLatitudeRef=N",
        "-XMP:Creator=Ada Lovelace",
        source.to_str().expect("utf-8 path"),
    ]);
    assert!(
        !metadata_tags(&tags(&tagged)).is_empty(),
        "setup wrote tags"
    );
    let input = put(
        &cx,
        &std::fs::read(&tagged).expect("tagged"),
        ArtifactKind::Image,
        "image/png",
    )
    .await;
    let output = run(
        &cx,
        "strip_metadata",
        json!({"image": input.id.to_string()}),
    )
    .await;
    let made = output.output("image").next().expect("image");
    assert_eq!(made.content_type, "image/png");
    let stripped = read(&cx, made).await;
    let path = dir.path().join("stripped.png");
    std::fs::write(&path, &stripped).expect("write");
    let left = metadata_tags(&tags(&path));
    assert!(left.is_empty(), "exiftool still reads {left:?}");
    assert_eq!(decode(&stripped).to_rgb8(), image, "pixels bit-exact");
}

#[tokio::test]
async fn image_info_reports_camera_and_gps_only_where_they_are() {
    let (dir, cx) = context().await;
    let tagged = tagged_copy(dir.path(), &testdata("dog.jpg"), "dog-gps.jpg");
    let input = put(
        &cx,
        &std::fs::read(&tagged).expect("tagged"),
        ArtifactKind::Image,
        "image/jpeg",
    )
    .await;
    let facts = run(&cx, "image_info", json!({"image": input.id.to_string()}))
        .await
        .facts;
    assert_eq!(facts["format"], "jpeg");
    assert_eq!(
        (facts["width"].clone(), facts["height"].clone()),
        (json!(768), json!(576))
    );
    assert_eq!(facts["color_type"], "rgb");
    assert_eq!(facts["bit_depth"], 8);
    assert_eq!(facts["file_size"], input.size);
    assert_eq!(facts["exif_present"], true);
    assert_eq!(facts["exif"]["make"], "Canon");
    assert_eq!(facts["exif"]["model"], "EOS 5D");
    assert_eq!(facts["exif"]["date_taken"], "2024:05:01 10:30:00");
    assert_eq!(facts["gps_present"], true);
    let latitude = facts["gps"]["latitude"].as_f64().expect("latitude");
    let longitude = facts["gps"]["longitude"].as_f64().expect("longitude");
    assert!((latitude - 48.8582).abs() < 1e-4 && (longitude - 2.2945).abs() < 1e-4);
    assert_eq!(facts["xmp_present"], true);
    assert_eq!(facts["comments"], json!(["taken at home"]));

    let plain = put(
        &cx,
        &std::fs::read(testdata("astronaut.png")).expect("photo"),
        ArtifactKind::Image,
        "image/png",
    )
    .await;
    let facts = run(&cx, "image_info", json!({"image": plain.id.to_string()}))
        .await
        .facts;
    assert_eq!(facts["format"], "png");
    assert_eq!(facts["gps_present"], false);
    assert_eq!(facts["exif_present"], false);
    assert_eq!(facts["color_type"], "rgb");
}

#[tokio::test]
async fn convert_image_honours_the_byte_budget() {
    let (_dir, cx) = context().await;
    let photo = std::fs::read(testdata("astronaut.png")).expect("photo");
    let input: ArtifactMeta = put(&cx, &photo, ArtifactKind::Image, "image/png").await;
    for (format, budget, content_type) in [
        ("jpeg", 25_000, "image/jpeg"),
        ("png", 150_000, "image/png"),
    ] {
        let output = run(
            &cx,
            "convert_image",
            json!({"image": input.id.to_string(), "format": format, "max_bytes": budget}),
        )
        .await;
        let made = output.output("image").next().expect("image");
        assert_eq!(made.content_type, content_type);
        let bytes = read(&cx, made).await;
        assert!(
            bytes.len() <= budget,
            "{format}: {} > {budget}",
            bytes.len()
        );
        assert_eq!(output.facts["bytes"], bytes.len());
        let decoded = decode(&bytes);
        assert_eq!(
            (Some(decoded.width()), Some(decoded.height())),
            (made.media.width, made.media.height)
        );
        if format == "png" {
            // 790 KB of lossless PNG only fits 150 KB smaller.
            assert_eq!(output.facts["downscaled"], true, "{}", output.facts);
        }
    }
    let error = ToolCatalog::standard()
        .get("convert_image")
        .expect("tool")
        .run(
            &cx,
            json!({"image": input.id.to_string(), "format": "jpeg", "max_bytes": 50}),
        )
        .await
        .expect_err("cannot fit");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("max_bytes"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_image_reports_the_person_and_face_it_sees() {
    let (_dir, cx) = context().await;
    let photo = std::fs::read(testdata("astronaut.png")).expect("photo");
    let input = put(&cx, &photo, ArtifactKind::Image, "image/png").await;
    let output = run(
        &cx,
        "describe_image",
        json!({"image": input.id.to_string()}),
    )
    .await;
    assert!(output.artifacts.is_empty());
    let facts = &output.facts;
    assert_eq!(
        (facts["width"].clone(), facts["height"].clone()),
        (json!(512), json!(512))
    );
    assert_eq!(facts["objects"]["person"], 1, "{facts}");
    assert_eq!(facts["faces"], 1, "{facts}");
    assert_eq!(facts["kind"], "photo");
    assert!(!facts["colors"].as_array().expect("colors").is_empty());
    let description = facts["description"].as_str().expect("description");
    assert!(description.starts_with("A 512×512 photo."), "{description}");
    assert!(
        description.contains("1 person") && description.contains("1 face"),
        "{description}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_image_calls_a_page_of_text_a_document_and_quotes_it() {
    const LINES: [&str; 5] = [
        "Quarterly report 2024",
        "Revenue grew by twelve percent",
        "Costs stayed flat across regions",
        "Headcount rose to forty people",
        "Next review in March",
    ];
    let page = crate::image_tools::render_lines(&LINES, 760, 400, 34.0, 70.0);
    let (_dir, cx) = context().await;
    let png = vitrine_media::encode_png(&page).expect("png");
    let input = put(&cx, &png, ArtifactKind::Image, "image/png").await;
    let output = run(
        &cx,
        "describe_image",
        json!({"image": input.id.to_string()}),
    )
    .await;
    let facts = &output.facts;
    assert_eq!(facts["kind"], "document", "{facts}");
    assert_eq!(facts["faces"], 0);
    let text = facts["text"].as_str().expect("text");
    assert!(text.contains("Quarterly report 2024"), "{text}");
    assert_eq!(facts["colors"][0], "white", "{facts}");
    let description = facts["description"].as_str().expect("description");
    assert!(
        description.starts_with("A 760×400 document or screenshot")
            && description.contains("The text reads: \"Quarterly report 2024"),
        "{description}"
    );
}

/// The astronaut photo with a patch of the given box painted over in a flat colour.
fn astronaut_with_patch([x0, y0, x1, y1]: [u32; 4]) -> (RgbImage, RgbImage) {
    let photo = decode(&std::fs::read(testdata("astronaut.png")).expect("astronaut.png")).to_rgb8();
    let mut changed = photo.clone();
    for y in y0..y1 {
        for x in x0..x1 {
            changed.put_pixel(x, y, Rgb([20, 200, 40]));
        }
    }
    (photo, changed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_images_finds_the_planted_change_and_only_it() {
    let (_dir, cx) = context().await;
    let planted = [130, 300, 190, 345];
    let (photo, changed) = astronaut_with_patch(planted);
    let png = |image: &RgbImage| {
        vitrine_media::encode_png(&DynamicImage::ImageRgb8(image.clone())).expect("png")
    };
    let before = put(&cx, &png(&photo), ArtifactKind::Image, "image/png").await;
    let after = put(&cx, &png(&changed), ArtifactKind::Image, "image/png").await;

    // Lossless inputs, every difference counted: the heatmap is non-black exactly where a
    // pixel changed, and the one region is the planted box.
    let output = run(
        &cx,
        "compare_images",
        json!({"before": before.id.to_string(), "after": after.id.to_string(), "threshold": 0}),
    )
    .await;
    let facts = &output.facts;
    eprintln!("compare_images facts: {facts}");
    assert_eq!(facts["identical"], false);
    assert_eq!(facts["region_count"], 1, "{facts}");
    assert_eq!(facts["regions"][0]["box"], json!(planted), "{facts}");
    let ssim = facts["ssim"].as_f64().expect("ssim");
    assert!(ssim < 0.999 && ssim > 0.9, "{facts}");
    let heatmap_meta = output.output("heatmap").next().expect("heatmap");
    assert_eq!(heatmap_meta.content_type, "image/png");
    let heatmap = decode(&read(&cx, heatmap_meta).await).to_rgb8();
    assert_eq!(heatmap.dimensions(), photo.dimensions());
    let mut differing = 0_u64;
    for (x, y, pixel) in heatmap.enumerate_pixels() {
        let differs = photo.get_pixel(x, y) != changed.get_pixel(x, y);
        differing += u64::from(differs);
        assert_eq!(pixel.0 != [0, 0, 0], differs, "heatmap at ({x}, {y})");
    }
    assert_eq!(facts["changed_pixels"], differing);

    // The same change between JPEG copies, at the default threshold: JPEG noise elsewhere is
    // ignored and the one region found covers the planted box, give or take a block edge.
    let jpeg = |image: &RgbImage| {
        vitrine_media::encode_jpeg(&DynamicImage::ImageRgb8(image.clone()), 90).expect("jpeg")
    };
    let before = put(&cx, &jpeg(&photo), ArtifactKind::Image, "image/jpeg").await;
    let after = put(&cx, &jpeg(&changed), ArtifactKind::Image, "image/jpeg").await;
    let output = run(
        &cx,
        "compare_images",
        json!({"before": before.id.to_string(), "after": after.id.to_string()}),
    )
    .await;
    let facts = &output.facts;
    assert_eq!(facts["region_count"], 1, "{facts}");
    let found: Vec<i64> = (0..4)
        .map(|i| facts["regions"][0]["box"][i].as_i64().expect("box"))
        .collect();
    for (got, want) in found.iter().zip(planted) {
        assert!(
            (got - i64::from(want)).abs() <= 8,
            "{found:?} vs {planted:?}"
        );
    }

    // An image against itself: identical, SSIM 1, an all-black heatmap.
    let output = run(
        &cx,
        "compare_images",
        json!({"before": before.id.to_string(), "after": before.id.to_string()}),
    )
    .await;
    assert_eq!(output.facts["identical"], true, "{}", output.facts);
    assert_eq!(output.facts["ssim"], 1.0);
    let heatmap = decode(&read(&cx, output.output("heatmap").next().expect("heatmap")).await);
    assert!(heatmap.to_rgb8().pixels().all(|pixel| pixel.0 == [0, 0, 0]));
}
