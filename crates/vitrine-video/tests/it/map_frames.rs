use image::Rgb;
use vitrine_video::{Ffmpeg, MapFramesParams};

use crate::support::{clip, mean_abs_diff, stream_duration};

/// The painted box: x 40..120, y 30..90.
fn in_box(x: u32, y: u32) -> bool {
    (40..120).contains(&x) && (30..90).contains(&y)
}

#[tokio::test]
async fn a_painted_box_shows_in_every_frame_and_the_rest_is_kept() {
    let clip = clip();
    let output = clip.out("boxed.mp4");
    let ffmpeg = Ffmpeg::new();
    let mut seen = Vec::new();
    let report = ffmpeg
        .map_frames(
            &clip.path,
            &output,
            &MapFramesParams::default(),
            |index, time, frame| {
                seen.push((index, time));
                for y in 30..90 {
                    for x in 40..120 {
                        frame.put_pixel(x, y, Rgb([255, 0, 255]));
                    }
                }
            },
        )
        .await
        .expect("map frames");
    assert_eq!(report.frames, 100);
    assert_eq!((report.width, report.height), (320, 240));
    assert_eq!(seen.len(), 100);
    assert_eq!(seen[0], (0, 0.0));
    assert_eq!(seen[50], (50, 2.0));

    let info = ffmpeg.probe(&output).await.expect("probe output");
    assert_eq!(info.frame_count, 100);
    assert_eq!(
        info.audio_codec.as_deref(),
        Some("aac"),
        "the audio is kept"
    );
    assert!((stream_duration(&output, "a") - 4.0).abs() < 0.1);

    let magenta = image::RgbImage::from_pixel(320, 240, Rgb([255, 0, 255]));
    for at_s in [0.5, 2.2, 3.9] {
        let before = ffmpeg
            .frame_rgb(&clip.path, at_s, None)
            .await
            .expect("source");
        let after = ffmpeg.frame_rgb(&output, at_s, None).await.expect("output");
        let in_box_now = mean_abs_diff(&after, &magenta, |x, y| in_box(x, y) && interior(x, y));
        assert!(
            in_box_now < 8.0,
            "box at {at_s} s is off magenta by {in_box_now}"
        );
        let changed = mean_abs_diff(&after, &before, in_box);
        assert!(changed > 40.0, "box at {at_s} s barely changed ({changed})");
        // Outside the box (away from its edges, where chroma subsampling bleeds) stays put.
        let kept = mean_abs_diff(&after, &before, |x, y| !near_box(x, y));
        assert!(kept < 4.0, "outside the box at {at_s} s differs by {kept}");
    }
}

/// Inside the box by at least 4 px.
fn interior(x: u32, y: u32) -> bool {
    (44..116).contains(&x) && (34..86).contains(&y)
}

/// Within 8 px of the box.
fn near_box(x: u32, y: u32) -> bool {
    (32..128).contains(&x) && (22..98).contains(&y)
}

#[tokio::test]
async fn map_frames_can_scale_down_first() {
    let clip = clip();
    let output = clip.out("small.mp4");
    let mut sizes = std::collections::BTreeSet::new();
    let params = MapFramesParams {
        max_side: Some(100),
        crf: Some(30),
    };
    let report = Ffmpeg::new()
        .map_frames(&clip.path, &output, &params, |_, _, frame| {
            sizes.insert(frame.dimensions());
        })
        .await
        .expect("map frames");
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), vec![(100, 74)]);
    assert_eq!((report.width, report.height), (100, 74));
}

