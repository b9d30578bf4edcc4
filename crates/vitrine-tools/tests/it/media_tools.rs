//! Video, audio and document tools run against a real store and real ffmpeg / poppler:
//! `extract_audio`, `video_thumbnail`, `cut_video`, `images_to_pdf`, `blur_faces_video`.

use std::path::Path;
use std::process::Command;

use serde_json::json;
use vitrine_tools::ToolCatalog;

use crate::support::{context, put, read};
use vitrine_wire::ArtifactKind;

/// Runs ffmpeg quietly with `args`, panicking with its stderr on failure.
pub(crate) fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg is installed");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A 2-second 160×120 test pattern at 10 fps with a 440 Hz tone.
fn clip_with_audio(dir: &Path) -> Vec<u8> {
    let path = dir.join("clip.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=160x120:rate=10:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-shortest",
        path.to_str().expect("utf-8 path"),
    ]);
    std::fs::read(path).expect("clip")
}

fn ffprobe_duration(path: &Path) -> f64 {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=duration",
            "-of",
            "default=noprint_wrappers=1:nokey=1",
        ])
        .arg(path)
        .output()
        .expect("ffprobe is installed");
    assert!(out.status.success(), "ffprobe failed");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .expect("a duration")
}

#[tokio::test]
async fn extract_audio_writes_an_mp3_as_long_as_the_clip() {
    let (dir, cx) = context().await;
    let clip = clip_with_audio(dir.path());
    let video = put(&cx, &clip, ArtifactKind::Video, "video/mp4").await;
    let args = json!({"video": video.id.to_string()});
    let output = ToolCatalog::standard()
        .get("extract_audio")
        .expect("tool")
        .run(&cx, args.clone())
        .await
        .expect("runs");
    let made = output.output("audio").next().expect("audio");
    assert_eq!(made.kind, ArtifactKind::Audio);
    assert!(made.id.to_string().starts_with("aud_"), "{}", made.id);
    assert_eq!(made.content_type, "audio/mpeg");
    assert_eq!(made.provenance.parents, vec![video.id.clone()]);
    assert_eq!(made.provenance.operation, "extract_audio");
    assert_eq!(made.provenance.params, args);
    let bytes = read(&cx, made).await;
    let path = dir.path().join("out.mp3");
    std::fs::write(&path, &bytes).expect("write mp3");
    let duration = ffprobe_duration(&path);
    assert!((duration - 2.0).abs() < 0.15, "mp3 lasts {duration} s");
    let facts_duration = output.facts["duration_s"].as_f64().expect("duration fact");
    assert!((facts_duration - duration).abs() < 0.05, "{facts_duration}");
}

#[tokio::test]
async fn video_thumbnail_is_a_scaled_non_blank_frame_a_third_in() {
    let (dir, cx) = context().await;
    let clip = clip_with_audio(dir.path());
    let video = put(&cx, &clip, ArtifactKind::Video, "video/mp4").await;
    let args = json!({"video": video.id.to_string(), "max_side": 80});
    let output = ToolCatalog::standard()
        .get("video_thumbnail")
        .expect("tool")
        .run(&cx, args)
        .await
        .expect("runs");
    let made = output.output("image").next().expect("image");
    assert!(made.id.to_string().starts_with("img_"));
    assert_eq!(made.provenance.parents, vec![video.id.clone()]);
    let at = output.facts["timestamp_s"].as_f64().expect("timestamp");
    assert!((at - 2.0 / 3.0).abs() < 0.05, "{at}");
    let bytes = read(&cx, made).await;
    let image = vitrine_media::image::load_from_memory(&bytes)
        .expect("decodes")
        .to_rgb8();
    assert_eq!(image.dimensions(), (80, 60));
    // The test pattern has colour bars: a blank frame would have one value everywhere.
    let lumas: Vec<f64> = image
        .pixels()
        .map(|p| f64::from(p[0]) + f64::from(p[1]) + f64::from(p[2]))
        .collect();
    let mean = lumas.iter().sum::<f64>() / lumas.len() as f64;
    let variance = lumas.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / lumas.len() as f64;
    assert!(variance.sqrt() > 40.0, "std dev {}", variance.sqrt());
}

fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let image = vitrine_media::image::RgbImage::from_fn(width, height, |x, y| {
        vitrine_media::image::Rgb([shade, (x % 256) as u8, (y % 256) as u8])
    });
    vitrine_media::encode_png(&vitrine_media::image::DynamicImage::ImageRgb8(image)).expect("png")
}

