//! Verified redaction: a face or PHI redaction looks at its own output again before it answers.
//!
//! A `200` with a face still visible is the worst outcome a compliance workflow can get, so
//! `blur_faces`, `blur_faces_video` and `redact_phi` never trust their first pass. After hiding
//! what the detector found, the output is searched again by a second look that is harder to
//! satisfy than the first: the face detector over the whole image (no proposal windows) at a
//! lower threshold, or OCR plus the PHI finder on the redacted pixels. Whatever it still finds
//! is hidden again, at most [`EXTRA_PASSES`] times; if something still remains, the tool fails
//! with [`ToolError::RedactionUnverified`] and keeps no output.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, RgbImage};
use vitrine_media::{RedactParams, Region};
use vitrine_vision::{Face, FaceOptions, Models, PhiFinding};

use crate::context::ToolContext;
use crate::error::ToolError;
use crate::io;
use crate::meaning::plural;
use crate::tools::detect_faces::{pixel_box, round_box};
use crate::tools::ocr::{OcrEngine, read_lines_with};
use crate::tools::redact_phi::phi_kind_phrase;

/// Redaction passes after the first one before the tool gives up.
pub(crate) const EXTRA_PASSES: u32 = 2;

/// The second look accepts faces scored this fraction of the first pass's threshold (itself
/// capped at 0.5): 0.24 for the default 0.4. Lower finds blurred remnants and faces the first
/// pass missed; CenterFace's false positives grow quickly below ~0.2.
const SECOND_LOOK_FACTOR: f32 = 0.6;

/// The face score the second look uses after a first pass at `min_score`.
pub(crate) fn second_look_score(min_score: f32) -> f32 {
    min_score.min(0.5) * SECOND_LOOK_FACTOR
}

/// Detector options for the second look: the whole image at the fine scale, so it does not
/// depend on the proposal windows that guided the first pass.
pub(crate) fn second_look_options(min_score: f32) -> FaceOptions {
    FaceOptions {
        min_score: second_look_score(min_score),
        exhaustive: true,
        ..FaceOptions::default()
    }
}

/// What the face audit saw.
#[derive(Debug, Clone)]
pub(crate) struct FaceAudit {
    /// Faces the first pass found.
    pub found: usize,
    /// Distinct face boxes hidden over all passes (the first pass's, plus what the second
    /// look found elsewhere).
    pub hidden: usize,
    /// Redaction passes run, 1 to `1 + EXTRA_PASSES`.
    pub passes: u32,
    /// The second look's threshold.
    pub second_look_score: f32,
}

impl FaceAudit {
    /// The audit facts merged into a tool's facts.
    pub(crate) fn insert_into(&self, facts: &mut Value) {
        if let Value::Object(map) = facts {
            map.insert("faces_found".to_owned(), json!(self.found));
            map.insert("faces_hidden".to_owned(), json!(self.hidden));
            map.insert("faces_remaining".to_owned(), json!(0));
            map.insert("passes".to_owned(), json!(self.passes));
            map.insert(
                "second_look_min_score".to_owned(),
                json!((f64::from(self.second_look_score) * 100.0).round() / 100.0),
            );
        }
    }
}

/// Hides `faces` in `image`, then looks again and hides what is still found, up to
/// [`EXTRA_PASSES`] more times. Fails with [`ToolError::RedactionUnverified`] when faces remain.
pub(crate) async fn hide_faces_verified(
    cx: &ToolContext,
    image: DynamicImage,
    faces: &[Face],
    params: RedactParams,
    min_score: f32,
) -> Result<(DynamicImage, FaceAudit), ToolError> {
    let models = cx.models.get().await?;
    let options = second_look_options(min_score);
    let mut hidden: Vec<[f32; 4]> = faces.iter().map(|face| face.bbox).collect();
    let mut regions = hidden.clone();
    let mut image = image;
    let mut passes = 0;
    loop {
        passes += 1;
        let pass = RedactParams {
            regions: regions
                .iter()
                .map(|bbox| Region::Box(pixel_box(*bbox)))
                .collect(),
            ..params.clone()
        };
        let models = models.clone();
        let pass_options = options.clone();
        let (redacted, remaining) = io::blocking(move || {
            let redacted = if pass.regions.is_empty() {
                image
            } else {
                vitrine_media::redact(&image, &pass)?
            };
            let remaining = models.detect_faces(&redacted.to_rgb8(), &pass_options)?;
            Ok((redacted, remaining))
        })
        .await?;
        image = redacted;
        if remaining.is_empty() {
            return Ok((
                image,
                FaceAudit {
                    found: faces.len(),
                    hidden: hidden.len(),
                    passes,
                    second_look_score: options.min_score,
                },
            ));
        }
        for face in &remaining {
            if !hidden.iter().any(|seen| mostly_overlap(seen, &face.bbox)) {
                hidden.push(face.bbox);
            }
        }
        if passes > EXTRA_PASSES {
            return Err(ToolError::RedactionUnverified {
                remaining: faces_remaining(&remaining),
                passes,
            });
        }
        regions = remaining.iter().map(|face| face.bbox).collect();
    }
}

