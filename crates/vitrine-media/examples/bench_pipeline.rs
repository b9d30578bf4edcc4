//! Benchmark pipeline for `bench/media/run.sh`: decode a JPEG, gaussian-blur a 300×300 region
//! (sigma 8), resize to 512 px wide (Lanczos3), encode JPEG q85. Runs it `N` times on one
//! thread and prints the best per-thread CPU time of each stage and of the whole pipeline, in
//! milliseconds, as one JSON object.
//!
//! Usage: `bench_pipeline <photo.jpg> [iterations] [output.jpg]`; with `BENCH_EXTRA=1` it also
//! times annotation, redaction and PNG encoding on the same photo (printed to stderr).

use std::time::Duration;

use vitrine_media::image::DynamicImage;
use vitrine_media::{
    AnnotateParams, AnnotateStyle, BoxAnnotation, Color, DecodeLimits, MaskOverlay, PixelBox,
    PixelRect, RedactMethod, RedactParams, Region, ResizeFilter, annotate, annotate_masks, decode,
    encode_jpeg, encode_png, gaussian_blur_rect, mask, redact, resize_exact,
};

/// CPU time this thread has used so far (`CLOCK_THREAD_CPUTIME_ID`, nanosecond resolution;
/// procfs `schedstat` only advances at scheduler ticks, too coarse for millisecond stages).
fn thread_cpu_time() -> Duration {
    cpu_time::ThreadTime::now().as_duration()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: bench_pipeline <photo.jpg> [iterations] [output.jpg]")?;
    let iterations: usize = args
        .next()
        .map(|text| text.parse())
        .transpose()?
        .unwrap_or(30);
    let output = args.next();
    let bytes = std::fs::read(&path)?;
    let limits = DecodeLimits::default();
    let region = PixelRect {
        x: 800,
        y: 390,
        width: 300,
        height: 300,
    };

    let mut best = [f64::INFINITY; 5];
    let mut last = Vec::new();
    for _ in 0..iterations {
        let t0 = thread_cpu_time();
        let mut rgb = decode(&bytes, &limits)?.into_rgb();
        let t1 = thread_cpu_time();
        gaussian_blur_rect(&mut rgb, region, 8.0)?;
        let t2 = thread_cpu_time();
        let height = (u64::from(rgb.height()) * 512 / u64::from(rgb.width())) as u32;
        let small = resize_exact(
            &DynamicImage::ImageRgb8(rgb),
            512,
            height,
            ResizeFilter::Lanczos3,
        )?;
        let t3 = thread_cpu_time();
        last = encode_jpeg(&small, 85)?;
        let t4 = thread_cpu_time();
        let stages = [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0];
        for (slot, stage) in best.iter_mut().zip(stages) {
            *slot = slot.min(stage.as_secs_f64() * 1000.0);
        }
    }
    if let Some(output) = output {
        std::fs::write(output, &last)?;
    }
    let [decode_ms, blur_ms, resize_ms, encode_ms, total_ms] = best;
    let json = format!(
        "{{\"impl\": \"vitrine-media\", \"decode\": {decode_ms:.3}, \"blur\": {blur_ms:.3}, \"resize\": {resize_ms:.3}, \"encode\": {encode_ms:.3}, \"total\": {total_ms:.3}, \"bytes\": {}}}",
        last.len()
    );
    std::io::Write::write_all(&mut std::io::stdout(), format!("{json}\n").as_bytes())?;
    if std::env::var_os("BENCH_EXTRA").is_some() {
        extra(&bytes, iterations)?;
    }
    Ok(())
}

/// One timed operation of [`extra`].
type Case<'a> = Box<dyn Fn() -> vitrine_media::Result<DynamicImage> + 'a>;

/// Other operations on the same photo, for scale (no Python counterpart): best CPU ms each.
fn extra(bytes: &[u8], iterations: usize) -> Result<(), Box<dyn std::error::Error>> {
    let image = decode(bytes, &DecodeLimits::default())?.image;
    let boxes = (0..10)
        .map(|index| BoxAnnotation {
            bbox: PixelBox::new(
                f64::from(index) * 180.0 + 10.0,
                100.0,
                f64::from(index) * 180.0 + 170.0,
                400.0,
            ),
            label: Some(format!("object {index}")),
            score: Some(0.9),
            color: None,
        })
        .collect();
    let annotate_params = AnnotateParams {
        boxes,
        ..AnnotateParams::default()
    };
    let face = Region::Box(PixelBox::new(800.0, 390.0, 1100.0, 690.0));
    let blur = RedactParams {
        regions: vec![face.clone()],
        method: RedactMethod::Blur,
        strength: 1.0,
        color: Color::BLACK,
        padding_ratio: 0.0,
    };
    let pixelate = RedactParams {
        method: RedactMethod::Pixelate,
        ..blur.clone()
    };
    let half = mask::box_mask(
        image.width(),
        image.height(),
        PixelRect {
            x: 0,
            y: 0,
            width: image.width() / 2,
            height: image.height(),
        },
    );
    let overlays = [MaskOverlay {
        mask: &half,
        label: Some("left"),
        color: None,
    }];
    let mut cases: Vec<(&str, Case<'_>)> = vec![
        (
            "annotate 10 labelled boxes",
            Box::new(|| annotate(&image, &annotate_params)),
        ),
        (
            "redact blur 300x300 (sigma 50)",
            Box::new(|| redact(&image, &blur)),
        ),
        (
            "redact pixelate 300x300",
            Box::new(|| redact(&image, &pixelate)),
        ),
        (
            "annotate_masks half-frame mask",
            Box::new(|| annotate_masks(&image, &overlays, &AnnotateStyle::default())),
        ),
        (
            "encode PNG 1080p",
            Box::new(|| encode_png(&image).map(|_| image.clone())),
        ),
    ];
    for (name, run) in cases.drain(..) {
        let mut best = f64::INFINITY;
        for _ in 0..iterations.min(10) {
            let start = thread_cpu_time();
            run()?;
            best = best.min((thread_cpu_time() - start).as_secs_f64() * 1000.0);
        }
        eprintln!("{name:<34} {best:>8.2} ms");
    }
    Ok(())
}