#[tokio::test]
async fn rotated_phone_clips_are_seen_and_written_upright() {
    let clip = clip();
    // A landscape-coded clip marked "display rotated by 90°", as phones record portrait video.
    let rotated = clip.out("rotated.mp4");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(&clip.path)
        .args(["-c", "copy", "-metadata:s:v:0", "rotate=90"])
        .arg(&rotated)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());

    let ffmpeg = Ffmpeg::new();
    let info = ffmpeg.probe(&rotated).await.expect("probe");
    assert_eq!((info.width, info.height), (240, 320));
    let upright = ffmpeg.frame_rgb(&rotated, 1.0, None).await.expect("frame");
    let coded = ffmpeg
        .frame_rgb(&clip.path, 1.0, None)
        .await
        .expect("frame");
    let turned = image::imageops::rotate270(&coded);
    assert!(mean_abs_diff(&upright, &turned, |_, _| true) < 1.0);

    let output = clip.out("rotated-mapped.mp4");
    let mut sizes = std::collections::BTreeSet::new();
    ffmpeg
        .map_frames(
            &rotated,
            &output,
            &MapFramesParams::default(),
            |_, _, frame| {
                sizes.insert(frame.dimensions());
            },
        )
        .await
        .expect("map frames");
    assert_eq!(sizes.into_iter().collect::<Vec<_>>(), vec![(240, 320)]);
    let mapped = ffmpeg.frame_rgb(&output, 1.0, None).await.expect("frame");
    assert!(mean_abs_diff(&mapped, &upright, |_, _| true) < 3.0);
}

#[tokio::test]
async fn silent_clips_map_to_silent_clips() {
    let clip = crate::support::make_clip(&crate::support::ClipSpec {
        audio: false,
        seconds: 1.0,
        ..Default::default()
    });
    let output = clip.out("silent.mp4");
    let report = Ffmpeg::new()
        .map_frames(
            &clip.path,
            &output,
            &MapFramesParams::default(),
            |_, _, frame| {
                image::imageops::invert(frame);
            },
        )
        .await
        .expect("map frames");
    assert_eq!(report.frames, 25);
    let info = Ffmpeg::new().probe(&output).await.expect("probe");
    assert!(!info.has_audio);
    assert_eq!(info.frame_count, 25);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_map_runs_frames_on_a_blocking_pool_and_keeps_their_order() {
    let clip = crate::support::make_clip(&crate::support::ClipSpec {
        audio: false,
        seconds: 1.0,
        ..Default::default()
    });
    let output = clip.out("async.mp4");
    let runtime_thread = std::thread::current().id();
    let report = Ffmpeg::new()
        .map_frames_async(
            &clip.path,
            &output,
            &MapFramesParams::default(),
            |index, _, mut frame| async move {
                tokio::task::spawn_blocking(move || {
                    assert_ne!(std::thread::current().id(), runtime_thread);
                    // Frame N gets a bar N pixels wide, so order shows in the output.
                    for y in 0..20 {
                        for x in 0..(index as u32 * 10).min(frame.width()) {
                            frame.put_pixel(x, y, Rgb([255, 255, 255]));
                        }
                    }
                    frame
                })
                .await
                .map_err(|error| {
                    vitrine_video::VideoError::MissingOutput(format!("worker failed: {error}"))
                })
            },
        )
        .await
        .expect("map frames");
    assert_eq!(report.frames, 25);
    let ffmpeg = Ffmpeg::new();
    // Frame 12 (0.48 s at 25 fps) has a 120 px bar: white at x = 100, not at x = 140.
    let frame = ffmpeg.frame_rgb(&output, 0.48, None).await.expect("frame");
    assert!(
        frame.get_pixel(100, 10)[0] > 220,
        "{:?}",
        frame.get_pixel(100, 10)
    );
    assert!(frame.get_pixel(140, 10).0 != [255, 255, 255]);
}

#[tokio::test]
async fn an_error_from_the_frame_operation_stops_the_pipeline_and_removes_the_output() {
    let clip = clip();
    let output = clip.out("failed.mp4");
    let error = Ffmpeg::new()
        .map_frames_async(
            &clip.path,
            &output,
            &MapFramesParams::default(),
            |index, _, frame| async move {
                if index == 3 {
                    Err(MyError::Frame(index))
                } else {
                    Ok(frame)
                }
            },
        )
        .await
        .expect_err("frame 3 fails");
    assert!(matches!(error, MyError::Frame(3)), "{error:?}");
    assert!(!output.exists(), "the partial output is removed");
}

/// A caller's own error type, to show it comes back unchanged.
#[derive(Debug)]
enum MyError {
    Frame(u64),
    #[expect(dead_code, reason = "only carried, never read")]
    Video(vitrine_video::VideoError),
}

impl From<vitrine_video::VideoError> for MyError {
    fn from(error: vitrine_video::VideoError) -> Self {
        MyError::Video(error)
    }
}