/// "1 face (at 120,80–300,290)" for the error message: where, so the caller can check.
pub(crate) fn faces_remaining(faces: &[Face]) -> String {
    let boxes: Vec<String> = faces
        .iter()
        .map(|face| {
            let [x0, y0, x1, y1] = round_box(face.bbox).map(f64::round);
            format!("{x0},{y0}–{x1},{y1}")
        })
        .collect();
    format!(
        "{} still detected (at {})",
        plural(faces.len() as u64, "face", "faces"),
        boxes.join("; ")
    )
}

/// Whether two boxes cover the same thing: their intersection is more than half of the
/// smaller one.
fn mostly_overlap(a: &[f32; 4], b: &[f32; 4]) -> bool {
    let width = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let height = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let area = |bbox: &[f32; 4]| (bbox[2] - bbox[0]).max(0.0) * (bbox[3] - bbox[1]).max(0.0);
    let smaller = area(a).min(area(b));
    smaller > 0.0 && width * height > 0.5 * smaller
}

/// What the PHI audit saw.
#[derive(Debug, Clone)]
pub(crate) struct PhiAudit {
    /// Every finding hidden, over all passes, in the first pass's order then the later ones'.
    pub hidden: Vec<PhiFinding>,
    /// Redaction passes run, 1 to `1 + EXTRA_PASSES`.
    pub passes: u32,
}

impl PhiAudit {
    /// Findings by kind ("phone number": 2), over all passes.
    pub(crate) fn by_kind(&self) -> BTreeMap<String, usize> {
        kinds(&self.hidden)
    }
}

fn kinds(findings: &[PhiFinding]) -> BTreeMap<String, usize> {
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for finding in findings {
        *kinds.entry(phi_kind_phrase(finding.kind)).or_default() += 1;
    }
    kinds
}

/// Fills `findings` in `image`, then reads the result again with `engine` and fills the PHI
/// still found, up to [`EXTRA_PASSES`] more times. Fails with
/// [`ToolError::RedactionUnverified`] when PHI remains readable. The error names the kinds
/// that remain, never their text.
pub(crate) async fn hide_phi_verified(
    cx: &ToolContext,
    engine: OcrEngine,
    image: DynamicImage,
    findings: Vec<PhiFinding>,
    params: RedactParams,
) -> Result<(DynamicImage, PhiAudit), ToolError> {
    let mut hidden = findings.clone();
    let mut pending = findings;
    let mut image = image;
    let mut passes = 0;
    loop {
        passes += 1;
        let pass = RedactParams {
            regions: pending
                .iter()
                .map(|finding| Region::Box(pixel_box(finding.bbox)))
                .collect(),
            ..params.clone()
        };
        let redacted = io::blocking(move || {
            if pass.regions.is_empty() {
                return Ok(image);
            }
            Ok(vitrine_media::redact(&image, &pass)?)
        })
        .await?;
        let (_, lines) = read_lines_with(cx, engine, redacted.to_rgb8()).await?;
        let remaining = vitrine_vision::find_phi(&lines);
        image = redacted;
        if remaining.is_empty() {
            return Ok((image, PhiAudit { hidden, passes }));
        }
        if passes > EXTRA_PASSES {
            return Err(ToolError::RedactionUnverified {
                remaining: phi_remaining(&remaining),
                passes,
            });
        }
        hidden.extend(remaining.iter().cloned());
        pending = remaining;
    }
}

/// "2 PHI findings still readable (1 name, 1 phone number)".
fn phi_remaining(findings: &[PhiFinding]) -> String {
    let kinds: Vec<String> = kinds(findings)
        .into_iter()
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    format!(
        "{} still readable ({})",
        plural(findings.len() as u64, "PHI finding", "PHI findings"),
        kinds.join(", ")
    )
}

/// Sampled frames of a redacted clip that still show a face, for `blur_faces_video`'s audit:
/// `(time in seconds, faces)` per frame with any.
pub(crate) fn faces_in_frames(
    models: &Models,
    frames: &[(f64, RgbImage)],
    min_score: f32,
) -> Result<Vec<(f64, Vec<Face>)>, ToolError> {
    let options = second_look_options(min_score);
    let mut found = Vec::new();
    for (time, frame) in frames {
        let faces = models.detect_faces(frame, &options)?;
        if !faces.is_empty() {
            found.push((*time, faces));
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_second_look_is_lower_than_the_first() {
        assert!((second_look_score(0.4) - 0.24).abs() < 1e-6);
        // A strict first pass does not make the second look strict too.
        assert!((second_look_score(0.9) - 0.3).abs() < 1e-6);
        assert!(second_look_options(0.4).exhaustive);
    }

    #[test]
    fn overlap_is_measured_against_the_smaller_box() {
        let face = [100.0, 100.0, 200.0, 200.0];
        assert!(mostly_overlap(&face, &[120.0, 120.0, 180.0, 180.0]));
        assert!(mostly_overlap(&face, &[110.0, 110.0, 210.0, 210.0]));
        assert!(!mostly_overlap(&face, &[190.0, 190.0, 290.0, 290.0]));
        assert!(!mostly_overlap(&face, &[0.0, 0.0, 0.0, 0.0]));
    }
}
