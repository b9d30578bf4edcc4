//! Layout depth on rendered photos with a known layout (tables, chairs, people): the object's
//! splat must have volume, its support surfaces must lie flat, and it must carry the object's
//! colours only. Splat files are read back with the independent `spz` crate.

use image::{GrayImage, Luma, Rgb, RgbImage};
use spz::{GaussianSplat, UnpackOptions};
use vitrine_splat::{
    Camera, CameraHeightSource, LayoutEstimate, LayoutObject, LayoutParams, ObjectClass,
    PREVIEW_BACKGROUND, ReconstructParams, SpzWriteOptions, dc_to_rgb, estimate_layout_depth,
    reconstruct, refine_mask_from_box, remove_people, render_preview, write_spz,
};

use crate::render::{GROUND, Photo, SKY, Shot, chair, person, render, table};

/// A photo taken standing, looking a little down, with the horizon in view.
fn shot(width: u32, height: u32) -> Shot {
    Shot {
        width,
        height,
        fov_y_deg: 55.0,
        camera_height: 1.5,
        pitch_deg: 10.0,
    }
}

/// What the tests measure of a splat file, as the `spz` crate reads it.
struct Read {
    positions: Vec<[f32; 3]>,
    colors: Vec<[f32; 3]>,
}

fn through_spz_crate(splats: &vitrine_splat::Splats) -> (Read, usize) {
    let file = write_spz(splats, &SpzWriteOptions::default()).expect("valid splats");
    let packed = GaussianSplat::load_packed(&file).expect("the spz crate parses the file");
    let theirs =
        GaussianSplat::new_from_packed_gaussians(&packed, &UnpackOptions::builder().build())
            .expect("the spz crate unpacks the file");
    assert_eq!(theirs.num_points as usize, splats.len());
    let triples = |v: &[f32]| {
        v.chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect::<Vec<_>>()
    };
    let read = Read {
        positions: triples(&theirs.positions),
        colors: triples(&theirs.colors)
            .into_iter()
            .map(|c| c.map(dc_to_rgb))
            .collect(),
    };
    (read, file.len())
}

fn percentile_extent(values: impl Iterator<Item = f32>) -> f32 {
    let mut values: Vec<f32> = values.collect();
    values.sort_by(f32::total_cmp);
    let at = |q: f32| values[((values.len() - 1) as f32 * q).round() as usize];
    at(0.95) - at(0.05)
}

/// Depth extent over the widest of the other two, 5th–95th percentile, in the file's own
/// camera-aligned frame (x right, y up in the image, z along the view). A billboard gives ~2 %.
fn depth_ratio(positions: &[[f32; 3]]) -> f32 {
    let extent = |axis: usize| percentile_extent(positions.iter().map(|p| p[axis]));
    extent(2) / extent(0).max(extent(1))
}

fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// The part each splat was made from, found by projecting it back into the photo.
fn source_ids(photo: &Photo, positions: &[[f32; 3]]) -> Vec<u8> {
    positions
        .iter()
        .map(|&p| {
            let (u, v) = photo.shot.project(p);
            let x = (u.floor().max(0.0) as u32).min(photo.shot.width - 1);
            let y = (v.floor().max(0.0) as u32).min(photo.shot.height - 1);
            photo.id(x, y)
        })
        .collect()
}

fn distance(a: [f32; 3], b: [u8; 3]) -> f32 {
    (0..3)
        .map(|i| (a[i] * 255.0 - f32::from(b[i])).powi(2))
        .sum::<f32>()
        .sqrt()
}

/// Fractions of splats whose colour is nearer one of `object` colours than sky and ground,
/// and nearer sky or ground than any object colour.
fn colour_fractions(colors: &[[f32; 3]], object: &[[u8; 3]]) -> (f32, f32) {
    let (mut own, mut background) = (0usize, 0usize);
    for &c in colors {
        let near_object = object
            .iter()
            .map(|&o| distance(c, o))
            .fold(f32::MAX, f32::min);
        let near_background = distance(c, SKY).min(distance(c, GROUND));
        if near_object < near_background {
            own += 1;
        } else {
            background += 1;
        }
    }
    let n = colors.len() as f32;
    (own as f32 / n, background as f32 / n)
}

