//! Loading errors and the serialised shape of results.

use vitrine_vision::{Face, Models, PhiKind, TextLine, VisionError};

#[test]
fn missing_models_dir_names_the_file_and_the_fetch_script() {
    let dir = std::env::temp_dir().join(format!("vitrine-vision-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let error = Models::load(&dir).expect_err("empty dir has no models");
    let message = error.to_string();
    assert!(
        matches!(error, VisionError::MissingModelFile { .. }),
        "{error:?}"
    );
    assert!(error.is_missing_models());
    assert!(message.contains("libonnxruntime.so"), "{message}");
    assert!(message.contains("scripts/fetch-models.sh"), "{message}");
    std::fs::remove_dir_all(&dir).expect("cleanup");
}

#[test]
fn results_serialise_to_plain_json_with_schemas() {
    let face = Face {
        bbox: [1.0, 2.0, 3.0, 4.0],
        score: 0.5,
        landmarks: [[1.0, 2.0]; 5],
    };
    let json = serde_json::to_value(&face).expect("serialises");
    assert_eq!(json["bbox"], serde_json::json!([1.0, 2.0, 3.0, 4.0]));
    let back: Face = serde_json::from_value(json).expect("round trips");
    assert_eq!(back, face);
    assert_eq!(
        serde_json::to_value(PhiKind::DateOfBirth).expect("serialises"),
        "date_of_birth"
    );
    let schema = serde_json::to_value(schemars::schema_for!(TextLine)).expect("schema");
    let properties = &schema["properties"];
    for field in ["bbox", "polygon", "text", "confidence"] {
        assert!(
            properties.get(field).is_some(),
            "{field} missing in {schema}"
        );
    }
}

#[test]
fn one_models_instance_serves_several_threads() {
    fn shareable<T: Send + Sync>(_: &T) {}
    let models = crate::support::models();
    shareable(models);
    let image = crate::support::photo("astronaut.png");
    let alone = models
        .detect_faces(&image, &vitrine_vision::FaceOptions::default())
        .expect("runs");
    let results: Vec<Vec<Face>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    models
                        .detect_faces(&image, &vitrine_vision::FaceOptions::default())
                        .expect("runs")
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("no panic"))
            .collect()
    });
    for faces in results {
        assert_eq!(faces, alone);
    }
}
