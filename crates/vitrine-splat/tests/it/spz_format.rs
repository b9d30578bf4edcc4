use std::io::{Read, Write};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use vitrine_splat::{
    Gaussian, SplatError, Splats, SpzWriteOptions, read_spz, read_spz_header, write_spz,
};

use crate::support::random_splats;

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("our own output is valid gzip");
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(bytes).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// Two hand-built gaussians whose every byte is worked out in the test below.
fn tiny() -> Splats {
    let mut splats = Splats {
        sh_degree: 1,
        ..Splats::new()
    };
    splats.push(Gaussian {
        position: [1.0, -0.5, 0.25],
        log_scale: [-2.0, -3.0, -4.0],
        rotation: [0.0, 0.0, 0.0, 1.0],
        alpha: 1.0,
        color: [0.0, 1.0, -1.0],
    });
    splats.push(Gaussian {
        position: [0.0, 0.0, -2.0],
        log_scale: [-5.0; 3],
        rotation: [0.0, 0.0, 0.6, 0.8],
        alpha: 0.2,
        color: [0.5; 3],
    });
    splats.sh[9..12].copy_from_slice(&[0.5, -0.5, 0.25]);
    splats
}

#[test]
fn known_answer_bytes_for_two_gaussians() {
    let file = write_spz(&tiny(), &SpzWriteOptions::default()).expect("valid splats");
    assert_eq!(&file[..2], &[0x1F, 0x8B], "gzip magic");
    let payload = gunzip(&file);
    #[rustfmt::skip]
    let expected: Vec<u8> = vec![
        // header: "NGSP", version 3, 2 points, SH degree 1, 12 fractional bits, no flags
        b'N', b'G', b'S', b'P', 3, 0, 0, 0, 2, 0, 0, 0, 1, 12, 0, 0,
        // positions: 4096, −2048, 1024 | 0, 0, −8192 as 24-bit LE
        0x00, 0x10, 0x00, 0x00, 0xF8, 0xFF, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0, 0xFF,
        // alphas: 1.0 → 255, 0.2 → 51
        255, 51,
        // colors: dc·38.25 + 127.5 → 128, 166, 89 | 147 ×3
        128, 166, 89, 147, 147, 147,
        // scales: (s + 10)·16 → 128, 112, 96 | 80 ×3
        128, 112, 96, 80, 80, 80,
        // rotations: identity = 3 << 30; (0, 0, 0.6, 0.8) = 3 << 30 | round(511·0.6/√½) = 434
        0x00, 0x00, 0x00, 0xC0, 0xB2, 0x01, 0x00, 0xC0,
        // sh (degree 1, coefficient-major): zeros → 128 | 0.5 → 192, −0.5 → 64, 0.25 → 160
        128, 128, 128, 128, 128, 128, 128, 128, 128,
        192, 64, 160, 128, 128, 128, 128, 128, 128,
    ];
    assert_eq!(payload, expected);

    let back = read_spz(&file).expect("our own file");
    assert_eq!(back.len(), 2);
    assert_eq!(back.sh_degree, 1);
    assert_eq!(back.positions, vec![[1.0, -0.5, 0.25], [0.0, 0.0, -2.0]]);
    assert_eq!(back.scales, vec![[-2.0, -3.0, -4.0], [-5.0; 3]]);
    assert_eq!(back.alphas, vec![1.0, 0.2]);
    assert_eq!(back.rotations[0], [0.0, 0.0, 0.0, 1.0]);
    let z = std::f32::consts::FRAC_1_SQRT_2 * 434.0 / 511.0;
    assert!((back.rotations[1][2] - z).abs() < 1e-6);
    assert!((back.rotations[1][3] - (1.0 - z * z).sqrt()).abs() < 1e-6);
    assert_eq!(back.colors[0][0], (128.0 / 255.0 - 0.5) / 0.15);
    assert_eq!(&back.sh[9..12], &[0.5, -0.5, 0.25]);
    assert!(!back.antialiased);

    let header = read_spz_header(&file).expect("our own file");
    assert_eq!(
        (header.version, header.num_points, header.sh_degree),
        (3, 2, 1)
    );
}

