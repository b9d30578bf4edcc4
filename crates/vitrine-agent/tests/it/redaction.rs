//! The seed's redaction example: "Blur all faces and remove any PHI from this image" with a
//! `{redacted_image: ImageRef, notes: str}` schema, on a real photo with a PHI strip pasted on.

use image::RgbImage;
use serde_json::{Value, json};

use crate::support::{
    ask, detail_energy, draw_lines, image_of, json, photo, session, tool, upload_image,
};

/// What `RedactionResult.model_json_schema()` emits with the real `vlmrun` 0.9 and pydantic 2.
fn redaction_schema() -> Value {
    json!({
        "$defs": {
            "ImageRef": {
                "properties": {"id": {"pattern": "^img_\\w{6}$", "title": "Id", "type": "string"}},
                "required": ["id"],
                "title": "ImageRef",
                "type": "object"
            }
        },
        "properties": {
            "redacted_image": {
                "$ref": "#/$defs/ImageRef",
                "description": "Image with sensitive regions removed"
            },
            "notes": {"title": "Notes", "type": "string"}
        },
        "required": ["redacted_image", "notes"],
        "title": "RedactionResult",
        "type": "object"
    })
}

const PHI_LINES: [&str; 3] = ["Name: John Smith", "DOB: 04/12/1961", "SSN 123-45-6789"];
const PHI_STRINGS: [&str; 6] = ["John", "Smith", "1961", "04/12", "123-45", "6789"];

/// The astronaut photo (one face) above a white strip with three lines of PHI.
fn photo_with_phi() -> RgbImage {
    let astronaut = photo("astronaut.png");
    let (width, height) = astronaut.dimensions();
    let mut canvas = RgbImage::from_pixel(width, height + 150, image::Rgb([255, 255, 255]));
    image::imageops::replace(&mut canvas, &astronaut, 0, 0);
    draw_lines(
        &mut canvas,
        &PHI_LINES,
        28.0,
        20.0,
        f32::from(height as u16) + 12.0,
    );
    canvas
}

