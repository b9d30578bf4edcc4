//! Times single-image reconstruction of a synthetic 1080p scene, stage by stage.
//!
//! Run through `bench/splat/run.sh` (release build). The scene is a textured ground, a sky
//! and a table, like the crate's tests, at 1920×1080; depth comes from the layout estimate.

use std::time::{Duration, Instant};

use image::{Rgb, RgbImage};
use vitrine_splat::{
    Camera, LayoutObject, LayoutParams, ObjectClass, ReconstructParams, SpzWriteOptions,
    estimate_layout_depth, read_spz, reconstruct, refine_mask_from_box, render_preview, write_spz,
};

const WIDTH: u32 = 1920;
const HEIGHT: u32 = 1080;

fn scene() -> RgbImage {
    let mut state = 1u64;
    let mut noise = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1);
        ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 24.0
    };
    let horizon = HEIGHT * 2 / 5;
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let n = noise();
        let shade = |v: f32| (v + n).clamp(0.0, 255.0) as u8;
        let top = (600..1320).contains(&x) && (500..700).contains(&y);
        let legs =
            ((600..660).contains(&x) || (1260..1320).contains(&x)) && (700..900).contains(&y);
        if top || legs {
            Rgb([shade(140.0), shade(82.0), shade(40.0)])
        } else if y < horizon {
            Rgb([shade(150.0), shade(190.0), shade(235.0)])
        } else {
            Rgb([shade(80.0), shade(120.0), shade(70.0)])
        }
    })
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut samples = Vec::with_capacity(runs);
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        last = Some(f());
        samples.push(start.elapsed());
    }
    (median(samples), last.expect("at least one run"))
}

fn main() -> Result<(), vitrine_splat::SplatError> {
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5)
        .max(1);
    let image = scene();
    let table_box = [580.0, 480.0, 1340.0, 920.0];
    let camera = Camera::default();
    let params = ReconstructParams::default();

    let (t_mask, mask) = time(runs, || refine_mask_from_box(&image, table_box));
    let mask = mask?;
    let (t_depth, estimate) = time(runs, || {
        let table = LayoutObject {
            bbox: table_box,
            class: ObjectClass::Table,
            mask: Some(&mask),
        };
        estimate_layout_depth(&image, &[table], &LayoutParams::default())
    });
    let estimate = estimate?;
    let (t_scene, scene_splats) = time(runs, || {
        reconstruct(&image, &estimate.depth, None, &camera, &params)
    });
    let scene_splats = scene_splats?;
    let (t_object, object_splats) = time(runs, || {
        reconstruct(&image, &estimate.depth, Some(&mask), &camera, &params)
    });
    let object_splats = object_splats?;
    let options = SpzWriteOptions::default();
    let (t_write, file) = time(runs, || write_spz(&scene_splats, &options));
    let file = file?;
    let fast = SpzWriteOptions {
        compression_level: 1,
        ..SpzWriteOptions::default()
    };
    let (t_write_fast, fast_file) = time(runs, || write_spz(&scene_splats, &fast));
    let fast_file = fast_file?;
    let (t_read, read_back) = time(runs, || read_spz(&file));
    read_back?;
    let (t_preview, _) = time(runs, || render_preview(&scene_splats, 640, 480, 30.0, 10.0));

    println!(
        "# vitrine-splat reconstruction, {WIDTH}x{HEIGHT} synthetic scene, median of {runs} runs"
    );
    println!();
    println!("| stage | time (ms) | output |");
    println!("|---|---:|---|");
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    println!(
        "| refine_mask_from_box (760x440 box) | {:.1} | {} mask pixels |",
        ms(t_mask),
        mask.pixels().filter(|p| p.0[0] >= 128).count()
    );
    println!(
        "| estimate_layout_depth | {:.1} | horizon row {:.0} |",
        ms(t_depth),
        estimate.horizon_row
    );
    println!(
        "| reconstruct, whole scene (max_points {}) | {:.1} | {} gaussians |",
        params.max_points,
        ms(t_scene),
        scene_splats.len()
    );
    println!(
        "| reconstruct, masked table | {:.1} | {} gaussians |",
        ms(t_object),
        object_splats.len()
    );
    println!(
        "| write_spz (whole scene) | {:.1} | {} bytes |",
        ms(t_write),
        file.len()
    );
    println!(
        "| write_spz, gzip level 1 (whole scene) | {:.1} | {} bytes |",
        ms(t_write_fast),
        fast_file.len()
    );
    println!("| read_spz (whole scene) | {:.1} | |", ms(t_read));
    println!(
        "| render_preview 640x480 (whole scene) | {:.1} | |",
        ms(t_preview)
    );
    println!(
        "| **total, depth + mask + scene reconstruction + SPZ + preview** | **{:.1}** | |",
        ms(t_mask + t_depth + t_scene + t_write + t_preview)
    );
    Ok(())
}
