use spz::{GaussianSplat, UnpackOptions};
use vitrine_splat::{SpzWriteOptions, write_spz};

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
        // Their rotations decode to ours (same smallest-three layout, up to sign).
        for (i, q) in splats.rotations.iter().enumerate() {
            let theirs_q = &theirs.rotations[4 * i..4 * i + 4];
            let dot: f32 = theirs_q.iter().zip(q).map(|(a, b)| a * b).sum();
            assert!(dot.abs() > 0.998, "rotation {i}");
        }
    }
}
