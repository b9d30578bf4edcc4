//! Per-model latency on a 1080p input; driven by `bench/vision/run.sh`.
//!
//! usage: bench MODELS_DIR PHOTO [ITERATIONS] [INTRA_THREADS]
//!
//! The photo is resized and centre-cropped to 1920×1080 (faces, objects,
//! matte); OCR runs on a 1920×1080 page of rendered text. Prints a Markdown
//! table of median and best wall time per call, and what each call found.

use std::path::Path;
use std::time::{Duration, Instant};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::RgbImage;
use image::imageops::{self, FilterType};
use vitrine_vision::{FaceOptions, ModelOptions, Models, ObjectOptions, find_phi};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(models_dir), Some(photo)) = (args.get(1), args.get(2)) else {
        return Err("usage: bench MODELS_DIR PHOTO [ITERATIONS] [INTRA_THREADS]".into());
    };
    let iterations: usize = args.get(3).map_or(Ok(10), |value| value.parse())?;

    let started = Instant::now();
    let mut options = ModelOptions::default();
    if let Some(threads) = args.get(4) {
        options.intra_threads = threads.parse()?;
    }
    let models = Models::load_with(Path::new(models_dir), options)?;
    let load_time = started.elapsed();

    let photo = to_1080p(&image::open(photo)?.to_rgb8());
    let page = render_page()?;

    println!(
        "input: 1920x1080; iterations: {iterations}; intra-op threads: {}; model load: {:.0} ms",
        options.intra_threads,
        ms(load_time)
    );
    println!();
    println!("| call | median ms | best ms | result |");
    println!("|---|---|---|---|");
    let faces = time(iterations, || {
        models.detect_faces(&photo, &FaceOptions::default())
    })?;
    row(
        "detect_faces (CenterFace: coarse, half scale, native in windows)",
        &faces.0,
        format!("{} faces", faces.1.len()),
    );
    let exhaustive_options = FaceOptions {
        exhaustive: true,
        ..FaceOptions::default()
    };
    let exhaustive = time(iterations, || {
        models.detect_faces(&photo, &exhaustive_options)
    })?;
    row(
        "detect_faces, exhaustive (native pass over the whole frame)",
        &exhaustive.0,
        format!("{} faces", exhaustive.1.len()),
    );
    let fast_options = FaceOptions {
        min_face: 48.0,
        ..FaceOptions::default()
    };
    let fast_faces = time(iterations, || models.detect_faces(&photo, &fast_options))?;
    row(
        "detect_faces, min_face 48 px",
        &fast_faces.0,
        format!("{} faces", fast_faces.1.len()),
    );
    let objects = time(iterations, || {
        models.detect_objects(&photo, &ObjectOptions::default())
    })?;
    row(
        "detect_objects (NanoDet-m 416)",
        &objects.0,
        format!("{} objects", objects.1.len()),
    );
    let matte = time(iterations, || models.segment_person(&photo))?;
    let person = matte.1.pixels().filter(|p| p.0[0] >= 128).count();
    row(
        "segment_person (selfie 256)",
        &matte.0,
        format!("{:.0} % person", 100.0 * person as f64 / (1920.0 * 1080.0)),
    );
    let text = time(iterations.min(5), || models.read_text(&page))?;
    row(
        "read_text (PP-OCRv6 det+rec, 1080p page)",
        &text.0,
        format!("{} lines", text.1.len()),
    );
    let phi = time(iterations, || {
        Ok::<_, vitrine_vision::VisionError>(find_phi(&text.1))
    })?;
    row(
        "find_phi (regex, on those lines)",
        &phi.0,
        format!("{} findings", phi.1.len()),
    );
    Ok(())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

fn row(name: &str, times: &[Duration], result: String) {
    let mut sorted = times.to_vec();
    sorted.sort();
    let median = sorted[sorted.len() / 2];
    println!(
        "| {name} | {:.1} | {:.1} | {result} |",
        ms(median),
        ms(sorted[0])
    );
}

/// Runs `call` once to warm up, then `iterations` times.
fn time<T, E>(
    iterations: usize,
    mut call: impl FnMut() -> Result<T, E>,
) -> Result<(Vec<Duration>, T), E> {
    let mut last = call()?;
    let mut times = Vec::with_capacity(iterations);
    for _ in 0..iterations.max(1) {
        let started = Instant::now();
        last = call()?;
        times.push(started.elapsed());
    }
    Ok((times, last))
}

fn to_1080p(image: &RgbImage) -> RgbImage {
    let scale = (1920.0 / image.width() as f32).max(1080.0 / image.height() as f32);
    let width = (image.width() as f32 * scale).ceil() as u32;
    let height = (image.height() as f32 * scale).ceil() as u32;
    let resized = imageops::resize(image, width, height, FilterType::Triangle);
    imageops::crop_imm(
        &resized,
        (width - 1920) / 2,
        (height - 1080) / 2,
        1920,
        1080,
    )
    .to_image()
}

/// 24 lines of form-like text at 28 px on a 1920×1080 page.
fn render_page() -> Result<RgbImage, Box<dyn std::error::Error>> {
    let font = FontVec::try_from_vec(std::fs::read(
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    )?)?;
    let size = 28.0;
    let scaled = font.as_scaled(PxScale::from(size));
    let mut page = RgbImage::from_pixel(1920, 1080, image::Rgb([255, 255, 255]));
    for row in 0..24u32 {
        for column in 0..2u32 {
            let text = format!(
                "Patient: Jane Roe {row}{column}   DOB: 0{}/1{}/19{}4   MRN: 00{row}4{column}81",
                1 + row % 9,
                column,
                50 + row
            );
            let mut caret = 40.0 + column as f32 * 940.0;
            let baseline = 20.0 + scaled.ascent() + row as f32 * 43.0;
            for character in text.chars() {
                let glyph_id = scaled.glyph_id(character);
                let glyph =
                    glyph_id.with_scale_and_position(size, ab_glyph::point(caret, baseline));
                caret += scaled.h_advance(glyph_id);
                if let Some(outline) = font.outline_glyph(glyph) {
                    let bounds = outline.px_bounds();
                    outline.draw(|x, y, coverage| {
                        let px = bounds.min.x as u32 + x;
                        let py = bounds.min.y as u32 + y;
                        if px < 1920 && py < 1080 {
                            let ink = (255.0 * (1.0 - coverage.clamp(0.0, 1.0))) as u8;
                            let pixel = page.get_pixel_mut(px, py);
                            for channel in &mut pixel.0 {
                                *channel = (*channel).min(ink);
                            }
                        }
                    });
                }
            }
        }
    }
    Ok(page)
}