fn layout(photo: &Photo, objects: &[LayoutObject]) -> LayoutEstimate {
    estimate_layout_depth(&photo.image, objects, &LayoutParams::default()).expect("valid inputs")
}

fn object_splats(
    photo: &Photo,
    estimate: &LayoutEstimate,
    mask: &GrayImage,
) -> vitrine_splat::Splats {
    reconstruct(
        &photo.image,
        &estimate.depth,
        Some(mask),
        &Camera::default(),
        &ReconstructParams::default(),
    )
    .expect("the object")
}

fn table_photo() -> Photo {
    render(shot(640, 480), &table(1, 0.0, 3.0, 1.2, 0.8), 7)
}

#[test]
fn a_table_gets_a_top_that_recedes_and_lies_flat() {
    let photo = table_photo();
    let table_box = photo.detector_box(&[1, 2]);
    let mask = refine_mask_from_box(&photo.image, table_box).expect("box inside the image");
    let estimate = layout(
        &photo,
        &[LayoutObject {
            bbox: table_box,
            class: ObjectClass::Table,
            mask: Some(&mask),
        }],
    );
    // The sky/ground edge is found, so the camera's pitch is the true one.
    assert!(
        (estimate.pitch_deg - photo.shot.pitch_deg).abs() < 0.5,
        "pitch {}",
        estimate.pitch_deg
    );
    assert_eq!(estimate.camera_height_source, CameraHeightSource::Assumed);
    let splats = object_splats(&photo, &estimate, &mask);
    let (read, bytes) = through_spz_crate(&splats);

    let ratio = depth_ratio(&read.positions);
    assert!(
        ratio >= 0.10,
        "depth extent is {ratio} of the widest extent"
    );

    // Into the true gravity-up frame: the top's splats lie at one height (flat) and spread
    // over most of the table's 0.8 m depth (receding, not standing up as a card).
    let (up, forward) = (photo.shot.up(), photo.shot.forward());
    let ids = source_ids(&photo, &read.positions);
    let top: Vec<[f32; 3]> = read
        .positions
        .iter()
        .zip(&ids)
        .filter(|(_, id)| **id == 1)
        .map(|(p, _)| *p)
        .collect();
    assert!(top.len() > 500, "{} top splats", top.len());
    let heights: Vec<f32> = top.iter().map(|&p| dot(p, up) + 1.5).collect();
    let distances: Vec<f32> = top.iter().map(|&p| dot(p, forward)).collect();
    let receding = percentile_extent(distances.iter().copied());
    assert!(receding > 0.4, "the top recedes over {receding} m");
    let (mean_h, mean_d) = (
        heights.iter().sum::<f32>() / heights.len() as f32,
        distances.iter().sum::<f32>() / distances.len() as f32,
    );
    let covariance: f32 = heights
        .iter()
        .zip(&distances)
        .map(|(h, d)| (h - mean_h) * (d - mean_d))
        .sum();
    let variance: f32 = distances.iter().map(|d| (d - mean_d).powi(2)).sum();
    let tilt = (covariance / variance).atan().to_degrees();
    assert!(tilt.abs() < 8.0, "the top is tilted {tilt}°");
    assert!(
        (mean_h - 0.75).abs() < 0.2,
        "the top is {mean_h} m above the ground"
    );

    // Depth against the truth on the table's pixels: within 15 % at the median.
    let mut errors: Vec<f32> = Vec::new();
    for y in 0..photo.shot.height {
        for x in 0..photo.shot.width {
            if photo.id(x, y) != 0 && mask.get_pixel(x, y).0[0] >= 128 {
                let estimated = estimate.depth.get(x, y).expect("a depth");
                errors.push((estimated - photo.true_depth(x, y)).abs() / photo.true_depth(x, y));
            }
        }
    }
    errors.sort_by(f32::total_cmp);
    let median_error = errors[errors.len() / 2];
    assert!(median_error < 0.15, "median depth error {median_error}");

    // The table's colours, none of the ground's or the sky's.
    let (own, background) = colour_fractions(&read.colors, &[[140, 82, 40], [120, 70, 35]]);
    assert!(own > 0.95, "{own} of the splats are table-coloured");
    assert!(
        background < 0.02,
        "{background} of the splats are background"
    );
    assert!(bytes < 5 << 20, "{bytes} bytes");
}

