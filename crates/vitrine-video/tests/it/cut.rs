use vitrine_video::{CutParams, Ffmpeg, VideoError};

use crate::support::{clip, mean_abs_diff, stream_duration};

#[tokio::test]
async fn a_cut_removes_the_range_and_joins_the_rest() {
    let clip = clip();
    let output = clip.out("cut.mp4");
    let params = CutParams {
        start_s: 1.0,
        end_s: 2.6,
    };
    let ffmpeg = Ffmpeg::new();
    let info = ffmpeg.cut(&clip.path, &output, &params).await.expect("cut");
    // 4 s less the 1.6 s removed, video and audio alike.
    let frame = 1.0 / 25.0;
    for stream in ["v", "a"] {
        let length = stream_duration(&output, stream);
        assert!(
            (length - 2.4).abs() <= 2.0 * frame,
            "{stream} stream lasts {length} s"
        );
    }
    assert_eq!(info.video_codec, "h264");
    assert!(info.has_audio);

    // Before the cut the output is the source; after it, the source 1.6 s later (times sit
    // mid-frame: frames are 40 ms apart and the cut is on frame boundaries).
    for (at_output, at_source, other) in [(0.52, 0.52, 2.12), (1.62, 3.22, 1.62)] {
        let got = ffmpeg
            .frame_rgb(&output, at_output, None)
            .await
            .expect("output frame");
        let same = ffmpeg
            .frame_rgb(&clip.path, at_source, None)
            .await
            .expect("source");
        let different = ffmpeg
            .frame_rgb(&clip.path, other, None)
            .await
            .expect("source");
        let to_same = mean_abs_diff(&got, &same, |_, _| true);
        let to_other = mean_abs_diff(&got, &different, |_, _| true);
        assert!(
            to_same < 2.0,
            "output {at_output} s differs from source {at_source} s by {to_same}"
        );
        assert!(
            to_other > to_same + 2.0,
            "output {at_output} s is as close to source {other} s ({to_other})"
        );
    }
}

#[tokio::test]
async fn a_cut_from_the_start_keeps_only_the_end() {
    let clip = clip();
    let output = clip.out("tail.mp4");
    let params = CutParams {
        start_s: 0.0,
        end_s: 3.0,
    };
    let info = Ffmpeg::new()
        .cut(&clip.path, &output, &params)
        .await
        .expect("cut");
    assert!(
        (info.duration_s - 1.0).abs() <= 2.0 / 25.0,
        "file lasts {} s",
        info.duration_s
    );
}

#[tokio::test]
async fn a_cut_of_everything_names_the_parameter_and_writes_nothing() {
    let clip = clip();
    let output = clip.out("never.mp4");
    let params = CutParams {
        start_s: 0.0,
        end_s: 4.0,
    };
    let error = Ffmpeg::new()
        .cut(&clip.path, &output, &params)
        .await
        .expect_err("nothing left");
    assert!(
        matches!(error, VideoError::InvalidParameter { .. }),
        "{error:?}"
    );
    assert_eq!(error.parameter(), Some("end_s"));
    assert!(!output.exists());
}
