//! [`Splats`]: a set of 3D gaussians stored column-wise, the way SPZ stores them.
//!
//! Conventions (the same as SPZ's, so encoding is a quantisation and nothing else):
//! - positions in scene units; this crate's reconstruction writes metres (or relative units)
//!   in the **RUB** frame (x right, y up, z back: the camera looks down −z), SPZ's nominal frame;
//! - scales are the natural log of each axis' standard deviation;
//! - rotations are unit quaternions in `[x, y, z, w]` order;
//! - alphas are opacities in 0..=1 (not logits);
//! - colors are the degree-0 spherical-harmonic (DC) coefficient per channel, so the displayed
//!   colour is `0.5 + SH_C0 · dc` (see [`dc_to_rgb`]);
//! - `sh` holds the higher-order coefficients per gaussian, coefficient-major and channel-minor
//!   (`c0.r, c0.g, c0.b, c1.r, …`), [`sh_coefficients`]`(degree)` coefficients per channel.

use crate::error::SplatError;

/// The degree-0 spherical-harmonic basis constant, `1 / (2·√π)`.
pub const SH_C0: f32 = 0.282_094_8;

/// Spherical-harmonic coefficients per colour channel beyond the DC term for a degree:
/// 0 → 0, 1 → 3, 2 → 8, 3 → 15 (any other degree → 0).
pub fn sh_coefficients(degree: u8) -> usize {
    match degree {
        1 => 3,
        2 => 8,
        3 => 15,
        _ => 0,
    }
}

/// Converts a displayed colour channel in 0..=1 to its DC coefficient.
pub fn rgb_to_dc(value: f32) -> f32 {
    (value - 0.5) / SH_C0
}

/// Converts a DC coefficient to a displayed colour channel (not clamped).
pub fn dc_to_rgb(dc: f32) -> f32 {
    0.5 + SH_C0 * dc
}

/// One gaussian, for building a [`Splats`] point by point with [`Splats::push`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gaussian {
    /// Centre.
    pub position: [f32; 3],
    /// Natural log of the standard deviation along each local axis.
    pub log_scale: [f32; 3],
    /// Unit quaternion `[x, y, z, w]` from local to scene axes.
    pub rotation: [f32; 4],
    /// Opacity in 0..=1.
    pub alpha: f32,
    /// DC spherical-harmonic coefficient per channel (see [`rgb_to_dc`]).
    pub color: [f32; 3],
}

/// A set of gaussians, stored column-wise. See the module documentation for the conventions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Splats {
    /// Centres.
    pub positions: Vec<[f32; 3]>,
    /// Natural log of the per-axis standard deviations.
    pub scales: Vec<[f32; 3]>,
    /// Unit quaternions `[x, y, z, w]`.
    pub rotations: Vec<[f32; 4]>,
    /// Opacities in 0..=1.
    pub alphas: Vec<f32>,
    /// DC spherical-harmonic coefficients (RGB).
    pub colors: Vec<[f32; 3]>,
    /// Spherical-harmonic degree of `sh`, 0..=3.
    pub sh_degree: u8,
    /// Higher-order SH coefficients: per gaussian `3 · sh_coefficients(sh_degree)` values,
    /// coefficient-major, channel-minor.
    pub sh: Vec<f32>,
    /// Whether the splats were trained with antialiasing (mip-splatting); SPZ header flag 0x1.
    pub antialiased: bool,
}

