use std::time::Duration;

use vitrine_video::{Ffmpeg, Limits, ThumbnailParams, VideoError};

use crate::support::{ClipSpec, clip, make_clip};

#[tokio::test]
async fn probe_reports_size_rate_codecs_and_frames() {
    let clip = clip();
    let info = Ffmpeg::new().probe(&clip.path).await.expect("probe");
    assert_eq!((info.width, info.height), (320, 240));
    assert!((info.fps - 25.0).abs() < 1e-9, "fps {}", info.fps);
    assert!(
        (info.duration_s - 4.0).abs() < 0.05,
        "duration {}",
        info.duration_s
    );
    assert_eq!(info.video_codec, "h264");
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    assert!(info.has_audio);
    assert_eq!(info.frame_count, 100);
}

#[tokio::test]
async fn a_silent_clip_has_no_audio() {
    let clip = make_clip(&ClipSpec {
        audio: false,
        ..ClipSpec::default()
    });
    let info = Ffmpeg::new().probe(&clip.path).await.expect("probe");
    assert!(!info.has_audio);
    assert_eq!(info.audio_codec, None);
}

#[tokio::test]
async fn clips_over_the_duration_limit_are_refused_before_decoding() {
    let clip = clip();
    let ffmpeg = Ffmpeg::new().with_limits(Limits {
        max_input_duration_s: 2.0,
        ..Limits::default()
    });
    let error = ffmpeg
        .thumbnail(
            &clip.path,
            &ThumbnailParams {
                at_s: None,
                max_side: 64,
                format: Default::default(),
            },
        )
        .await
        .expect_err("4 s is over 2 s");
    assert!(
        matches!(error, VideoError::InputTooLong { .. }),
        "{error:?}"
    );
    assert!(error.is_client_error());
    assert!(
        error.to_string().contains("over the limit of 2.0 s"),
        "{error}"
    );
}

#[tokio::test]
async fn a_text_file_is_an_unreadable_input_with_ffprobes_reason() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("not-a-video.mp4");
    std::fs::write(&path, "hello, I am not a video").expect("write");
    let error = Ffmpeg::new().probe(&path).await.expect_err("not a video");
    assert!(
        matches!(error, VideoError::UnreadableInput { .. }),
        "{error:?}"
    );
    assert!(error.is_client_error());
    let message = error.to_string();
    assert!(message.contains("not-a-video.mp4"), "{message}");
    assert!(message.contains("Invalid data found"), "{message}");
}

#[tokio::test]
async fn a_missing_file_says_so() {
    let error = Ffmpeg::new()
        .probe("/nonexistent/clip.mp4".as_ref())
        .await
        .expect_err("missing");
    assert!(
        matches!(error, VideoError::InputNotFound { .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_missing_ffmpeg_is_reported_with_how_to_install_it() {
    let clip = clip();
    let ffmpeg = Ffmpeg::with_programs("/nonexistent/ffmpeg", "/nonexistent/ffprobe");
    let error = ffmpeg
        .probe(&clip.path)
        .await
        .expect_err("no ffprobe there");
    assert!(
        matches!(error, VideoError::ToolNotInstalled { .. }),
        "{error:?}"
    );
    assert!(!error.is_client_error());
    assert!(
        error.to_string().contains("apt-get install ffmpeg"),
        "{error}"
    );
    assert!(ffmpeg.version().await.is_err());
    let version = Ffmpeg::new().version().await.expect("ffmpeg is installed");
    assert!(version.starts_with("ffmpeg version"), "{version}");
}

#[tokio::test]
async fn a_call_past_its_time_limit_is_killed() {
    let clip = clip();
    let ffmpeg = Ffmpeg::new().with_limits(Limits {
        timeout: Duration::from_millis(1),
        ..Limits::default()
    });
    let error = ffmpeg
        .probe(&clip.path)
        .await
        .expect_err("1 ms is too short");
    assert!(matches!(error, VideoError::Timeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("did not finish within 0.001 s"),
        "{error}"
    );
}

#[tokio::test]
async fn playlists_posing_as_videos_are_refused() {
    let clip = clip();
    // An HLS playlist that would pull a local file and a URL into the "video".
    let playlist = clip.out("playlist.mp4");
    let text = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-MEDIA-SEQUENCE:0\n\
                #EXTINF:4.0,\nsource.mp4\n#EXTINF:4.0,\nhttp://127.0.0.1:9/x.ts\n#EXT-X-ENDLIST\n";
    std::fs::write(&playlist, text).expect("write");
    let ffmpeg = Ffmpeg::new();
    let error = ffmpeg.probe(&playlist).await.expect_err("a playlist");
    assert!(
        matches!(error, VideoError::UnreadableInput { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("refer to other files or URLs"),
        "{error}"
    );
    let output = clip.out("out.mp4");
    let transcoded = ffmpeg
        .transcode_mp4(&playlist, &output, &Default::default())
        .await;
    assert!(transcoded.is_err());
    assert!(!output.exists());
}
