//! Drawing detections on an image: boxes with labels and scores, points, polygons, translucent
//! masks and free text, in a style that stays legible at any resolution.
//!
//! The default style scales with the image (line width ≈ short side / 250, labels ≈ short
//! side / 40), takes colours from a 20-colour palette keyed by label so one class keeps one
//! colour across a picture, and puts every label on a filled tab in the box colour with black
//! or white text, whichever contrasts more.

use image::{DynamicImage, GrayImage, Pixel};

use crate::draw::{
    Canvas, blend, draw_text, fill_circle, fill_polygon, fill_rect, stroke_rect, text_size,
    thick_line,
};
use crate::error::{MediaError, Result};
use crate::geometry::to_8bit;
use crate::mask::mask_bounds;
use crate::params::{AnnotateParams, AnnotateStyle};
use crate::shapes::{Color, MAX_POLYGON_POINTS};

/// The default palette: saturated, distinguishable, readable under white or black text.
pub const PALETTE: [Color; 20] = [
    Color::rgb(255, 56, 56),
    Color::rgb(255, 157, 151),
    Color::rgb(255, 112, 31),
    Color::rgb(255, 178, 29),
    Color::rgb(207, 210, 49),
    Color::rgb(72, 249, 10),
    Color::rgb(146, 204, 23),
    Color::rgb(61, 219, 134),
    Color::rgb(26, 147, 52),
    Color::rgb(0, 212, 187),
    Color::rgb(44, 153, 168),
    Color::rgb(0, 194, 255),
    Color::rgb(52, 69, 147),
    Color::rgb(100, 115, 255),
    Color::rgb(0, 24, 236),
    Color::rgb(132, 56, 255),
    Color::rgb(82, 0, 133),
    Color::rgb(203, 56, 255),
    Color::rgb(255, 149, 200),
    Color::rgb(255, 55, 199),
];

/// A mask to overlay (segmentation output), with an optional label and colour.
#[derive(Debug, Clone, Copy)]
pub struct MaskOverlay<'a> {
    /// Same size as the image; non-zero is inside, partial values blend partially.
    pub mask: &'a GrayImage,
    /// Text drawn at the top-left of the mask's bounding box.
    pub label: Option<&'a str>,
    /// Fill and outline colour; by default from the palette by label.
    pub color: Option<Color>,
}

/// The palette colour for a label (stable across calls), or by `index` when there is none.
pub fn color_for(label: Option<&str>, index: usize) -> Color {
    let slot = match label {
        // FNV-1a: a fixed hash, so "person" is the same colour in every response.
        Some(label) => label.bytes().fold(0xcbf2_9ce4_8422_2325u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x100_0000_01b3)
        }) as usize,
        None => index,
    };
    PALETTE[slot % PALETTE.len()]
}

/// Line width and font size actually used for a `width × height` image.
pub fn resolved_style(style: &AnnotateStyle, width: u32, height: u32) -> (u32, f32, f32) {
    let short_side = width.min(height) as f32;
    let line_width = style
        .line_width
        .unwrap_or_else(|| ((short_side / 250.0).round() as u32).max(2))
        .clamp(1, 64);
    let font_size = style
        .font_size
        .unwrap_or_else(|| (short_side / 40.0).round().max(12.0))
        .clamp(6.0, 256.0);
    let fill_opacity = style.fill_opacity.unwrap_or(0.4).clamp(0.0, 1.0);
    (line_width, font_size, fill_opacity)
}

/// Draws everything in `params` onto a copy of `image` (RGB stays RGB, RGBA stays RGBA).
pub fn annotate(image: &DynamicImage, params: &AnnotateParams) -> Result<DynamicImage> {
    validate(params)?;
    let mut out = to_rgb_or_rgba(image);
    match &mut out {
        DynamicImage::ImageRgb8(rgb) => draw_all(rgb, params),
        DynamicImage::ImageRgba8(rgba) => draw_all(rgba, params),
        _ => {}
    }
    Ok(out)
}