impl Splats {
    /// An empty set with degree-0 colour only.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty set with room for `capacity` gaussians.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            positions: Vec::with_capacity(capacity),
            scales: Vec::with_capacity(capacity),
            rotations: Vec::with_capacity(capacity),
            alphas: Vec::with_capacity(capacity),
            colors: Vec::with_capacity(capacity),
            ..Self::default()
        }
    }

    /// Number of gaussians (the length of `positions`).
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// True when there is no gaussian.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Appends one gaussian; its higher-order SH coefficients (if `sh_degree > 0`) are zero.
    pub fn push(&mut self, gaussian: Gaussian) {
        self.positions.push(gaussian.position);
        self.scales.push(gaussian.log_scale);
        self.rotations.push(gaussian.rotation);
        self.alphas.push(gaussian.alpha);
        self.colors.push(gaussian.color);
        let per_point = 3 * sh_coefficients(self.sh_degree);
        self.sh.extend(std::iter::repeat_n(0.0, per_point));
    }

    /// Checks that every array has one entry per gaussian, the SH degree is 0..=3, every value
    /// is finite, alphas lie in 0..=1 and no quaternion is zero.
    pub fn validate(&self) -> Result<(), SplatError> {
        if self.sh_degree > 3 {
            return Err(SplatError::UnsupportedShDegree {
                degree: self.sh_degree,
            });
        }
        let n = self.len();
        let lengths = [
            ("scales", self.scales.len(), n),
            ("rotations", self.rotations.len(), n),
            ("alphas", self.alphas.len(), n),
            ("colors", self.colors.len(), n),
            ("sh", self.sh.len(), n * 3 * sh_coefficients(self.sh_degree)),
        ];
        for (field, actual, expected) in lengths {
            if actual != expected {
                return Err(SplatError::LengthMismatch {
                    field,
                    expected,
                    actual,
                });
            }
        }
        let finite = |field: &'static str, index: usize, values: &[f32]| {
            if values.iter().all(|v| v.is_finite()) {
                Ok(())
            } else {
                Err(SplatError::NonFinite { field, index })
            }
        };
        for index in 0..n {
            finite("positions", index, &self.positions[index])?;
            finite("scales", index, &self.scales[index])?;
            finite("rotations", index, &self.rotations[index])?;
            finite("colors", index, &self.colors[index])?;
            let alpha = self.alphas[index];
            finite("alphas", index, &[alpha])?;
            if !(0.0..=1.0).contains(&alpha) {
                return Err(SplatError::AlphaOutOfRange {
                    index,
                    value: alpha,
                });
            }
            let norm_sq: f32 = self.rotations[index].iter().map(|c| c * c).sum();
            if norm_sq < 1e-12 {
                return Err(SplatError::ZeroQuaternion { index });
            }
        }
        let per_point = 3 * sh_coefficients(self.sh_degree);
        if per_point > 0 {
            for (index, chunk) in self.sh.chunks_exact(per_point).enumerate() {
                finite("sh", index, chunk)?;
            }
        }
        Ok(())
    }

    /// Axis-aligned bounds of the centres as `(min, max)`, or `None` when empty.
    pub fn bounding_box(&self) -> Option<([f32; 3], [f32; 3])> {
        let first = *self.positions.first()?;
        let mut min = first;
        let mut max = first;
        for p in &self.positions {
            for axis in 0..3 {
                min[axis] = min[axis].min(p[axis]);
                max[axis] = max[axis].max(p[axis]);
            }
        }
        Some((min, max))
    }

    /// Rotates the whole set 180° about the x axis, which converts between the RUB frame
    /// (SPZ, three.js) and the RDF frame (3DGS PLY, COLMAP); applying it twice is a no-op.
    /// Positions flip y and z, quaternions `[x, y, z, w]` become `[x, −y, −z, w]`, and the SH
    /// coefficients that are odd in y·z change sign.
    pub fn flip_yz(&mut self) {
        // Sign of each SH basis function (degrees 1..3, standard real order) under (x,−y,−z).
        const SH_FLIP: [f32; 15] = [
            -1.0, -1.0, 1.0, // y, z, x
            -1.0, 1.0, 1.0, -1.0, 1.0, // xy, yz, 3z²−1, xz, x²−y²
            -1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 1.0,
        ];
        for p in &mut self.positions {
            p[1] = -p[1];
            p[2] = -p[2];
        }
        for q in &mut self.rotations {
            q[1] = -q[1];
            q[2] = -q[2];
        }
        let per_channel = sh_coefficients(self.sh_degree);
        if per_channel > 0 {
            for chunk in self.sh.chunks_exact_mut(3 * per_channel) {
                for (coefficient, sign) in SH_FLIP.iter().take(per_channel).enumerate() {
                    for channel in 0..3 {
                        chunk[coefficient * 3 + channel] *= sign;
                    }
                }
            }
        }
    }
}

