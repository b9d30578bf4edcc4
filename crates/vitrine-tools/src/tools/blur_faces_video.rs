//! `blur_faces_video`: hide every face in every frame of a clip, keeping its audio.
//!
//! The face detector runs on every `detect_every`-th frame; the frames in between reuse the
//! last boxes, which bounds the cost on long clips (faces move little in a fraction of a
//! second, and the padding covers the motion).
//!
//! Then the output is checked (`crate::verify`): frames sampled evenly over the clip are
//! searched by the detector's second look. If any still shows a face, the clip is redacted
//! again, every frame at the second look's threshold, up to two more times; else the tool fails.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, RgbImage};
use vitrine_media::{Color, RedactMethod, RedactParams, Region};
use vitrine_store::MediaInfo;
use vitrine_video::{Ffmpeg, MapFramesParams};
use vitrine_vision::{FaceOptions, Models};
use vitrine_wire::ArtifactKind;

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::{Input, Intent, Meaning};
use crate::refs::VideoRef;
use crate::tool::{MadeArtifact, OutputSpec, Tool, ToolOutput, Toolset};
use crate::tools::detect_faces::pixel_box;
use crate::verify::{EXTRA_PASSES, faces_in_frames, faces_remaining, second_look_score};

/// Arguments of `blur_faces_video`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
pub struct BlurFacesVideoArgs {
    /// The clip whose faces to hide.
    pub video: VideoRef,
    /// `blur` (default), `pixelate` or `fill`.
    #[serde(default)]
    pub method: RedactMethod,
    /// Multiplies the blur sigma or block size, 0.25..4; default 1.5 (unrecognisable).
    #[serde(default = "default_strength")]
    pub strength: f64,
    /// Grow each face box by this fraction on every side; default 0.3 (covers motion between
    /// detections).
    #[serde(default = "default_padding")]
    pub padding_ratio: f64,
    /// Minimum face detector confidence, 0..1; default 0.4.
    #[serde(default = "default_min_score")]
    pub min_score: f32,
    /// Run the detector on every N-th frame and reuse its boxes in between; default 1 (every
    /// frame).
    #[serde(default = "default_detect_every")]
    #[schemars(range(min = 1, max = 30))]
    pub detect_every: u32,
    /// Scale frames down so neither side exceeds this many pixels; omit to keep the size.
    #[serde(default)]
    pub max_side: Option<u32>,
}

/// The state carried from frame to frame: the last boxes found, and counts for the facts.
struct FaceTracker {
    models: Arc<Models>,
    options: FaceOptions,
    every: u64,
    /// `regions` holds the boxes of the last detection.
    redact: RedactParams,
    frames_with_faces: u64,
    max_faces: usize,
    detections: u64,
}

impl FaceTracker {
    /// Detects faces on every `every`-th frame and hides the last boxes found (blocking).
    fn process(&mut self, index: u64, frame: RgbImage) -> Result<RgbImage, ToolError> {
        if index.is_multiple_of(self.every) {
            self.detections += 1;
            let faces = self.models.detect_faces(&frame, &self.options)?;
            self.max_faces = self.max_faces.max(faces.len());
            self.redact.regions = faces
                .iter()
                .map(|face| Region::Box(pixel_box(face.bbox)))
                .collect();
        }
        if self.redact.regions.is_empty() {
            return Ok(frame);
        }
        self.frames_with_faces += 1;
        let redacted = vitrine_media::redact(&DynamicImage::ImageRgb8(frame), &self.redact)?;
        Ok(redacted.into_rgb8())
    }
}

fn default_strength() -> f64 {
    1.5
}

fn default_padding() -> f64 {
    0.3
}

fn default_min_score() -> f32 {
    0.4
}

fn default_detect_every() -> u32 {
    1
}

/// Hides faces in clips.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlurFacesVideo;