/// Overlays translucent masks with an outline and optional label.
pub fn annotate_masks(
    image: &DynamicImage,
    masks: &[MaskOverlay<'_>],
    style: &AnnotateStyle,
) -> Result<DynamicImage> {
    for overlay in masks {
        if overlay.mask.dimensions() != (image.width(), image.height()) {
            return Err(MediaError::SizeMismatch {
                param: "mask",
                actual_width: overlay.mask.width(),
                actual_height: overlay.mask.height(),
                width: image.width(),
                height: image.height(),
            });
        }
    }
    let mut out = to_rgb_or_rgba(image);
    match &mut out {
        DynamicImage::ImageRgb8(rgb) => draw_masks(rgb, masks, style),
        DynamicImage::ImageRgba8(rgba) => draw_masks(rgba, masks, style),
        _ => {}
    }
    Ok(out)
}

fn to_rgb_or_rgba(image: &DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image.clone(),
        other => to_8bit(other),
    }
}

fn validate(params: &AnnotateParams) -> Result<()> {
    for annotation in &params.boxes {
        let b = annotation.bbox;
        if ![b.x0, b.y0, b.x1, b.y1].iter().all(|edge| edge.is_finite()) {
            return Err(MediaError::invalid(
                "boxes",
                b,
                "every edge must be a finite number",
            ));
        }
        if let Some(score) = annotation.score
            && !score.is_finite()
        {
            return Err(MediaError::invalid(
                "score",
                score,
                "must be a finite number",
            ));
        }
    }
    for polygon in &params.polygons {
        if polygon.points.len() < 2
            || polygon.points.len() > MAX_POLYGON_POINTS
            || polygon
                .points
                .iter()
                .any(|point| !point.x.is_finite() || !point.y.is_finite())
        {
            return Err(MediaError::invalid(
                "polygons",
                format!("{} points", polygon.points.len()),
                format!("need 2 to {MAX_POLYGON_POINTS} finite points"),
            ));
        }
    }
    for point in &params.points {
        if !point.point.x.is_finite() || !point.point.y.is_finite() {
            return Err(MediaError::invalid(
                "points",
                format!("({}, {})", point.point.x, point.point.y),
                "must be finite",
            ));
        }
    }
    for text in &params.texts {
        if !text.position.x.is_finite() || !text.position.y.is_finite() {
            return Err(MediaError::invalid(
                "texts",
                &text.text,
                "position must be finite",
            ));
        }
        if let Some(size) = text.size
            && !(4.0..=512.0).contains(&size)
        {
            return Err(MediaError::invalid(
                "size",
                size,
                "font size must be between 4 and 512 pixels",
            ));
        }
    }
    Ok(())
}

/// Black or white, whichever reads better on `background` (WCAG relative luminance).
fn text_color_on(background: Color) -> Color {
    let linear = |channel: u8| {
        let value = f32::from(channel) / 255.0;
        if value <= 0.040_45 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * linear(background.0[0])
        + 0.7152 * linear(background.0[1])
        + 0.0722 * linear(background.0[2]);
    if luminance > 0.179 {
        Color::BLACK
    } else {
        Color::WHITE
    }
}

/// A filled tab with `text`, placed above (x, y) when there is room, else just below it.
fn label_tab<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    x: f64,
    y: f64,
    text: &str,
    size: f32,
    background: Color,
) {
    if text.is_empty() {
        return;
    }
    let (text_width, text_height) = text_size(text, size);
    let pad = (size / 5.0).round().max(2.0) as i64;
    let tab_width = i64::from(text_width) + 2 * pad;
    let tab_height = i64::from(text_height) + pad;
    let left = (x.round() as i64).clamp(0, (i64::from(canvas.width()) - tab_width).max(0));
    let top = if y.round() as i64 - tab_height >= 0 {
        y.round() as i64 - tab_height
    } else {
        (y.round() as i64).max(0)
    };
    fill_rect(
        canvas,
        left,
        top,
        left + tab_width,
        top + tab_height,
        background.with_alpha(255),
    );
    draw_text(
        canvas,
        (left + pad) as f32,
        (top + pad / 2) as f32,
        size,
        text_color_on(background),
        text,
    );
}