#[test]
fn round_trip_stays_within_quantisation_for_every_degree() {
    for degree in 0..=3u8 {
        let mut original = random_splats(500, degree, u64::from(degree) + 1);
        original.antialiased = degree % 2 == 1;
        let file = write_spz(&original, &SpzWriteOptions::default()).expect("valid splats");
        let back = read_spz(&file).expect("our own file");
        assert_eq!(back.len(), original.len());
        assert_eq!(back.sh_degree, degree);
        assert_eq!(back.antialiased, original.antialiased);
        // |coordinates| < 2048, so 12 fractional bits: error at most half a step.
        let step = 1.0 / 4096.0;
        for i in 0..original.len() {
            for axis in 0..3 {
                let position_error = (back.positions[i][axis] - original.positions[i][axis]).abs();
                assert!(
                    position_error <= step * 0.5 + 1e-5,
                    "position {i}: {position_error}"
                );
                let scale_error = (back.scales[i][axis] - original.scales[i][axis]).abs();
                assert!(scale_error <= 1.0 / 32.0 + 1e-5, "scale {i}: {scale_error}");
                let color_error = (back.colors[i][axis] - original.colors[i][axis]).abs();
                assert!(
                    color_error <= 0.5 / 38.25 + 1e-5,
                    "color {i}: {color_error}"
                );
            }
            assert!((back.alphas[i] - original.alphas[i]).abs() <= 0.5 / 255.0 + 1e-6);
            let dot: f32 = back.rotations[i]
                .iter()
                .zip(original.rotations[i])
                .map(|(a, b)| a * b)
                .sum();
            assert!(dot.abs() > 0.998, "rotation {i}: |dot| = {}", dot.abs());
        }
        let per_point = back.sh.len() / back.len();
        for (k, (a, b)) in back.sh.iter().zip(&original.sh).enumerate() {
            // Degree-1 coefficients sit in buckets of 8/128, higher ones in buckets of 16/128.
            let bucket = if (k % per_point) / 3 < 3 { 8.0 } else { 16.0 };
            assert!(
                (a - b).abs() <= (bucket / 2.0 + 0.5) / 128.0,
                "sh {k}: {a} vs {b}"
            );
        }
        // A second write of the decoded set gives the very same bytes (quantisation is
        // stable), except where a rotation's largest component changed place by a rounding
        // step: the rotation stream is checked by value above.
        let again = gunzip(&write_spz(&back, &SpzWriteOptions::default()).expect("decoded"));
        let first = gunzip(&file);
        let n = original.len();
        let rotations = 16 + 9 * n + 7 * n..16 + 9 * n + 11 * n;
        let mismatch = again
            .iter()
            .zip(&first)
            .enumerate()
            .position(|(k, (a, b))| a != b && !rotations.contains(&k));
        assert_eq!(mismatch, None, "re-encoding changed byte {mismatch:?}");
        assert_eq!(again.len(), first.len());
    }
}

#[test]
fn large_scenes_get_fewer_fractional_bits_instead_of_wrapping() {
    let mut splats = tiny();
    splats.positions[1] = [5000.0, -4000.25, 0.5];
    let file = write_spz(&splats, &SpzWriteOptions::default()).expect("fits with 10 bits");
    // 5000·2^10 fits the 24-bit range, 5000·2^11 does not.
    assert_eq!(
        read_spz_header(&file).expect("own file").fractional_bits,
        10
    );
    let back = read_spz(&file).expect("own file");
    assert_eq!(back.positions[1], [5000.0, -4000.25, 0.5]);

    let fixed = SpzWriteOptions {
        fractional_bits: Some(12),
        ..SpzWriteOptions::default()
    };
    let error = write_spz(&splats, &fixed).expect_err("5000 does not fit at 12 bits");
    assert!(matches!(
        error,
        SplatError::PositionOutOfRange {
            index: 1,
            axis: 'x',
            fractional_bits: 12,
            ..
        }
    ));
    assert!(error.to_string().contains("gaussian 1"), "{error}");

    splats.positions[0][2] = 1.0e7;
    let error = write_spz(&splats, &SpzWriteOptions::default()).expect_err("beyond 2^23");
    assert!(matches!(
        error,
        SplatError::PositionOutOfRange {
            index: 0,
            axis: 'z',
            ..
        }
    ));

    let bad_bits = SpzWriteOptions {
        fractional_bits: Some(24),
        ..SpzWriteOptions::default()
    };
    assert!(matches!(
        write_spz(&tiny(), &bad_bits),
        Err(SplatError::InvalidFractionalBits { value: 24 })
    ));
}

