//! Connected components, convex hull and minimum-area rectangles: the
//! geometry behind DB text-detector post-processing (what PaddleOCR does with
//! OpenCV's `findContours` + `minAreaRect` + pyclipper).

/// A rotated rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RotatedRect {
    pub(crate) center: [f32; 2],
    /// Unit vector along the rectangle's "width" side, within 45° of +x.
    pub(crate) axis: [f32; 2],
    pub(crate) width: f32,
    pub(crate) height: f32,
}

impl RotatedRect {
    /// Unit vector along the height side (+90° from `axis`, pointing down in
    /// image coordinates).
    pub(crate) fn normal(&self) -> [f32; 2] {
        [-self.axis[1], self.axis[0]]
    }

    /// Corners in order top-left, top-right, bottom-right, bottom-left.
    pub(crate) fn corners(&self) -> [[f32; 2]; 4] {
        let [ux, uy] = self.axis;
        let [vx, vy] = self.normal();
        let (half_width, half_height) = (self.width / 2.0, self.height / 2.0);
        let [cx, cy] = self.center;
        let corner = |su: f32, sv: f32| {
            [
                cx + su * half_width * ux + sv * half_height * vx,
                cy + su * half_width * uy + sv * half_height * vy,
            ]
        };
        [
            corner(-1.0, -1.0),
            corner(1.0, -1.0),
            corner(1.0, 1.0),
            corner(-1.0, 1.0),
        ]
    }

    /// Grows every side outwards by `distance`.
    pub(crate) fn expanded(&self, distance: f32) -> Self {
        Self {
            width: self.width + 2.0 * distance,
            height: self.height + 2.0 * distance,
            ..*self
        }
    }

    /// True when `point` lies inside the rectangle.
    pub(crate) fn contains(&self, point: [f32; 2]) -> bool {
        let dx = point[0] - self.center[0];
        let dy = point[1] - self.center[1];
        let along = dx * self.axis[0] + dy * self.axis[1];
        let normal = self.normal();
        let across = dx * normal[0] + dy * normal[1];
        along.abs() <= self.width / 2.0 && across.abs() <= self.height / 2.0
    }
}

/// 8-connected components of `mask` (`width`×`height`, row-major), each as
/// the list of its pixel coordinates. Components with fewer than `min_pixels`
/// pixels are dropped.
pub(crate) fn connected_components(
    mask: &[bool],
    width: usize,
    height: usize,
    min_pixels: usize,
) -> Vec<Vec<[u32; 2]>> {
    let mut seen = vec![false; mask.len()];
    let mut components = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut pixels = Vec::new();
        while let Some(index) = stack.pop() {
            let (x, y) = (index % width, index / width);
            pixels.push([x as u32, y as u32]);
            for ny in y.saturating_sub(1)..=(y + 1).min(height - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(width - 1) {
                    let neighbour = ny * width + nx;
                    if mask[neighbour] && !seen[neighbour] {
                        seen[neighbour] = true;
                        stack.push(neighbour);
                    }
                }
            }
        }
        if pixels.len() >= min_pixels {
            components.push(pixels);
        }
    }
    components
}

/// Convex hull (Andrew's monotone chain), counter-clockwise, no duplicates.
pub(crate) fn convex_hull(points: &[[f32; 2]]) -> Vec<[f32; 2]> {
    let mut sorted: Vec<[f32; 2]> = points.to_vec();
    sorted.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    sorted.dedup();
    if sorted.len() < 3 {
        return sorted;
    }
    let cross = |o: [f32; 2], a: [f32; 2], b: [f32; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f32; 2]> = Vec::with_capacity(sorted.len() * 2);
    // Lower chain left to right, then upper chain right to left; the upper
    // chain may never pop into the lower one (`floor`).
    for &point in &sorted {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], point) <= 0.0 {
            hull.pop();
        }
        hull.push(point);
    }
    let floor = hull.len() + 1;
    for &point in sorted.iter().rev().skip(1) {
        while hull.len() >= floor && cross(hull[hull.len() - 2], hull[hull.len() - 1], point) <= 0.0
        {
            hull.pop();
        }
        hull.push(point);
    }
    hull.pop();
    hull
}

