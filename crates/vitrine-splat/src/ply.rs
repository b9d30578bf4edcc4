//! Export to the binary little-endian PLY that 3D gaussian splatting tools load.
//!
//! One `vertex` element with float properties `x y z nx ny nz f_dc_0..2 f_rest_* opacity
//! scale_0..2 rot_0..3`: normals are zero, `f_rest_*` is channel-major (all red coefficients,
//! then green, then blue, the transpose of our coefficient-major order), `opacity` is a logit,
//! scales are logs and the quaternion is written `w, x, y, z`. Coordinates are written as
//! stored; call [`Splats::flip_yz`] first for tools that expect the RDF frame of 3DGS trainers.

use std::io::Write;

use crate::error::SplatError;
use crate::types::{Splats, normalize_quaternion, sh_coefficients};

/// Alphas are clamped this far inside 0..1 so their logit stays finite.
const ALPHA_EPSILON: f32 = 1e-6;

/// Writes `splats` as a 3DGS binary PLY to `writer` (validating first).
pub fn write_ply<W: Write>(splats: &Splats, writer: W) -> Result<(), SplatError> {
    splats.validate()?;
    let mut writer = std::io::BufWriter::new(writer);
    let io = |source| SplatError::Io {
        what: "ply",
        source,
    };
    writer
        .write_all(ply_header(splats).as_bytes())
        .map_err(io)?;
    let per_channel = sh_coefficients(splats.sh_degree);
    let mut record: Vec<f32> = Vec::with_capacity(17 + 3 * per_channel);
    for i in 0..splats.len() {
        record.clear();
        record.extend_from_slice(&splats.positions[i]);
        record.extend_from_slice(&[0.0; 3]);
        record.extend_from_slice(&splats.colors[i]);
        let sh = &splats.sh[i * 3 * per_channel..(i + 1) * 3 * per_channel];
        for channel in 0..3 {
            record.extend((0..per_channel).map(|k| sh[k * 3 + channel]));
        }
        let alpha = splats.alphas[i].clamp(ALPHA_EPSILON, 1.0 - ALPHA_EPSILON);
        record.push((alpha / (1.0 - alpha)).ln());
        record.extend_from_slice(&splats.scales[i]);
        let [x, y, z, w] = normalize_quaternion(splats.rotations[i]);
        record.extend_from_slice(&[w, x, y, z]);
        for value in &record {
            writer.write_all(&value.to_le_bytes()).map_err(io)?;
        }
    }
    writer.flush().map_err(io)
}

/// Convenience: [`write_ply`] into a new byte vector.
pub fn ply_bytes(splats: &Splats) -> Result<Vec<u8>, SplatError> {
    let mut out = Vec::new();
    write_ply(splats, &mut out)?;
    Ok(out)
}

fn ply_header(splats: &Splats) -> String {
    let mut header = format!(
        "ply\nformat binary_little_endian 1.0\ncomment written by vitrine-splat\n\
         element vertex {}\n",
        splats.len()
    );
    let mut names: Vec<String> = [
        "x", "y", "z", "nx", "ny", "nz", "f_dc_0", "f_dc_1", "f_dc_2",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    names.extend((0..3 * sh_coefficients(splats.sh_degree)).map(|k| format!("f_rest_{k}")));
    names.extend(
        [
            "opacity", "scale_0", "scale_1", "scale_2", "rot_0", "rot_1", "rot_2", "rot_3",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    for name in names {
        header.push_str("property float ");
        header.push_str(&name);
        header.push('\n');
    }
    header.push_str("end_header\n");
    header
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Gaussian;

    fn floats(bytes: &[u8]) -> Vec<f32> {
        bytes
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect()
    }

    #[test]
    fn header_and_record_follow_the_3dgs_layout() {
        let mut splats = Splats {
            sh_degree: 1,
            ..Splats::new()
        };
        splats.push(Gaussian {
            position: [1.0, 2.0, 3.0],
            log_scale: [-1.0, -2.0, -3.0],
            rotation: [0.0, 0.0, 0.0, 2.0],
            alpha: 0.5,
            color: [0.1, 0.2, 0.3],
        });
        // Coefficient-major in memory: (c0: r g b), (c1: r g b), (c2: r g b).
        splats.sh = vec![1.0, 4.0, 7.0, 2.0, 5.0, 8.0, 3.0, 6.0, 9.0];
        let bytes = ply_bytes(&splats).expect("valid splats");
        let end = b"end_header\n";
        let split = bytes
            .windows(end.len())
            .position(|w| w == end)
            .expect("header ends")
            + end.len();
        let header = std::str::from_utf8(&bytes[..split]).expect("ascii header");
        assert!(header.starts_with("ply\nformat binary_little_endian 1.0\n"));
        assert!(header.contains("element vertex 1\n"));
        let properties: Vec<&str> = header
            .lines()
            .filter_map(|l| l.strip_prefix("property float "))
            .collect();
        assert_eq!(properties.len(), 9 + 9 + 8);
        assert_eq!(&properties[..3], &["x", "y", "z"]);
        assert_eq!(properties[9], "f_rest_0");
        assert_eq!(properties[18], "opacity");
        assert_eq!(properties[25], "rot_3");

        let record = floats(&bytes[split..]);
        assert_eq!(record.len(), 26);
        assert_eq!(&record[0..6], &[1.0, 2.0, 3.0, 0.0, 0.0, 0.0]);
        assert_eq!(&record[6..9], &[0.1, 0.2, 0.3]);
        // Channel-major f_rest: red 1 2 3, green 4 5 6, blue 7 8 9.
        assert_eq!(
            &record[9..18],
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
        );
        assert_eq!(record[18], 0.0); // logit(0.5)
        assert_eq!(&record[19..22], &[-1.0, -2.0, -3.0]);
        assert_eq!(&record[22..26], &[1.0, 0.0, 0.0, 0.0]); // w first, normalised
    }

    #[test]
    fn opaque_gaussians_get_a_finite_logit() {
        let mut splats = Splats::new();
        splats.push(Gaussian {
            position: [0.0; 3],
            log_scale: [0.0; 3],
            rotation: [0.0, 0.0, 0.0, 1.0],
            alpha: 1.0,
            color: [0.0; 3],
        });
        let bytes = ply_bytes(&splats).expect("valid splats");
        let opacity = floats(&bytes[bytes.len() - 32..bytes.len() - 28])[0];
        assert!(opacity.is_finite() && opacity > 10.0, "{opacity}");
    }
}
