//! Composition: pasting one image on another with alpha, contact sheets (side by side or in a
//! grid, optionally captioned), and slicing an image into tiles.

use image::{DynamicImage, GenericImageView, RgbImage, RgbaImage};

use crate::draw::{blend, draw_text, text_size};
use crate::error::{MediaError, Result};
use crate::geometry::{MAX_OUTPUT_PIXELS, crop_rect, fit};
use crate::params::{GridParams, OverlayParams, ResizeFilter, TileParams};
use crate::shapes::{Color, PixelRect};

/// The most images one contact sheet takes.
pub const MAX_GRID_IMAGES: usize = 256;
/// The widest sheet produced when `cell_height` is not given.
const AUTO_SHEET_WIDTH: u32 = 4096;

/// Pastes `top` onto `base` with its top-left corner at (`x`, `y`), blending by `top`'s alpha
/// times `opacity`. Parts that overhang are cut off. The result is RGBA when `base` has alpha.
pub fn overlay(
    base: &DynamicImage,
    top: &DynamicImage,
    params: &OverlayParams,
) -> Result<DynamicImage> {
    if !(0.0..=1.0).contains(&params.opacity) {
        return Err(MediaError::invalid(
            "opacity",
            params.opacity,
            "must be between 0 and 1",
        ));
    }
    let top = top.to_rgba8();
    let paste = |canvas: &mut dyn FnMut(i64, i64, Color, f32)| {
        for (x, y, pixel) in top.enumerate_pixels() {
            canvas(
                params.x + i64::from(x),
                params.y + i64::from(y),
                Color(pixel.0),
                params.opacity,
            );
        }
    };
    if base.color().has_alpha() {
        let mut canvas = base.to_rgba8();
        paste(&mut |x, y, color, coverage| blend(&mut canvas, x, y, color, coverage));
        Ok(DynamicImage::ImageRgba8(canvas))
    } else {
        let mut canvas = base.to_rgb8();
        paste(&mut |x, y, color, coverage| blend(&mut canvas, x, y, color, coverage));
        Ok(DynamicImage::ImageRgb8(canvas))
    }
}

