//! The depth provider client: `POST {base}/depth` with the image as PNG, an `.npy` float
//! depth map of the image's size back (protocol in `docs/providers.md`).

use vitrine_media::image::RgbImage;
use vitrine_media::{NpyData, read_npy};

use super::{HttpProvider, ProviderConfig, ProviderKind};
use crate::error::ToolError;
use crate::io;

/// What the values of a depth map mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepthKind {
    /// Relative inverse depth (disparity): larger is nearer, unknown scale and shift; what
    /// Depth Anything and MiDaS output. The default when the reply does not say.
    RelativeInverse,
    /// Metric z-depth in metres: larger is farther, every value positive.
    Metric,
}

impl DepthKind {
    /// The `X-Depth-Kind` header value.
    pub fn as_str(self) -> &'static str {
        match self {
            DepthKind::RelativeInverse => "relative-inverse",
            DepthKind::Metric => "metric",
        }
    }

    /// What the values mean, for facts.
    pub fn describe(self) -> &'static str {
        match self {
            DepthKind::RelativeInverse => {
                "relative inverse depth: larger values are nearer, no unit (scale and shift unknown)"
            }
            DepthKind::Metric => "metric depth: distance along the camera axis in metres",
        }
    }
}

/// A validated depth map from the provider.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthEstimate {
    /// Width in pixels (the image's).
    pub width: u32,
    /// Height in pixels (the image's).
    pub height: u32,
    /// Row-major values, all finite (and positive when metric).
    pub values: Vec<f32>,
    /// What they mean.
    pub kind: DepthKind,
}

/// A configured depth provider.
#[derive(Debug, Clone)]
pub struct DepthClient {
    http: HttpProvider,
}

/// The reply header that says what the values mean.
pub const DEPTH_KIND_HEADER: &str = "x-depth-kind";

/// Room for the `.npy` header on top of the values.
const NPY_HEADER_ALLOWANCE: usize = 64 * 1024;

impl DepthClient {
    /// Builds the client; fails when the URL is not an `http(s)` URL.
    pub fn new(config: ProviderConfig) -> Result<Self, ToolError> {
        Ok(DepthClient {
            http: HttpProvider::new(
                ProviderKind::Depth,
                &config.base_url,
                config.api_key,
                config.timeout,
            )?,
        })
    }

    /// The configured base URL, for facts ("depth provider at …").
    pub fn base_url(&self) -> &str {
        self.http.base_url()
    }

    /// Sends `image` as PNG and returns it with the provider's validated depth map.
    pub async fn estimate(&self, image: RgbImage) -> Result<(RgbImage, DepthEstimate), ToolError> {
        let (image, png) = io::encode_png(image).await?;
        let (width, height) = image.dimensions();
        let url = self.http.url("depth");
        let request = self
            .http
            .post("depth")
            .header("content-type", "image/png")
            .header("accept", "application/x-npy")
            .body(png);
        // float64 replies are accepted too, so allow 8 bytes a value.
        let cap = (width as usize * height as usize)
            .saturating_mul(8)
            .saturating_add(NPY_HEADER_ALLOWANCE);
        let reply = self.http.send(request, &url, cap).await?;
        let kind = match reply
            .headers
            .get(DEPTH_KIND_HEADER)
            .map(|value| value.to_str().unwrap_or("").trim().to_ascii_lowercase())
            .as_deref()
        {
            None | Some("relative-inverse") => DepthKind::RelativeInverse,
            Some("metric") => DepthKind::Metric,
            Some(other) => {
                return Err(self.http.error(
                    &url,
                    format!(
                        "sent `X-Depth-Kind: {other}`; it must be `relative-inverse` or `metric`"
                    ),
                ));
            }
        };
        let body = reply.body;
        let values = io::blocking(move || Ok(read_npy(&body))).await?;
        let array = values.map_err(|error| {
            self.http.error(
                &url,
                format!("sent a body that is not a .npy array: {error}"),
            )
        })?;
        let size = array.image_size().map_err(|error| {
            self.http.error(
                &url,
                format!("sent an array that is not a depth map: {error}"),
            )
        })?;
        if size != (height, width) {
            return Err(self.http.error(
                &url,
                format!(
                    "sent a {}×{} depth map for a {width}×{height} image; it must have the image's size, shape ({height}, {width})",
                    size.1, size.0
                ),
            ));
        }
        let NpyData::F32(values) = array.data else {
            return Err(self
                .http
                .error(&url, "sent an integer array; depth must be float32"));
        };
        check_values(&values, width, kind).map_err(|problem| self.http.error(&url, problem))?;
        Ok((
            image,
            DepthEstimate {
                width,
                height,
                values,
                kind,
            },
        ))
    }
}

/// Every value finite, and positive for metric depth.
fn check_values(values: &[f32], width: u32, kind: DepthKind) -> Result<(), String> {
    let bad = values
        .iter()
        .position(|value| !value.is_finite() || (kind == DepthKind::Metric && *value <= 0.0));
    match bad {
        None => Ok(()),
        Some(index) => {
            let (row, column) = (index / width as usize, index % width as usize);
            let need = match kind {
                DepthKind::Metric => "finite and positive (metres)",
                DepthKind::RelativeInverse => "finite",
            };
            Err(format!(
                "sent {} at row {row}, column {column}; every value must be {need}",
                values[index]
            ))
        }
    }
}
