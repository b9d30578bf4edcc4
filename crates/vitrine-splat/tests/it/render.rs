//! A tiny ray caster for test photos with a known layout: a camera at a known height and pitch
//! over a textured ground under a sky, looking at boxes and ellipsoids (tables, chairs,
//! people). It returns the photo and, per pixel, which part was hit and its true z-depth.
//!
//! World frame: x right, y up (the ground is y = 0), z the level forward distance.

use image::{Rgb, RgbImage};

use crate::support::Lcg;

pub(crate) const SKY: [u8; 3] = [150, 190, 235];
pub(crate) const GROUND: [u8; 3] = [80, 120, 70];

/// The camera of a test photo.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Shot {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) fov_y_deg: f32,
    pub(crate) camera_height: f32,
    /// Degrees, positive looking down.
    pub(crate) pitch_deg: f32,
}

impl Shot {
    pub(crate) fn focal(&self) -> f32 {
        0.5 * self.height as f32 / (0.5 * self.fov_y_deg.to_radians()).tan()
    }

    /// World up in the camera's RUB frame.
    pub(crate) fn up(&self) -> [f32; 3] {
        let p = self.pitch_deg.to_radians();
        [0.0, p.cos(), p.sin()]
    }

    /// The level forward direction in the camera's RUB frame.
    pub(crate) fn forward(&self) -> [f32; 3] {
        let p = self.pitch_deg.to_radians();
        [0.0, p.sin(), -p.cos()]
    }

    /// The pixel a camera-frame point projects to.
    pub(crate) fn project(&self, p: [f32; 3]) -> (f32, f32) {
        let f = self.focal();
        let depth = -p[2];
        (
            0.5 * self.width as f32 + f * p[0] / depth,
            0.5 * self.height as f32 - f * p[1] / depth,
        )
    }
}

/// A solid part of an object.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Solid {
    Cuboid { min: [f32; 3], max: [f32; 3] },
    Ellipsoid { centre: [f32; 3], radii: [f32; 3] },
}

/// A coloured solid with an id (ids start at 1; 0 is the background).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Part {
    pub(crate) id: u8,
    pub(crate) solid: Solid,
    pub(crate) color: [u8; 3],
}

pub(crate) fn cuboid(id: u8, min: [f32; 3], max: [f32; 3], color: [u8; 3]) -> Part {
    Part {
        id,
        solid: Solid::Cuboid { min, max },
        color,
    }
}

pub(crate) fn ellipsoid(id: u8, centre: [f32; 3], radii: [f32; 3], color: [u8; 3]) -> Part {
    Part {
        id,
        solid: Solid::Ellipsoid { centre, radii },
        color,
    }
}

/// A table of `width` × `depth` m whose front edge is `distance` m ahead: top (id `top`) and
/// four legs (id `top + 1`).
pub(crate) fn table(top: u8, centre_x: f32, distance: f32, width: f32, depth: f32) -> Vec<Part> {
    let (x0, x1, z0, z1) = (
        centre_x - 0.5 * width,
        centre_x + 0.5 * width,
        distance,
        distance + depth,
    );
    let mut parts = vec![cuboid(top, [x0, 0.71, z0], [x1, 0.75, z1], [140, 82, 40])];
    for (lx, lz) in [
        (x0, z0),
        (x1 - 0.06, z0),
        (x0, z1 - 0.06),
        (x1 - 0.06, z1 - 0.06),
    ] {
        parts.push(cuboid(
            top + 1,
            [lx, 0.0, lz],
            [lx + 0.06, 0.71, lz + 0.06],
            [120, 70, 35],
        ));
    }
    parts
}

/// A 0.45 m chair whose seat's front edge is `distance` m ahead: seat (id `seat`), back rest
/// (`seat + 1`), legs (`seat + 2`).
pub(crate) fn chair(seat: u8, centre_x: f32, distance: f32) -> Vec<Part> {
    let (x0, x1, z0, z1) = (centre_x - 0.23, centre_x + 0.23, distance, distance + 0.45);
    let red = [170, 40, 45];
    let mut parts = vec![
        cuboid(seat, [x0, 0.42, z0], [x1, 0.46, z1], red),
        cuboid(seat + 1, [x0, 0.46, z1 - 0.05], [x1, 0.95, z1], red),
    ];
    for (lx, lz) in [
        (x0, z0),
        (x1 - 0.04, z0),
        (x0, z1 - 0.04),
        (x1 - 0.04, z1 - 0.04),
    ] {
        parts.push(cuboid(
            seat + 2,
            [lx, 0.0, lz],
            [lx + 0.04, 0.42, lz + 0.04],
            [150, 35, 40],
        ));
    }
    parts
}

/// A 1.71 m person standing `distance` m ahead: legs, torso and arms in blue (id `body`),
/// head in skin tones (`body + 1`).
pub(crate) fn person(body: u8, centre_x: f32, distance: f32) -> Vec<Part> {
    let blue = [40, 60, 150];
    let z = distance + 0.12;
    vec![
        ellipsoid(body, [centre_x - 0.09, 0.45, z], [0.08, 0.46, 0.09], blue),
        ellipsoid(body, [centre_x + 0.09, 0.45, z], [0.08, 0.46, 0.09], blue),
        ellipsoid(body, [centre_x, 1.18, z], [0.21, 0.34, 0.12], blue),
        ellipsoid(body, [centre_x - 0.24, 1.1, z], [0.05, 0.3, 0.05], blue),
        ellipsoid(body, [centre_x + 0.24, 1.1, z], [0.05, 0.3, 0.05], blue),
        ellipsoid(
            body + 1,
            [centre_x, 1.6, z],
            [0.09, 0.11, 0.1],
            [205, 160, 130],
        ),
    ]
}