#[tokio::test]
async fn images_to_pdf_makes_one_page_per_image() {
    let (_dir, cx) = context().await;
    let mut images = Vec::new();
    for (index, shade) in [10_u8, 120, 240].into_iter().enumerate() {
        let side = 100 + 20 * u32::try_from(index).expect("small");
        images.push(put(&cx, &png(side, 80, shade), ArtifactKind::Image, "image/png").await);
    }
    let ids: Vec<String> = images.iter().map(|meta| meta.id.to_string()).collect();
    let output = ToolCatalog::standard()
        .get("images_to_pdf")
        .expect("tool")
        .run(&cx, json!({"images": ids}))
        .await
        .expect("runs");
    let made = output.output("document").next().expect("document");
    assert!(made.id.to_string().starts_with("doc_"));
    assert_eq!(made.content_type, "application/pdf");
    assert_eq!(made.media.pages, Some(3));
    let parents: Vec<_> = images.iter().map(|meta| meta.id.clone()).collect();
    assert_eq!(made.provenance.parents, parents);
    let bytes = read(&cx, made).await;
    assert!(bytes.starts_with(b"%PDF"));
    let pages = vitrine_document::Poppler::new()
        .page_count(vitrine_document::PdfInput::Bytes(&bytes))
        .await
        .expect("poppler reads it");
    assert_eq!(pages, 3);

    let error = ToolCatalog::standard()
        .get("images_to_pdf")
        .expect("tool")
        .run(&cx, json!({"images": []}))
        .await
        .expect_err("no images");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("images"), "{error}");
}

/// One decoded RGB frame of `path` at `at_s`, as (width, height, pixels).
fn frame_at(path: &Path, at_s: &str) -> vitrine_media::image::RgbImage {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-ss", at_s, "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"])
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    vitrine_media::image::load_from_memory(&out.stdout)
        .expect("png frame")
        .to_rgb8()
}

