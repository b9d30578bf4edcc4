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
}
