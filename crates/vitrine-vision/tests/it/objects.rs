//! NanoDet on darknet's sample photos.

use vitrine_vision::ObjectOptions;

use crate::support::{models, photo};

fn labels(name: &str) -> Vec<String> {
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
    detections.into_iter().map(|d| d.label).collect()
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