const MEANING: Meaning = Meaning {
    intents: &[
        Intent {
            does: "hide the faces in a video",
            examples: &[
                "blur the faces in this video",
                "anonymise everyone in the clip",
                "pixelate the people in the footage",
            ],
            cues: crate::tools::blur_faces::HIDE_FACES_CUES,
            unless: crate::tools::blur_faces::HIDE_FACES_UNLESS,
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: crate::tools::blur_faces::HIDE_FACE_SLOTS,
            chains: true,
            accept: Some(crate::tools::blur_faces::names_faces),
            ..Intent::DEFAULT
        },
        Intent {
            does: "anonymise the people in a video",
            examples: &["anonymize the interviewee in this video"],
            // The same words as for a photo: the attached kind chooses.
            cues: crate::tools::blur_faces::ANONYMISE_CUES,
            unless: crate::tools::blur_faces::ANONYMISE_UNLESS,
            input: Input::One {
                arg: "video",
                kind: ArtifactKind::Video,
            },
            slots: crate::tools::blur_faces::HIDE_FACE_SLOTS,
            chains: true,
            accept: Some(crate::tools::blur_faces::shows_faces),
            ..Intent::DEFAULT
        },
    ],
    summary: crate::tools::blur_faces::hid_faces,
    facts: crate::tools::blur_faces::FACE_AUDIT_FACTS,
};

/// Frames sampled evenly over the redacted clip for the check: enough to catch a face that
/// the detector lost for a stretch, few enough that the check costs a fraction of the pass.
const SAMPLED_FRAMES: u64 = 8;

/// One redaction pass over the frames of `input`, written to `output`: the detector on every
/// `every`-th frame with `options`, the last boxes hidden with `redact`.
async fn redact_pass(
    models: Arc<Models>,
    input: &Path,
    output: &Path,
    options: FaceOptions,
    every: u64,
    redact: RedactParams,
    max_side: Option<u32>,
) -> Result<(vitrine_video::MapFramesReport, FaceTracker), ToolError> {
    let tracker = Arc::new(Mutex::new(FaceTracker {
        models,
        options,
        every,
        redact,
        frames_with_faces: 0,
        max_faces: 0,
        detections: 0,
    }));
    let map_params = MapFramesParams {
        max_side,
        crf: None,
    };
    // Detection and redaction are tens of milliseconds of CPU per frame: each frame goes to
    // the blocking pool, and this task only moves bytes between the ffmpeg pipes. Frames
    // are processed one at a time, in order, so the tracker's lock is never contended.
    let report = Ffmpeg::new()
        .map_frames_async(input, output, &map_params, |index, _, frame| {
            let tracker = Arc::clone(&tracker);
            io::blocking(move || {
                let mut tracker = tracker
                    .lock()
                    .map_err(|_| ToolError::Internal("a face-blur worker panicked".into()))?;
                tracker.process(index, frame)
            })
        })
        .await?;
    let tracker = Arc::into_inner(tracker)
        .ok_or_else(|| ToolError::Internal("a face-blur worker outlived its pass".into()))?
        .into_inner()
        .map_err(|_| ToolError::Internal("a face-blur worker panicked".into()))?;
    Ok((report, tracker))
}

/// Frames of `clip` at evenly spaced times, for the check.
async fn sample_frames(
    clip: &Path,
    frames: u64,
    fps: f64,
) -> Result<Vec<(f64, RgbImage)>, ToolError> {
    let count = frames.min(SAMPLED_FRAMES);
    let duration_s = frames as f64 / fps;
    let ffmpeg = Ffmpeg::new();
    let mut sampled = Vec::new();
    for index in 0..count {
        // The middle of each of `count` equal stretches of the clip.
        let at_s = duration_s * (index as f64 + 0.5) / count as f64;
        sampled.push((at_s, ffmpeg.frame_rgb(clip, at_s, None).await?));
    }
    Ok(sampled)
}

#[async_trait]
impl Tool for BlurFacesVideo {
    fn meaning(&self) -> Meaning {
        MEANING
    }