/// The `index`-th decoded frame of `path` (counted, not seeked by time).
fn frame_number(path: &Path, index: usize) -> vitrine_media::image::RgbImage {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i"])
        .arg(path)
        .args([
            "-vf",
            &format!("select=eq(n\\,{index})"),
            "-fps_mode",
            "passthrough",
        ])
        .args(["-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"])
        .output()
        .expect("ffmpeg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    vitrine_media::image::load_from_memory(&out.stdout)
        .expect("png frame")
        .to_rgb8()
}

/// Mean absolute difference between horizontally and vertically neighbouring pixels inside
/// the box: high for sharp detail, near zero after a blur.
fn detail(image: &vitrine_media::image::RgbImage, [x0, y0, x1, y1]: [u32; 4]) -> f64 {
    let mut total = 0.0;
    let mut count = 0.0;
    for y in y0..y1.min(image.height() - 1) {
        for x in x0..x1.min(image.width() - 1) {
            let here = image.get_pixel(x, y);
            for other in [image.get_pixel(x + 1, y), image.get_pixel(x, y + 1)] {
                for channel in 0..3 {
                    total += (f64::from(here[channel]) - f64::from(other[channel])).abs();
                    count += 1.0;
                }
            }
        }
    }
    total / count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blur_faces_video_blurs_the_face_in_decoded_frames() {
    let (dir, cx) = context().await;
    let photo =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vitrine-vision/testdata/astronaut.png");
    let clip_path = dir.path().join("astronaut.mp4");
    ffmpeg(&[
        "-loop",
        "1",
        "-i",
        photo.to_str().expect("utf-8 path"),
        "-t",
        "1",
        "-r",
        "5",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip_path.to_str().expect("utf-8 path"),
    ]);
    let clip = std::fs::read(&clip_path).expect("clip");
    let video = put(&cx, &clip, ArtifactKind::Video, "video/mp4").await;

    // Where the face is, by the same detector on the still photo.
    let still = put(
        &cx,
        &std::fs::read(&photo).expect("photo"),
        ArtifactKind::Image,
        "image/png",
    )
    .await;
    let faces = ToolCatalog::standard()
        .get("detect_faces")
        .expect("tool")
        .run(&cx, json!({"image": still.id.to_string()}))
        .await
        .expect("detects");
    let face = &faces.facts["faces"][0]["box"];
    let face_box = [0, 1, 2, 3].map(|i| face[i].as_f64().expect("box") as u32);

    let args = json!({"video": video.id.to_string(), "detect_every": 2});
    let output = ToolCatalog::standard()
        .get("blur_faces_video")
        .expect("tool")
        .run(&cx, args.clone())
        .await
        .expect("runs");
    let made = output.output("video").next().expect("video");
    assert!(made.id.to_string().starts_with("vid_"));
    assert_eq!(made.content_type, "video/mp4");
    assert_eq!(made.provenance.parents, vec![video.id.clone()]);
    assert_eq!(made.provenance.params, args);
    assert_eq!(output.facts["frames"], 5);
    assert_eq!(output.facts["detections"], 3);
    assert_eq!(output.facts["frames_with_faces"], 5);
    // The check read every frame of this short clip and found no face left.
    assert_eq!(output.facts["frames_checked"], 5, "{}", output.facts);
    assert_eq!(output.facts["faces_remaining"], 0);
    assert_eq!(output.facts["faces_found"], 1);
    assert!(output.facts["passes"].as_u64() >= Some(1));
    assert_eq!(
        (made.media.width, made.media.height),
        (Some(512), Some(512))
    );

    let blurred_path = dir.path().join("blurred.mp4");
    std::fs::write(&blurred_path, read(&cx, made).await).expect("write");
    // Frame 3 (0.6 s) reuses the boxes found on frame 2.
    let before = frame_at(&clip_path, "0.6");
    let after = frame_at(&blurred_path, "0.6");
    let face_before = detail(&before, face_box);
    let face_after = detail(&after, face_box);
    assert!(
        face_after < 0.5 * face_before,
        "face detail {face_before:.2} -> {face_after:.2}"
    );
    // Far from the face (bottom-left corner, the suit and flag) detail is kept.
    let corner = [0, 430, 80, 510];
    let corner_before = detail(&before, corner);
    let corner_after = detail(&after, corner);
    assert!(
        corner_after > 0.7 * corner_before,
        "corner detail {corner_before:.2} -> {corner_after:.2}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blur_faces_video_refuses_a_clip_whose_faces_it_still_sees() {
    let (dir, cx) = context().await;
    let photo =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../vitrine-vision/testdata/astronaut.png");
    let clip_path = dir.path().join("astronaut.mp4");
    ffmpeg(&[
        "-loop",
        "1",
        "-i",
        photo.to_str().expect("utf-8 path"),
        "-t",
        "0.6",
        "-r",
        "5",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        clip_path.to_str().expect("utf-8 path"),
    ]);
    let clip = std::fs::read(&clip_path).expect("clip");
    let video = put(&cx, &clip, ArtifactKind::Video, "video/mp4").await;
    // The smallest mosaic leaves the face visible to the detector, pass after pass.
    let error = ToolCatalog::standard()
        .get("blur_faces_video")
        .expect("tool")
        .run(
            &cx,
            json!({"video": video.id.to_string(), "method": "pixelate", "strength": 0.25}),
        )
        .await
        .expect_err("a face remains visible");
    assert_eq!(error.code(), vitrine_tools::REDACTION_UNVERIFIED, "{error}");
    let message = error.to_string();
    assert!(
        message.contains("3 of 3 sampled frames still show a face"),
        "{message}"
    );
    assert!(message.contains("after 3 redaction passes"), "{message}");
}

/// ffprobe's view of a file: `format` and the first video stream, as JSON.
fn ffprobe_json(path: &Path) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name,pix_fmt,width,height,nb_read_frames:format=format_name,duration",
            "-of",
            "json",
        ])
        .arg(path)
        .output()
        .expect("ffprobe is installed");
    assert!(out.status.success(), "ffprobe failed");
    serde_json::from_slice(&out.stdout).expect("ffprobe JSON")
}

/// Where the first `moov` and `mdat` boxes start: `+faststart` puts the index first.
fn box_offsets(bytes: &[u8]) -> (usize, usize) {
    let find = |name: &[u8]| {
        bytes
            .windows(4)
            .position(|window| window == name)
            .expect("box present")
    };
    (find(b"moov"), find(b"mdat"))
}

