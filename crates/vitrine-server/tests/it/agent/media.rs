//! The media tools added for issue 4 through the HTTP API: transcoding, a video
//! from images, page counts, side by side, a pixelated region and a logo pasted in a
//! corner, each checked on the downloaded artifact.

use serde_json::{Value, json};

use super::{agent_app, ask_with_parts, content_text, final_ref, part, tools_run};
use crate::*;

/// ffprobe's codec, pixel format and decoded frame count of a clip's first video stream.
fn probe_clip(bytes: &[u8]) -> (String, String, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("clip.mp4");
    std::fs::write(&path, bytes).expect("write");
    let output = std::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,pix_fmt,nb_read_frames",
            "-of",
            "json",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe runs");
    assert!(output.status.success());
    let probe: Value = serde_json::from_slice(&output.stdout).expect("json");
    let stream = &probe["streams"][0];
    (
        stream["codec_name"].as_str().unwrap_or_default().to_owned(),
        stream["pix_fmt"].as_str().unwrap_or_default().to_owned(),
        stream["nb_read_frames"]
            .as_str()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0),
    )
}

#[tokio::test]
async fn transcoding_and_images_to_video_through_chat() {
    let app = agent_app().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("clip.mkv");
    let status = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .args(["testsrc2=size=96x64:rate=10", "-t", "1", "-c:v", "libx264"])
        .args(["-pix_fmt", "yuv444p"])
        .arg(&source)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let clip = std::fs::read(&source).expect("clip");
    let body = ask_with_parts(
        "Transcode this video so it plays in a browser",
        vec![
            json!({"type": "video_url", "video_url": {"url": data_url("video/x-matroska", &clip)}}),
        ],
    );
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["transcode_video"]);
    let id = final_ref(&completion);
    assert!(id.starts_with("vid_"));
    let (codec, pixels, frames) = probe_clip(&download(&app, &completion, &id).await);
    assert_eq!(
        (codec.as_str(), pixels.as_str(), frames),
        ("h264", "yuv420p", 10)
    );

    let parts: Vec<Value> = [[200, 0, 0], [0, 200, 0], [0, 0, 200]]
        .into_iter()
        .map(|rgb| part("image_url", "image/png", &png(64, 48, rgb)))
        .collect();
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_parts("Make a video from these images at 2 fps", parts),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["frames_to_video"]);
    let id = final_ref(&completion);
    let (codec, _, frames) = probe_clip(&download(&app, &completion, &id).await);
    assert_eq!((codec.as_str(), frames), ("h264", 3));
}

#[tokio::test]
async fn page_counts_through_chat() {
    let app = agent_app().await;
    let parts: Vec<Value> = [[10, 10, 10], [120, 120, 120]]
        .into_iter()
        .map(|rgb| part("image_url", "image/png", &png(60, 80, rgb)))
        .collect();
    let (status, made) = app
        .chat(
            KEY_ACME,
            ask_with_parts("Make a PDF of these images", parts),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    let document = final_ref(&made);
    assert!(document.starts_with("doc_"));

    let mut body = ask_with_parts(
        "How many pages does this PDF have?",
        vec![json!({"type": "input_ref", "id": document})],
    );
    body["session_id"] = made["session_id"].clone();
    let (status, completion) = app.chat(KEY_ACME, body).await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["pdf_info"]);
    assert_eq!(
        completion["vitrine"]["plan"]["steps"][0]["facts"]["pages"],
        2
    );
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(content.contains("2 pages"), "{content}");
}

