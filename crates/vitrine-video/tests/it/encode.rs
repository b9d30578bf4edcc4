use image::Rgb;
use vitrine_video::{ExtractAudioParams, Ffmpeg, RgbImage, TranscodeParams, VideoError};

use crate::support::{ClipSpec, clip, make_clip, mean_abs_diff, stream_duration};

#[tokio::test]
async fn transcoding_gives_even_sizes_h264_and_aac() {
    // Odd sizes and an odd scale target both have to come out even.
    let clip = make_clip(&ClipSpec {
        width: 321,
        height: 241,
        seconds: 2.0,
        ..ClipSpec::default()
    });
    let output = clip.out("web.mp4");
    let params = TranscodeParams {
        max_side: Some(161),
        crf: None,
    };
    let info = Ffmpeg::new()
        .transcode_mp4(&clip.path, &output, &params)
        .await
        .expect("transcode");
    assert_eq!((info.width, info.height), (160, 120));
    assert_eq!(info.video_codec, "h264");
    assert_eq!(info.audio_codec.as_deref(), Some("aac"));
    assert!(
        (info.duration_s - 2.0).abs() < 0.05,
        "{} s",
        info.duration_s
    );
    // +faststart puts the index (moov) before the media data (mdat).
    let bytes = std::fs::read(&output).expect("read output");
    let position = |tag: &[u8]| bytes.windows(4).position(|window| window == tag);
    assert!(
        position(b"moov") < position(b"mdat"),
        "moov must come first"
    );
}

#[tokio::test]
async fn a_crf_out_of_range_names_the_parameter() {
    let clip = clip();
    let params = TranscodeParams {
        max_side: None,
        crf: Some(60),
    };
    let error = Ffmpeg::new()
        .transcode_mp4(&clip.path, &clip.out("x.mp4"), &params)
        .await
        .expect_err("crf 60");
    assert_eq!(error.to_string(), "`crf` 60 must be between 0 and 51");
}

fn solid(width: u32, height: u32, color: [u8; 3]) -> RgbImage {
    RgbImage::from_pixel(width, height, Rgb(color))
}

#[tokio::test]
async fn frames_become_a_video_with_those_frames() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let output = dir.path().join("frames.mp4");
    let colors = [[200, 30, 30], [30, 200, 30], [30, 30, 200]];
    let frames: Vec<RgbImage> = colors
        .iter()
        .flat_map(|color| std::iter::repeat_n(solid(96, 64, *color), 10))
        .collect();
    let ffmpeg = Ffmpeg::new();
    let info = ffmpeg
        .frames_to_mp4(&frames, 10.0, &output)
        .await
        .expect("encode");
    assert_eq!((info.width, info.height), (96, 64));
    assert_eq!(info.frame_count, 30);
    assert!(
        (info.duration_s - 3.0).abs() < 0.05,
        "{} s",
        info.duration_s
    );
    assert!(!info.has_audio);
    for (second, color) in colors.iter().enumerate() {
        let decoded = ffmpeg
            .frame_rgb(&output, second as f64 + 0.5, None)
            .await
            .expect("decode");
        let difference = mean_abs_diff(&decoded, &solid(96, 64, *color), |_, _| true);
        assert!(difference < 6.0, "second {second} differs by {difference}");
    }
}

#[tokio::test]
async fn frames_of_different_sizes_are_refused_by_index() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let frames = vec![
        solid(10, 10, [0, 0, 0]),
        solid(10, 10, [0, 0, 0]),
        solid(12, 10, [0, 0, 0]),
    ];
    let error = Ffmpeg::new()
        .frames_to_mp4(&frames, 5.0, &dir.path().join("x.mp4"))
        .await
        .expect_err("mixed sizes");
    assert!(
        error.to_string().starts_with("`frames[2]` is 12x10"),
        "{error}"
    );
    let error = Ffmpeg::new()
        .frames_to_mp4(&[], 5.0, &dir.path().join("x.mp4"))
        .await
        .expect_err("no frames");
    assert_eq!(error.to_string(), "`frames` is empty");
}

#[tokio::test]
async fn frame_files_are_read_one_by_one() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut paths = Vec::new();
    for (index, color) in [[250, 250, 20], [20, 20, 250]].iter().enumerate() {
        let path = dir.path().join(format!("frame-{index}.png"));
        solid(64, 48, *color).save(&path).expect("save PNG");
        paths.push(path);
    }
    let ffmpeg = Ffmpeg::new();
    let output = dir.path().join("files.mp4");
    let info = ffmpeg
        .frame_files_to_mp4(&paths, 1.0, &output)
        .await
        .expect("encode");
    assert_eq!((info.width, info.height, info.frame_count), (64, 48, 2));
    let second = ffmpeg.frame_rgb(&output, 1.5, None).await.expect("decode");
    assert!(mean_abs_diff(&second, &solid(64, 48, [20, 20, 250]), |_, _| true) < 6.0);

    // A file that is not an image is named by its index, and no partial video is left.
    let junk = dir.path().join("junk.png");
    std::fs::write(&junk, b"not an image").expect("write");
    paths.push(junk);
    let output = dir.path().join("broken.mp4");
    let error = ffmpeg
        .frame_files_to_mp4(&paths, 1.0, &output)
        .await
        .expect_err("junk frame");
    assert!(
        error
            .to_string()
            .starts_with("`frames[2]` is not a PNG or JPEG"),
        "{error}"
    );
    assert!(!output.exists());
}

#[tokio::test]
async fn odd_sized_frames_are_padded_to_even() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let frames = vec![solid(33, 21, [120, 120, 120]); 5];
    let info = Ffmpeg::new()
        .frames_to_mp4(&frames, 5.0, &dir.path().join("odd.mp4"))
        .await
        .expect("encode");
    assert_eq!((info.width, info.height), (34, 22));
}

#[tokio::test]
async fn the_soundtrack_becomes_an_mp3_of_the_same_length() {
    let clip = clip();
    let output = clip.out("sound.mp3");
    let info = Ffmpeg::new()
        .extract_audio_mp3(&clip.path, &output, &ExtractAudioParams::default())
        .await
        .expect("mp3");
    assert_eq!(info.format_name, "mp3");
    assert!(info.video.is_none());
    let audio = info.audio.expect("an audio stream");
    assert_eq!(audio.codec, "mp3");
    assert_eq!(audio.sample_rate, 44_100);
    assert!((info.duration_s - 4.0).abs() < 0.1, "{} s", info.duration_s);
    assert!((stream_duration(&output, "a") - 4.0).abs() < 0.1);
    let bytes = std::fs::read(&output).expect("read");
    assert!(
        bytes.starts_with(b"ID3") || bytes[0] == 0xFF,
        "an MP3 header"
    );
}

#[tokio::test]
async fn a_silent_clip_has_no_audio_to_extract() {
    let clip = make_clip(&ClipSpec {
        audio: false,
        seconds: 1.0,
        ..ClipSpec::default()
    });
    let output = clip.out("none.mp3");
    let error = Ffmpeg::new()
        .extract_audio_mp3(&clip.path, &output, &ExtractAudioParams::default())
        .await
        .expect_err("no audio");
    assert!(
        matches!(error, VideoError::NoAudioStream { .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .ends_with("has no audio stream to extract"),
        "{error}"
    );
    assert!(!output.exists());
}
