use image::{GrayImage, Rgb, RgbImage};
use vitrine_splat::{
    Camera, LayoutParams, PREVIEW_BACKGROUND, ReconstructParams, Splats, estimate_layout_depth,
    estimate_layout_depth_with, reconstruct, refine_mask_from_box, render_preview,
};

use crate::support::Lcg;

const WIDTH: u32 = 320;
const HEIGHT: u32 = 240;
/// The box a detector would give for the table (a little loose, like real detections).
const TABLE_BOX: [f32; 4] = [95.0, 105.0, 226.0, 196.0];

/// Whether (x, y) is on the synthetic table: a top at rows 110..150 over columns 100..220 and
/// two legs down to row 190.
fn on_table(x: u32, y: u32) -> bool {
    let top = (100..220).contains(&x) && (110..150).contains(&y);
    let legs = ((100..112).contains(&x) || (208..220).contains(&x)) && (150..190).contains(&y);
    top || legs
}

/// Sky above row 96, textured ground below, and a brown table standing on the ground.
fn table_scene() -> RgbImage {
    let mut rng = Lcg::new(7);
    RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        let noise = rng.range(-12.0, 12.0);
        let shade = |v: f32| (v + noise).clamp(0.0, 255.0) as u8;
        if on_table(x, y) {
            Rgb([shade(140.0), shade(82.0), shade(40.0)])
        } else if y < 96 {
            Rgb([shade(150.0), shade(190.0), shade(235.0)])
        } else {
            Rgb([shade(80.0), shade(120.0), shade(70.0)])
        }
    })
}

fn iou(mask: &GrayImage, truth: impl Fn(u32, u32) -> bool) -> f32 {
    let (mut inter, mut union) = (0u32, 0u32);
    for (x, y, p) in mask.enumerate_pixels() {
        let a = p.0[0] >= 128;
        let b = truth(x, y);
        inter += u32::from(a && b);
        union += u32::from(a || b);
    }
    inter as f32 / union.max(1) as f32
}

#[test]
fn a_detector_box_becomes_a_mask_of_the_table() {
    let image = table_scene();
    let mask = refine_mask_from_box(&image, TABLE_BOX).expect("box inside the image");
    let score = iou(&mask, on_table);
    assert!(score > 0.85, "IoU with the true table = {score}");
    // Ground between the legs is not table.
    assert_eq!(mask.get_pixel(160, 175).0[0], 0);
    assert_eq!(mask.get_pixel(160, 130).0[0], 255);
    // Nothing outside the box.
    assert_eq!(mask.get_pixel(50, 130).0[0], 0);

    assert!(refine_mask_from_box(&image, [400.0, 0.0, 500.0, 10.0]).is_err());
}

#[test]
fn layout_depth_has_ground_backdrop_and_a_standing_table() {
    let image = table_scene();
    let params = LayoutParams::default();
    let estimate =
        estimate_layout_depth_with(&image, &[TABLE_BOX], None, &params).expect("valid inputs");
    // The sky/ground edge at row 96 is the strongest horizontal edge in the band.
    assert_eq!(estimate.horizon_row, 96.0);
    let depth = &estimate.depth;
    // Ground gets farther towards the horizon (below row 110 it is nearer than the 40 m
    // backdrop), and sky is the farthest.
    let column = 20;
    let ground: Vec<f32> = (110..HEIGHT).filter_map(|y| depth.get(column, y)).collect();
    assert!(
        ground.windows(2).all(|w| w[0] >= w[1]),
        "ground depth must fall with the row"
    );
    assert!(depth.get(column, 10).expect("sky") > 35.0);
    assert!(depth.get(column, HEIGHT - 1).expect("near ground") < 3.0);
    // The table stands where its box's bottom row meets the ground: the ground just below the
    // box and the box's bottom row have the same depth.
    let table = depth.get(160, 130).expect("table");
    let contact = depth.get(160, 195).expect("contact row");
    assert!(
        (table - contact).abs() / contact < 0.05,
        "{table} vs {contact}"
    );
    // Without a mask the whole box stands; the defaults wrapper gives the same map.
    let same = estimate_layout_depth(&image, &[TABLE_BOX], None).expect("valid inputs");
    assert_eq!(&same, depth);
}