#[tokio::test]
async fn side_by_side_and_a_pixelated_region_through_chat() {
    let app = agent_app().await;
    let parts = vec![
        part("image_url", "image/png", &png(40, 30, [220, 20, 20])),
        part("image_url", "image/png", &png(40, 30, [20, 20, 220])),
    ];
    let (status, completion) = app
        .chat(KEY_ACME, ask_with_parts("Put these side by side", parts))
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["combine_images"]);
    let id = final_ref(&completion);
    let sheet = image::load_from_memory(&download(&app, &completion, &id).await)
        .expect("image")
        .to_rgb8();
    // Two 40×30 cells with 8 px gaps between and around.
    assert_eq!(sheet.dimensions(), (2 * 40 + 3 * 8, 30 + 2 * 8));
    let near =
        |pixel: [u8; 3], rgb: [u8; 3]| pixel.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 6);
    assert!(
        near(sheet.get_pixel(28, 23).0, [220, 20, 20]),
        "left cell red"
    );
    assert!(
        near(sheet.get_pixel(76, 23).0, [20, 20, 220]),
        "right cell blue"
    );

    // A fine checkerboard: every pixel differs from its neighbours until pixelation averages
    // a block into one flat colour.
    let checkers = image::RgbImage::from_fn(120, 80, |x, y| {
        let value = if (x + y) % 2 == 0 { 210 } else { 40 };
        image::Rgb([value, value, value])
    });
    let mut bytes = std::io::Cursor::new(Vec::new());
    checkers
        .write_to(&mut bytes, image::ImageFormat::Png)
        .expect("png");
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_parts(
                "pixelate the region 10,10,74,74",
                vec![part("image_url", "image/png", bytes.get_ref())],
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["redact_image"]);
    let id = final_ref(&completion);
    let out = image::load_from_memory(&download(&app, &completion, &id).await)
        .expect("image")
        .to_rgb8();
    assert_eq!(out.dimensions(), (120, 80));
    let roughness = |xs: std::ops::Range<u32>, ys: std::ops::Range<u32>| {
        let mut total = 0.0;
        let mut count = 0.0;
        for y in ys {
            for x in xs.clone() {
                total += f64::from(out.get_pixel(x, y)[0].abs_diff(out.get_pixel(x + 1, y)[0]));
                count += 1.0;
            }
        }
        total / count
    };
    let inside = roughness(14..70, 14..70);
    let outside = roughness(84..118, 0..80);
    assert!(inside < 15.0, "inside the region is flat blocks: {inside}");
    assert!(outside > 100.0, "outside keeps the checkerboard: {outside}");
}

#[tokio::test]
async fn a_logo_pasted_in_the_bottom_right_corner_through_chat() {
    let app = agent_app().await;
    let (base, logo) = ([30, 60, 200], [230, 30, 20]);
    let parts = vec![
        part("image_url", "image/png", &png(120, 80, base)),
        part("image_url", "image/png", &png(20, 10, logo)),
    ];
    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_parts(
                "Put the logo (second image) on the first image at the bottom right with a \
                 10 px margin, 50% opacity",
                parts,
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(tools_run(&completion), ["overlay_image"]);
    let content = content_text(&completion);
    assert!(content.contains("(90, 60)–(110, 70)"), "{content}");
    let id = final_ref(&completion);
    let bytes = download(&app, &completion, &id).await;
    assert_eq!(
        &bytes[..2],
        b"\xff\xd8",
        "an opaque result is served as JPEG"
    );
    let out = image::load_from_memory(&bytes).expect("image").to_rgb8();
    assert_eq!(out.dimensions(), (120, 80), "the base's size");
    // The result is a JPEG: chroma subsampling shifts flat colours by a few levels.
    let near =
        |pixel: [u8; 3], rgb: [u8; 3]| pixel.iter().zip(rgb).all(|(a, b)| a.abs_diff(b) <= 12);
    // Half the logo's colour over half the base's, inside 90..110 × 60..70.
    let blend =
        [0, 1, 2].map(|channel| ((u16::from(logo[channel]) + u16::from(base[channel])) / 2) as u8);
    for (x, y) in [(100, 65), (92, 62), (107, 68)] {
        let pixel = out.get_pixel(x, y).0;
        assert!(near(pixel, blend), "({x}, {y}) is {pixel:?}, not {blend:?}");
    }
    // The base everywhere else: the margin, the other corners, the middle.
    for (x, y) in [
        (114, 74),
        (85, 65),
        (100, 55),
        (5, 5),
        (60, 40),
        (5, 75),
        (115, 5),
    ] {
        let pixel = out.get_pixel(x, y).0;
        assert!(near(pixel, base), "({x}, {y}) is {pixel:?}, not the base");
    }
}
