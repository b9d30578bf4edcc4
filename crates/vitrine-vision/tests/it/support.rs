//! Shared fixtures: the loaded models, test photos, and a text renderer.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::RgbImage;
use vitrine_vision::Models;

/// The models directory: `VITRINE_MODELS_DIR`, else the fetch script's default.
pub(crate) fn models_dir() -> PathBuf {
    match std::env::var_os("VITRINE_MODELS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => vitrine_vision::store::default_dir(),
    }
}

/// Models shared by every test in the binary (loading takes ~1 s).
pub(crate) fn models() -> &'static Models {
    static MODELS: OnceLock<Models> = OnceLock::new();
    MODELS.get_or_init(|| {
        let dir = models_dir();
        match Models::load(&dir) {
            Ok(models) => models,
            Err(error) => panic!(
                "cannot load the vision models from {}: {error}\n\
                 run `scripts/fetch-models.sh` (or set VITRINE_MODELS_DIR) first",
                dir.display()
            ),
        }
    })
}

/// A photo from `testdata/` (see `testdata/README.md` for provenance).
pub(crate) fn photo(name: &str) -> RgbImage {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(name);
    image::open(&path)
        .unwrap_or_else(|error| panic!("cannot open {}: {error}", path.display()))
        .to_rgb8()
}

/// DejaVu Sans from Debian's `fonts-dejavu-core`.
pub(crate) fn font() -> FontVec {
    let path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    let bytes = std::fs::read(path)
        .unwrap_or_else(|error| panic!("{path}: {error} (apt-get install fonts-dejavu-core)"));
    FontVec::try_from_vec(bytes).expect("DejaVuSans.ttf is a valid font")
}

/// Renders `lines` black on white, one per row, `size` px high, starting at
/// `(left, top)`, `spacing` px between baselines.
pub(crate) fn render_lines(
    width: u32,
    height: u32,
    lines: &[&str],
    size: f32,
    left: f32,
    top: f32,
    spacing: f32,
) -> RgbImage {
    let mut image = RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    let font = font();
    let scaled = font.as_scaled(PxScale::from(size));
    for (row, line) in lines.iter().enumerate() {
        let baseline = top + scaled.ascent() + row as f32 * spacing;
        let mut caret = left;
        let mut previous = None;
        for character in line.chars() {
            let glyph_id = scaled.glyph_id(character);
            if let Some(previous) = previous {
                caret += scaled.kern(previous, glyph_id);
            }
            let glyph = glyph_id.with_scale_and_position(size, ab_glyph::point(caret, baseline));
            caret += scaled.h_advance(glyph_id);
            previous = Some(glyph_id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let bounds = outline.px_bounds();
                outline.draw(|x, y, coverage| {
                    let px = bounds.min.x as i64 + i64::from(x);
                    let py = bounds.min.y as i64 + i64::from(y);
                    if px >= 0 && py >= 0 && (px as u32) < width && (py as u32) < height {
                        let pixel = image.get_pixel_mut(px as u32, py as u32);
                        let ink = (255.0 * (1.0 - coverage.clamp(0.0, 1.0))) as u8;
                        for channel in &mut pixel.0 {
                            *channel = (*channel).min(ink);
                        }
                    }
                });
            }
        }
    }
    image
}

/// Fills `bbox` (clamped to the image) with solid black.
pub(crate) fn fill_box(image: &mut RgbImage, bbox: [f32; 4]) {
    let x0 = bbox[0].floor().max(0.0) as u32;
    let y0 = bbox[1].floor().max(0.0) as u32;
    let x1 = (bbox[2].ceil().max(0.0) as u32).min(image.width());
    let y1 = (bbox[3].ceil().max(0.0) as u32).min(image.height());
    for y in y0..y1 {
        for x in x0..x1 {
            image.put_pixel(x, y, image::Rgb([0, 0, 0]));
        }
    }
}

/// Rotates `image` by `degrees` (counter-clockwise on screen) about its
/// centre, filling uncovered pixels with white (bilinear sampling).
pub(crate) fn rotate(image: &RgbImage, degrees: f32) -> RgbImage {
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = (image.width() as f32 / 2.0, image.height() as f32 / 2.0);
    RgbImage::from_fn(image.width(), image.height(), |x, y| {
        // Inverse mapping: where does output (x, y) come from?
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        let sx = cx + dx * cos - dy * sin - 0.5;
        let sy = cy + dx * sin + dy * cos - 0.5;
        if sx < 0.0
            || sy < 0.0
            || sx > image.width() as f32 - 1.0
            || sy > image.height() as f32 - 1.0
        {
            return image::Rgb([255, 255, 255]);
        }
        let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
        let (x1, y1) = (
            (x0 + 1).min(image.width() - 1),
            (y0 + 1).min(image.height() - 1),
        );
        let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
        let mut out = [0u8; 3];
        for (channel, value) in out.iter_mut().enumerate() {
            let p = |x: u32, y: u32| f32::from(image.get_pixel(x, y).0[channel]);
            let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
            let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
            *value = (top * (1.0 - fy) + bottom * fy).round() as u8;
        }
        image::Rgb(out)
    })
}
