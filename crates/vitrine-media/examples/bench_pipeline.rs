//! Benchmark pipeline for `bench/media/run.sh`: decode a JPEG, gaussian-blur a 300×300 region
//! (sigma 8), resize to 512 px wide (Lanczos3), encode JPEG q85. Runs it `N` times on one
//! thread and prints the best per-thread CPU time of each stage and of the whole pipeline, in
//! milliseconds, as one JSON object.
//!
//! Usage: `bench_pipeline <photo.jpg> [iterations] [output.jpg]`

use std::time::Duration;

use vitrine_media::image::DynamicImage;
use vitrine_media::{
    DecodeLimits, PixelRect, ResizeFilter, decode, encode_jpeg, gaussian_blur_rect, resize_exact,
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
    Ok(())
}
