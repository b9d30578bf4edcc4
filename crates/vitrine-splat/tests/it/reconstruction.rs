use image::{GrayImage, Luma, Rgb, RgbImage};
use vitrine_splat::{
    Camera, DepthMap, ReconstructParams, SplatError, dc_to_rgb, reconstruct, reconstruct_with_stats,
};

const WIDTH: u32 = 160;
const HEIGHT: u32 = 120;

fn camera() -> Camera {
    Camera { fov_y_deg: 60.0 }
}

fn focal() -> f32 {
    camera().focal_px(HEIGHT)
}

/// The ray through pixel (x, y)'s centre, with z = −1 (RUB frame).
fn ray(x: u32, y: u32) -> [f32; 3] {
    let f = focal();
    [
        (x as f32 + 0.5 - WIDTH as f32 / 2.0) / f,
        -(y as f32 + 0.5 - HEIGHT as f32 / 2.0) / f,
        -1.0,
    ]
}

fn dot(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

/// Projects a RUB point back to pixel coordinates.
fn project(p: [f32; 3]) -> (f32, f32) {
    let f = focal();
    (
        f * p[0] / -p[2] + WIDTH as f32 / 2.0,
        -f * p[1] / -p[2] + HEIGHT as f32 / 2.0,
    )
}

/// The third column of a quaternion's rotation matrix: the gaussian's thin (normal) axis.
fn normal_axis(q: [f32; 4]) -> [f32; 3] {
    let [x, y, z, w] = q;
    [
        2.0 * (x * z + w * y),
        2.0 * (y * z - w * x),
        1.0 - 2.0 * (x * x + y * y),
    ]
}

/// Solves the least-squares plane z = a·x + b·y + c through `points`.
fn fit_plane(points: &[[f32; 3]]) -> [f64; 3] {
    let mut m = [[0f64; 3]; 3];
    let mut v = [0f64; 3];
    for p in points {
        let row = [f64::from(p[0]), f64::from(p[1]), 1.0];
        for r in 0..3 {
            for c in 0..3 {
                m[r][c] += row[r] * row[c];
            }
            v[r] += row[r] * f64::from(p[2]);
        }
    }
    let det = |m: &[[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(&m);
    let mut out = [0f64; 3];
    for (k, slot) in out.iter_mut().enumerate() {
        let mut mk = m;
        for r in 0..3 {
            mk[r][k] = v[r];
        }
        *slot = det(&mk) / d;
    }
    out
}

#[test]
fn a_slanted_plane_back_projects_onto_that_plane() {
    // The plane z = 0.3·x − 0.2·y − 5, i.e. normal ∝ (−0.3, 0.2, 1), seen through every pixel.
    let (a, b, c) = (0.3f32, -0.2f32, -5.0f32);
    let depth = DepthMap::from_fn(WIDTH, HEIGHT, |x, y| {
        // Point = d · ray; solve d·r_z = a·d·r_x + b·d·r_y + c for d (depth is −z = d).
        let r = ray(x, y);
        c / (r[2] - a * r[0] - b * r[1])
    });
    let image = RgbImage::from_fn(WIDTH, HEIGHT, |x, y| {
        Rgb([(x * 255 / WIDTH) as u8, (y * 2) as u8, 90])
    });
    let params = ReconstructParams {
        stride: 2,
        ..ReconstructParams::default()
    };
    let splats = reconstruct(&image, &depth, None, &camera(), &params).expect("plane");

    // Stride 2 over 160×120 gives an 80×60 grid; only border samples may lack neighbours,
    // and none lies on a discontinuity.
    assert_eq!(splats.len(), 80 * 60);
    let fit = fit_plane(&splats.positions);
    assert!((fit[0] - 0.3).abs() < 1e-3, "{fit:?}");
    assert!((fit[1] + 0.2).abs() < 1e-3, "{fit:?}");
    assert!((fit[2] + 5.0).abs() < 1e-3, "{fit:?}");
    let expected_normal = {
        let n = [-a, -b, 1.0];
        let len = dot(n, n).sqrt();
        n.map(|v| v / len)
    };
    for (i, p) in splats.positions.iter().enumerate() {
        let residual = p[2] - (a * p[0] + b * p[1] + c);
        assert!(
            residual.abs() < 1e-3,
            "point {i} is {residual} off the plane"
        );
        let n = normal_axis(splats.rotations[i]);
        assert!(dot(n, expected_normal) > 0.999, "point {i}: normal {n:?}");
        // The thin axis is much thinner than the in-plane axes.
        let s = splats.scales[i];
        assert!(
            s[2] < s[0] - 1.5 && s[2] < s[1] - 1.5,
            "point {i}: log scales {s:?}"
        );
    }
    // Scale ≈ footprint: 0.6 × 2 pixels at depth ≈ 5 is about 0.6·2·5/f.
    let footprint = (0.6 * 2.0 * 5.0 / focal()).ln();
    let centre = splats.len() / 2 + 40;
    assert!(
        (splats.scales[centre][1] - footprint).abs() < 0.3,
        "{:?}",
        splats.scales[centre]
    );
    // Colours come from the image: the top-left sample is dark red-free, green small.
    let rgb = splats.colors[0].map(dc_to_rgb);
    let expected = image.get_pixel(0, 0).0.map(|v| f32::from(v) / 255.0);
    for ch in 0..3 {
        assert!(
            (rgb[ch] - expected[ch]).abs() < 0.02,
            "{rgb:?} vs {expected:?}"
        );
    }
}

#[test]
fn only_masked_pixels_become_gaussians() {
    let depth = DepthMap::from_fn(WIDTH, HEIGHT, |_, _| 3.0);
    let image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([200, 30, 30]));
    let mut mask = GrayImage::new(WIDTH, HEIGHT);
    for y in 30..70 {
        for x in 50..110 {
            mask.put_pixel(x, y, Luma([255]));
        }
    }
    let splats = reconstruct(
        &image,
        &depth,
        Some(&mask),
        &camera(),
        &ReconstructParams::default(),
    )
    .expect("masked plane");
    assert_eq!(splats.len(), 40 * 60);
    for p in &splats.positions {
        let (u, v) = project(*p);
        assert!(
            (50.0..110.0).contains(&u) && (30.0..70.0).contains(&v),
            "({u}, {v})"
        );
        assert!((p[2] + 3.0).abs() < 1e-5);
    }
    // max_points thins the grid instead of truncating it.
    let capped = ReconstructParams {
        max_points: 700,
        ..ReconstructParams::default()
    };
    let splats = reconstruct(&image, &depth, Some(&mask), &camera(), &capped).expect("capped");
    assert!(
        splats.len() <= 700 && splats.len() >= 300,
        "{}",
        splats.len()
    );
    let (min, max) = splats.bounding_box().expect("not empty");
    let (u0, v0) = project(min);
    let (u1, v1) = project(max);
    assert!(u0 >= 50.0 && u1 < 110.0 && v1 >= 30.0 && v0 < 70.0);
}

#[test]
fn flying_pixels_at_depth_edges_are_dropped_but_edges_are_kept() {
    // A near square (depth 2) in front of a far wall (depth 6) with a 3-pixel blurred ramp,
    // like a monocular model's output.
    let box_distance = |x: u32, y: u32| {
        let dx = (40i32 - x as i32).max(x as i32 - 119).max(0);
        let dy = (30i32 - y as i32).max(y as i32 - 89).max(0);
        dx.max(dy)
    };
    let depth = DepthMap::from_fn(WIDTH, HEIGHT, |x, y| match box_distance(x, y) {
        0 => 2.0,
        d if d <= 3 => 2.0 + d as f32, // 3, 4, 5: in-between "flying" depths
        _ => 6.0,
    });
    let image = RgbImage::from_pixel(WIDTH, HEIGHT, Rgb([100, 100, 100]));
    let (splats, stats) = reconstruct_with_stats(
        &image,
        &depth,
        None,
        &camera(),
        &ReconstructParams::default(),
    )
    .expect("scene");
    assert_eq!(stats.step, 1);
    assert_eq!(stats.samples, (WIDTH * HEIGHT) as usize);
    assert_eq!(stats.dropped_at_depth_edges, stats.samples - splats.len());
    // At least the three ramp rings around the square's 2·(80 + 60) edge went.
    assert!(
        stats.dropped_at_depth_edges >= 3 * 2 * (80 + 60),
        "{stats:?}"
    );
    let depths: Vec<f32> = splats.positions.iter().map(|p| -p[2]).collect();
    let flying = depths.iter().filter(|&&d| d > 2.01 && d < 5.99).count();
    let near = depths.iter().filter(|&&d| (d - 2.0).abs() < 1e-4).count();
    // Ramp pixels sit between two jumps and go; the square keeps its edge rows (their jump is
    // on one side only) and loses only its four corner pixels, which see the background on
    // both sides of a diagonal.
    assert!(flying == 0, "{flying} flying pixels kept");
    assert_eq!(near, 80 * 60 - 4);
}

#[test]
fn bad_inputs_are_named() {
    let image = RgbImage::new(10, 10);
    let depth = DepthMap::from_fn(9, 10, |_, _| 1.0);
    let error = reconstruct(
        &image,
        &depth,
        None,
        &camera(),
        &ReconstructParams::default(),
    )
    .expect_err("size mismatch");
    assert!(
        matches!(error, SplatError::DimensionMismatch { what: "depth", .. }),
        "{error}"
    );

    let depth = DepthMap::from_fn(10, 10, |_, _| 1.0);
    let empty_mask = GrayImage::new(10, 10);
    let error = reconstruct(
        &image,
        &depth,
        Some(&empty_mask),
        &camera(),
        &ReconstructParams::default(),
    )
    .expect_err("empty mask");
    assert!(
        matches!(error, SplatError::NothingReconstructed { .. }),
        "{error}"
    );

    let holes = DepthMap::from_fn(10, 10, |_, _| f32::NAN);
    assert!(
        reconstruct(
            &image,
            &holes,
            None,
            &camera(),
            &ReconstructParams::default()
        )
        .is_err()
    );

    let zero_stride = ReconstructParams {
        stride: 0,
        ..ReconstructParams::default()
    };
    let error = reconstruct(&image, &depth, None, &camera(), &zero_stride).expect_err("stride 0");
    assert!(error.to_string().contains("`stride`"), "{error}");
}
