//! Test clips made with ffmpeg, and pixel comparisons.

use std::path::{Path, PathBuf};
use std::process::Command;

use vitrine_video::RgbImage;

/// A temporary directory holding one generated clip.
pub(crate) struct Clip {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) path: PathBuf,
}

impl Clip {
    /// A path for an output file inside the clip's directory.
    pub(crate) fn out(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// What to render.
pub(crate) struct ClipSpec {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) fps: u32,
    pub(crate) seconds: f64,
    pub(crate) audio: bool,
}

impl Default for ClipSpec {
    fn default() -> Self {
        Self {
            width: 320,
            height: 240,
            fps: 25,
            seconds: 4.0,
            audio: true,
        }
    }
}

/// Renders `testsrc2` (+ a 440 Hz `sine`) as H.264/AAC with a keyframe every second.
pub(crate) fn make_clip(spec: &ClipSpec) -> Clip {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("source.mp4");
    let ClipSpec {
        width,
        height,
        fps,
        seconds,
        audio,
    } = *spec;
    let mut command = Command::new("ffmpeg");
    command.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
    ]);
    command.arg(format!(
        "testsrc2=size={width}x{height}:rate={fps}:duration={seconds}"
    ));
    if audio {
        command.args(["-f", "lavfi", "-i"]);
        command.arg(format!("sine=frequency=440:duration={seconds}"));
    }
    command.args([
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
        "-g",
    ]);
    command.arg(fps.to_string());
    if audio {
        command.args(["-c:a", "aac", "-shortest"]);
    }
    command.arg(&path);
    let status = command
        .status()
        .expect("ffmpeg runs (apt-get install ffmpeg)");
    assert!(status.success(), "ffmpeg could not render the test clip");
    Clip { dir, path }
}

/// The default 4 s 320x240 25 fps clip with audio.
pub(crate) fn clip() -> Clip {
    make_clip(&ClipSpec::default())
}

/// Mean absolute difference per channel over a region of two same-size images.
pub(crate) fn mean_abs_diff(a: &RgbImage, b: &RgbImage, region: impl Fn(u32, u32) -> bool) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let mut total = 0u64;
    let mut count = 0u64;
    for (x, y, pixel) in a.enumerate_pixels() {
        if !region(x, y) {
            continue;
        }
        let other = b.get_pixel(x, y);
        for channel in 0..3 {
            total += u64::from(pixel[channel].abs_diff(other[channel]));
            count += 1;
        }
    }
    assert!(count > 0, "empty region");
    total as f64 / count as f64
}

/// ffprobe's duration of one stream type (`v` or `a`), in seconds, straight from the tool.
pub(crate) fn stream_duration(path: &Path, stream: &str) -> f64 {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", &format!("{stream}:0")])
        .args(["-show_entries", "stream=duration", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .expect("ffprobe runs");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("a stream duration")
}
