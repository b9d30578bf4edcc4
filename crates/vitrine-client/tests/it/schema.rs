//! Typed refs as structured output: the schema schemars derives equals the
//! one pydantic emits for the same model with `vlmrun.types`, and a Rust
//! struct with ref fields is sent as `response_format` and parsed back.

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use vitrine_client::{
    Artifact, ArtifactRef, AudioRef, ChatRequest, DocumentRef, ImageRef, ReconRef, VideoRef, parse,
    response_format, schema_of,
};

use crate::{png, spawn};

/// A scene: a photo, its splat, and notes.
// The doc comment above is the Python model's docstring in `PYTHON_MODEL`:
// both generators turn it into the schema's `description`.
#[derive(Debug, Deserialize, JsonSchema)]
struct SceneResult {
    photo: ImageRef,
    splat: ReconRef,
    notes: String,
    #[serde(default)]
    clip: Option<VideoRef>,
    #[serde(default)]
    pages: Vec<DocumentRef>,
    #[serde(default)]
    voice: Option<AudioRef>,
}

const PYTHON_MODEL: &str = r#"
import json
from typing import List, Optional
from pydantic import BaseModel
from vlmrun.types import AudioRef, DocumentRef, ImageRef, ReconRef, VideoRef

class SceneResult(BaseModel):
    """A scene: a photo, its splat, and notes."""
    photo: ImageRef
    splat: ReconRef
    notes: str
    clip: Optional[VideoRef] = None
    pages: List[DocumentRef] = []
    voice: Optional[AudioRef] = None

print(json.dumps(SceneResult.model_json_schema()))
"#;

fn python() -> PathBuf {
    std::env::var_os("VITRINE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/root/.cache/vitrine-venv"))
        .join("bin/python")
}

/// Drops what the two generators legitimately phrase differently: pydantic
/// titles every property and writes defaults for optional fields.
fn normalise(mut schema: Value) -> Value {
    if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
        for property in properties.values_mut() {
            if let Some(property) = property.as_object_mut() {
                property.remove("title");
                property.remove("default");
            }
        }
    }
    schema
}

#[test]
fn schemars_matches_pydantic_for_a_model_with_refs() {
    let output = std::process::Command::new(python())
        .args(["-c", PYTHON_MODEL])
        .output()
        .expect("the vitrine venv's python runs (set VITRINE_VENV)");
    assert!(
        output.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let pydantic: Value = serde_json::from_slice(&output.stdout).expect("pydantic printed JSON");
    let ours = schema_of::<SceneResult>();

    // The ref definitions are identical, key for key.
    assert_eq!(ours["$defs"], pydantic["$defs"]);
    for name in [
        "ImageRef",
        "ReconRef",
        "VideoRef",
        "DocumentRef",
        "AudioRef",
    ] {
        assert!(ours["$defs"].get(name).is_some(), "{name} under $defs");
    }
    // Fields point at them the same way ($ref, anyOf with null, array items).
    assert_eq!(
        ours["properties"]["photo"],
        serde_json::json!({"$ref": "#/$defs/ImageRef"})
    );
    assert_eq!(normalise(ours.clone()), normalise(pydantic.clone()));
    assert_eq!(ours["required"], pydantic["required"]);
    assert_eq!(ours["title"], "SceneResult");
    assert_eq!(ours["description"], pydantic["description"]);
}

#[test]
fn each_ref_type_has_pydantics_shape() {
    let schema = schemars::schema_for!(ImageRef).to_value();
    assert_eq!(schema["title"], "ImageRef");
    assert_eq!(schema["properties"]["id"]["pattern"], "^img_\\w{6}$");
    assert_eq!(ReconRef::KIND.prefix(), "recon");
    let parsed: ImageRef = serde_json::from_str(r#"{"id":"img_a1b2c3"}"#).expect("parses");
    assert_eq!(parsed.id(), "img_a1b2c3");
}

#[tokio::test]
async fn a_struct_with_ref_fields_is_a_response_format_and_parses_back() {
    let app = spawn().await;
    let photo = app.write("photo.png", &png(48, 32, [10, 20, 30], [200, 150, 60]));
    let photo_file = app.client.files().upload(&photo).await.expect("upload");
    let completion = app
        .client
        .agent()
        .completions()
        .create(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("Reconstruct the scene in 3D")
                .input_file(&photo_file.id)
                .response_format(response_format::<SceneResult>()),
        )
        .await
        .expect("completion");
    let result: SceneResult = parse(&completion).expect("the answer fits the struct");
    assert!(result.photo.id.starts_with("img_"), "{:?}", result.photo);
    assert!(result.splat.id.starts_with("recon_"), "{:?}", result.splat);
    assert!(result.notes.contains("gaussian"), "{}", result.notes);
    assert!(result.clip.is_none() && result.voice.is_none());
    assert!(result.pages.is_empty());

    let artifacts = app.client.artifacts();
    artifacts
        .get(&completion.session_id, &result.photo.id)
        .await
        .expect("image")
        .into_image()
        .expect("an img_ ref downloads as an image");
    match artifacts
        .get(&completion.session_id, &result.splat.id)
        .await
        .expect("splat")
    {
        Artifact::File(path) => {
            assert_eq!(path.extension().and_then(|e| e.to_str()), Some("spz"));
            // SPZ is gzip around an `NGSP` header.
            let mut header = [0u8; 4];
            std::io::Read::read_exact(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(path).expect("spz")),
                &mut header,
            )
            .expect("a gzip stream");
            assert_eq!(&header, b"NGSP");
        }
        other => panic!("expected a file, got {other:?}"),
    }
}