fn draw_all<P: Pixel<Subpixel = u8>>(canvas: &mut Canvas<P>, params: &AnnotateParams) {
    let (line_width, font_size, fill_opacity) =
        resolved_style(&params.style, canvas.width(), canvas.height());
    let fill_alpha = (fill_opacity * 255.0).round() as u8;
    for (index, polygon) in params.polygons.iter().enumerate() {
        let color = polygon
            .color
            .unwrap_or_else(|| color_for(polygon.label.as_deref(), index));
        if polygon.fill && polygon.points.len() >= 3 {
            fill_polygon(canvas, &polygon.points, color.with_alpha(fill_alpha));
        }
        let closing = polygon.points.first().copied();
        for (from, to) in polygon
            .points
            .iter()
            .zip(polygon.points.iter().skip(1).chain(closing.as_ref()))
        {
            thick_line(canvas, *from, *to, f64::from(line_width), color);
        }
        if let (Some(label), Some(first)) = (&polygon.label, polygon.points.first()) {
            label_tab(canvas, first.x, first.y, label, font_size, color);
        }
    }
    for (index, annotation) in params.boxes.iter().enumerate() {
        let color = annotation
            .color
            .unwrap_or_else(|| color_for(annotation.label.as_deref(), index));
        let b = annotation.bbox;
        let (x0, y0, x1, y1) = (
            b.x0.round() as i64,
            b.y0.round() as i64,
            b.x1.round() as i64,
            b.y1.round() as i64,
        );
        stroke_rect(
            canvas,
            x0.min(x1),
            y0.min(y1),
            x0.max(x1),
            y0.max(y1),
            i64::from(line_width),
            color,
        );
        let text = match (&annotation.label, annotation.score) {
            (Some(label), Some(score)) => format!("{label} {score:.2}"),
            (Some(label), None) => label.clone(),
            (None, Some(score)) => format!("{score:.2}"),
            (None, None) => String::new(),
        };
        label_tab(
            canvas,
            b.x0.min(b.x1),
            b.y0.min(b.y1),
            &text,
            font_size,
            color,
        );
    }
    for (index, point) in params.points.iter().enumerate() {
        let color = point
            .color
            .unwrap_or_else(|| color_for(point.label.as_deref(), index));
        let radius = f64::from(line_width) * 2.0;
        fill_circle(canvas, point.point, radius + 1.0, Color::WHITE);
        fill_circle(canvas, point.point, radius, color);
        if let Some(label) = &point.label {
            let (_, text_height) = text_size(label, font_size);
            label_tab(
                canvas,
                point.point.x + radius + 2.0,
                point.point.y + f64::from(text_height) / 2.0,
                label,
                font_size,
                color,
            );
        }
    }
    for text in &params.texts {
        let size = text.size.unwrap_or(font_size);
        match text.color {
            Some(color) => draw_text(
                canvas,
                text.position.x as f32,
                text.position.y as f32,
                size,
                color,
                &text.text,
            ),
            None => {
                let (width, height) = text_size(&text.text, size);
                let pad = (size / 5.0).round() as i64;
                let (x, y) = (
                    text.position.x.round() as i64,
                    text.position.y.round() as i64,
                );
                fill_rect(
                    canvas,
                    x - pad,
                    y - pad / 2,
                    x + i64::from(width) + pad,
                    y + i64::from(height) + pad / 2,
                    Color([0, 0, 0, 170]),
                );
                draw_text(canvas, x as f32, y as f32, size, Color::WHITE, &text.text);
            }
        }
    }
}

fn draw_masks<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    masks: &[MaskOverlay<'_>],
    style: &AnnotateStyle,
) {
    let (line_width, font_size, fill_opacity) =
        resolved_style(style, canvas.width(), canvas.height());
    for (index, overlay) in masks.iter().enumerate() {
        let color = overlay
            .color
            .unwrap_or_else(|| color_for(overlay.label, index));
        let mask = overlay.mask;
        let edge = outline(mask, line_width.div_ceil(2) as usize);
        for ((x, y, value), on_edge) in mask.enumerate_pixels().zip(edge) {
            let weight = f32::from(value.0[0]) / 255.0;
            if weight <= 0.0 {
                continue;
            }
            let coverage = if on_edge { 1.0 } else { weight * fill_opacity };
            blend(canvas, i64::from(x), i64::from(y), color, coverage);
        }
        if let (Some(label), Some(bounds)) = (overlay.label, mask_bounds(mask)) {
            label_tab(
                canvas,
                f64::from(bounds.x),
                f64::from(bounds.y),
                label,
                font_size,
                color,
            );
        }
    }
}

