use vitrine_video::{
    ContactSheetParams, ExtractFramesParams, Ffmpeg, FrameSelection, ImageFormat, RgbImage,
    ThumbnailParams, VideoError,
};

use crate::support::{clip, mean_abs_diff};

fn decode(bytes: &[u8]) -> RgbImage {
    image::load_from_memory(bytes)
        .expect("a decodable image")
        .to_rgb8()
}

#[tokio::test]
async fn evenly_spaced_frames_differ_and_have_the_requested_size() {
    let clip = clip();
    let params = ExtractFramesParams {
        selection: FrameSelection::Evenly { count: 4 },
        format: ImageFormat::Png,
        max_side: Some(160),
    };
    let frames = Ffmpeg::new()
        .extract_frames(&clip.path, &params)
        .await
        .expect("frames");
    let times: Vec<f64> = frames.iter().map(|frame| frame.timestamp_s).collect();
    assert_eq!(times, vec![0.5, 1.5, 2.5, 3.5]);
    let images: Vec<RgbImage> = frames
        .iter()
        .map(|frame| decode(&frame.image.bytes))
        .collect();
    for (frame, image) in frames.iter().zip(&images) {
        assert_eq!(image.dimensions(), (160, 120));
        assert_eq!((frame.image.width, frame.image.height), (160, 120));
        assert!(frame.image.bytes.starts_with(b"\x89PNG"));
    }
    // testsrc2 moves every frame, so frames a second apart must differ clearly.
    for pair in images.windows(2) {
        let difference = mean_abs_diff(&pair[0], &pair[1], |_, _| true);
        assert!(
            difference > 2.0,
            "consecutive frames differ by only {difference}"
        );
    }
}

#[tokio::test]
async fn frames_at_times_match_the_frames_decoded_there() {
    let clip = clip();
    let ffmpeg = Ffmpeg::new();
    let params = ExtractFramesParams {
        selection: FrameSelection::Times {
            times_s: vec![3.0, 0.2],
        },
        format: ImageFormat::Jpeg,
        max_side: None,
    };
    let frames = ffmpeg
        .extract_frames(&clip.path, &params)
        .await
        .expect("frames");
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].timestamp_s, 3.0);
    assert!(frames[0].image.bytes.starts_with(&[0xFF, 0xD8]), "a JPEG");
    let jpeg = decode(&frames[0].image.bytes);
    let raw = ffmpeg
        .frame_rgb(&clip.path, 3.0, None)
        .await
        .expect("raw frame");
    assert_eq!(raw.dimensions(), (320, 240));
    let same = mean_abs_diff(&jpeg, &raw, |_, _| true);
    assert!(
        same < 4.0,
        "the JPEG at 3 s differs from the raw frame by {same}"
    );
    let other = ffmpeg
        .frame_rgb(&clip.path, 0.2, None)
        .await
        .expect("raw frame");
    let different = mean_abs_diff(&jpeg, &other, |_, _| true);
    assert!(
        different > same + 2.0,
        "frames at 3 s and 0.2 s look alike ({different})"
    );
}

#[tokio::test]
async fn every_n_seconds_covers_the_clip_and_the_last_frame_is_reachable() {
    let clip = clip();
    let ffmpeg = Ffmpeg::new();
    let params = ExtractFramesParams {
        selection: FrameSelection::Every { interval_s: 1.5 },
        format: ImageFormat::Png,
        max_side: Some(64),
    };
    let frames = ffmpeg
        .extract_frames(&clip.path, &params)
        .await
        .expect("frames");
    let times: Vec<f64> = frames.iter().map(|frame| frame.timestamp_s).collect();
    assert_eq!(times, vec![0.0, 1.5, 3.0]);
    // 3.99 s lies inside the last frame (3.96 s to 4.0 s).
    let last = ffmpeg
        .frame_rgb(&clip.path, 3.99, Some(64))
        .await
        .expect("last frame");
    assert_eq!(last.dimensions(), (64, 48));
}

#[tokio::test]
async fn a_time_past_the_end_names_its_index() {
    let clip = clip();
    let params = ExtractFramesParams {
        selection: FrameSelection::Times {
            times_s: vec![1.0, 4.5],
        },
        format: ImageFormat::Png,
        max_side: None,
    };
    let error = Ffmpeg::new()
        .extract_frames(&clip.path, &params)
        .await
        .expect_err("4.5 s is past the end");
    assert!(matches!(error, VideoError::InvalidParameter { .. }));
    assert!(
        error.to_string().starts_with("`times_s[1]` 4.500 s"),
        "{error}"
    );
}

#[tokio::test]
async fn thumbnails_fit_the_requested_side() {
    let clip = clip();
    let params = ThumbnailParams {
        at_s: Some(2.0),
        max_side: 100,
        format: ImageFormat::Jpeg,
    };
    let thumbnail = Ffmpeg::new()
        .thumbnail(&clip.path, &params)
        .await
        .expect("thumbnail");
    assert_eq!(thumbnail.timestamp_s, 2.0);
    assert_eq!(decode(&thumbnail.image.bytes).dimensions(), (100, 75));
}

#[tokio::test]
async fn contact_sheets_lay_out_distinct_tiles() {
    let clip = clip();
    let params = ContactSheetParams {
        columns: 3,
        rows: None,
        count: Some(5),
        tile_width: 80,
        format: ImageFormat::Png,
    };
    let sheet = Ffmpeg::new()
        .contact_sheet(&clip.path, &params)
        .await
        .expect("sheet");
    assert_eq!((sheet.columns, sheet.rows), (3, 2));
    assert_eq!(sheet.timestamps_s, vec![0.4, 1.2, 2.0, 2.8, 3.6]);
    let image = decode(&sheet.image.bytes);
    // 3 tiles of 80 and 4 gaps of 4 across; 2 tiles of 60 and 3 gaps down.
    assert_eq!(image.dimensions(), (3 * 80 + 4 * 4, 2 * 60 + 3 * 4));
    let tile = |index: u32| {
        let (x, y) = (4 + (index % 3) * 84, 4 + (index / 3) * 64);
        image::imageops::crop_imm(&image, x, y, 80, 60).to_image()
    };
    assert!(mean_abs_diff(&tile(0), &tile(1), |_, _| true) > 2.0);
    assert!(mean_abs_diff(&tile(3), &tile(4), |_, _| true) > 2.0);
    // The sixth slot is empty: all background.
    let empty = tile(5);
    assert!(empty.pixels().all(|pixel| pixel.0 == [32, 32, 32]));
}
