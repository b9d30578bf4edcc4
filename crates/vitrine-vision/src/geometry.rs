//! Boxes and non-maximum suppression shared by the detectors.
//!
//! A box is `[x0, y0, x1, y1]` in pixels of the input image, `x0 <= x1`,
//! `y0 <= y1`.

/// Area of a box (0 for degenerate boxes).
pub(crate) fn area(bbox: &[f32; 4]) -> f32 {
    (bbox[2] - bbox[0]).max(0.0) * (bbox[3] - bbox[1]).max(0.0)
}

/// Intersection over union of two boxes.
pub(crate) fn iou(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let intersection = area(&[
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ]);
    let union = area(a) + area(b) - intersection;
    if union <= 0.0 {
        0.0
    } else {
        intersection / union
    }
}

/// Intersection area divided by the smaller box's area: 1.0 when one box
/// lies inside the other. Catches a partial face cut by a tile edge that
/// sits inside the full detection.
pub(crate) fn overlap_of_smaller(a: &[f32; 4], b: &[f32; 4]) -> f32 {
    let intersection = area(&[
        a[0].max(b[0]),
        a[1].max(b[1]),
        a[2].min(b[2]),
        a[3].min(b[3]),
    ]);
    let smaller = area(a).min(area(b));
    if smaller <= 0.0 {
        0.0
    } else {
        intersection / smaller
    }
}

/// Greedy non-maximum suppression: keeps the best-scoring item, drops every
/// later item that `suppresses` says overlaps a kept one. Returns the kept
/// items, best first.
pub(crate) fn nms<T>(
    mut items: Vec<T>,
    score: impl Fn(&T) -> f32,
    suppresses: impl Fn(&T, &T) -> bool,
) -> Vec<T> {
    items.sort_by(|a, b| score(b).total_cmp(&score(a)));
    let mut kept: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        if !kept.iter().any(|better| suppresses(better, &item)) {
            kept.push(item);
        }
    }
    kept
}

/// Clamps a box to the image.
pub(crate) fn clamp_box(bbox: [f32; 4], width: u32, height: u32) -> [f32; 4] {
    let (width, height) = (width as f32, height as f32);
    [
        bbox[0].clamp(0.0, width),
        bbox[1].clamp(0.0, height),
        bbox[2].clamp(0.0, width),
        bbox[3].clamp(0.0, height),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iou_of_identical_boxes_is_one_and_of_disjoint_is_zero() {
        let a = [0.0, 0.0, 10.0, 10.0];
        assert!((iou(&a, &a) - 1.0).abs() < 1e-6);
        assert_eq!(iou(&a, &[20.0, 20.0, 30.0, 30.0]), 0.0);
        // Half overlap: intersection 50, union 150.
        assert!((iou(&a, &[5.0, 0.0, 15.0, 10.0]) - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn nms_keeps_best_of_overlapping_and_all_disjoint() {
        let items = vec![
            ([0.0, 0.0, 10.0, 10.0], 0.5),
            ([1.0, 1.0, 11.0, 11.0], 0.9),
            ([50.0, 50.0, 60.0, 60.0], 0.3),
        ];
        let kept = nms(items, |item| item.1, |a, b| iou(&a.0, &b.0) > 0.5);
        let scores: Vec<f32> = kept.iter().map(|item| item.1).collect();
        assert_eq!(scores, vec![0.9, 0.3]);
    }

    #[test]
    fn overlap_of_smaller_detects_containment() {
        let big = [0.0, 0.0, 100.0, 100.0];
        let inside = [10.0, 10.0, 30.0, 30.0];
        assert!((overlap_of_smaller(&big, &inside) - 1.0).abs() < 1e-6);
        assert!(iou(&big, &inside) < 0.1);
    }
}