/// Normalises a quaternion; zero or non-finite input gives the identity `[0, 0, 0, 1]`.
pub(crate) fn normalize_quaternion(q: [f32; 4]) -> [f32; 4] {
    let norm = q.iter().map(|c| c * c).sum::<f32>().sqrt();
    if norm.is_finite() && norm > 1e-12 {
        q.map(|c| c / norm)
    } else {
        [0.0, 0.0, 0.0, 1.0]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one() -> Gaussian {
        Gaussian {
            position: [1.0, 2.0, 3.0],
            log_scale: [-2.0; 3],
            rotation: [0.0, 0.0, 0.0, 1.0],
            alpha: 0.5,
            color: [0.1, 0.2, 0.3],
        }
    }

    #[test]
    fn validate_names_the_broken_field() {
        let mut splats = Splats::new();
        splats.push(one());
        assert!(splats.validate().is_ok());

        let mut bad = splats.clone();
        bad.alphas[0] = 1.5;
        let message = bad.validate().expect_err("alpha 1.5").to_string();
        assert!(message.contains("alphas"), "{message}");

        let mut bad = splats.clone();
        bad.scales.push([0.0; 3]);
        let message = bad.validate().expect_err("extra scale").to_string();
        assert!(message.contains("`scales` holds 2"), "{message}");

        let mut bad = splats.clone();
        bad.positions[0][1] = f32::NAN;
        assert!(matches!(
            bad.validate(),
            Err(SplatError::NonFinite {
                field: "positions",
                index: 0
            })
        ));

        let mut bad = splats.clone();
        bad.rotations[0] = [0.0; 4];
        assert!(matches!(
            bad.validate(),
            Err(SplatError::ZeroQuaternion { index: 0 })
        ));

        let mut bad = splats;
        bad.sh_degree = 4;
        assert!(matches!(
            bad.validate(),
            Err(SplatError::UnsupportedShDegree { degree: 4 })
        ));
    }

    #[test]
    fn push_grows_sh_with_the_degree() {
        let mut splats = Splats {
            sh_degree: 2,
            ..Splats::new()
        };
        splats.push(one());
        splats.push(one());
        assert_eq!(splats.sh.len(), 2 * 3 * 8);
        assert!(splats.validate().is_ok());
    }

    #[test]
    fn flip_yz_is_an_involution_and_flips_y_and_z() {
        let mut splats = Splats {
            sh_degree: 1,
            ..Splats::new()
        };
        splats.push(one());
        splats.sh = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0];
        let original = splats.clone();
        splats.flip_yz();
        assert_eq!(splats.positions[0], [1.0, -2.0, -3.0]);
        // The y and z basis functions flip, x keeps its sign.
        assert_eq!(
            splats.sh,
            vec![-1.0, -2.0, -3.0, -4.0, -5.0, -6.0, 7.0, 8.0, 9.0]
        );
        splats.flip_yz();
        assert_eq!(splats, original);
    }

    #[test]
    fn bounding_box_spans_the_centres() {
        let mut splats = Splats::new();
        assert_eq!(splats.bounding_box(), None);
        splats.push(one());
        splats.push(Gaussian {
            position: [-1.0, 5.0, 0.0],
            ..one()
        });
        assert_eq!(
            splats.bounding_box(),
            Some(([-1.0, 2.0, 0.0], [1.0, 5.0, 3.0]))
        );
    }

    #[test]
    fn dc_round_trips_rgb() {
        for v in [0.0, 0.25, 1.0] {
            assert!((dc_to_rgb(rgb_to_dc(v)) - v).abs() < 1e-6);
        }
    }
}
