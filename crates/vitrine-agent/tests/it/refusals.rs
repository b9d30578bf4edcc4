//! Requests the agent must refuse clearly: unknown instructions, tools outside the allowed
//! toolsets, schemas it cannot fill, inputs of the wrong kind.

use serde_json::json;
use vitrine_agent::AgentError;
use vitrine_wire::ArtifactKind;

use crate::support::{ask, photo, session, upload, upload_image};

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_instruction_says_what_the_planner_can_do() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let error = ask(
        &session,
        "Write a sonnet about this dog",
        vec![input],
        None,
        None,
    )
    .await
    .expect_err("not understood");
    assert!(
        matches!(error, AgentError::NotUnderstood { .. }),
        "{error:?}"
    );
    assert!(error.is_client_error());
    assert_eq!(error.code(), "instruction_not_understood");
    let message = error.to_string();
    for expected in [
        "could not work out",
        "sonnet",
        "hide the faces in an image",
        "cut a time range out of a video",
        "--llm-base-url",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} missing from: {message}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tool_outside_the_allowed_toolsets_is_refused_before_running() {
    let session = session().await;
    let clip = upload(
        &session,
        b"not inspected: refused before running",
        ArtifactKind::Video,
        "video/mp4",
    )
    .await;
    let error = ask(
        &session,
        "Trim the video from 1 s to 2 s",
        vec![clip],
        None,
        Some(vec!["image", "viz"]),
    )
    .await
    .expect_err("video toolset not allowed");
    assert!(
        matches!(error, AgentError::ToolNotAllowed { .. }),
        "{error:?}"
    );
    assert!(error.is_client_error());
    assert_eq!(error.param(), Some("toolsets"));
    let message = error.to_string();
    assert!(
        message.contains("`trim_video`") && message.contains("`video`"),
        "{message}"
    );
    assert!(message.contains("image, viz"), "{message}");
    // Nothing ran, so nothing was stored beyond the input.
    let listed = crate::support::store()
        .list(crate::support::TENANT, &session)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);

    let error = ask(
        &session,
        "Trim the video from 1 s to 2 s",
        vec![],
        None,
        Some(vec!["pictures"]),
    )
    .await
    .expect_err("unknown toolset");
    assert!(error.to_string().contains("`pictures`"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_ref_field_the_plan_cannot_fill_is_refused_before_running() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let schema = json!({
        "$defs": {"VideoRef": {"properties": {"id": {"pattern": "^vid_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"}},
        "properties": {"clip": {"$ref": "#/$defs/VideoRef"}},
        "required": ["clip"],
        "type": "object"
    });
    let error = ask(
        &session,
        "Convert this to grayscale",
        vec![input],
        Some(schema),
        None,
    )
    .await
    .expect_err("no video will be made");
    match &error {
        AgentError::SchemaUnsatisfiable { field, why } => {
            assert_eq!(field, "clip");
            assert!(
                why.contains("video") && why.contains("`grayscale`"),
                "{why}"
            );
        }
        other => panic!("wrong error: {other:?}"),
    }
    assert!(error.is_client_error());
    assert_eq!(error.code(), "schema_unsatisfiable");
    let listed = crate::support::store()
        .list(crate::support::TENANT, &session)
        .await
        .expect("list");
    assert_eq!(listed.len(), 1, "nothing ran");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fact_field_nothing_reports_is_an_error_not_an_invention() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let schema = json!({
        "properties": {
            "image": {"properties": {"id": {"pattern": "^img_\\w{6}$", "type": "string"}}, "required": ["id"], "type": "object"},
            "patient_name": {"type": "string"}
        },
        "required": ["image", "patient_name"],
        "type": "object"
    });
    let error = ask(
        &session,
        "Convert this to grayscale",
        vec![input],
        Some(schema),
        None,
    )
    .await
    .expect_err("nothing reports a patient name");
    match &error {
        AgentError::SchemaUnsatisfiable { field, why } => {
            assert_eq!(field, "patient_name");
            assert!(why.contains("nothing that ran reports"), "{why}");
        }
        other => panic!("wrong error: {other:?}"),
    }
    assert!(
        !error.to_string().contains('{'),
        "no partial JSON in {error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_input_of_the_wrong_kind_is_named() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let error = ask(
        &session,
        "Trim the video from 1 s to 3 s",
        vec![input.clone()],
        None,
        None,
    )
    .await
    .expect_err("an image cannot be trimmed");
    assert!(matches!(error, AgentError::WrongInput(_)), "{error:?}");
    assert!(error.is_client_error());
    let message = error.to_string();
    assert!(
        message.contains("video") && message.contains(input.id.as_str()),
        "{message}"
    );

    // A plan that feeds the image to a video tool directly is refused by validation too.
    let plan = vitrine_agent::Plan {
        steps: vec![vitrine_agent::Step {
            id: "s1".to_owned(),
            tool: "extract_frames".to_owned(),
            args: json!({"video": {"$ref": "input:0"}, "selection": {"mode": "evenly", "count": 2}}),
        }],
    };
    let error = plan
        .validate(
            crate::support::agent().catalog(),
            &vitrine_tools::Toolset::ALL.into_iter().collect(),
            &[input],
        )
        .expect_err("wrong kind");
    assert!(matches!(error, AgentError::WrongInput(_)), "{error:?}");
    assert!(
        error.to_string().contains("needs a video for `video`"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tool_given_an_id_of_the_wrong_kind_says_so() {
    let session = session().await;
    let clip = upload(
        &session,
        b"\x00\x00\x00\x18ftypmp42",
        ArtifactKind::Video,
        "video/mp4",
    )
    .await;
    let cx = vitrine_tools::ToolContext::new(
        crate::support::store(),
        crate::support::TENANT.to_owned(),
        session.clone(),
        std::sync::Arc::new(vitrine_tools::LazyModels::new(crate::support::models_dir())),
    );
    let catalog = vitrine_tools::ToolCatalog::standard();
    let error = catalog
        .get("grayscale")
        .expect("tool")
        .run(&cx, json!({"image": clip.id.to_string()}))
        .await
        .expect_err("a video is not an image");
    assert!(error.is_client_error());
    assert_eq!(error.code(), "wrong_artifact_kind");
    assert!(
        error.to_string().contains("must be an image ref"),
        "{error}"
    );
}