/// A rendered test photo.
pub(crate) struct Photo {
    pub(crate) shot: Shot,
    pub(crate) image: RgbImage,
    /// Part id per pixel, row-major; 0 for ground and sky.
    pub(crate) ids: Vec<u8>,
    /// True z-depth per pixel (infinite for sky).
    pub(crate) depth: Vec<f32>,
}

impl Photo {
    pub(crate) fn id(&self, x: u32, y: u32) -> u8 {
        self.ids[y as usize * self.shot.width as usize + x as usize]
    }

    pub(crate) fn true_depth(&self, x: u32, y: u32) -> f32 {
        self.depth[y as usize * self.shot.width as usize + x as usize]
    }

    /// The box a detector would give for the parts with these ids: their bounds, a little
    /// loose.
    pub(crate) fn detector_box(&self, ids: &[u8]) -> [f32; 4] {
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for y in 0..self.shot.height {
            for x in 0..self.shot.width {
                if ids.contains(&self.id(x, y)) {
                    (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
                }
            }
        }
        assert!(x1 > x0, "parts {ids:?} are in view");
        let pad = 3.0;
        [
            x0 as f32 - pad,
            y0 as f32 - pad,
            x1 as f32 + pad,
            y1 as f32 + pad,
        ]
    }
}

/// Renders `parts` from `shot`, with per-pixel noise so colour models have texture to learn.
pub(crate) fn render(shot: Shot, parts: &[Part], seed: u64) -> Photo {
    let f = shot.focal();
    let (up, forward) = (shot.up(), shot.forward());
    let dot = |a: [f32; 3], b: [f32; 3]| a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    let mut rng = Lcg::new(seed);
    let n = shot.width as usize * shot.height as usize;
    let (mut ids, mut depth) = (vec![0u8; n], vec![f32::INFINITY; n]);
    let mut image = RgbImage::new(shot.width, shot.height);
    for y in 0..shot.height {
        for x in 0..shot.width {
            // Camera-frame ray with z = −1, so the ray parameter is the z-depth.
            let ray = [
                (x as f32 + 0.5 - 0.5 * shot.width as f32) / f,
                -(y as f32 + 0.5 - 0.5 * shot.height as f32) / f,
                -1.0,
            ];
            let world = [ray[0], dot(ray, up), dot(ray, forward)];
            let origin = [0.0, shot.camera_height, 0.0];
            let mut hit: Option<(f32, [u8; 3], u8, f32)> = None;
            if world[1] < 0.0 {
                hit = Some((shot.camera_height / -world[1], GROUND, 0, 1.0));
            }
            for part in parts {
                if let Some((t, shade)) = intersect(&part.solid, origin, world)
                    && hit.is_none_or(|h| t < h.0)
                {
                    hit = Some((t, part.color, part.id, shade));
                }
            }
            let noise = rng.range(-10.0, 10.0);
            let (color, id, t, shade) = match hit {
                Some((t, color, id, shade)) => (color, id, t, shade),
                None => (SKY, 0, f32::INFINITY, 1.0),
            };
            let index = y as usize * shot.width as usize + x as usize;
            ids[index] = id;
            depth[index] = t;
            image.put_pixel(
                x,
                y,
                Rgb(color.map(|c| (f32::from(c) * shade + noise).clamp(0.0, 255.0) as u8)),
            );
        }
    }
    Photo {
        shot,
        image,
        ids,
        depth,
    }
}

/// The ray parameter of the first hit and a shade for the face hit (tops brighter).
fn intersect(solid: &Solid, origin: [f32; 3], dir: [f32; 3]) -> Option<(f32, f32)> {
    match *solid {
        Solid::Cuboid { min, max } => {
            let (mut near, mut far, mut axis) = (f32::NEG_INFINITY, f32::INFINITY, 0);
            for a in 0..3 {
                if dir[a].abs() < 1e-9 {
                    if origin[a] < min[a] || origin[a] > max[a] {
                        return None;
                    }
                    continue;
                }
                let t0 = (min[a] - origin[a]) / dir[a];
                let t1 = (max[a] - origin[a]) / dir[a];
                let (t0, t1) = (t0.min(t1), t0.max(t1));
                if t0 > near {
                    near = t0;
                    axis = a;
                }
                far = far.min(t1);
            }
            (near <= far && near > 0.0).then_some((near, [0.85, 1.0, 0.92][axis]))
        }
        Solid::Ellipsoid { centre, radii } => {
            let o = [0, 1, 2].map(|a| (origin[a] - centre[a]) / radii[a]);
            let d = [0, 1, 2].map(|a| dir[a] / radii[a]);
            let a: f32 = d.iter().map(|v| v * v).sum();
            let b: f32 = 2.0 * (0..3).map(|i| o[i] * d[i]).sum::<f32>();
            let c: f32 = o.iter().map(|v| v * v).sum::<f32>() - 1.0;
            let disc = b * b - 4.0 * a * c;
            if disc < 0.0 {
                return None;
            }
            let t = (-b - disc.sqrt()) / (2.0 * a);
            (t > 0.0).then_some((t, 0.95))
        }
    }
}
