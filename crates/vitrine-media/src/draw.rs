//! Anti-aliased-enough drawing primitives on 8-bit RGB or RGBA buffers: blended rectangles,
//! polygons, thick lines, discs and text.
//!
//! Hand-written rather than taken from imageproc: it keeps nalgebra and rand out of the build
//! and every primitive clips instead of panicking on odd input (empty polygons, points far
//! outside, NaN). Colours carry alpha; drawing blends source-over.

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use image::{ImageBuffer, Pixel};

use crate::mask::polygon_spans;
use crate::shapes::{Color, Point};

/// DejaVu Sans 2.37 from Debian's `fonts-dejavu-core`; licence in `assets/fonts/`.
static FONT_BYTES: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The embedded font, parsed once; `None` only if the embedded file were corrupt.
pub(crate) fn font() -> Option<&'static FontRef<'static>> {
    static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    FONT.get_or_init(|| FontRef::try_from_slice(FONT_BYTES).ok())
        .as_ref()
}

/// An 8-bit RGB or RGBA image buffer.
pub(crate) type Canvas<P> = ImageBuffer<P, Vec<u8>>;

/// Blends `color` with extra `coverage` (0..1) into the pixel at (x, y), if it is inside.
#[inline]
pub(crate) fn blend<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    x: i64,
    y: i64,
    color: Color,
    coverage: f32,
) {
    if x < 0 || y < 0 || x >= i64::from(canvas.width()) || y >= i64::from(canvas.height()) {
        return;
    }
    let alpha = f32::from(color.0[3]) / 255.0 * coverage.clamp(0.0, 1.0);
    if alpha <= 0.0 {
        return;
    }
    let pixel = canvas.get_pixel_mut(x as u32, y as u32).channels_mut();
    if pixel.len() == 4 {
        let below = f32::from(pixel[3]) / 255.0;
        let out_alpha = alpha + below * (1.0 - alpha);
        for (value, new) in pixel.iter_mut().zip(color.0).take(3) {
            let mixed = (f32::from(new) * alpha + f32::from(*value) * below * (1.0 - alpha))
                / out_alpha.max(1e-6);
            *value = mixed.round().clamp(0.0, 255.0) as u8;
        }
        pixel[3] = (out_alpha * 255.0).round() as u8;
    } else {
        for (channel, value) in pixel.iter_mut().enumerate().take(3) {
            let mixed = f32::from(color.0[channel]) * alpha + f32::from(*value) * (1.0 - alpha);
            *value = mixed.round().clamp(0.0, 255.0) as u8;
        }
    }
}

/// Fills the rectangle [x0, x1) × [y0, y1), clipped.
pub(crate) fn fill_rect<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
    color: Color,
) {
    let (x0, x1) = (x0.max(0), x1.min(i64::from(canvas.width())));
    let (y0, y1) = (y0.max(0), y1.min(i64::from(canvas.height())));
    for y in y0..y1 {
        for x in x0..x1 {
            blend(canvas, x, y, color, 1.0);
        }
    }
}

/// Outlines the rectangle [x0, x1) × [y0, y1) with lines `width` pixels thick, drawn inwards.
pub(crate) fn stroke_rect<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    x0: i64,
    y0: i64,
    x1: i64,
    y1: i64,
    width: i64,
    color: Color,
) {
    let width = width.max(1);
    fill_rect(canvas, x0, y0, x1, (y0 + width).min(y1), color);
    fill_rect(canvas, x0, (y1 - width).max(y0 + width), x1, y1, color);
    fill_rect(
        canvas,
        x0,
        y0 + width,
        (x0 + width).min(x1),
        y1 - width,
        color,
    );
    fill_rect(
        canvas,
        (x1 - width).max(x0 + width),
        y0 + width,
        x1,
        y1 - width,
        color,
    );
}

/// Fills a polygon (even-odd, pixel centres).
pub(crate) fn fill_polygon<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    points: &[Point],
    color: Color,
) {
    let (width, height) = canvas.dimensions();
    let mut spans = Vec::new();
    polygon_spans(points, width, height, |y, x_start, x_end| {
        spans.push((y, x_start, x_end))
    });
    for (y, x_start, x_end) in spans {
        for x in x_start..x_end {
            blend(canvas, i64::from(x), i64::from(y), color, 1.0);
        }
    }
}

