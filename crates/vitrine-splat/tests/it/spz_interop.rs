use spz::{GaussianSplat, UnpackOptions};
use vitrine_splat::{SpzWriteOptions, read_spz, write_spz};

use crate::support::random_splats;

#[test]
fn the_independent_spz_crate_reads_our_files() {
    for degree in [0u8, 3] {
        let splats = random_splats(1000, degree, 42 + u64::from(degree));
        let file = write_spz(&splats, &SpzWriteOptions::default()).expect("valid splats");

        let packed = GaussianSplat::load_packed(&file).expect("spz crate parses our file");
        let theirs =
            GaussianSplat::new_from_packed_gaussians(&packed, &UnpackOptions::builder().build())
                .expect("spz crate unpacks our file");

        assert_eq!(theirs.num_points, 1000);
        assert_eq!(theirs.spherical_harmonics_degree, i32::from(degree));
        assert_eq!(theirs.positions.len(), 3000);
        for (i, p) in splats.positions.iter().enumerate() {
            for (axis, &value) in p.iter().enumerate() {
                let error = (theirs.positions[3 * i + axis] - value).abs();
                assert!(
                    error <= 0.5 / 4096.0 + 1e-5,
                    "point {i} axis {axis}: {error}"
                );
            }
        }
        // Every other stream decodes to exactly what our reader gets from the same bytes, so
        // both implementations agree on the layout (order, offsets, SH ordering).
        let ours = read_spz(&file).expect("our reader");
        let close = |a: f32, b: f32| (a - b).abs() <= 1e-5 * a.abs().max(1.0);
        for i in 0..ours.len() {
            for axis in 0..3 {
                assert!(
                    close(theirs.scales[3 * i + axis], ours.scales[i][axis]),
                    "scale {i}"
                );
                assert!(
                    close(theirs.colors[3 * i + axis], ours.colors[i][axis]),
                    "color {i}"
                );
            }
            // They keep opacity as a logit.
            let alpha = 1.0 / (1.0 + (-theirs.alphas[i]).exp());
            assert!((alpha - ours.alphas[i]).abs() < 1e-4, "alpha {i}: {alpha}");
        }
        assert_eq!(theirs.spherical_harmonics.len(), ours.sh.len());
        for (k, (a, b)) in theirs.spherical_harmonics.iter().zip(&ours.sh).enumerate() {
            assert!(close(*a, *b), "sh {k}: {a} vs {b}");
        }
        // Their rotations decode to ours (same smallest-three layout, up to sign).
        for (i, q) in splats.rotations.iter().enumerate() {
            let theirs_q = &theirs.rotations[4 * i..4 * i + 4];
            let dot: f32 = theirs_q.iter().zip(q).map(|(a, b)| a * b).sum();
            assert!(dot.abs() > 0.998, "rotation {i}");
        }
    }
}