#[test]
fn a_chair_has_a_flat_seat_and_a_back_behind_it() {
    let photo = render(shot(640, 480), &chair(1, 0.2, 2.5), 11);
    let chair_box = photo.detector_box(&[1, 2, 3]);
    let mask = refine_mask_from_box(&photo.image, chair_box).expect("box inside the image");
    let estimate = layout(
        &photo,
        &[LayoutObject {
            bbox: chair_box,
            class: ObjectClass::Chair,
            mask: Some(&mask),
        }],
    );
    let splats = object_splats(&photo, &estimate, &mask);
    let (read, _) = through_spz_crate(&splats);
    let ratio = depth_ratio(&read.positions);
    assert!(
        ratio >= 0.10,
        "depth extent is {ratio} of the widest extent"
    );

    let (up, forward) = (photo.shot.up(), photo.shot.forward());
    let ids = source_ids(&photo, &read.positions);
    let mean = |id: u8, of: &dyn Fn([f32; 3]) -> f32| {
        let values: Vec<f32> = read
            .positions
            .iter()
            .zip(&ids)
            .filter(|(_, i)| **i == id)
            .map(|(p, _)| of(*p))
            .collect();
        assert!(values.len() > 50, "part {id}: {} splats", values.len());
        values.iter().sum::<f32>() / values.len() as f32
    };
    let seat_distance = mean(1, &|p| dot(p, forward));
    let back_distance = mean(2, &|p| dot(p, forward));
    assert!(
        back_distance > seat_distance + 0.1,
        "back at {back_distance} m, seat at {seat_distance} m"
    );
    let seat_spread = {
        let heights: Vec<f32> = read
            .positions
            .iter()
            .zip(&ids)
            .filter(|(_, i)| **i == 1)
            .map(|(p, _)| dot(*p, up))
            .collect();
        percentile_extent(heights.into_iter())
    };
    assert!(
        seat_spread < 0.12,
        "the seat spans {seat_spread} m in height"
    );
    let (own, background) = colour_fractions(&read.colors, &[[170, 40, 45], [150, 35, 40]]);
    assert!(
        own > 0.9 && background < 0.03,
        "{own} own, {background} background"
    );
}

/// The person's pixels as a matte would give them (the selfie model is not part of this crate;
/// the truth stands in for it).
fn matte(photo: &Photo, ids: &[u8]) -> GrayImage {
    GrayImage::from_fn(photo.shot.width, photo.shot.height, |x, y| {
        Luma([if ids.contains(&photo.id(x, y)) {
            255
        } else {
            0
        }])
    })
}

#[test]
fn a_person_is_rounded_and_gives_the_camera_height() {
    let photo = render(shot(480, 640), &person(1, 0.0, 3.0), 5);
    let person_box = photo.detector_box(&[1, 2]);
    let mask = matte(&photo, &[1, 2]);
    let estimate = layout(
        &photo,
        &[LayoutObject {
            bbox: person_box,
            class: ObjectClass::Person,
            mask: Some(&mask),
        }],
    );
    assert_eq!(estimate.camera_height_source, CameraHeightSource::People);
    assert!(
        (estimate.camera_height - 1.5).abs() < 0.15,
        "camera at {} m",
        estimate.camera_height
    );
    let splats = object_splats(&photo, &estimate, &mask);
    let (read, _) = through_spz_crate(&splats);
    let ratio = depth_ratio(&read.positions);
    assert!(
        ratio >= 0.10,
        "depth extent is {ratio} of the widest extent"
    );
    // The torso's middle is nearer than its sides: rounded, not flat.
    let forward = photo.shot.forward();
    let row_of = |p: &[f32; 3]| photo.shot.project(*p).1;
    // The chest, 1.18 m up, seen at the torso's front 3.12 m ahead.
    let chest_row = {
        let up = photo.shot.up();
        let (height, ahead) = (1.18 - 1.5, 3.12);
        row_of(&[
            0.0,
            height * up[1] + ahead * forward[1],
            height * up[2] + ahead * forward[2],
        ])
    };
    let band: Vec<&[f32; 3]> = read
        .positions
        .iter()
        .filter(|p| (row_of(p) - chest_row).abs() < 4.0)
        .collect();
    assert!(band.len() > 20, "{} splats across the chest", band.len());
    let half_width = band.iter().map(|p| p[0].abs()).fold(0.0, f32::max);
    let centre: Vec<f32> = band
        .iter()
        .filter(|p| p[0].abs() < 0.3 * half_width)
        .map(|p| dot(**p, forward))
        .collect();
    let sides: Vec<f32> = band
        .iter()
        .filter(|p| p[0].abs() > 0.8 * half_width)
        .map(|p| dot(**p, forward))
        .collect();
    let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
    assert!(
        mean(&sides) - mean(&centre) > 0.08,
        "centre {} m, sides {} m",
        mean(&centre),
        mean(&sides)
    );
}