/// Marks inside pixels (≥ 128) that have an outside pixel, or the image border, within `reach`
/// pixels (a square neighbourhood): the mask's outline, `2 × reach` thick at most. Two
/// sliding-window passes keep it linear in the pixel count whatever the line width.
fn outline(mask: &GrayImage, reach: usize) -> Vec<bool> {
    let (width, height) = (mask.width() as usize, mask.height() as usize);
    let inside: Vec<bool> = mask.as_raw().iter().map(|value| *value >= 128).collect();
    // near[i]: some pixel within `reach` along the row is outside (or off the image).
    let mut near = vec![false; width * height];
    let mut prefix = vec![0usize; width.max(height) + 1];
    for y in 0..height {
        for x in 0..width {
            prefix[x + 1] = prefix[x] + usize::from(!inside[y * width + x]);
        }
        for x in 0..width {
            near[y * width + x] =
                x < reach || x + reach >= width || prefix[x + reach + 1] > prefix[x - reach];
        }
    }
    let mut edge = vec![false; width * height];
    for x in 0..width {
        for y in 0..height {
            prefix[y + 1] = prefix[y] + usize::from(near[y * width + x]);
        }
        for y in 0..height {
            let close =
                y < reach || y + reach >= height || prefix[y + reach + 1] > prefix[y - reach];
            edge[y * width + x] = inside[y * width + x] && close;
        }
    }
    edge
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mask::box_mask;
    use crate::params::{BoxAnnotation, PointAnnotation, PolygonAnnotation, TextAnnotation};
    use crate::shapes::{PixelBox, PixelRect, Point};
    use image::{Rgb, RgbImage};

    fn gray_canvas() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_pixel(400, 300, Rgb([128, 128, 128])))
    }

    fn is(image: &RgbImage, x: u32, y: u32, color: Color) -> bool {
        image.get_pixel(x, y).0 == [color.0[0], color.0[1], color.0[2]]
    }

    #[test]
    fn box_outline_label_tab_and_untouched_interior() {
        let red = Color::rgb(255, 0, 0);
        let params = AnnotateParams {
            boxes: vec![BoxAnnotation {
                bbox: PixelBox::new(100.0, 100.0, 200.0, 180.0),
                label: Some("cat".into()),
                score: Some(0.93),
                color: Some(red),
            }],
            ..AnnotateParams::default()
        };
        let out = annotate(&gray_canvas(), &params)
            .expect("annotate")
            .to_rgb8();
        let (line_width, font_size, _) = resolved_style(&AnnotateStyle::default(), 400, 300);
        assert_eq!(line_width, 2);
        assert_eq!(font_size, 12.0);
        for (x, y) in [(100, 100), (101, 150), (199, 150), (150, 179), (150, 178)] {
            assert!(
                is(&out, x, y, red),
                "({x}, {y}) is {:?}",
                out.get_pixel(x, y)
            );
        }
        assert!(
            is(&out, 150, 140, Color::rgb(128, 128, 128)),
            "interior changed"
        );
        assert!(
            is(&out, 210, 150, Color::rgb(128, 128, 128)),
            "outside changed"
        );
        // The tab sits above the box, red, with dark text ("cat 0.93") in it.
        let (text_width, _) = text_size("cat 0.93", 12.0);
        assert!(is(&out, 101, 97, red) || out.get_pixel(101, 97).0[0] > 200);
        let tab_row: Vec<_> = (100..100 + text_width)
            .map(|x| out.get_pixel(x, 92).0)
            .collect();
        assert!(
            tab_row.iter().any(|pixel| pixel[0] < 100),
            "no text ink in the tab"
        );
    }

    #[test]
    fn labels_pick_stable_palette_colours() {
        assert_eq!(color_for(Some("person"), 0), color_for(Some("person"), 7));
        assert_ne!(color_for(Some("person"), 0), color_for(Some("car"), 0));
        assert_eq!(color_for(None, 3), PALETTE[3]);
        assert_eq!(text_color_on(Color::rgb(255, 178, 29)), Color::BLACK);
        assert_eq!(text_color_on(Color::rgb(0, 24, 236)), Color::WHITE);
    }

    #[test]
    fn polygons_fill_translucently_and_points_are_dots() {
        let green = Color::rgb(0, 255, 0);
        let params = AnnotateParams {
            polygons: vec![PolygonAnnotation {
                points: vec![
                    Point { x: 50.0, y: 50.0 },
                    Point { x: 150.0, y: 50.0 },
                    Point { x: 150.0, y: 150.0 },
                    Point { x: 50.0, y: 150.0 },
                ],
                label: None,
                color: Some(green),
                fill: true,
            }],
            points: vec![PointAnnotation {
                point: Point { x: 300.0, y: 200.0 },
                label: None,
                color: Some(Color::rgb(0, 0, 255)),
            }],
            ..AnnotateParams::default()
        };
        let out = annotate(&gray_canvas(), &params)
            .expect("annotate")
            .to_rgb8();
        // 40% green over grey: 128·0.6 + 255·0.4 = 179 (green), 128·0.6 = 77 (red/blue).
        assert_eq!(out.get_pixel(100, 100).0, [77, 179, 77]);
        assert!(is(&out, 50, 100, green), "outline");
        assert!(is(&out, 300, 200, Color::rgb(0, 0, 255)), "point");
        assert!(is(&out, 250, 250, Color::rgb(128, 128, 128)));
    }

    #[test]
    fn text_with_default_style_has_a_dark_background() {
        let params = AnnotateParams {
            texts: vec![TextAnnotation {
                text: "Vitrine".into(),
                position: Point { x: 20.0, y: 20.0 },
                color: None,
                size: Some(24.0),
            }],
            ..AnnotateParams::default()
        };
        let out = annotate(&gray_canvas(), &params)
            .expect("annotate")
            .to_rgb8();
        let (width, height) = text_size("Vitrine", 24.0);
        let region: Vec<_> = (20..20 + height)
            .flat_map(|y| (20..20 + width).map(move |x| (x, y)))
            .map(|(x, y)| out.get_pixel(x, y).0[0])
            .collect();
        assert!(region.iter().any(|value| *value > 200), "white text");
        assert!(region.iter().any(|value| *value < 60), "dark background");
        assert!(
            annotate(
                &gray_canvas(),
                &AnnotateParams {
                    texts: vec![TextAnnotation {
                        size: Some(0.0),
                        ..params.texts[0].clone()
                    }],
                    ..AnnotateParams::default()
                }
            )
            .is_err()
        );
    }

    #[test]
    fn masks_are_translucent_with_an_opaque_outline() {
        let mask = box_mask(
            400,
            300,
            PixelRect {
                x: 100,
                y: 100,
                width: 100,
                height: 100,
            },
        );
        let blue = Color::rgb(0, 0, 255);
        let overlay = MaskOverlay {
            mask: &mask,
            label: Some("road"),
            color: Some(blue),
        };
        let out = annotate_masks(&gray_canvas(), &[overlay], &AnnotateStyle::default())
            .expect("masks")
            .to_rgb8();
        assert_eq!(out.get_pixel(150, 150).0, [77, 77, 179]);
        assert!(is(&out, 100, 150, blue), "outline pixel");
        assert!(
            is(&out, 99, 150, Color::rgb(128, 128, 128)),
            "outside the mask"
        );
        // The outline is line_width = 2 → reach 1: exactly the mask's border ring.
        let edge = outline(&mask, 1);
        let ring = edge.iter().filter(|on| **on).count();
        assert_eq!(ring, 4 * 100 - 4);
        assert!(!edge[150 * 400 + 150] && edge[150 * 400 + 100] && !edge[150 * 400 + 99]);
        let small = GrayImage::new(3, 3);
        assert!(
            annotate_masks(
                &gray_canvas(),
                &[MaskOverlay {
                    mask: &small,
                    label: None,
                    color: None
                }],
                &AnnotateStyle::default()
            )
            .is_err()
        );
    }

    #[test]
    fn rejects_non_finite_geometry_instead_of_panicking() {
        let params = AnnotateParams {
            boxes: vec![BoxAnnotation {
                bbox: PixelBox::new(f64::NAN, 0.0, 1.0, 1.0),
                label: None,
                score: None,
                color: None,
            }],
            ..AnnotateParams::default()
        };
        let error = annotate(&gray_canvas(), &params).expect_err("nan");
        assert!(error.to_string().starts_with("`boxes`"), "{error}");
    }
}