/// Lays images out left to right, top to bottom, each fitted and centred in an equal cell.
pub fn grid(images: &[DynamicImage], params: &GridParams) -> Result<DynamicImage> {
    if images.is_empty() || images.len() > MAX_GRID_IMAGES {
        return Err(MediaError::invalid(
            "images",
            images.len(),
            format!("a sheet takes 1 to {MAX_GRID_IMAGES} images"),
        ));
    }
    let count = images.len() as u32;
    let columns = params
        .columns
        .unwrap_or_else(|| (f64::from(count).sqrt().ceil() as u32).max(1));
    if columns == 0 {
        return Err(MediaError::invalid(
            "columns",
            columns,
            "must be at least 1",
        ));
    }
    let columns = columns.min(count);
    let rows = count.div_ceil(columns);
    if params.gap > 512 {
        return Err(MediaError::invalid(
            "gap",
            params.gap,
            "must be at most 512 pixels",
        ));
    }
    // Cell shape: tall enough for the tallest image, wide enough for the widest at that height.
    let aspect = images
        .iter()
        .map(|image| f64::from(image.width()) / f64::from(image.height()))
        .fold(0.0, f64::max);
    let mut cell_height = match params.cell_height {
        Some(0) => {
            return Err(MediaError::invalid(
                "cell_height",
                0,
                "must be at least 1 pixel",
            ));
        }
        Some(height) => height,
        None => images
            .iter()
            .map(|image| image.height())
            .max()
            .unwrap_or(1)
            .min(1024),
    };
    if params.cell_height.is_none() {
        let budget = AUTO_SHEET_WIDTH
            .saturating_sub(params.gap * (columns + 1))
            .max(columns)
            / columns;
        let widest = (f64::from(cell_height) * aspect).ceil() as u32;
        if widest > budget {
            cell_height = ((f64::from(cell_height) * f64::from(budget) / f64::from(widest)).floor()
                as u32)
                .max(1);
        }
    }
    let cell_width = ((f64::from(cell_height) * aspect).ceil() as u32).max(1);
    let has_labels = params.labels.iter().any(|label| !label.is_empty());
    let font_size = (cell_height as f32 / 14.0).clamp(12.0, 48.0);
    let band = if has_labels {
        (font_size * 1.5).ceil() as u32
    } else {
        0
    };
    let gap = params.gap;
    let sheet_width =
        u64::from(columns) * u64::from(cell_width) + u64::from(gap) * u64::from(columns + 1);
    let sheet_height =
        u64::from(rows) * u64::from(cell_height + band) + u64::from(gap) * u64::from(rows + 1);
    if sheet_width * sheet_height > MAX_OUTPUT_PIXELS
        || sheet_width > u64::from(u32::MAX)
        || sheet_height > u64::from(u32::MAX)
    {
        return Err(MediaError::invalid(
            "cell_height",
            cell_height,
            format!("the sheet would be {sheet_width}×{sheet_height} pixels"),
        ));
    }
    let mut sheet = RgbaImage::from_pixel(
        sheet_width as u32,
        sheet_height as u32,
        params.background.to_rgba(),
    );
    let text_color = if params.background.0[..3]
        .iter()
        .map(|c| u32::from(*c))
        .sum::<u32>()
        > 384
    {
        Color::BLACK
    } else {
        Color::WHITE
    };
    for (index, image) in images.iter().enumerate() {
        let (column, row) = (index as u32 % columns, index as u32 / columns);
        let cell_x = gap + column * (cell_width + gap);
        let cell_y = gap + row * (cell_height + band + gap);
        let fitted = fit(image, cell_width, cell_height, ResizeFilter::Lanczos3)?.to_rgba8();
        let x = cell_x + (cell_width - fitted.width()) / 2;
        let y = cell_y + (cell_height - fitted.height()) / 2;
        for (px, py, pixel) in fitted.enumerate_pixels() {
            blend(
                &mut sheet,
                i64::from(x + px),
                i64::from(y + py),
                Color(pixel.0),
                1.0,
            );
        }
        if let Some(label) = params.labels.get(index).filter(|label| !label.is_empty()) {
            let label = ellipsize(label, font_size, cell_width);
            let (text_width, _) = text_size(&label, font_size);
            let text_x = cell_x + cell_width.saturating_sub(text_width) / 2;
            draw_text(
                &mut sheet,
                text_x as f32,
                (cell_y + cell_height) as f32 + font_size * 0.2,
                font_size,
                text_color,
                &label,
            );
        }
    }
    if params.background.0[3] == u8::MAX && images.iter().all(|image| !image.color().has_alpha()) {
        return Ok(DynamicImage::ImageRgb8(
            DynamicImage::ImageRgba8(sheet).to_rgb8(),
        ));
    }
    Ok(DynamicImage::ImageRgba8(sheet))
}

/// Places images in one row (a "before / after" comparison), with optional labels.
pub fn side_by_side(
    images: &[DynamicImage],
    labels: &[String],
    gap: u32,
    background: Color,
) -> Result<DynamicImage> {
    let columns = u32::try_from(images.len()).unwrap_or(u32::MAX);
    grid(
        images,
        &GridParams {
            columns: Some(columns),
            cell_height: None,
            gap,
            background,
            labels: labels.to_vec(),
        },
    )
}

/// Shortens `text` with "…" until it fits `max_width` pixels.
fn ellipsize(text: &str, size: f32, max_width: u32) -> String {
    if text_size(text, size).0 <= max_width {
        return text.to_owned();
    }
    let mut characters: Vec<char> = text.chars().collect();
    while !characters.is_empty() {
        characters.pop();
        let candidate: String = characters.iter().collect::<String>() + "…";
        if text_size(&candidate, size).0 <= max_width {
            return candidate;
        }
    }
    String::new()
}