/// Minimum-area rectangle enclosing `points` (rotating calipers over the
/// hull edges). `None` for an empty input.
pub(crate) fn min_area_rect(points: &[[f32; 2]]) -> Option<RotatedRect> {
    let hull = convex_hull(points);
    let first = *hull.first()?;
    if hull.len() < 3 {
        let last = *hull.last()?;
        let (dx, dy) = (last[0] - first[0], last[1] - first[1]);
        let length = (dx * dx + dy * dy).sqrt();
        let axis = if length > 0.0 {
            [dx / length, dy / length]
        } else {
            [1.0, 0.0]
        };
        return Some(normalise(RotatedRect {
            center: [(first[0] + last[0]) / 2.0, (first[1] + last[1]) / 2.0],
            axis,
            width: length,
            height: 0.0,
        }));
    }
    let mut best: Option<(f32, RotatedRect)> = None;
    for index in 0..hull.len() {
        let a = hull[index];
        let b = hull[(index + 1) % hull.len()];
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let length = (dx * dx + dy * dy).sqrt();
        if length == 0.0 {
            continue;
        }
        let axis = [dx / length, dy / length];
        let normal = [-axis[1], axis[0]];
        let (mut min_u, mut max_u, mut min_v, mut max_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for point in &hull {
            let u = point[0] * axis[0] + point[1] * axis[1];
            let v = point[0] * normal[0] + point[1] * normal[1];
            min_u = min_u.min(u);
            max_u = max_u.max(u);
            min_v = min_v.min(v);
            max_v = max_v.max(v);
        }
        let area = (max_u - min_u) * (max_v - min_v);
        if best.as_ref().is_none_or(|(best_area, _)| area < *best_area) {
            let (cu, cv) = ((min_u + max_u) / 2.0, (min_v + max_v) / 2.0);
            best = Some((
                area,
                RotatedRect {
                    center: [cu * axis[0] + cv * normal[0], cu * axis[1] + cv * normal[1]],
                    axis,
                    width: max_u - min_u,
                    height: max_v - min_v,
                },
            ));
        }
    }
    best.map(|(_, rect)| normalise(rect))
}

/// Rotates the labelling of a rectangle's sides so that `axis` is within 45°
/// of +x (reading direction for horizontal text).
fn normalise(rect: RotatedRect) -> RotatedRect {
    let mut rect = rect;
    // Four candidate axes: ±axis, ±normal. Pick the one closest to +x.
    for _ in 0..4 {
        let [ux, uy] = rect.axis;
        if ux >= uy.abs() - 1e-6 && ux > 0.0 {
            return rect;
        }
        // Rotate the labelling by +90°: new axis = old normal.
        rect = RotatedRect {
            center: rect.center,
            axis: rect.normal(),
            width: rect.height,
            height: rect.width,
        };
    }
    rect
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_eight_connected_and_filtered_by_size() {
        // Two diagonal pixels (one component) and a lone far pixel.
        let width = 6;
        let mut mask = vec![false; width * 4];
        mask[0] = true;
        mask[width + 1] = true;
        mask[3 * width + 5] = true;
        let components = connected_components(&mask, width, 4, 2);
        assert_eq!(components.len(), 1);
        assert_eq!(components[0].len(), 2);
    }

    #[test]
    fn min_area_rect_of_axis_aligned_points() {
        let points: Vec<[f32; 2]> = (0..=10)
            .flat_map(|x| (0..=2).map(move |y| [x as f32, y as f32]))
            .collect();
        let rect = min_area_rect(&points).expect("non-empty");
        assert!((rect.width - 10.0).abs() < 1e-4, "{rect:?}");
        assert!((rect.height - 2.0).abs() < 1e-4, "{rect:?}");
        assert!((rect.center[0] - 5.0).abs() < 1e-4 && (rect.center[1] - 1.0).abs() < 1e-4);
        let corners = rect.corners();
        assert!((corners[0][0] - 0.0).abs() < 1e-4 && (corners[0][1] - 0.0).abs() < 1e-4);
        assert!((corners[2][0] - 10.0).abs() < 1e-4 && (corners[2][1] - 2.0).abs() < 1e-4);
    }

    #[test]
    fn min_area_rect_follows_a_rotated_bar() {
        // A bar rotated by 30°: 40 long, 4 thick.
        let (sin, cos) = 30f32.to_radians().sin_cos();
        let mut points = Vec::new();
        for step in 0..=40 {
            for across in 0..=4 {
                let (u, v) = (step as f32, across as f32);
                points.push([100.0 + u * cos - v * sin, 100.0 + u * sin + v * cos]);
            }
        }
        let rect = min_area_rect(&points).expect("non-empty");
        assert!(
            (rect.width - 40.0).abs() < 0.1 && (rect.height - 4.0).abs() < 0.1,
            "{rect:?}"
        );
        assert!((rect.axis[0] - cos).abs() < 1e-3 && (rect.axis[1] - sin).abs() < 1e-3);
        assert!(rect.contains(rect.center));
        assert!(!rect.contains([0.0, 0.0]));
    }
}