    fn name(&self) -> &'static str {
        "blur_faces_video"
    }

    fn description(&self) -> &'static str {
        "Detect the faces in every frame of a video and make them unrecognisable (blur, pixelate or fill); keeps the audio."
    }

    fn toolset(&self) -> Toolset {
        Toolset::Video
    }

    fn parameters(&self) -> Value {
        io::schema_of::<BlurFacesVideoArgs>()
    }

    fn outputs(&self) -> &'static [OutputSpec] {
        const OUTPUTS: &[OutputSpec] = &[OutputSpec::one("video", ArtifactKind::Video)];
        OUTPUTS
    }

    async fn run(&self, cx: &ToolContext, args: Value) -> Result<ToolOutput, ToolError> {
        let parsed: BlurFacesVideoArgs = io::parse_args(self.name(), &args)?;
        if !(1..=30).contains(&parsed.detect_every) {
            return Err(ToolError::InvalidArguments {
                tool: "blur_faces_video",
                message: format!(
                    "`detect_every` is {}; it must be between 1 and 30",
                    parsed.detect_every
                ),
            });
        }
        let id = parsed.video.id("video")?;
        let meta = io::artifact(cx, "video", &id, ArtifactKind::Video).await?;
        let input = io::to_temp_file(cx, &meta, "mp4").await?;
        let output = io::temp_output("vitrine-blur-faces-", ".mp4")?;
        let models = cx.models.get().await?;
        let redact = RedactParams {
            regions: Vec::new(),
            method: parsed.method,
            strength: parsed.strength,
            color: Color::BLACK,
            padding_ratio: parsed.padding_ratio,
        };
        let (report, first) = redact_pass(
            Arc::clone(&models),
            &input,
            &output,
            FaceOptions {
                min_score: parsed.min_score,
                ..FaceOptions::default()
            },
            u64::from(parsed.detect_every),
            redact.clone(),
            parsed.max_side,
        )
        .await?;
        let (frames_with_faces, detections, max_faces) =
            (first.frames_with_faces, first.detections, first.max_faces);
        // The check: sampled frames of the output, searched by the second look; what it finds
        // sends the whole clip through another pass, every frame at the second look's score.
        let mut output = output;
        let mut passes = 1;
        let frames_checked = loop {
            let sampled = sample_frames(&output, report.frames, report.fps).await?;
            let checked = sampled.len();
            let check_models = Arc::clone(&models);
            let min_score = parsed.min_score;
            let found =
                io::blocking(move || faces_in_frames(&check_models, &sampled, min_score)).await?;
            if found.is_empty() {
                break checked;
            }
            if passes > EXTRA_PASSES {
                let (at_s, faces) = &found[0];
                return Err(ToolError::RedactionUnverified {
                    remaining: format!(
                        "{} of {checked} sampled frames still show a face (at {at_s:.2} s, {})",
                        found.len(),
                        faces_remaining(faces)
                    ),
                    passes,
                });
            }
            passes += 1;
            let again = io::temp_output("vitrine-blur-faces-", ".mp4")?;
            redact_pass(
                Arc::clone(&models),
                &output,
                &again,
                FaceOptions {
                    min_score: second_look_score(parsed.min_score),
                    ..FaceOptions::default()
                },
                1,
                redact.clone(),
                None,
            )
            .await?;
            output = again;
        };
        let duration_s = if report.fps > 0.0 {
            report.frames as f64 / report.fps
        } else {
            0.0
        };
        let made = io::save_file(
            cx,
            &output,
            ArtifactKind::Video,
            "video/mp4",
            MediaInfo {
                width: Some(report.width),
                height: Some(report.height),
                duration_s: Some(duration_s),
                pages: None,
                title: None,
            },
            io::provenance(self.name(), &[&meta], &args),
        )
        .await?;
        Ok(ToolOutput {
            artifacts: vec![MadeArtifact {
                output: "video".to_owned(),
                meta: made,
            }],
            facts: json!({
                "count": max_faces,
                "faces_found": max_faces,
                "faces_remaining": 0,
                "passes": passes,
                "frames_checked": frames_checked,
                "second_look_min_score":
                    (f64::from(second_look_score(parsed.min_score)) * 100.0).round() / 100.0,
                "frames": report.frames,
                "frames_with_faces": frames_with_faces,
                "detections": detections,
                "max_faces": max_faces,
                "width": report.width,
                "height": report.height,
                "fps": (report.fps * 1000.0).round() / 1000.0,
                "method": serde_json::to_value(parsed.method).unwrap_or(Value::Null),
            }),
        })
    }
}
