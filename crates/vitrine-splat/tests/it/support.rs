//! Deterministic fixtures shared by the test modules.

use vitrine_splat::{Gaussian, Splats, sh_coefficients};

/// A small linear congruential generator, so fixtures need no `rand` dependency.
pub(crate) struct Lcg(u64);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// Uniform in `[lo, hi)`.
    pub(crate) fn range(&mut self, lo: f32, hi: f32) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let unit = (self.0 >> 40) as f32 / (1u64 << 24) as f32;
        lo + (hi - lo) * unit
    }
}

/// `n` pseudo-random gaussians with SH degree `degree`, all values inside SPZ's ranges.
pub(crate) fn random_splats(n: usize, degree: u8, seed: u64) -> Splats {
    let mut rng = Lcg::new(seed);
    let mut splats = Splats {
        sh_degree: degree,
        ..Splats::new()
    };
    for _ in 0..n {
        let q = [
            rng.range(-1.0, 1.0),
            rng.range(-1.0, 1.0),
            rng.range(-1.0, 1.0),
            rng.range(-1.0, 1.0),
        ];
        let norm = q.iter().map(|c| c * c).sum::<f32>().sqrt().max(1e-3);
        splats.push(Gaussian {
            position: [
                rng.range(-100.0, 100.0),
                rng.range(-100.0, 100.0),
                rng.range(-100.0, 100.0),
            ],
            log_scale: [
                rng.range(-9.0, 5.0),
                rng.range(-9.0, 5.0),
                rng.range(-9.0, 5.0),
            ],
            rotation: q.map(|c| c / norm),
            alpha: rng.range(0.0, 1.0),
            color: [
                rng.range(-3.0, 3.0),
                rng.range(-3.0, 3.0),
                rng.range(-3.0, 3.0),
            ],
        });
    }
    let per_point = 3 * sh_coefficients(degree);
    for value in splats.sh.iter_mut().take(n * per_point) {
        *value = rng.range(-0.9, 0.9);
    }
    splats
}