#[tokio::test]
async fn transcode_video_makes_a_browser_playable_mp4() {
    let (dir, cx) = context().await;
    // MPEG-4 part 2 in Matroska with 4:4:4 chroma: nothing a browser plays.
    let source = dir.path().join("odd.mkv");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc=size=161x121:rate=10:duration=2",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:duration=2",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv444p",
        "-c:a",
        "libopus",
        "-shortest",
        source.to_str().expect("utf-8 path"),
    ]);
    let video = put(
        &cx,
        &std::fs::read(&source).expect("source"),
        ArtifactKind::Video,
        "video/x-matroska",
    )
    .await;
    let args = json!({"video": video.id.to_string()});
    let output = ToolCatalog::standard()
        .get("transcode_video")
        .expect("tool")
        .run(&cx, args.clone())
        .await
        .expect("transcodes");
    let made = output.output("video").next().expect("video");
    assert!(made.id.to_string().starts_with("vid_"));
    assert_eq!(made.content_type, "video/mp4");
    assert_eq!(made.provenance.parents, vec![video.id.clone()]);
    assert_eq!(made.provenance.params, args);
    let bytes = read(&cx, made).await;
    let (moov, mdat) = box_offsets(&bytes);
    assert!(
        moov < mdat,
        "moov at {moov} after mdat at {mdat}: no faststart"
    );
    let path = dir.path().join("web.mp4");
    std::fs::write(&path, &bytes).expect("write");
    let probe = ffprobe_json(&path);
    let stream = &probe["streams"][0];
    assert_eq!(stream["codec_name"], "h264");
    assert_eq!(stream["pix_fmt"], "yuv420p");
    // yuv420p needs even sizes.
    assert_eq!(
        (&stream["width"], &stream["height"]),
        (&json!(160), &json!(120))
    );
    assert!(
        probe["format"]["format_name"]
            .as_str()
            .is_some_and(|name| name.contains("mp4")),
        "{probe}"
    );
    let duration: f64 = probe["format"]["duration"]
        .as_str()
        .and_then(|text| text.parse().ok())
        .expect("duration");
    assert!((duration - 2.0).abs() <= 0.1, "lasts {duration} s");
    assert_eq!(output.facts["video_codec"], "h264");
    assert_eq!(output.facts["has_audio"], true);

    let error = ToolCatalog::standard()
        .get("transcode_video")
        .expect("tool")
        .run(&cx, json!({"video": video.id.to_string(), "crf": 99}))
        .await
        .expect_err("bad crf");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("`crf`"), "{error}");
}

#[tokio::test]
async fn frames_to_video_has_one_frame_per_image_in_order() {
    let (dir, cx) = context().await;
    let shades = [20_u8, 80, 140, 200, 250];
    let mut images = Vec::new();
    for (index, shade) in shades.into_iter().enumerate() {
        // The last frame is square: it is fitted into the first's 4:3 size, with black bars.
        let (width, height) = if index == 4 { (32, 32) } else { (64, 48) };
        let image = vitrine_media::image::RgbImage::from_pixel(
            width,
            height,
            vitrine_media::image::Rgb([shade, shade, shade]),
        );
        let png = vitrine_media::encode_png(&vitrine_media::image::DynamicImage::ImageRgb8(image))
            .expect("png");
        images.push(put(&cx, &png, ArtifactKind::Image, "image/png").await);
    }
    let ids: Vec<String> = images.iter().map(|meta| meta.id.to_string()).collect();
    let output = ToolCatalog::standard()
        .get("frames_to_video")
        .expect("tool")
        .run(&cx, json!({"images": ids, "fps": 2}))
        .await
        .expect("encodes");
    let made = output.output("video").next().expect("video");
    assert!(made.id.to_string().starts_with("vid_"));
    let parents: Vec<_> = images.iter().map(|meta| meta.id.clone()).collect();
    assert_eq!(made.provenance.parents, parents);
    let path = dir.path().join("slides.mp4");
    std::fs::write(&path, read(&cx, made).await).expect("write");
    let probe = ffprobe_json(&path);
    let stream = &probe["streams"][0];
    assert_eq!(stream["nb_read_frames"], "5");
    assert_eq!(
        (&stream["width"], &stream["height"]),
        (&json!(64), &json!(48))
    );
    let duration = ffprobe_duration(&path);
    assert!((duration - 2.5).abs() <= 0.5, "lasts {duration} s");
    // Decoded frame i has image i's shade.
    for (index, shade) in shades.into_iter().enumerate() {
        let frame = frame_number(&path, index);
        let centre = frame.get_pixel(32, 24)[0];
        assert!(
            centre.abs_diff(shade) <= 6,
            "frame {index}: {centre} vs {shade}"
        );
    }
    // The square frame became 48×48 in the middle: black bars 8 px wide at the sides.
    let last = frame_number(&path, 4);
    assert!(last.get_pixel(2, 24)[0] < 20 && last.get_pixel(61, 24)[0] < 20);
    assert!(last.get_pixel(12, 24)[0] > 230);

    let error = ToolCatalog::standard()
        .get("frames_to_video")
        .expect("tool")
        .run(&cx, json!({"images": [images[0].id.to_string()], "fps": 0}))
        .await
        .expect_err("zero fps");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("`fps`"), "{error}");
    // 1000 frames of 600×600 would hold about 1 GiB of pixels: refused after the first.
    let big = put(&cx, &png(600, 600, 9), ArtifactKind::Image, "image/png").await;
    let error = ToolCatalog::standard()
        .get("frames_to_video")
        .expect("tool")
        .run(&cx, json!({"images": vec![big.id.to_string(); 1000]}))
        .await
        .expect_err("over the memory budget");
    assert!(error.is_client_error());
    assert!(error.to_string().contains("`images`"), "{error}");
}