/// Cuts the image into `rows × columns` tiles (row-major), each extended by `overlap` pixels
/// into its neighbours where possible. Returns each tile with its rectangle in the source.
pub fn tile(image: &DynamicImage, params: &TileParams) -> Result<Vec<(PixelRect, DynamicImage)>> {
    let (width, height) = image.dimensions();
    if params.rows == 0 || params.rows > height || params.rows > 64 {
        return Err(MediaError::invalid(
            "rows",
            params.rows,
            format!("must be between 1 and min(64, image height {height})"),
        ));
    }
    if params.columns == 0 || params.columns > width || params.columns > 64 {
        return Err(MediaError::invalid(
            "columns",
            params.columns,
            format!("must be between 1 and min(64, image width {width})"),
        ));
    }
    let edge = |index: u32, count: u32, size: u32| {
        (u64::from(index) * u64::from(size) / u64::from(count)) as u32
    };
    let mut tiles = Vec::with_capacity((params.rows * params.columns) as usize);
    for row in 0..params.rows {
        for column in 0..params.columns {
            let (x0, x1) = (
                edge(column, params.columns, width),
                edge(column + 1, params.columns, width),
            );
            let (y0, y1) = (
                edge(row, params.rows, height),
                edge(row + 1, params.rows, height),
            );
            let (x0, y0) = (
                x0.saturating_sub(params.overlap),
                y0.saturating_sub(params.overlap),
            );
            let (x1, y1) = (
                x1.saturating_add(params.overlap).min(width),
                y1.saturating_add(params.overlap).min(height),
            );
            let rect = PixelRect {
                x: x0,
                y: y0,
                width: x1 - x0,
                height: y1 - y0,
            };
            tiles.push((rect, crop_rect(image, rect)));
        }
    }
    Ok(tiles)
}