#[test]
fn empty_and_invalid_sets_are_refused() {
    assert!(matches!(
        write_spz(&Splats::new(), &SpzWriteOptions::default()),
        Err(SplatError::Empty)
    ));
    let mut splats = tiny();
    splats.alphas.pop();
    assert!(matches!(
        write_spz(&splats, &SpzWriteOptions::default()),
        Err(SplatError::LengthMismatch {
            field: "alphas",
            expected: 2,
            actual: 1
        })
    ));
}

#[test]
fn malformed_files_are_rejected_with_clear_errors() {
    let file = write_spz(&tiny(), &SpzWriteOptions::default()).expect("valid splats");
    let payload = gunzip(&file);

    let error = read_spz(b"ply\nformat").expect_err("not gzip");
    assert!(matches!(error, SplatError::NotGzip { .. }), "{error}");

    let error = read_spz(&file[..file.len() / 2]).expect_err("truncated gzip");
    assert!(matches!(error, SplatError::Gzip { .. }), "{error}");
    assert!(
        error.to_string().contains("truncated or corrupt"),
        "{error}"
    );

    let mut corrupt = file.clone();
    let crc_at = corrupt.len() - 8;
    corrupt[crc_at] ^= 0xFF;
    let error = read_spz(&corrupt).expect_err("bad crc");
    assert!(matches!(error, SplatError::Gzip { .. }), "{error}");

    let mut bad_magic = payload.clone();
    bad_magic[0..4].copy_from_slice(b"PLY!");
    let error = read_spz(&gzip(&bad_magic)).expect_err("bad magic");
    assert!(matches!(error, SplatError::BadMagic { .. }), "{error}");
    assert!(error.to_string().contains("0x5053474E"), "{error}");

    let mut version = payload.clone();
    version[4] = 4;
    let error = read_spz(&gzip(&version)).expect_err("version 4 is zstd, not gzip");
    assert!(
        matches!(error, SplatError::UnsupportedVersion { version: 4 }),
        "{error}"
    );

    let mut too_many = payload.clone();
    too_many[8] = 3;
    let error = read_spz(&gzip(&too_many)).expect_err("3 declared, 2 present");
    assert!(
        matches!(error, SplatError::TruncatedPayload { num_points: 3, .. }),
        "{error}"
    );

    let mut huge = payload.clone();
    huge[8..12].copy_from_slice(&0x7FFF_FFFFu32.to_le_bytes());
    let error = read_spz(&gzip(&huge)).expect_err("2^31 − 1 declared, 2 present");
    assert!(
        matches!(
            error,
            SplatError::TruncatedPayload {
                stream: "positions",
                ..
            }
        ),
        "{error}"
    );

    let mut too_few = payload.clone();
    too_few[8] = 1;
    let error = read_spz(&gzip(&too_few)).expect_err("1 declared, 2 present");
    assert!(
        matches!(error, SplatError::TrailingBytes { num_points: 1, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("does not match"), "{error}");

    let error = read_spz(&gzip(&payload[..10])).expect_err("short header");
    assert!(
        matches!(error, SplatError::TruncatedHeader { actual: 10 }),
        "{error}"
    );
}

#[test]
fn version_two_files_decode_first_three_rotations() {
    // Build a v2 payload by hand: one point, 12 fractional bits, rotation bytes x, y, z.
    #[rustfmt::skip]
    let payload: Vec<u8> = vec![
        b'N', b'G', b'S', b'P', 2, 0, 0, 0, 1, 0, 0, 0, 0, 12, 1, 0,
        0x00, 0x10, 0x00, 0x00, 0x20, 0x00, 0x00, 0x30, 0x00, // 1, 2, 3
        128,              // alpha
        128, 128, 128,    // colors
        128, 128, 128,    // scales
        128, 128, 128,    // rotation x, y, z ≈ 0.0039 each → nearly identity
    ];
    let splats = read_spz(&gzip(&payload)).expect("valid v2");
    assert_eq!(splats.positions, vec![[1.0, 2.0, 3.0]]);
    assert!(splats.antialiased);
    assert!(splats.rotations[0][3] > 0.999);
}
