//! CenterFace on real photos.

use vitrine_vision::FaceOptions;

use crate::support::{models, photo};

#[test]
fn astronaut_portrait_has_exactly_one_face_with_landmarks_inside() {
    let image = photo("astronaut.png");
    let faces = models()
        .detect_faces(&image, &FaceOptions::default())
        .expect("detection runs");
    eprintln!("astronaut faces: {faces:?}");
    assert_eq!(faces.len(), 1, "{faces:?}");
    let face = &faces[0];
    let [x0, y0, x1, y1] = face.bbox;
    // Eileen Collins' face sits in the upper middle of the 512×512 image,
    // roughly x 170–260, y 60–170 (checked by eye).
    assert!(
        x0 > 140.0 && x0 < 200.0 && x1 > 230.0 && x1 < 310.0,
        "{:?}",
        face.bbox
    );
    assert!(
        y0 > 30.0 && y0 < 100.0 && y1 > 140.0 && y1 < 200.0,
        "{:?}",
        face.bbox
    );
    for [x, y] in face.landmarks {
        assert!(
            x >= x0 && x <= x1 && y >= y0 && y <= y1,
            "landmark outside face"
        );
    }
    // Eyes above the nose, nose above the mouth, left before right.
    let [left_eye, right_eye, nose, left_mouth, right_mouth] = face.landmarks;
    assert!(left_eye[0] < right_eye[0] && left_mouth[0] < right_mouth[0]);
    assert!(left_eye[1] < nose[1] && nose[1] < left_mouth[1]);
}

#[test]
fn solvay_group_photo_finds_at_least_27_of_29_faces() {
    let image = photo("solvay-1927.png");
    let faces = models()
        .detect_faces(&image, &FaceOptions::default())
        .expect("detection runs");
    eprintln!(
        "solvay: {} faces, image {:?}",
        faces.len(),
        image.dimensions()
    );
    for face in &faces {
        eprintln!("  {:?} {:.2}", face.bbox, face.score);
    }
    assert!(faces.len() >= 27, "only {} faces", faces.len());
    // 29 people: more than a couple of extra boxes means false positives.
    assert!(faces.len() <= 31, "{} faces for 29 people", faces.len());
    // Faces in a group photo are small and similar in size.
    for face in &faces {
        let height = face.bbox[3] - face.bbox[1];
        assert!(
            height > 10.0 && height < image.height() as f32 / 4.0,
            "{:?}",
            face.bbox
        );
    }
}

#[test]
fn empty_image_is_a_client_error() {
    let error = models()
        .detect_faces(&image::RgbImage::new(0, 0), &FaceOptions::default())
        .expect_err("empty image");
    assert!(error.is_client_error(), "{error}");
}

#[test]
fn tiled_fine_pass_still_finds_the_group() {
    // max_side below the photo's 1666 px forces 1024-px tiles at native
    // resolution instead of one whole-image pass (exhaustive: the default
    // windows would not need tiles here).
    let image = photo("solvay-1927.png");
    let options = FaceOptions {
        max_side: 1024,
        exhaustive: true,
        ..FaceOptions::default()
    };
    let faces = models()
        .detect_faces(&image, &options)
        .expect("detection runs");
    assert!((27..=31).contains(&faces.len()), "{} faces", faces.len());
}

#[test]
fn larger_min_face_still_finds_the_group_at_reduced_resolution() {
    // The Solvay faces are 50–65 px tall: asking for faces ≥ 40 px runs the
    // fine pass at half resolution and must still find them.
    let image = photo("solvay-1927.png");
    let options = FaceOptions {
        min_face: 40.0,
        ..FaceOptions::default()
    };
    let faces = models()
        .detect_faces(&image, &options)
        .expect("detection runs");
    assert!((27..=31).contains(&faces.len()), "{} faces", faces.len());
    let error = models()
        .detect_faces(
            &image,
            &FaceOptions {
                min_face: 0.0,
                ..FaceOptions::default()
            },
        )
        .expect_err("zero-pixel faces make no sense");
    assert!(error.to_string().contains("`min_face`"), "{error}");
}

#[test]
fn windowed_fine_pass_finds_what_the_exhaustive_pass_finds_on_small_faces() {
    // The group shrunk to 40 % (faces 21–27 px, just above the default
    // `min_face` of 20) on a busy 1920×1080 background: the default looks at
    // full resolution only around candidates of a half-resolution pass and
    // must not lose faces that a full-resolution pass over everything finds.
    let group = photo("solvay-1927.png");
    let small = image::imageops::resize(
        &group,
        group.width() * 2 / 5,
        group.height() * 2 / 5,
        image::imageops::FilterType::Triangle,
    );
    let mut frame = image::imageops::resize(
        &photo("dog.jpg"),
        1920,
        1080,
        image::imageops::FilterType::Triangle,
    );
    image::imageops::replace(&mut frame, &small, 700, 300);
    let exhaustive = models()
        .detect_faces(
            &frame,
            &FaceOptions {
                exhaustive: true,
                ..FaceOptions::default()
            },
        )
        .expect("detection runs");
    let windowed = models()
        .detect_faces(&frame, &FaceOptions::default())
        .expect("detection runs");
    eprintln!(
        "exhaustive {} faces, windowed {} faces",
        exhaustive.len(),
        windowed.len()
    );
    assert!(exhaustive.len() >= 27, "{} faces", exhaustive.len());
    for face in &exhaustive {
        assert!(
            windowed
                .iter()
                .any(|other| box_iou(&face.bbox, &other.bbox) > 0.3),
            "windowed pass missed {:?} ({:.2})",
            face.bbox,
            face.score
        );
    }
    assert!(
        windowed.len() <= exhaustive.len() + 1,
        "{} faces",
        windowed.len()
    );
}

fn box_iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let width = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let height = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let inter = width * height;
    let union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
    if union > 0.0 { inter / union } else { 0.0 }
}
