//! A contact sheet: evenly spaced frames laid out in a grid, composed with the `image` crate.

use std::path::Path;

use image::{Rgb, RgbImage};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::encoded::{EncodedImage, ImageFormat, encode_image};
use crate::engine::Ffmpeg;
use crate::error::VideoError;
use crate::frames::FrameSelection;

/// Pixels between tiles and around the sheet.
const GAP: u32 = 4;
/// Sheet background: dark grey, so black frames still show their edges.
const BACKGROUND: Rgb<u8> = Rgb([32, 32, 32]);

/// Parameters of [`Ffmpeg::contact_sheet`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ContactSheetParams {
    /// Tiles per row; at least 1.
    pub columns: u32,
    /// Rows of tiles; with `columns` this fixes the number of frames. Give this or `count`.
    #[serde(default)]
    pub rows: Option<u32>,
    /// Number of frames, when `rows` is omitted; rows are added as needed.
    #[serde(default)]
    pub count: Option<u32>,
    /// Width of one tile in pixels; its height follows the clip's aspect ratio.
    #[serde(default = "default_tile_width")]
    pub tile_width: u32,
    /// `png` (default) or `jpeg`.
    #[serde(default)]
    pub format: ImageFormat,
}

fn default_tile_width() -> u32 {
    240
}

/// A contact sheet and the times of its tiles.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactSheet {
    /// The encoded sheet.
    pub image: EncodedImage,
    /// Time of each tile in seconds, row by row.
    pub timestamps_s: Vec<f64>,
    /// Tiles per row.
    pub columns: u32,
    /// Number of rows.
    pub rows: u32,
}

impl Ffmpeg {
    /// Builds a grid of evenly spaced frames, `columns` wide.
    pub async fn contact_sheet(
        &self,
        input: &Path,
        params: &ContactSheetParams,
    ) -> Result<ContactSheet, VideoError> {
        let (columns, rows, count) = layout(params)?;
        self.check_side("tile_width", params.tile_width)?;
        let info = self.checked_video(input).await?;
        let tile_width = params.tile_width;
        let tile_height = ((f64::from(tile_width) * f64::from(info.height)
            / f64::from(info.width.max(1)))
        .round() as u32)
            .max(1);
        let sheet_width = columns * (tile_width + GAP) + GAP;
        let sheet_height = rows * (tile_height + GAP) + GAP;
        let max_side = self.limits.max_output_side;
        if sheet_width > max_side || sheet_height > max_side {
            return Err(VideoError::param(
                "tile_width",
                format!(
                    "{tile_width} px makes a {sheet_width}x{sheet_height} sheet, over the \
                     limit of {max_side} px per side"
                ),
            ));
        }

        let times = self.frame_times(&FrameSelection::Evenly { count }, &info)?;
        let mut sheet = RgbImage::from_pixel(sheet_width, sheet_height, BACKGROUND);
        for (index, timestamp_s) in (0u32..).zip(&times) {
            let tile = self
                .decode_frame(input, &info, *timestamp_s, tile_width, tile_height)
                .await?;
            let x = GAP + (index % columns) * (tile_width + GAP);
            let y = GAP + (index / columns) * (tile_height + GAP);
            image::imageops::replace(&mut sheet, &tile, i64::from(x), i64::from(y));
        }
        Ok(ContactSheet {
            image: encode_image(&sheet, params.format)?,
            timestamps_s: times,
            columns,
            rows,
        })
    }
}

/// Resolves `(columns, rows, frame count)` from the parameters.
fn layout(params: &ContactSheetParams) -> Result<(u32, u32, u32), VideoError> {
    let columns = params.columns;
    if columns == 0 {
        return Err(VideoError::param("columns", "must be at least 1"));
    }
    match (params.rows, params.count) {
        (Some(0), _) => Err(VideoError::param("rows", "must be at least 1")),
        (Some(rows), _) => Ok((columns, rows, columns.saturating_mul(rows))),
        (None, Some(0)) => Err(VideoError::param("count", "must be at least 1")),
        (None, Some(count)) => {
            let columns = columns.min(count);
            Ok((columns, count.div_ceil(columns), count))
        }
        (None, None) => Err(VideoError::param("rows", "or `count` is required")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(columns: u32, rows: Option<u32>, count: Option<u32>) -> ContactSheetParams {
        ContactSheetParams {
            columns,
            rows,
            count,
            tile_width: 100,
            format: ImageFormat::Png,
        }
    }

    #[test]
    fn layouts_follow_rows_or_count() {
        assert_eq!(layout(&params(4, Some(3), None)).ok(), Some((4, 3, 12)));
        assert_eq!(layout(&params(4, None, Some(10))).ok(), Some((4, 3, 10)));
        assert_eq!(layout(&params(4, None, Some(2))).ok(), Some((2, 1, 2)));
        let error = layout(&params(4, None, None)).expect_err("neither rows nor count");
        assert_eq!(error.to_string(), "`rows` or `count` is required");
        assert!(layout(&params(0, Some(1), None)).is_err());
    }
}