#[tokio::test]
async fn pdf_info_counts_the_pages_of_a_made_pdf() {
    let (_dir, cx) = context().await;
    let mut ids = Vec::new();
    for shade in [10_u8, 60, 110, 160] {
        ids.push(
            put(&cx, &png(90, 120, shade), ArtifactKind::Image, "image/png")
                .await
                .id
                .to_string(),
        );
    }
    let catalog = ToolCatalog::standard();
    let pdf = catalog
        .get("images_to_pdf")
        .expect("tool")
        .run(&cx, json!({"images": ids}))
        .await
        .expect("pdf");
    let document = pdf.output("document").next().expect("document");
    let info = catalog
        .get("pdf_info")
        .expect("tool")
        .run(&cx, json!({"document": document.id.to_string()}))
        .await
        .expect("info");
    assert!(info.artifacts.is_empty());
    assert_eq!(info.facts["pages"], 4);
    let sizes = info.facts["page_sizes"].as_array().expect("sizes");
    assert_eq!(sizes.len(), 4);
    // Portrait images make portrait pages.
    assert!(sizes[0]["height_pt"].as_f64() > sizes[0]["width_pt"].as_f64());
    // The information dictionary, as pdfinfo reads it: what made the file, and no empty field.
    assert_eq!(info.facts["metadata"]["producer"], "Vitrine");
    assert!(info.facts["metadata"].get("title").is_none());
    assert!(info.facts["author"].is_null());

    let error = catalog
        .get("pdf_info")
        .expect("tool")
        .run(&cx, json!({"document": ids[0]}))
        .await
        .expect_err("an image is not a PDF");
    assert!(error.to_string().contains("`document`"), "{error}");
}

#[tokio::test]
async fn cut_video_takes_the_range_out_and_keeps_the_sound() {
    let (dir, cx) = context().await;
    let clip = clip_with_audio(dir.path());
    let video = put(&cx, &clip, ArtifactKind::Video, "video/mp4").await;
    let args = json!({"video": video.id.to_string(), "start_s": 0.5, "end_s": 1.2});
    let output = ToolCatalog::standard()
        .get("cut_video")
        .expect("tool")
        .run(&cx, args.clone())
        .await
        .expect("runs");
    let made = output.output("video").next().expect("video");
    assert!(made.id.to_string().starts_with("vid_"), "{}", made.id);
    assert_eq!(made.content_type, "video/mp4");
    assert_eq!(made.provenance.parents, vec![video.id.clone()]);
    assert_eq!(made.provenance.params, args);
    let path = dir.path().join("cut.mp4");
    std::fs::write(&path, read(&cx, made).await).expect("write mp4");
    // 2 s less the 0.7 s taken out.
    let duration = ffprobe_duration(&path);
    assert!(
        (duration - 1.3).abs() < 0.15,
        "the cut clip lasts {duration} s"
    );
    let streams = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type",
            "-of",
            "csv=p=0",
        ])
        .arg(&path)
        .output()
        .expect("ffprobe is installed");
    let kinds = String::from_utf8_lossy(&streams.stdout);
    assert!(kinds.contains("audio"), "no audio stream left: {kinds}");
}