/// A filled disc.
pub(crate) fn fill_circle<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    center: Point,
    radius: f64,
    color: Color,
) {
    if !center.x.is_finite() || !center.y.is_finite() || !radius.is_finite() || radius <= 0.0 {
        return;
    }
    let (x0, x1) = (
        (center.x - radius).floor() as i64,
        (center.x + radius).ceil() as i64,
    );
    let (y0, y1) = (
        (center.y - radius).floor() as i64,
        (center.y + radius).ceil() as i64,
    );
    let (x0, x1) = (x0.max(0), x1.min(i64::from(canvas.width())));
    let (y0, y1) = (y0.max(0), y1.min(i64::from(canvas.height())));
    for y in y0..y1 {
        for x in x0..x1 {
            let (dx, dy) = (x as f64 + 0.5 - center.x, y as f64 + 0.5 - center.y);
            // One pixel of soft edge keeps small dots round.
            let coverage = (radius + 0.5 - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0);
            blend(canvas, x, y, color, coverage as f32);
        }
    }
}

/// A line `width` pixels thick with round ends.
pub(crate) fn thick_line<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    from: Point,
    to: Point,
    width: f64,
    color: Color,
) {
    let (dx, dy) = (to.x - from.x, to.y - from.y);
    let length = (dx * dx + dy * dy).sqrt();
    let half = width.max(1.0) / 2.0;
    if length.is_finite() && length > 1e-9 {
        let (nx, ny) = (-dy / length * half, dx / length * half);
        let quad = [
            Point {
                x: from.x + nx,
                y: from.y + ny,
            },
            Point {
                x: to.x + nx,
                y: to.y + ny,
            },
            Point {
                x: to.x - nx,
                y: to.y - ny,
            },
            Point {
                x: from.x - nx,
                y: from.y - ny,
            },
        ];
        fill_polygon(canvas, &quad, color);
    }
    // Opaque caps only: translucent ones would double-blend where they overlap the quad.
    if color.0[3] == u8::MAX {
        fill_circle(canvas, from, half, color);
        fill_circle(canvas, to, half, color);
    }
}

/// Width and height in pixels of one line of `text` at `size` px (height = ascent + descent).
pub fn text_size(text: &str, size: f32) -> (u32, u32) {
    let Some(font) = font() else { return (0, 0) };
    let scaled = font.as_scaled(PxScale::from(size));
    let mut width = 0.0f32;
    let mut previous = None;
    for character in text.chars() {
        let id = font.glyph_id(character);
        if let Some(previous) = previous {
            width += scaled.kern(previous, id);
        }
        width += scaled.h_advance(id);
        previous = Some(id);
    }
    (
        width.ceil().max(0.0) as u32,
        (scaled.ascent() - scaled.descent()).ceil().max(0.0) as u32,
    )
}