/// Puts tiles back together onto a `width × height` RGB canvas at their rectangles (later
/// tiles win where they overlap). The inverse of [`tile`] after per-tile processing.
pub fn untile(
    width: u32,
    height: u32,
    tiles: &[(PixelRect, DynamicImage)],
) -> Result<DynamicImage> {
    if u64::from(width) * u64::from(height) > MAX_OUTPUT_PIXELS || width == 0 || height == 0 {
        return Err(MediaError::invalid(
            "width",
            format!("{width}×{height}"),
            "is not a valid canvas size",
        ));
    }
    let mut canvas = RgbImage::new(width, height);
    for (rect, piece) in tiles {
        image::imageops::replace(
            &mut canvas,
            &piece.to_rgb8(),
            i64::from(rect.x),
            i64::from(rect.y),
        );
    }
    Ok(DynamicImage::ImageRgb8(canvas))
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, Rgba};

    fn solid(width: u32, height: u32, color: [u8; 3]) -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(width, height, Rgb(color)))
    }

    #[test]
    fn overlay_blends_alpha_and_clips() {
        let base = solid(10, 10, [0, 0, 200]);
        let top = DynamicImage::ImageRgba8(RgbaImage::from_fn(4, 4, |x, _| {
            if x < 2 {
                Rgba([255, 0, 0, 255])
            } else {
                Rgba([255, 0, 0, 0])
            }
        }));
        let out = overlay(
            &base,
            &top,
            &OverlayParams {
                x: 8,
                y: -1,
                opacity: 1.0,
            },
        )
        .expect("overlay")
        .to_rgb8();
        assert_eq!(out.get_pixel(8, 0).0, [255, 0, 0]);
        assert_eq!(out.get_pixel(9, 2).0, [255, 0, 0]);
        assert_eq!(out.get_pixel(9, 3).0, [0, 0, 200], "below the pasted rows");
        assert_eq!(out.get_pixel(7, 0).0, [0, 0, 200]);
        let half = overlay(
            &base,
            &solid(2, 2, [255, 255, 255]),
            &OverlayParams {
                x: 0,
                y: 0,
                opacity: 0.5,
            },
        )
        .expect("half")
        .to_rgb8();
        assert_eq!(half.get_pixel(0, 0).0, [128, 128, 228]);
        assert!(
            overlay(
                &base,
                &top,
                &OverlayParams {
                    x: 0,
                    y: 0,
                    opacity: 2.0
                }
            )
            .is_err()
        );
    }

    #[test]
    fn side_by_side_places_images_in_cells() {
        let sheet = side_by_side(
            &[solid(40, 30, [255, 0, 0]), solid(20, 30, [0, 255, 0])],
            &[],
            4,
            Color::WHITE,
        )
        .expect("sheet")
        .to_rgb8();
        // Cells are 40×30 (widest aspect at the tallest height); 4 px gaps around.
        assert_eq!(sheet.dimensions(), (4 + 40 + 4 + 40 + 4, 4 + 30 + 4));
        assert_eq!(sheet.get_pixel(5, 5).0, [255, 0, 0]);
        assert_eq!(sheet.get_pixel(2, 2).0, [255, 255, 255]);
        // The narrow image is centred: x from 48 + 10 to 48 + 30.
        assert_eq!(sheet.get_pixel(48 + 15, 10).0, [0, 255, 0]);
        assert_eq!(sheet.get_pixel(48 + 5, 10).0, [255, 255, 255]);
    }

    #[test]
    fn grid_with_labels_adds_a_caption_band() {
        let images = vec![solid(50, 50, [10, 10, 10]); 5];
        let labels = vec!["one".to_owned(), "two".to_owned()];
        let params = GridParams {
            columns: None,
            cell_height: Some(50),
            gap: 0,
            background: Color::WHITE,
            labels,
        };
        let sheet = grid(&images, &params).expect("grid").to_rgb8();
        // ⌈√5⌉ = 3 columns, 2 rows; each row is 50 px of image and an 18 px caption band.
        assert_eq!(sheet.dimensions(), (150, 2 * (50 + 18)));
        let band_ink = (50..68)
            .flat_map(|y| (0..50).map(move |x| (x, y)))
            .filter(|(x, y)| sheet.get_pixel(*x, *y).0[0] < 128)
            .count();
        assert!(band_ink > 10, "caption drawn");
        let empty_band_ink = (50..68)
            .flat_map(|y| (100..150).map(move |x| (x, y)))
            .filter(|(x, y)| sheet.get_pixel(*x, *y).0[0] < 128)
            .count();
        assert_eq!(empty_band_ink, 0, "third image has no label");
        assert!(grid(&[], &params).is_err());
        assert!(ellipsize("a very long caption indeed", 12.0, 40).ends_with('…'));
    }

    #[test]
    fn tiles_cover_the_image_and_round_trip() {
        let image =
            DynamicImage::ImageRgb8(RgbImage::from_fn(10, 7, |x, y| Rgb([x as u8, y as u8, 1])));
        let tiles = tile(
            &image,
            &TileParams {
                rows: 2,
                columns: 3,
                overlap: 0,
            },
        )
        .expect("tile");
        assert_eq!(tiles.len(), 6);
        assert_eq!(
            tiles[0].0,
            PixelRect {
                x: 0,
                y: 0,
                width: 3,
                height: 3
            }
        );
        assert_eq!(
            tiles[5].0,
            PixelRect {
                x: 6,
                y: 3,
                width: 4,
                height: 4
            }
        );
        assert_eq!(
            tiles
                .iter()
                .map(|(rect, _)| rect.width * rect.height)
                .sum::<u32>(),
            70
        );
        assert_eq!(tiles[4].1.get_pixel(0, 0).0, [3, 3, 1, 255]);
        assert_eq!(untile(10, 7, &tiles).expect("untile"), image);
        let overlapping = tile(
            &image,
            &TileParams {
                rows: 1,
                columns: 2,
                overlap: 2,
            },
        )
        .expect("overlap");
        assert_eq!(
            overlapping[0].0,
            PixelRect {
                x: 0,
                y: 0,
                width: 7,
                height: 7
            }
        );
        assert_eq!(
            overlapping[1].0,
            PixelRect {
                x: 3,
                y: 0,
                width: 7,
                height: 7
            }
        );
        assert!(
            tile(
                &image,
                &TileParams {
                    rows: 0,
                    columns: 1,
                    overlap: 0
                }
            )
            .is_err()
        );
    }
}
