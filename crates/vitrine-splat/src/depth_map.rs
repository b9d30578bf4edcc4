//! [`DepthMap`]: one depth per pixel, from a depth model or from [`crate::estimate_layout_depth`].

use crate::error::SplatError;

/// Depth along the camera's optical axis (z-depth, not distance along the ray), one value per
/// pixel, row-major. Units are metres when the source is metric and arbitrary but consistent
/// otherwise. Values that are not finite or not positive mark holes that reconstruction skips.
#[derive(Debug, Clone, PartialEq)]
pub struct DepthMap {
    width: u32,
    height: u32,
    values: Vec<f32>,
}

impl DepthMap {
    /// Wraps row-major values; fails when their number is not `width · height`.
    pub fn new(width: u32, height: u32, values: Vec<f32>) -> Result<Self, SplatError> {
        let expected = width as usize * height as usize;
        if values.len() != expected {
            return Err(SplatError::InvalidParameter {
                name: "depth",
                reason: format!(
                    "{} values for a {width}x{height} map, expected {expected}",
                    values.len()
                ),
            });
        }
        Ok(Self {
            width,
            height,
            values,
        })
    }

    /// Builds a map by calling `depth(x, y)` for every pixel.
    pub fn from_fn(width: u32, height: u32, mut depth: impl FnMut(u32, u32) -> f32) -> Self {
        let mut values = Vec::with_capacity(width as usize * height as usize);
        for y in 0..height {
            for x in 0..width {
                values.push(depth(x, y));
            }
        }
        Self {
            width,
            height,
            values,
        }
    }

    /// Converts inverse depth (disparity, what most relative monocular models output: larger is
    /// nearer) to depth, `scale / inverse`; non-positive inverse values become holes.
    pub fn from_inverse(
        width: u32,
        height: u32,
        inverse: &[f32],
        scale: f32,
    ) -> Result<Self, SplatError> {
        let values = inverse
            .iter()
            .map(|&v| if v > 0.0 { scale / v } else { f32::NAN })
            .collect();
        Self::new(width, height, values)
    }

    /// Converts relative inverse depth (affine-invariant disparity, what Depth Anything and
    /// MiDaS output: larger is nearer, scale and shift unknown) to depth. The 2nd percentile
    /// of the values goes to `far` and the 98th to `near`, linearly in inverse depth between
    /// them, clamped at both ends: the unknown shift makes `scale / value` meaningless (a zero
    /// disparity is not infinitely far), so the range is an assumption, not a measurement.
    /// Non-finite values become holes; a constant map becomes a plane halfway (in inverse
    /// depth) between `near` and `far`.
    pub fn from_relative_inverse(
        width: u32,
        height: u32,
        inverse: &[f32],
        near: f32,
        far: f32,
    ) -> Result<Self, SplatError> {
        if !(near > 0.0 && far > near && far.is_finite()) {
            return Err(SplatError::InvalidParameter {
                name: "near/far",
                reason: format!("need 0 < near < far, got near {near}, far {far}"),
            });
        }
        let mut finite: Vec<f32> = inverse.iter().copied().filter(|v| v.is_finite()).collect();
        let (low, high) = if finite.is_empty() {
            (0.0, 0.0)
        } else {
            let last = finite.len() - 1;
            let at = |fraction: f32| (last as f32 * fraction).round() as usize;
            let low = *finite.select_nth_unstable_by(at(0.02), f32::total_cmp).1;
            let high = *finite.select_nth_unstable_by(at(0.98), f32::total_cmp).1;
            (low, high)
        };
        let (inverse_near, inverse_far) = (1.0 / near, 1.0 / far);
        let values = inverse
            .iter()
            .map(|&v| {
                if !v.is_finite() {
                    return f32::NAN;
                }
                let t = if high > low {
                    ((v - low) / (high - low)).clamp(0.0, 1.0)
                } else {
                    0.5
                };
                1.0 / (inverse_far + t * (inverse_near - inverse_far))
            })
            .collect();
        Self::new(width, height, values)
    }

    /// Width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Row-major values.
    pub fn values(&self) -> &[f32] {
        &self.values
    }

    /// The depth at `(x, y)`, or `None` outside the map or at a hole.
    pub fn get(&self, x: u32, y: u32) -> Option<f32> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let value = self.values[y as usize * self.width as usize + x as usize];
        (value.is_finite() && value > 0.0).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holes_and_bounds_read_as_none() {
        let map = DepthMap::new(2, 1, vec![1.5, f32::NAN]).expect("2 values for 2x1");
        assert_eq!(map.get(0, 0), Some(1.5));
        assert_eq!(map.get(1, 0), None);
        assert_eq!(map.get(2, 0), None);
        assert!(DepthMap::new(2, 2, vec![1.0]).is_err());
        let inverse = DepthMap::from_inverse(2, 1, &[0.5, 0.0], 2.0).expect("sizes match");
        assert_eq!(inverse.get(0, 0), Some(4.0));
        assert_eq!(inverse.get(1, 0), None);
    }

    #[test]
    fn relative_inverse_depth_spans_near_to_far() {
        // Disparity 0..=100 along a row: the largest is nearest.
        let disparity: Vec<f32> = (0..=100).map(|v| v as f32).collect();
        let map = DepthMap::from_relative_inverse(101, 1, &disparity, 1.0, 10.0).expect("map");
        let depth = |x: u32| map.get(x, 0).expect("finite");
        assert!((depth(100) - 1.0).abs() < 1e-5, "{}", depth(100));
        assert!((depth(0) - 10.0).abs() < 1e-4, "{}", depth(0));
        // Halfway in disparity is halfway in inverse depth: 1 / ((1 + 0.1) / 2).
        assert!((depth(50) - 2.0 / 1.1).abs() < 1e-4, "{}", depth(50));
        // Strictly nearer as disparity grows between the percentiles, clamped outside them.
        assert!(
            (3..=98).all(|x| depth(x) < depth(x - 1)),
            "nearer as disparity grows"
        );
        assert_eq!(depth(1), depth(0));
        let flat = DepthMap::from_relative_inverse(2, 1, &[3.0, 3.0], 1.0, 10.0).expect("map");
        assert_eq!(flat.get(0, 0), flat.get(1, 0));
        assert!(DepthMap::from_relative_inverse(1, 1, &[1.0], 2.0, 1.0).is_err());
    }
}
