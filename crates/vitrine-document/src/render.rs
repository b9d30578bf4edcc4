//! Rendering pages to PNG with poppler's `pdftoppm`, one process per page.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::engine::Poppler;
use crate::error::DocumentError;
use crate::input::{OnDisk, PdfInput};
use crate::pages::{PageSelection, resolve};
use crate::process;

/// Parameters of [`Poppler::render_pages`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RenderParams {
    /// Pages to render, numbered from 1: a list like `[1, 3]` or a range like
    /// `{"first": 2, "last": 4}`; omit for every page.
    #[serde(default)]
    pub pages: Option<PageSelection>,
    /// Resolution in dots per inch; 72 gives one pixel per point, 150 is good for reading.
    #[serde(default = "default_dpi")]
    pub dpi: u32,
}

impl Default for RenderParams {
    fn default() -> Self {
        Self {
            pages: None,
            dpi: default_dpi(),
        }
    }
}

fn default_dpi() -> u32 {
    150
}

/// One rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// Page number, from 1.
    pub page: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// The page as a PNG.
    pub png: Vec<u8>,
}

impl Poppler {
    /// Renders the selected pages of `pdf` at `params.dpi`, in the order selected.
    pub async fn render_pages(
        &self,
        pdf: PdfInput<'_>,
        params: &RenderParams,
    ) -> Result<Vec<RenderedPage>, DocumentError> {
        let dpi = params.dpi;
        if dpi == 0 || dpi > self.limits.max_dpi {
            return Err(DocumentError::param(
                "dpi",
                format!("{dpi} must be between 1 and {}", self.limits.max_dpi),
            ));
        }
        let on_disk = OnDisk::new(pdf).await?;
        let info = self.info_on_disk(on_disk.path()).await?;
        let pages = resolve(
            params.pages.as_ref(),
            info.page_count,
            self.limits.max_pages,
        )?;

        // Refuse oversized pages before rendering any, so a call fails fast and whole.
        for &page in &pages {
            let Some(geometry) = info.pages.get(page as usize - 1) else {
                continue;
            };
            let scale = f64::from(dpi) / 72.0;
            let width = (geometry.width_pt * scale).ceil();
            let height = (geometry.height_pt * scale).ceil();
            if width * height > self.limits.max_page_pixels as f64 {
                return Err(DocumentError::param(
                    "dpi",
                    format!(
                        "{dpi} makes page {page} {width}x{height} pixels, over the limit of {} \
                         pixels; use a lower `dpi`",
                        self.limits.max_page_pixels
                    ),
                ));
            }
        }

        let mut rendered = Vec::with_capacity(pages.len());
        for page in pages {
            let page_text = page.to_string();
            let dpi_text = dpi.to_string();
            let args = [
                "-png".as_ref(),
                "-r".as_ref(),
                dpi_text.as_ref(),
                "-f".as_ref(),
                page_text.as_ref(),
                "-l".as_ref(),
                page_text.as_ref(),
                on_disk.path().as_os_str(),
            ];
            // With no output root, pdftoppm writes the page to stdout.
            let finished = process::run(&self.pdftoppm, args, self.limits.timeout).await?;
            if !finished.success {
                return Err(DocumentError::ToolFailed {
                    program: self.pdftoppm.display().to_string(),
                    status: finished.status,
                    stderr: finished.stderr,
                });
            }
            let (width, height) =
                png_size(&finished.stdout).ok_or_else(|| DocumentError::ToolOutput {
                    program: self.pdftoppm.display().to_string(),
                    reason: format!("page {page} did not come out as a PNG"),
                })?;
            rendered.push(RenderedPage {
                page,
                width,
                height,
                png: finished.stdout,
            });
        }
        Ok(rendered)
    }
}

/// Width and height from a PNG's IHDR chunk, which always comes first.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    if !png.starts_with(SIGNATURE) || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_size_from_a_png_header() {
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&[0; 5 * 3 * 3], 5, 3, image::ExtendedColorType::Rgb8)
            .expect("encode");
        assert_eq!(png_size(&png), Some((5, 3)));
        assert_eq!(png_size(b"not a png"), None);
    }

    use image::ImageEncoder;
}