/// Draws one line of `text` with its top-left corner at (x, y), `size` px tall.
pub(crate) fn draw_text<P: Pixel<Subpixel = u8>>(
    canvas: &mut Canvas<P>,
    x: f32,
    y: f32,
    size: f32,
    color: Color,
    text: &str,
) {
    let Some(font) = font() else { return };
    if !size.is_finite() || size <= 0.0 {
        return;
    }
    let scale = PxScale::from(size);
    let scaled = font.as_scaled(scale);
    let baseline = y + scaled.ascent();
    let mut caret = x;
    let mut previous = None;
    for character in text.chars() {
        let id = font.glyph_id(character);
        if let Some(previous) = previous {
            caret += scaled.kern(previous, id);
        }
        let glyph = id.with_scale_and_position(scale, ab_glyph::point(caret, baseline));
        caret += scaled.h_advance(id);
        previous = Some(id);
        let Some(outlined) = font.outline_glyph(glyph) else {
            continue;
        };
        let bounds = outlined.px_bounds();
        let mut coverage = Vec::new();
        outlined.draw(|gx, gy, value| coverage.push((gx, gy, value)));
        for (gx, gy, value) in coverage {
            blend(
                canvas,
                bounds.min.x as i64 + i64::from(gx),
                bounds.min.y as i64 + i64::from(gy),
                color,
                value,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage, Rgba, RgbaImage};

    #[test]
    fn the_embedded_font_parses_and_measures() {
        assert!(font().is_some());
        let (narrow, height) = text_size("il", 20.0);
        let (wide, _) = text_size("WW", 20.0);
        assert!(wide > narrow && narrow > 0, "{wide} vs {narrow}");
        assert!((20..=26).contains(&height), "{height}");
        assert_eq!(text_size("", 20.0).0, 0);
    }

    #[test]
    fn text_puts_ink_inside_its_box_only() {
        let mut canvas = RgbImage::from_pixel(120, 40, Rgb([0, 0, 0]));
        draw_text(&mut canvas, 10.0, 8.0, 20.0, Color::WHITE, "Hello");
        let (width, height) = text_size("Hello", 20.0);
        let mut inked = 0;
        for (x, y, pixel) in canvas.enumerate_pixels() {
            if pixel.0[0] > 0 {
                inked += 1;
                assert!(
                    (9..=11 + width).contains(&x) && (7..=9 + height).contains(&y),
                    "ink at ({x}, {y})"
                );
            }
        }
        assert!(inked > 60, "only {inked} pixels inked");
    }

    #[test]
    fn blending_is_source_over() {
        let mut rgb = RgbImage::from_pixel(2, 1, Rgb([0, 0, 200]));
        blend(&mut rgb, 0, 0, Color([255, 0, 0, 128]), 1.0);
        assert_eq!(rgb.get_pixel(0, 0).0, [128, 0, 100]);
        blend(&mut rgb, 5, 5, Color::WHITE, 1.0); // outside: ignored
        let mut rgba = RgbaImage::from_pixel(1, 1, Rgba([0, 0, 0, 0]));
        blend(&mut rgba, 0, 0, Color([10, 20, 30, 128]), 1.0);
        assert_eq!(rgba.get_pixel(0, 0).0, [10, 20, 30, 128]);
    }

    #[test]
    fn stroke_rect_draws_a_frame_of_the_given_width() {
        let mut canvas = RgbImage::new(20, 20);
        stroke_rect(&mut canvas, 2, 2, 12, 12, 3, Color::WHITE);
        assert_eq!(canvas.get_pixel(2, 2).0, [255; 3]);
        assert_eq!(canvas.get_pixel(4, 7).0, [255; 3]);
        assert_eq!(canvas.get_pixel(5, 7).0, [0; 3], "inside the frame stays");
        assert_eq!(canvas.get_pixel(11, 11).0, [255; 3]);
        assert_eq!(
            canvas.get_pixel(12, 12).0,
            [0; 3],
            "right/bottom edges are exclusive"
        );
        let ink = canvas.pixels().filter(|pixel| pixel.0[0] == 255).count();
        assert_eq!(ink, 100 - 16);
    }

    #[test]
    fn thick_lines_and_circles_clip_without_panicking() {
        let mut canvas = RgbImage::new(30, 30);
        thick_line(
            &mut canvas,
            Point { x: -100.0, y: 15.0 },
            Point { x: 100.0, y: 15.0 },
            4.0,
            Color::WHITE,
        );
        assert_eq!(canvas.get_pixel(0, 14).0, [255; 3]);
        assert_eq!(canvas.get_pixel(29, 16).0, [255; 3]);
        assert_eq!(canvas.get_pixel(15, 10).0, [0; 3]);
        thick_line(
            &mut canvas,
            Point {
                x: f64::NAN,
                y: 0.0,
            },
            Point { x: 5.0, y: 5.0 },
            2.0,
            Color::WHITE,
        );
        fill_circle(
            &mut canvas,
            Point { x: 5.0, y: 5.0 },
            3.0,
            Color::rgb(255, 0, 0),
        );
        assert_eq!(canvas.get_pixel(5, 5).0, [255, 0, 0]);
        assert_eq!(canvas.get_pixel(5, 10).0, [0; 3]);
    }
}
