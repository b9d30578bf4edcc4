//! Per-attribute quantisation rules of SPZ, shared by the writer and the reader.
//!
//! Writer and reader use the same rules as Niantic's reference: round to nearest, clamp to
//! the byte range, and for positions refuse (never wrap) values outside the 24-bit range.

use crate::types::normalize_quaternion;

/// Colour DC coefficients are scaled by 0.15 (not SH_C0 ≈ 0.28) to leave headroom for
/// out-of-range base colours.
const COLOR_SCALE: f32 = 0.15;
/// Bits kept for degree-1 SH coefficients.
pub(crate) const SH1_BITS: u32 = 5;
/// Bits kept for degree-2 and degree-3 SH coefficients.
pub(crate) const SH_REST_BITS: u32 = 4;
/// Largest and smallest 24-bit two's-complement integers.
const FIXED24_MAX: f64 = 8_388_607.0;
const FIXED24_MIN: f64 = -8_388_608.0;
/// Mask of a 9-bit magnitude in the smallest-three rotation encoding.
const ROTATION_MASK: u32 = (1 << 9) - 1;

fn to_u8(value: f32) -> u8 {
    // `as` saturates, and NaN maps to 0; validation rejects NaN before we get here.
    value.round().clamp(0.0, 255.0) as u8
}

/// Largest magnitude a 24-bit fixed-point value holds at `fractional_bits`.
pub(crate) fn position_limit(fractional_bits: u8) -> f32 {
    (FIXED24_MAX / f64::from(1u32 << fractional_bits)) as f32
}

/// Encodes a coordinate as a 24-bit little-endian fixed-point integer, or `None` when it does
/// not fit at `fractional_bits`.
pub(crate) fn encode_position(value: f32, fractional_bits: u8) -> Option<[u8; 3]> {
    let fixed = (f64::from(value) * f64::from(1u32 << fractional_bits)).round();
    if !(FIXED24_MIN..=FIXED24_MAX).contains(&fixed) {
        return None;
    }
    let bytes = (fixed as i32).to_le_bytes();
    Some([bytes[0], bytes[1], bytes[2]])
}

/// Decodes a 24-bit little-endian two's-complement fixed-point coordinate.
pub(crate) fn decode_position(bytes: [u8; 3], fractional_bits: u8) -> f32 {
    // Put the 24 bits at the top of an i32 and shift back down to sign-extend.
    let raw = i32::from_le_bytes([0, bytes[0], bytes[1], bytes[2]]) >> 8;
    (f64::from(raw) / f64::from(1u32 << fractional_bits)) as f32
}

/// Decodes an IEEE half-precision float (version-1 positions).
pub(crate) fn decode_half(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let mantissa = f32::from(bits & 0x3ff);
    match exponent {
        0 => sign * mantissa * 2f32.powi(-24),
        31 if mantissa == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        _ => sign * (1.0 + mantissa / 1024.0) * 2f32.powi(exponent - 15),
    }
}

/// Opacity 0..=1 → byte.
pub(crate) fn encode_alpha(alpha: f32) -> u8 {
    to_u8(alpha * 255.0)
}

/// Byte → opacity 0..=1.
pub(crate) fn decode_alpha(byte: u8) -> f32 {
    f32::from(byte) / 255.0
}

/// DC coefficient → byte.
pub(crate) fn encode_color(dc: f32) -> u8 {
    to_u8(dc * (COLOR_SCALE * 255.0) + 127.5)
}

/// Byte → DC coefficient.
pub(crate) fn decode_color(byte: u8) -> f32 {
    (f32::from(byte) / 255.0 - 0.5) / COLOR_SCALE
}

/// Log-scale → byte (covers −10 to about 5.94 in steps of 1/16).
pub(crate) fn encode_scale(log_scale: f32) -> u8 {
    to_u8((log_scale + 10.0) * 16.0)
}

/// Byte → log-scale.
pub(crate) fn decode_scale(byte: u8) -> f32 {
    f32::from(byte) / 16.0 - 10.0
}

/// Version-3 "smallest three" rotation: 2 bits for the index of the largest component (made
/// non-negative by negating the quaternion), then for the other three components in index
/// order 1 sign bit and a 9-bit magnitude scaled so that 1/√2 maps to 511.
pub(crate) fn encode_rotation(rotation: [f32; 4]) -> [u8; 4] {
    let q = normalize_quaternion(rotation);
    let mut largest = 0;
    for i in 1..4 {
        if q[i].abs() > q[largest].abs() {
            largest = i;
        }
    }
    let negate = q[largest] < 0.0;
    let mut word = largest as u32;
    for (i, &component) in q.iter().enumerate() {
        if i == largest {
            continue;
        }
        let negative = (component < 0.0) != negate;
        let magnitude =
            (ROTATION_MASK as f32 * component.abs() / std::f32::consts::FRAC_1_SQRT_2).round();
        let magnitude = (magnitude as u32).min(ROTATION_MASK);
        word = (word << 10) | (u32::from(negative) << 9) | magnitude;
    }
    word.to_le_bytes()
}