fn ocr_text(facts: &Value) -> String {
    facts["text"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn faces_blurred_and_phi_painted_over_on_one_image() {
    let session = session().await;
    let input = upload_image(&session, &photo_with_phi()).await;

    // Independent measurements of the input: where the face is, and that the PHI is legible.
    let faces = tool(
        &session,
        "detect_faces",
        json!({"image": input.id.to_string()}),
    )
    .await;
    let face_boxes: Vec<[f64; 4]> = faces.facts["faces"]
        .as_array()
        .expect("faces")
        .iter()
        .map(|face| serde_json::from_value(face["box"].clone()).expect("box"))
        .collect();
    assert!(
        !face_boxes.is_empty(),
        "the astronaut's face must be detected: {}",
        faces.facts
    );
    let before = ocr_text(
        &tool(&session, "ocr", json!({"image": input.id.to_string()}))
            .await
            .facts,
    );
    for planted in PHI_STRINGS {
        assert!(
            before.contains(planted),
            "{planted:?} not legible before:\n{before}"
        );
    }

    let schema = redaction_schema();
    let outcome = ask(
        &session,
        "Blur all faces and remove any PHI from this image.",
        vec![input.clone()],
        Some(schema.clone()),
        None,
    )
    .await
    .expect("the redaction request succeeds");
    let answer = json(&outcome);
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    assert!(
        validator.is_valid(&answer),
        "answer does not validate: {answer}"
    );

    let id = answer["redacted_image"]["id"].as_str().expect("ref id");
    let (meta, redacted) = image_of(&session, id).await;
    assert_eq!(meta.content_type, "image/jpeg");
    assert_eq!(meta.kind, vitrine_wire::ArtifactKind::Image);
    assert_eq!(
        (redacted.width(), redacted.height()),
        photo_with_phi().dimensions(),
        "same size as the input"
    );
    // The output is the last step's image: its provenance leads back to the input.
    assert_eq!(meta.provenance.operation, "redact_phi");

    let original = image::DynamicImage::ImageRgb8(photo_with_phi());
    for bbox in &face_boxes {
        let (was, now) = (
            detail_energy(&original, *bbox),
            detail_energy(&redacted, *bbox),
        );
        eprintln!("face {bbox:?}: detail energy {was:.1} -> {now:.1}");
        assert!(
            now < was * 0.15,
            "face {bbox:?} still detailed: {was:.1} -> {now:.1}"
        );
    }

    let after = ocr_text(&tool(&session, "ocr", json!({"image": id})).await.facts);
    eprintln!("OCR after redaction:\n{after}");
    for planted in PHI_STRINGS {
        assert!(
            !after.contains(planted),
            "{planted:?} still legible:\n{after}"
        );
    }

    let notes = answer["notes"].as_str().expect("notes");
    eprintln!("notes: {notes}");
    assert!(notes.contains("Blurred 1 face"), "{notes}");
    assert!(notes.contains("PHI"), "{notes}");
    for kind in ["name", "date of birth", "social security number"] {
        assert!(notes.contains(kind), "{kind:?} not named in {notes:?}");
    }
    for planted in PHI_STRINGS {
        assert!(
            !outcome.content.contains(planted),
            "the answer leaks {planted:?}"
        );
    }
    // The plan's strings, not its numbers: a timing of 1961 ms is not a leak.
    let mut plan_strings = Vec::new();
    collect_strings(&outcome.plan, &mut plan_strings);
    for planted in PHI_STRINGS {
        assert!(
            !plan_strings.iter().any(|text| text.contains(planted)),
            "the plan leaks {planted:?}"
        );
    }
    // Two steps, chained: faces first, then PHI on the blurred image.
    let steps = outcome.plan["steps"].as_array().expect("steps");
    let tools: Vec<&str> = steps
        .iter()
        .filter_map(|step| step["tool"].as_str())
        .collect();
    assert_eq!(tools, ["blur_faces", "redact_phi"]);
    assert_eq!(
        outcome.made.len(),
        2,
        "one intermediate and one final image"
    );
    assert_eq!(outcome.plan["final_refs"], json!([id]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_group_photo_with_contact_details_loses_every_face_and_identifier() {
    let session = session().await;
    let solvay = photo("solvay-1927.png");
    let (width, height) = solvay.dimensions();
    let mut canvas = RgbImage::from_pixel(width, height + 170, image::Rgb([255, 255, 255]));
    image::imageops::replace(&mut canvas, &solvay, 0, 0);
    let lines = [
        "Phone: (555) 867-5309",
        "Email: jsmith@example.org",
        "Patient: Mary Jones",
    ];
    draw_lines(&mut canvas, &lines, 34.0, 40.0, height as f32 + 15.0);
    let input = upload_image(&session, &canvas).await;
    let schema = redaction_schema();
    let outcome = ask(
        &session,
        "Please anonymize this: blur everyone's face and scrub any personal information.",
        vec![input],
        Some(schema),
        None,
    )
    .await
    .expect("redaction");
    let answer = json(&outcome);
    let notes = answer["notes"].as_str().expect("notes");
    eprintln!("{notes}");
    let blurred = outcome.plan["steps"][0]["facts"]["count"]
        .as_u64()
        .expect("count");
    assert!(
        blurred >= 25,
        "most of the 29 sitters' faces were found: {blurred}"
    );
    assert!(
        notes.contains(&format!("Blurred {blurred} faces")),
        "{notes}"
    );
    for kind in ["phone number", "e-mail address", "name"] {
        assert!(notes.contains(kind), "{kind:?} not in {notes:?}");
    }
    let id = answer["redacted_image"]["id"].as_str().expect("id");
    let after = ocr_text(&tool(&session, "ocr", json!({"image": id})).await.facts);
    for planted in ["867-5309", "jsmith", "example.org", "Mary", "Jones"] {
        assert!(
            !after.contains(planted),
            "{planted:?} still legible:\n{after}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_schema_the_answer_names_the_result_for_the_cli() {
    let session = session().await;
    let input = upload_image(&session, &photo_with_phi()).await;
    let outcome = ask(
        &session,
        "Blur all faces and remove any PHI from this image.",
        vec![input.clone()],
        None,
        None,
    )
    .await
    .expect("plain answer");
    eprintln!("{}", outcome.content);
    // What `vlmrun chat` looks for: `\b(img|aud|vid|doc|recon|arr|url)_\w{6}\b`.
    let ids: Vec<&str> = outcome
        .content
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| {
            word.split_once('_').is_some_and(|(prefix, rest)| {
                ["img", "aud", "vid", "doc", "recon", "arr", "url"].contains(&prefix)
                    && rest.len() == 6
            })
        })
        .collect();
    let final_id = outcome.plan["final_refs"][0].as_str().expect("final");
    assert_eq!(ids, [final_id], "only the final image is named");
    assert!(
        outcome.content.starts_with(
            "Blurred 1 face (checked again: none remain) and painted over 3 PHI findings"
        ),
        "{}",
        outcome.content
    );

    let outcome = ask(
        &session,
        "Blur all faces and remove any PHI from this image.",
        vec![input],
        Some(json!({"type": "json_object"})),
        None,
    )
    .await
    .expect("json_object answer");
    let answer = json(&outcome);
    assert_eq!(answer["refs"][0]["id"], outcome.plan["final_refs"][0]);
    assert!(
        answer["notes"]
            .as_str()
            .is_some_and(|notes| notes.contains("PHI")),
        "{answer}"
    );
}

/// Every string in `value`, keys included, depth first.
fn collect_strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(text) => out.push(text.clone()),
        Value::Array(items) => items.iter().for_each(|item| collect_strings(item, out)),
        Value::Object(map) => {
            for (key, item) in map {
                out.push(key.clone());
                collect_strings(item, out);
            }
        }
        _ => {}
    }
}
