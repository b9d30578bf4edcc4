//! Small 3-vector and quaternion helpers (no linear-algebra dependency needed for this much).

pub(crate) type Vec3 = [f32; 3];

pub(crate) fn sub(a: Vec3, b: Vec3) -> Vec3 {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

pub(crate) fn dot(a: Vec3, b: Vec3) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

pub(crate) fn cross(a: Vec3, b: Vec3) -> Vec3 {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

pub(crate) fn scale(a: Vec3, s: f32) -> Vec3 {
    [a[0] * s, a[1] * s, a[2] * s]
}

pub(crate) fn length(a: Vec3) -> f32 {
    dot(a, a).sqrt()
}

/// `a / |a|`, or `None` when `a` is (nearly) zero.
pub(crate) fn normalize(a: Vec3) -> Option<Vec3> {
    let len = length(a);
    (len > 1e-12 && len.is_finite()).then(|| scale(a, 1.0 / len))
}

/// The unit quaternion `[x, y, z, w]` of the rotation whose matrix has columns `c0, c1, c2`
/// (orthonormal, right-handed).
pub(crate) fn quaternion_from_columns(c0: Vec3, c1: Vec3, c2: Vec3) -> [f32; 4] {
    // m[row][col]
    let m = [
        [c0[0], c1[0], c2[0]],
        [c0[1], c1[1], c2[1]],
        [c0[2], c1[2], c2[2]],
    ];
    let trace = m[0][0] + m[1][1] + m[2][2];
    let q = if trace > 0.0 {
        let s = (trace + 1.0).sqrt() * 2.0;
        [
            (m[2][1] - m[1][2]) / s,
            (m[0][2] - m[2][0]) / s,
            (m[1][0] - m[0][1]) / s,
            0.25 * s,
        ]
    } else if m[0][0] > m[1][1] && m[0][0] > m[2][2] {
        let s = (1.0 + m[0][0] - m[1][1] - m[2][2]).sqrt() * 2.0;
        [
            0.25 * s,
            (m[0][1] + m[1][0]) / s,
            (m[0][2] + m[2][0]) / s,
            (m[2][1] - m[1][2]) / s,
        ]
    } else if m[1][1] > m[2][2] {
        let s = (1.0 + m[1][1] - m[0][0] - m[2][2]).sqrt() * 2.0;
        [
            (m[0][1] + m[1][0]) / s,
            0.25 * s,
            (m[1][2] + m[2][1]) / s,
            (m[0][2] - m[2][0]) / s,
        ]
    } else {
        let s = (1.0 + m[2][2] - m[0][0] - m[1][1]).sqrt() * 2.0;
        [
            (m[0][2] + m[2][0]) / s,
            (m[1][2] + m[2][1]) / s,
            0.25 * s,
            (m[1][0] - m[0][1]) / s,
        ]
    };
    crate::types::normalize_quaternion(q)
}

/// The rotation matrix (row-major) of a quaternion `[x, y, z, w]` (normalised first).
pub(crate) fn matrix_from_quaternion(q: [f32; 4]) -> [[f32; 3]; 3] {
    let [x, y, z, w] = crate::types::normalize_quaternion(q);
    [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y - w * z),
            2.0 * (x * z + w * y),
        ],
        [
            2.0 * (x * y + w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z - w * x),
        ],
        [
            2.0 * (x * z - w * y),
            2.0 * (y * z + w * x),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quaternion_and_matrix_agree() {
        let c0 = [0.0, 1.0, 0.0];
        let c1 = [-1.0, 0.0, 0.0];
        let c2 = [0.0, 0.0, 1.0];
        let q = quaternion_from_columns(c0, c1, c2); // 90° about z
        let h = std::f32::consts::FRAC_1_SQRT_2;
        assert!((q[2] - h).abs() < 1e-6 && (q[3] - h).abs() < 1e-6, "{q:?}");
        let m = matrix_from_quaternion(q);
        for row in 0..3 {
            for (col, c) in [c0, c1, c2].iter().enumerate() {
                assert!((m[row][col] - c[row]).abs() < 1e-6);
            }
        }
        // A matrix with a negative trace takes another branch.
        let q = quaternion_from_columns([1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, -1.0]);
        assert!((q[0].abs() - 1.0).abs() < 1e-6, "{q:?}");
    }
}