/// Inverse of [`encode_rotation`]; returns a unit quaternion `[x, y, z, w]`.
pub(crate) fn decode_rotation(bytes: [u8; 4]) -> [f32; 4] {
    let mut word = u32::from_le_bytes(bytes);
    let largest = (word >> 30) as usize;
    let mut q = [0f32; 4];
    let mut sum_squares = 0.0;
    for i in (0..4).rev() {
        if i == largest {
            continue;
        }
        let magnitude = word & ROTATION_MASK;
        let negative = (word >> 9) & 1 == 1;
        word >>= 10;
        let value = std::f32::consts::FRAC_1_SQRT_2 * magnitude as f32 / ROTATION_MASK as f32;
        q[i] = if negative { -value } else { value };
        sum_squares += q[i] * q[i];
    }
    q[largest] = (1.0 - sum_squares).max(0.0).sqrt();
    normalize_quaternion(q)
}

/// Version-1/2 rotation: x, y, z as bytes of a quaternion flipped to w ≥ 0; w is implied.
pub(crate) fn decode_rotation_first_three(bytes: [u8; 3]) -> [f32; 4] {
    let [x, y, z] = bytes.map(|b| f32::from(b) / 127.5 - 1.0);
    let w = (1.0 - x * x - y * y - z * z).max(0.0).sqrt();
    normalize_quaternion([x, y, z, w])
}

/// SH coefficient → byte with 128 as zero, snapped to a bucket of `2^(8 − bits)`.
pub(crate) fn encode_sh(value: f32, bits: u32) -> u8 {
    let bucket = 1i32 << (8 - bits);
    let q = (value * 128.0).round().clamp(-1024.0, 1024.0) as i32 + 128;
    let snapped = (q + bucket / 2).div_euclid(bucket) * bucket;
    snapped.clamp(0, 255) as u8
}

/// Byte → SH coefficient.
pub(crate) fn decode_sh(byte: u8) -> f32 {
    (f32::from(byte) - 128.0) / 128.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_fixed_point_and_refuse_to_wrap() {
        assert_eq!(encode_position(1.0, 12), Some([0x00, 0x10, 0x00]));
        assert_eq!(encode_position(-1.0, 12), Some([0x00, 0xF0, 0xFF]));
        assert_eq!(decode_position([0x00, 0xF0, 0xFF], 12), -1.0);
        assert_eq!(decode_position([0xFF, 0xFF, 0x7F], 0), 8_388_607.0);
        assert_eq!(decode_position([0x00, 0x00, 0x80], 0), -8_388_608.0);
        // 2048 needs 2048·4096 = 2^23, one past the largest 24-bit value.
        assert_eq!(encode_position(2048.0, 12), None);
        assert_eq!(encode_position(-2048.0, 12), Some([0x00, 0x00, 0x80]));
        assert!(position_limit(12) < 2048.0 && position_limit(12) > 2047.99);
    }

    #[test]
    fn bytes_follow_the_reference_rules() {
        assert_eq!(encode_alpha(1.0), 255);
        assert_eq!(encode_alpha(0.5), 128);
        assert_eq!(encode_color(0.0), 128); // 127.5 rounds away from zero
        assert_eq!(encode_color(1.0), 166); // 38.25 + 127.5 = 165.75
        assert_eq!(encode_color(100.0), 255);
        assert_eq!(encode_scale(-10.0), 0);
        assert_eq!(encode_scale(-2.0), 128);
        assert_eq!(decode_scale(128), -2.0);
        assert_eq!(encode_sh(0.0, SH1_BITS), 128);
        assert_eq!(encode_sh(0.5, SH1_BITS), 192);
        assert_eq!(encode_sh(0.02, SH1_BITS), 128); // 131 snaps to the bucket at 128 (size 8)
        assert_eq!(encode_sh(0.03, SH1_BITS), 136); // 132 is half-way and rounds up
        assert_eq!(encode_sh(0.1, SH_REST_BITS), 144); // 141 snaps to 144 (size 16)
        assert_eq!(encode_sh(-5.0, SH_REST_BITS), 0);
        assert_eq!(encode_sh(5.0, SH_REST_BITS), 255);
    }

    #[test]
    fn identity_rotation_has_a_known_word() {
        // Largest is w (index 3); x, y, z are zero: word = 3 << 30.
        assert_eq!(encode_rotation([0.0, 0.0, 0.0, 1.0]), [0, 0, 0, 0xC0]);
        assert_eq!(decode_rotation([0, 0, 0, 0xC0]), [0.0, 0.0, 0.0, 1.0]);
        // −q is the same rotation; like the reference, the zero components keep sign bits
        // (negative zeros), which decode to the same quaternion.
        let negated = decode_rotation(encode_rotation([0.0, 0.0, 0.0, -1.0]));
        assert_eq!(negated.map(f32::abs), [0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn rotations_round_trip_up_to_sign() {
        let samples = [
            [0.1, -0.7, 0.2, 0.6],
            [0.9, 0.1, -0.3, 0.2],
            [-0.5, 0.5, 0.5, -0.5],
            [0.0, 0.0, 1.0, 0.0],
        ];
        for sample in samples {
            let q = normalize_quaternion(sample);
            let back = decode_rotation(encode_rotation(q));
            let dot: f32 = q.iter().zip(back).map(|(a, b)| a * b).sum();
            assert!(dot.abs() > 0.9999, "{q:?} came back as {back:?}");
        }
    }

    #[test]
    fn half_floats_decode() {
        assert_eq!(decode_half(0x3C00), 1.0);
        assert_eq!(decode_half(0xC000), -2.0);
        assert_eq!(decode_half(0x3555), 0.333_251_95);
        assert_eq!(decode_half(0x0001), 2f32.powi(-24));
    }
}
