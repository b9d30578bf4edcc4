//! NanoDet on darknet's sample photos.

use vitrine_vision::{Detection, ObjectOptions};

use crate::support::{models, photo};

fn detections(name: &str) -> Vec<Detection> {
    let image = photo(name);
    let detections = models()
        .detect_objects(&image, &ObjectOptions::default())
        .expect("detection runs");
    for detection in &detections {
        eprintln!(
            "{name}: {} {:.2} {:?}",
            detection.label, detection.score, detection.bbox
        );
    }
    detections
}

fn labels(name: &str) -> Vec<String> {
    detections(name).into_iter().map(|d| d.label).collect()
}

fn iou(a: [f32; 4], b: [f32; 4]) -> f32 {
    let width = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
    let height = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
    let intersection = width * height;
    let area = |r: [f32; 4]| (r[2] - r[0]) * (r[3] - r[1]);
    intersection / (area(a) + area(b) - intersection)
}

#[test]
fn dog_photo_boxes_sit_on_the_objects() {
    // Boxes drawn by eye on the 768×576 photo.
    let truth = [
        ("dog", [132.0, 222.0, 310.0, 538.0]),
        ("bicycle", [125.0, 135.0, 568.0, 420.0]),
        ("truck", [470.0, 75.0, 700.0, 168.0]),
    ];
    let found = detections("dog.jpg");
    for (label, expected) in truth {
        let best = found
            .iter()
            .filter(|d| d.label == label)
            .map(|d| iou(d.bbox, expected))
            .fold(0.0f32, f32::max);
        assert!(best > 0.6, "{label}: best IoU {best}");
    }
}

#[test]
fn dog_photo_has_dog_bicycle_and_truck() {
    let labels = labels("dog.jpg");
    for wanted in ["dog", "bicycle", "truck"] {
        assert!(
            labels.iter().any(|label| label == wanted),
            "no {wanted} in {labels:?}"
        );
    }
    assert!(!labels.iter().any(|label| label == "person"), "{labels:?}");
}

#[test]
fn person_photo_has_person_horse_and_dog() {
    let labels = labels("person.jpg");
    for wanted in ["person", "horse", "dog"] {
        assert!(
            labels.iter().any(|label| label == wanted),
            "no {wanted} in {labels:?}"
        );
    }
}
