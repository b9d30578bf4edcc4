//! The open-vocabulary detection client: `POST {base}/detect` with the image (base64 PNG), the
//! text labels and a threshold as JSON; boxes in pixels back (protocol in `docs/providers.md`).

use base64::Engine as _;
use serde::Deserialize;
use serde_json::json;
use vitrine_media::image::RgbImage;

use super::{HttpProvider, ProviderConfig, ProviderKind};
use crate::error::ToolError;
use crate::io;

/// One thing the provider found.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenVocabDetection {
    /// The requested label it matches.
    pub label: String,
    /// Confidence, 0..=1.
    pub score: f32,
    /// `[x0, y0, x1, y1]` in pixels, inside the image.
    pub bbox: [f32; 4],
}

/// A configured detection provider.
#[derive(Debug, Clone)]
pub struct DetectClient {
    http: HttpProvider,
}

/// Most detections read from one reply.
pub const MAX_DETECTIONS: usize = 1000;
/// Largest reply read.
const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;
/// How far outside the image a box edge may lie (rounding in the provider); it is clamped.
const EDGE_TOLERANCE: f32 = 1.0;

#[derive(Deserialize)]
struct Reply {
    detections: Vec<RawDetection>,
}

#[derive(Deserialize)]
struct RawDetection {
    label: String,
    score: f32,
    #[serde(rename = "box")]
    bbox: [f32; 4],
}

impl DetectClient {
    /// Builds the client; fails when the URL is not an `http(s)` URL.
    pub fn new(config: ProviderConfig) -> Result<Self, ToolError> {
        Ok(DetectClient {
            http: HttpProvider::new(
                ProviderKind::Detect,
                &config.base_url,
                config.api_key,
                config.timeout,
            )?,
        })
    }

    /// The configured base URL, for facts.
    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// Asks for `labels` in `image`; returns the image and the validated detections at or
    /// above `threshold`, best first.
    pub async fn detect(
        &self,
        image: RgbImage,
        labels: &[String],
        threshold: f32,
    ) -> Result<(RgbImage, Vec<OpenVocabDetection>), ToolError> {
        let (image, png) = io::encode_png(image).await?;
        let (width, height) = image.dimensions();
        let url = self.http.url("detect");
        let body = json!({
            "image": base64::engine::general_purpose::STANDARD.encode(png),
            "labels": labels,
            "threshold": threshold,
        });
        let request = self
            .http
            .post("detect")
            .header("content-type", "application/json")
            .body(body.to_string());
        let reply = self.http.send(request, &url, MAX_REPLY_BYTES).await?;
        let reply: Reply = serde_json::from_slice(&reply.body).map_err(|error| {
            self.http.error(
                &url,
                format!("sent a reply that is not `{{\"detections\": [{{\"label\", \"score\", \"box\"}}]}}`: {error}"),
            )
        })?;
        if reply.detections.len() > MAX_DETECTIONS {
            return Err(self.http.error(
                &url,
                format!(
                    "sent {} detections, more than the limit of {MAX_DETECTIONS}",
                    reply.detections.len()
                ),
            ));
        }
        let mut found = Vec::with_capacity(reply.detections.len());
        for (index, raw) in reply.detections.into_iter().enumerate() {
            let detection = check(raw, labels, width, height).map_err(|problem| {
                self.http
                    .error(&url, format!("sent detection {index} {problem}"))
            })?;
            if detection.score >= threshold {
                found.push(detection);
            }
        }
        found.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok((image, found))
    }
}

/// A detection whose label was asked for, whose score is in 0..=1 and whose box lies inside
/// the image (edges within [`EDGE_TOLERANCE`] are clamped).
fn check(
    raw: RawDetection,
    labels: &[String],
    width: u32,
    height: u32,
) -> Result<OpenVocabDetection, String> {
    if !labels.contains(&raw.label) {
        return Err(format!(
            "with label `{}`, which was not one of the requested {labels:?}",
            raw.label
        ));
    }
    if !(0.0..=1.0).contains(&raw.score) {
        return Err(format!("with score {}, outside 0..1", raw.score));
    }
    let [x0, y0, x1, y1] = raw.bbox;
    let (w, h) = (width as f32, height as f32);
    let inside = |value: f32, limit: f32| {
        value.is_finite() && value >= -EDGE_TOLERANCE && value <= limit + EDGE_TOLERANCE
    };
    if !(inside(x0, w) && inside(x1, w) && inside(y0, h) && inside(y1, h)) {
        return Err(format!(
            "with box {:?}, not inside the {width}×{height} image (boxes are [x0, y0, x1, y1] in pixels)",
            raw.bbox
        ));
    }
    let bbox = [
        x0.clamp(0.0, w),
        y0.clamp(0.0, h),
        x1.clamp(0.0, w),
        y1.clamp(0.0, h),
    ];
    if bbox[2] <= bbox[0] || bbox[3] <= bbox[1] {
        return Err(format!(
            "with box {:?}, which is empty (x1 must exceed x0 and y1 exceed y0)",
            raw.bbox
        ));
    }
    Ok(OpenVocabDetection {
        label: raw.label,
        score: raw.score,
        bbox,
    })
}