#[test]
fn the_table_reconstructs_to_a_plausible_standing_object() {
    let image = table_scene();
    let mask = refine_mask_from_box(&image, TABLE_BOX).expect("box inside the image");
    let params = LayoutParams::default();
    let estimate = estimate_layout_depth_with(&image, &[TABLE_BOX], Some(&mask), &params)
        .expect("valid inputs");
    let camera = Camera::default();
    let splats = reconstruct(
        &image,
        &estimate.depth,
        Some(&mask),
        &camera,
        &ReconstructParams::default(),
    )
    .expect("table");
    let masked = mask.pixels().filter(|p| p.0[0] >= 128).count();
    assert!(
        splats.len() > masked * 9 / 10 && splats.len() <= masked,
        "{} of {masked}",
        splats.len()
    );

    // World axes in camera coordinates from the horizon's pitch.
    let focal = camera.focal_px(HEIGHT);
    let pitch = ((HEIGHT as f32 / 2.0 - estimate.horizon_row) / focal).atan();
    let up = [0.0, pitch.cos(), pitch.sin()];
    let forward = [0.0, pitch.sin(), -pitch.cos()];
    let dot = |a: [f32; 3], b: [f32; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

    // A vertical surface: one horizontal distance for every point.
    let distances: Vec<f32> = splats.positions.iter().map(|&p| dot(p, forward)).collect();
    let (near, far) = distances
        .iter()
        .fold((f32::MAX, f32::MIN), |a, &d| (a.0.min(d), a.1.max(d)));
    assert!(far - near < 1e-3 * far, "{near}..{far}");
    // It stands on the ground (lowest point at −camera_height) and its size follows from the
    // pixels: 120 px wide and ~80 px tall at that distance.
    let heights: Vec<f32> = splats.positions.iter().map(|&p| dot(p, up)).collect();
    let lowest = heights.iter().copied().fold(f32::MAX, f32::min);
    let highest = heights.iter().copied().fold(f32::MIN, f32::max);
    assert!(
        (lowest + params.camera_height).abs() < 0.05,
        "lowest point at {lowest}"
    );
    let (min, max) = splats.bounding_box().expect("not empty");
    let depth = -min[2];
    let expected_width = 120.0 * depth / focal;
    assert!(((max[0] - min[0]) - expected_width).abs() < 0.1 * expected_width);
    let expected_height = 80.0 * depth / focal;
    assert!(((highest - lowest) - expected_height).abs() < 0.15 * expected_height);
    // Colours are the table's brown.
    let mean_red = splats
        .colors
        .iter()
        .map(|c| vitrine_splat::dc_to_rgb(c[0]))
        .sum::<f32>()
        / splats.len() as f32;
    assert!((mean_red - 140.0 / 255.0).abs() < 0.05, "{mean_red}");

    // The preview shows it, from the front and turned.
    for (yaw, pitch) in [(0.0, 0.0), (35.0, 15.0)] {
        let preview = render_preview(&splats, 256, 192, yaw, pitch);
        let drawn = preview
            .pixels()
            .filter(|p| p.0 != PREVIEW_BACKGROUND)
            .count();
        assert!(drawn > 256 * 192 / 20, "yaw {yaw}: {drawn} pixels drawn");
        let brown = preview
            .pixels()
            .filter(|p| p.0[0] > 110 && p.0[0] < 170 && p.0[2] < 70)
            .count();
        assert!(brown > drawn / 2, "yaw {yaw}: {brown} of {drawn} brown");
    }
    // Turned 90°, the thin vertical surface is seen edge-on and covers far less.
    let front = render_preview(&splats, 256, 192, 0.0, 0.0);
    let side = render_preview(&splats, 256, 192, 90.0, 0.0);
    let count = |img: &RgbImage| img.pixels().filter(|p| p.0 != PREVIEW_BACKGROUND).count();
    assert!(
        count(&side) * 3 < count(&front),
        "{} vs {}",
        count(&side),
        count(&front)
    );
}

#[test]
fn an_empty_set_previews_as_background() {
    let preview = render_preview(&Splats::new(), 32, 16, 10.0, 0.0);
    assert_eq!(preview.dimensions(), (32, 16));
    assert!(preview.pixels().all(|p| p.0 == PREVIEW_BACKGROUND));
}

#[test]
fn the_front_preview_keeps_the_photo_orientation() {
    // Green top third, then red on the left and blue on the right, on a wall 4 m away.
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        if y < HEIGHT / 3 {
            Rgb([0, 200, 0])
        } else if x < WIDTH / 2 {
            Rgb([220, 0, 0])
        } else {
            Rgb([0, 0, 220])
        }
    });
    let depth = vitrine_splat::DepthMap::from_fn(WIDTH, HEIGHT, |_, _| 4.0);
    let splats = reconstruct(
        &image,
        &depth,
        None,
        &Camera::default(),
        &ReconstructParams::default(),
    )
    .expect("wall");
    let preview = render_preview(&splats, 200, 150, 0.0, 0.0);
    let at = |x: u32, y: u32| preview.get_pixel(x, y).0;
    let (left, right, top) = (at(60, 110), at(140, 110), at(100, 20));
    assert!(left[0] > 150 && left[2] < 60, "left {left:?}");
    assert!(right[2] > 150 && right[0] < 60, "right {right:?}");
    assert!(top[1] > 150 && top[0] < 60, "top {top:?}");
}