#[test]
fn a_person_in_front_of_a_table_stays_in_front_and_out_of_its_splat() {
    let mut parts = table(1, 0.3, 4.0, 1.4, 0.8);
    parts.extend(person(3, -0.1, 2.4));
    let photo = render(shot(640, 480), &parts, 3);
    let table_box = photo.detector_box(&[1, 2]);
    let person_box = photo.detector_box(&[3, 4]);
    let person_mask = matte(&photo, &[3, 4]);
    let mut table_mask = refine_mask_from_box(&photo.image, table_box).expect("table box");
    remove_people(&mut table_mask, &[&person_mask]).expect("same size");
    let estimate = layout(
        &photo,
        &[
            LayoutObject {
                bbox: table_box,
                class: ObjectClass::Table,
                mask: Some(&table_mask),
            },
            LayoutObject {
                bbox: person_box,
                class: ObjectClass::Person,
                mask: Some(&person_mask),
            },
        ],
    );
    let depth_of = |ids: &[u8]| {
        let mut values: Vec<f32> = (0..photo.shot.height)
            .flat_map(|y| (0..photo.shot.width).map(move |x| (x, y)))
            .filter(|&(x, y)| ids.contains(&photo.id(x, y)))
            .filter_map(|(x, y)| estimate.depth.get(x, y))
            .collect();
        values.sort_by(f32::total_cmp);
        values[values.len() / 2]
    };
    let (person_depth, table_depth) = (depth_of(&[3, 4]), depth_of(&[1, 2]));
    assert!(
        person_depth + 0.8 < table_depth,
        "person at {person_depth} m, table at {table_depth} m"
    );
    let splats = object_splats(&photo, &estimate, &table_mask);
    let (read, _) = through_spz_crate(&splats);
    assert!(depth_ratio(&read.positions) >= 0.10);
    let blue = read
        .colors
        .iter()
        .filter(|c| distance(**c, [40, 60, 150]) < 60.0)
        .count();
    assert!(
        blue * 100 < read.colors.len(),
        "{blue} person-coloured splats"
    );
}

#[test]
fn the_oblique_preview_shows_volume() {
    let photo = table_photo();
    let table_box = photo.detector_box(&[1, 2]);
    let mask = refine_mask_from_box(&photo.image, table_box).expect("box inside the image");
    let estimate = layout(
        &photo,
        &[LayoutObject {
            bbox: table_box,
            class: ObjectClass::Table,
            mask: Some(&mask),
        }],
    );
    let splats = object_splats(&photo, &estimate, &mask);
    let count = |image: &RgbImage| image.pixels().filter(|p| p.0 != PREVIEW_BACKGROUND).count();
    let front = render_preview(&splats, 256, 192, 0.0, 0.0);
    let oblique = render_preview(&splats, 256, 192, 35.0, 20.0);
    let side = render_preview(&splats, 256, 192, 90.0, 0.0);
    // A card seen edge-on all but vanishes; a table seen from the side keeps its depth.
    assert!(
        count(&side) * 3 > count(&front),
        "side {} vs front {}",
        count(&side),
        count(&front)
    );
    let brown = oblique
        .pixels()
        .filter(|p| p.0[0] > 90 && p.0[0] < 190 && p.0[2] < 80 && p.0[0] > p.0[2] + 40)
        .count();
    assert!(
        brown > count(&oblique) / 2,
        "{brown} of {} brown",
        count(&oblique)
    );
}

