//! `reconstruct_3d` on real photos without a depth model: the object's splat has volume, stays
//! inside the object's box, and the facts say its depth is a layout estimate.

use std::path::Path;

use serde_json::{Value, json};
use vitrine_tools::{ToolCatalog, ToolContext, ToolOutput};
use vitrine_wire::ArtifactKind;

use crate::support::{context, put, read};

async fn photo(cx: &ToolContext, name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../vitrine-vision/testdata")
        .join(name);
    let bytes = std::fs::read(path).expect("test photo");
    put(cx, &bytes, ArtifactKind::Image, "image/jpeg")
        .await
        .id
        .to_string()
}

async fn reconstruct(cx: &ToolContext, args: Value) -> ToolOutput {
    ToolCatalog::standard()
        .get("reconstruct_3d")
        .expect("tool exists")
        .run(cx, args)
        .await
        .expect("reconstruct_3d runs")
}

fn extent(positions: &[[f32; 3]], axis: usize) -> f32 {
    let mut values: Vec<f32> = positions.iter().map(|p| p[axis]).collect();
    values.sort_by(f32::total_cmp);
    let at = |q: f32| values[((values.len() - 1) as f32 * q).round() as usize];
    at(0.95) - at(0.05)
}

#[tokio::test]
async fn an_object_without_a_depth_model_has_volume_and_is_labelled_an_estimate() {
    let (_dir, cx) = context().await;
    for (name, object) in [("person.jpg", "person"), ("dog.jpg", "dog")] {
        let id = photo(&cx, name).await;
        let out = reconstruct(&cx, json!({"image": id, "object": object})).await;
        let facts = &out.facts;
        assert_eq!(facts["object_found"], true, "{name}: {facts}");
        assert_eq!(facts["depth_source"], "layout approximation", "{facts}");
        let depth = facts["depth"].as_str().expect("depth is described");
        assert!(
            depth.starts_with("estimate") && depth.contains("not measured"),
            "{depth}"
        );
        assert!(facts["camera_height_m"].as_f64().is_some(), "{facts}");

        let meta = out.output("recon").next().expect("an SPZ");
        let spz = read(&cx, meta).await;
        assert!(spz.len() < 5 << 20, "{name}: {} bytes", spz.len());
        let splats = vitrine_splat::read_spz(&spz).expect("an SPZ file");
        assert!(splats.len() > 1000, "{name}: {} splats", splats.len());
        // Real depth extent in the file's camera-aligned frame, where a card has about 2 %.
        let widest = extent(&splats.positions, 0).max(extent(&splats.positions, 1));
        let ratio = extent(&splats.positions, 2) / widest;
        assert!(
            ratio >= 0.10,
            "{name}: depth extent is {ratio} of the widest"
        );

        // Every splat projects back inside the detector's box (no background around it).
        let bbox: Vec<f32> = serde_json::from_value(facts["box"].clone()).expect("box");
        let preview_meta = out.output("preview").next().expect("a preview");
        assert!(!read(&cx, preview_meta).await.is_empty());
        let image = vitrine_media::decode(
            &std::fs::read(
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../vitrine-vision/testdata")
                    .join(name),
            )
            .expect("photo"),
            &vitrine_media::DecodeLimits::default(),
        )
        .expect("decodes")
        .image;
        let (width, height) = (image.width() as f32, image.height() as f32);
        let focal = 0.5 * height / (0.5 * vitrine_splat::DEFAULT_FOV_Y_DEG.to_radians()).tan();
        let (grow_x, grow_y) = (0.06 * (bbox[2] - bbox[0]), 0.06 * (bbox[3] - bbox[1]));
        let outside = splats
            .positions
            .iter()
            .filter(|p| {
                let u = 0.5 * width + focal * p[0] / -p[2];
                let v = 0.5 * height - focal * p[1] / -p[2];
                u < bbox[0] - grow_x
                    || u > bbox[2] + grow_x
                    || v < bbox[1] - grow_y
                    || v > bbox[3] + grow_y
            })
            .count();
        assert_eq!(outside, 0, "{name}: splats outside the box");
    }
}

#[tokio::test]
async fn a_whole_scene_without_a_depth_model_gives_its_people_the_same_volume() {
    let (_dir, cx) = context().await;
    let id = photo(&cx, "person.jpg").await;
    let positions = |out: &ToolOutput| {
        let meta = out.output("recon").next().expect("an SPZ").clone();
        let cx = &cx;
        async move {
            let spz = read(cx, &meta).await;
            vitrine_splat::read_spz(&spz)
                .expect("an SPZ file")
                .positions
        }
    };
    let person = reconstruct(&cx, json!({"image": id, "object": "person"})).await;
    let scene = reconstruct(&cx, json!({"image": id})).await;
    assert!(
        scene.facts["objects_given_volume"].as_u64().unwrap_or(0) >= 1,
        "{}",
        scene.facts
    );
    let person_positions = positions(&person).await;
    let scene_positions = positions(&scene).await;
    // Quantised to the SPZ's own precision, the person's splats are in the scene's: the same
    // person, popped out of the ground and backdrop in the same place.
    let key = |p: &[f32; 3]| p.map(|v| (v * 1000.0).round() as i64);
    let scene_keys: std::collections::HashSet<[i64; 3]> = scene_positions.iter().map(key).collect();
    let shared = person_positions
        .iter()
        .filter(|p| scene_keys.contains(&key(p)))
        .count();
    assert!(
        shared * 10 >= person_positions.len() * 9,
        "{shared} of {} person splats in the scene",
        person_positions.len()
    );
}
