//! Selfie segmentation on the astronaut portrait, against a person outline
//! traced by hand on the 512×512 image.

use image::GrayImage;

use crate::support::{models, photo};

/// The person's outline (hair, neck ring, shoulders, orange suit down to the
/// bottom edge), traced by eye, clockwise from the top of the hair.
const PERSON: [[f32; 2]; 19] = [
    [200.0, 15.0],
    [260.0, 15.0],
    [300.0, 50.0],
    [300.0, 140.0],
    [305.0, 230.0],
    [300.0, 270.0],
    [345.0, 295.0],
    [360.0, 350.0],
    [362.0, 512.0],
    [25.0, 512.0],
    [18.0, 400.0],
    [28.0, 320.0],
    [60.0, 280.0],
    [110.0, 250.0],
    [112.0, 200.0],
    [150.0, 160.0],
    [152.0, 100.0],
    [160.0, 40.0],
    [200.0, 15.0],
];

/// The helmet she holds (bottom right) may or may not count as "person":
/// not scored.
const IGNORED: [f32; 4] = [275.0, 335.0, 512.0, 512.0];

fn inside(polygon: &[[f32; 2]], x: f32, y: f32) -> bool {
    let mut inside = false;
    for pair in polygon.windows(2) {
        let ([x0, y0], [x1, y1]) = (pair[0], pair[1]);
        if (y0 > y) != (y1 > y) && x < x0 + (y - y0) / (y1 - y0) * (x1 - x0) {
            inside = !inside;
        }
    }
    inside
}

fn iou_with_outline(matte: &GrayImage) -> f32 {
    let (mut intersection, mut union) = (0u32, 0u32);
    for (x, y, alpha) in matte.enumerate_pixels() {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        if fx >= IGNORED[0] && fy >= IGNORED[1] {
            continue;
        }
        let predicted = alpha.0[0] >= 128;
        let expected = inside(&PERSON, fx, fy);
        intersection += u32::from(predicted && expected);
        union += u32::from(predicted || expected);
    }
    intersection as f32 / union.max(1) as f32
}

#[test]
fn matte_separates_the_astronaut_from_flag_and_shuttle() {
    let image = photo("astronaut.png");
    let matte = models().segment_person(&image).expect("segmentation runs");
    assert_eq!(matte.dimensions(), image.dimensions());
    let iou = iou_with_outline(&matte);
    eprintln!("matte IoU with the traced outline: {iou:.3}");
    assert!(iou > 0.8, "IoU {iou}");
    // Spot checks: face and suit are person, flag and shuttle are not.
    let alpha = |x: u32, y: u32| matte.get_pixel(x, y).0[0];
    assert!(alpha(225, 110) > 200, "face");
    assert!(alpha(150, 420) > 200, "suit");
    assert!(alpha(20, 100) < 50, "flag");
    assert!(alpha(400, 150) < 50, "shuttle");
    assert!(alpha(480, 20) < 50, "wall");
}

#[test]
fn the_traced_outline_is_not_trivially_matched() {
    // Guards the IoU test itself: an all-person matte scores far below 0.8.
    let everything = GrayImage::from_pixel(512, 512, image::Luma([255]));
    assert!(iou_with_outline(&everything) < 0.6);
}

#[test]
fn person_beside_a_horse_is_matted_and_the_horse_is_not() {
    let image = photo("person.jpg");
    let matte = models().segment_person(&image).expect("segmentation runs");
    // Regions checked by eye on the 640×424 photo: the woman stands at
    // x 190–275, y 100–375; the horse at x 405–600, y 140–345.
    let coverage = |x0: u32, y0: u32, x1: u32, y1: u32| {
        let mut on = 0u32;
        for y in y0..y1 {
            for x in x0..x1 {
                on += u32::from(matte.get_pixel(x, y).0[0] >= 128);
            }
        }
        on as f32 / ((x1 - x0) * (y1 - y0)) as f32
    };
    let person = coverage(205, 120, 260, 360);
    let horse = coverage(440, 170, 580, 330);
    let sky = coverage(0, 0, 640, 60);
    eprintln!("person {person:.2} horse {horse:.2} sky {sky:.2}");
    assert!(person > 0.6, "person coverage {person}");
    assert!(horse < 0.1, "horse coverage {horse}");
    assert!(sky < 0.05, "sky coverage {sky}");
}

#[test]
fn group_photo_matte_covers_the_sitters_but_not_the_pavement_or_caption() {
    // The selfie model alone sees nobody in this wide shot (3 of 29 faces
    // when only confident NanoDet boxes were re-matted); the per-person crops
    // seeded by NanoDet and by faces must bring everyone back.
    let image = photo("solvay-1927.png");
    let matte = models().segment_person(&image).expect("segmentation runs");
    let faces = models()
        .detect_faces(&image, &vitrine_vision::FaceOptions::default())
        .expect("detection runs");
    // For each face, is the face centre and the chest (1.5 face heights
    // below it) inside the matte?
    let matted = |dy: f32| {
        faces
            .iter()
            .filter(|face| {
                let x = (face.bbox[0] + face.bbox[2]) / 2.0;
                let y = (face.bbox[1] + face.bbox[3]) / 2.0 + dy * (face.bbox[3] - face.bbox[1]);
                matte.get_pixel(x as u32, (y as u32).min(1135)).0[0] >= 128
            })
            .count()
    };
    let (covered, chests) = (matted(0.0), matted(1.5));
    let coverage = |x0: u32, y0: u32, x1: u32, y1: u32| {
        let mut on = 0u32;
        for y in y0..y1 {
            for x in x0..x1 {
                on += u32::from(matte.get_pixel(x, y).0[0] >= 128);
            }
        }
        on as f32 / ((x1 - x0) * (y1 - y0)) as f32
    };
    // Pavement (y 720–850) and the printed caption (y 880–1136), by eye.
    let pavement = coverage(0, 720, 1666, 850);
    let caption = coverage(0, 880, 1666, 1136);
    // Building wall at the top right and trees/sky at the top left.
    let wall = coverage(1600, 0, 1666, 200);
    let sky = coverage(0, 0, 120, 160);
    assert!(wall < 0.1 && sky < 0.1, "wall {wall} sky {sky}");
    eprintln!(
        "faces {covered}/{n}, chests {chests}/{n}, pavement {pavement:.3}, caption {caption:.3}",
        n = faces.len()
    );
    assert!(faces.len() >= 27);
    assert!(
        chests * 10 >= faces.len() * 9,
        "{chests} of {} chests matted",
        faces.len()
    );
    assert!(
        covered * 10 >= faces.len() * 6,
        "{covered} of {} faces matted",
        faces.len()
    );
    assert!(
        pavement < 0.05 && caption < 0.01,
        "pavement {pavement} caption {caption}"
    );
}