#[test]
fn a_1080p_object_reconstructs_under_5_mb() {
    let mut full = shot(1920, 1080);
    full.pitch_deg = 8.0;
    let photo = render(full, &table(1, 0.0, 2.4, 1.4, 0.9), 9);
    let table_box = photo.detector_box(&[1, 2]);
    let mask = refine_mask_from_box(&photo.image, table_box).expect("box inside the image");
    let estimate = layout(
        &photo,
        &[LayoutObject {
            bbox: table_box,
            class: ObjectClass::Table,
            mask: Some(&mask),
        }],
    );
    let splats = object_splats(&photo, &estimate, &mask);
    let (read, bytes) = through_spz_crate(&splats);
    assert!(bytes < 5 << 20, "{bytes} bytes for {} splats", splats.len());
    assert!(depth_ratio(&read.positions) >= 0.10);
}

#[test]
fn layout_without_objects_is_ground_and_backdrop() {
    let photo = render(shot(320, 240), &[], 1);
    let estimate =
        estimate_layout_depth(&photo.image, &[], &LayoutParams::default()).expect("valid inputs");
    let column = 40;
    let ground: Vec<f32> = (150..240)
        .filter_map(|y| estimate.depth.get(column, y))
        .collect();
    assert!(
        ground.windows(2).all(|w| w[0] >= w[1]),
        "ground depth falls with the row"
    );
    // The ground matches the truth, and the sky is the backdrop.
    for y in [150, 200, 239] {
        let (estimated, truth) = (
            estimate.depth.get(column, y).expect("ground"),
            photo.true_depth(column, y),
        );
        assert!(
            (estimated - truth).abs() < 0.05 * truth,
            "row {y}: {estimated} vs {truth}"
        );
    }
    assert!(estimate.depth.get(column, 10).expect("sky") > 30.0);
    assert!(
        estimate_layout_depth(
            &photo.image,
            &[LayoutObject {
                bbox: [400.0, 0.0, 500.0, 10.0],
                class: ObjectClass::Other,
                mask: None,
            }],
            &LayoutParams::default(),
        )
        .is_err(),
        "a box outside the image is refused"
    );
}

#[test]
fn an_empty_set_previews_as_background() {
    let preview = render_preview(&vitrine_splat::Splats::new(), 32, 16, 10.0, 0.0);
    assert_eq!(preview.dimensions(), (32, 16));
    assert!(preview.pixels().all(|p| p.0 == PREVIEW_BACKGROUND));
}

#[test]
fn the_front_preview_keeps_the_photo_orientation() {
    // Green top third, then red on the left and blue on the right, on a wall 4 m away.
    let image = RgbImage::from_fn(320, 240, |x, y| {
        if y < 240 / 3 {
            Rgb([0, 200, 0])
        } else if x < 320 / 2 {
            Rgb([220, 0, 0])
        } else {
            Rgb([0, 0, 220])
        }
    });
    let depth = vitrine_splat::DepthMap::from_fn(320, 240, |_, _| 4.0);
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

#[test]
fn a_detector_box_becomes_a_mask_of_the_table() {
    let photo = table_photo();
    let table_box = photo.detector_box(&[1, 2]);
    let mask = refine_mask_from_box(&photo.image, table_box).expect("box inside the image");
    let (mut inter, mut union) = (0u32, 0u32);
    for (x, y, p) in mask.enumerate_pixels() {
        let (a, b) = (p.0[0] >= 128, photo.id(x, y) != 0);
        inter += u32::from(a && b);
        union += u32::from(a || b);
    }
    let score = inter as f32 / union.max(1) as f32;
    assert!(score > 0.85, "IoU with the true table = {score}");
    assert!(refine_mask_from_box(&photo.image, [700.0, 0.0, 800.0, 10.0]).is_err());
}
