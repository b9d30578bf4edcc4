use vitrine_video::{Ffmpeg, TrimMode, TrimParams, VideoError};

use crate::support::{ClipSpec, clip, make_clip, mean_abs_diff, stream_duration};

#[tokio::test]
async fn exact_trims_last_what_was_asked_to_within_a_frame() {
    let clip = clip();
    let output = clip.out("exact.mp4");
    let params = TrimParams {
        start_s: 1.3,
        end_s: Some(2.7),
        mode: TrimMode::Exact,
    };
    let info = Ffmpeg::new()
        .trim(&clip.path, &output, &params)
        .await
        .expect("trim");
    let frame = 1.0 / 25.0;
    let video = stream_duration(&output, "v");
    assert!((video - 1.4).abs() <= frame, "video stream lasts {video} s");
    assert!(
        (info.duration_s - 1.4).abs() <= frame,
        "file lasts {} s",
        info.duration_s
    );
    assert_eq!(info.video_codec, "h264");
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    assert_eq!(info.frame_count, 35);

    // Frame-accurate: the clip opens on the source's first frame at or after 1.3 s (the one
    // at 1.32 s), not on the 1.28 s frame still showing at 1.3 s nor on a keyframe.
    let ffmpeg = Ffmpeg::new();
    let first = ffmpeg
        .frame_rgb(&output, 0.0, None)
        .await
        .expect("first frame");
    let at_start = ffmpeg
        .frame_rgb(&clip.path, 1.32, None)
        .await
        .expect("source");
    let before = ffmpeg
        .frame_rgb(&clip.path, 1.28, None)
        .await
        .expect("source");
    let to_start = mean_abs_diff(&first, &at_start, |_, _| true);
    let to_before = mean_abs_diff(&first, &before, |_, _| true);
    assert!(
        to_start < 2.0,
        "first frame differs from the 1.32 s frame by {to_start}"
    );
    assert!(
        to_before > to_start + 2.0,
        "first frame is as close to 1.28 s ({to_before})"
    );
}

#[tokio::test]
async fn a_trim_without_an_end_keeps_the_rest_of_the_clip() {
    let clip = clip();
    let output = clip.out("rest.mp4");
    let params = TrimParams {
        start_s: 1.0,
        end_s: None,
        mode: TrimMode::Exact,
    };
    let ffmpeg = Ffmpeg::new();
    let source = ffmpeg.probe(&clip.path).await.expect("probe source");
    let info = ffmpeg
        .trim(&clip.path, &output, &params)
        .await
        .expect("trim");
    let wanted = source.duration_s - 1.0;
    assert!(
        (info.duration_s - wanted).abs() <= 1.0 / 25.0,
        "file lasts {} s, not the {wanted} s after 1 s",
        info.duration_s
    );
}

#[tokio::test]
async fn keyframe_trims_cover_the_range() {
    let clip = clip();
    let output = clip.out("copy.mp4");
    let params = TrimParams {
        start_s: 1.5,
        end_s: Some(2.5),
        mode: TrimMode::Keyframe,
    };
    let info = Ffmpeg::new()
        .trim(&clip.path, &output, &params)
        .await
        .expect("trim");
    // Keyframes sit on every whole second, so the copy starts at 1.0 s and runs to 2.5 s.
    let video = stream_duration(&output, "v");
    assert!(video >= 1.0 - 1e-3, "video stream lasts only {video} s");
    assert!(
        video <= 1.6,
        "video stream lasts {video} s, more than expected"
    );
    assert_eq!(info.video_codec, "h264");
    assert!(info.has_audio);

    // The copy's first frame is the source's at or before 1.5 s, and its last frame is the
    // source's last one before 2.5 s (2.48 s): the range is covered.
    let ffmpeg = Ffmpeg::new();
    let first = ffmpeg
        .frame_rgb(&output, 0.0, None)
        .await
        .expect("first frame");
    let source_first = ffmpeg
        .frame_rgb(&clip.path, 1.0, None)
        .await
        .expect("source");
    let source_start = ffmpeg
        .frame_rgb(&clip.path, 1.5, None)
        .await
        .expect("source");
    let to_keyframe = mean_abs_diff(&first, &source_first, |_, _| true);
    let to_start = mean_abs_diff(&first, &source_start, |_, _| true);
    assert!(
        to_keyframe < 1.0,
        "first frame differs from the 1.0 s keyframe by {to_keyframe}"
    );
    assert!(
        to_start > 2.0,
        "first frame is the 1.5 s frame ({to_start})"
    );
    let last = ffmpeg
        .frame_rgb(&output, info.duration_s - 0.01, None)
        .await
        .expect("last frame");
    let source_end = ffmpeg
        .frame_rgb(&clip.path, 2.49, None)
        .await
        .expect("source");
    let to_end = mean_abs_diff(&last, &source_end, |_, _| true);
    assert!(
        to_end < 1.0,
        "last frame differs from the source's 2.48 s frame (the last before 2.5 s) by {to_end}"
    );
}

#[tokio::test]
async fn an_end_past_the_clip_names_the_parameter_and_writes_nothing() {
    let clip = clip();
    let output = clip.out("never.mp4");
    let params = TrimParams {
        start_s: 1.0,
        end_s: Some(12.0),
        mode: TrimMode::Exact,
    };
    let error = Ffmpeg::new()
        .trim(&clip.path, &output, &params)
        .await
        .expect_err("past the end");
    assert!(
        matches!(error, VideoError::InvalidParameter { .. }),
        "{error:?}"
    );
    assert_eq!(error.code(), "invalid-parameter");
    assert_eq!(error.parameter(), Some("end_s"));
    assert_eq!(
        error.to_string(),
        "`end_s` 12.000 s is past the clip's duration 4.000 s"
    );
    assert!(!output.exists());
}

#[tokio::test]
async fn an_ffmpeg_failure_carries_its_stderr_and_removes_the_partial_output() {
    let clip = clip();
    // A directory that does not exist: ffmpeg itself fails to open the output.
    let output = clip.out("missing-dir/out.mp4");
    let params = TrimParams {
        start_s: 0.0,
        end_s: Some(1.0),
        mode: TrimMode::Keyframe,
    };
    let error = Ffmpeg::new()
        .trim(&clip.path, &output, &params)
        .await
        .expect_err("unwritable output");
    assert!(matches!(error, VideoError::ToolFailed { .. }), "{error:?}");
    assert!(
        error.to_string().contains("No such file or directory"),
        "{error}"
    );
}

#[tokio::test]
async fn exact_trims_of_odd_sized_clips_come_out_even() {
    // MJPEG in AVI can have odd sizes, which H.264 in yuv420p cannot.
    let clip = make_clip(&ClipSpec {
        seconds: 1.0,
        audio: false,
        ..ClipSpec::default()
    });
    let odd = clip.out("odd.avi");
    let status = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-i"])
        .arg(&clip.path)
        .args(["-vf", "scale=161:121", "-c:v", "mjpeg"])
        .arg(&odd)
        .status()
        .expect("ffmpeg runs");
    assert!(status.success());
    let params = TrimParams {
        start_s: 0.2,
        end_s: Some(0.8),
        mode: TrimMode::Exact,
    };
    let info = Ffmpeg::new()
        .trim(&odd, &clip.out("even.mp4"), &params)
        .await
        .expect("trim");
    assert_eq!((info.width, info.height), (160, 120));
    assert_eq!(info.video_codec, "h264");
}
