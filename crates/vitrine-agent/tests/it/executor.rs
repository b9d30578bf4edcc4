//! The executor: events, parallel steps, facts refs between steps, time limits, several inputs.

use std::time::Duration;

use serde_json::json;
use vitrine_agent::{AgentError, AgentEvent, AgentRequest, Limits, Plan, Step};
use vitrine_tools::Toolset;

use crate::support::{TENANT, agent, ask, image_of, photo, session, upload_image};

fn request(
    session: &vitrine_wire::SessionId,
    inputs: Vec<vitrine_store::ArtifactMeta>,
) -> AgentRequest {
    AgentRequest {
        tenant: TENANT.to_owned(),
        session: session.clone(),
        instruction: String::new(),
        inputs,
        response_schema: None,
        toolsets: None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn independent_steps_start_together_and_events_arrive_in_order() {
    let session = session().await;
    let input = upload_image(&session, &photo("astronaut.png")).await;
    // s1 and s2 both read the input; s3 needs s1's boxes (a facts ref) and s2 nothing.
    let plan = Plan {
        steps: vec![
            Step {
                id: "s1".into(),
                tool: "detect_faces".into(),
                args: json!({"image": {"$ref": "input:0"}}),
            },
            Step {
                id: "s2".into(),
                tool: "grayscale".into(),
                args: json!({"image": {"$ref": "input:0"}}),
            },
            Step {
                id: "s3".into(),
                tool: "redact_image".into(),
                args: json!({
                    "image": {"$ref": "step:s2.image"},
                    "regions": {"$ref": "step:s1.facts.regions"},
                    "method": "fill",
                    "color": "#ff0000"
                }),
            },
        ],
    };
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel();
    let all: std::collections::BTreeSet<Toolset> = Toolset::ALL.into_iter().collect();
    let outcome = agent()
        .run_plan(
            &plan,
            &request(&session, vec![input]),
            None,
            &all,
            Some(&sender),
        )
        .await
        .expect("plan runs");
    drop(sender);
    let mut events = Vec::new();
    while let Some(event) = receiver.recv().await {
        events.push(event);
    }
    let names: Vec<String> = events
        .iter()
        .map(|event| match event {
            AgentEvent::StepStarted { step, .. } => format!("start {step}"),
            AgentEvent::StepFinished { step, .. } => format!("end {step}"),
            AgentEvent::ArtifactMade { meta } => format!("made {}", meta.id.kind().prefix()),
        })
        .collect();
    eprintln!("{names:?}");
    assert_eq!(
        &names[..2],
        ["start s1", "start s2"],
        "s1 and s2 start before either ends"
    );
    assert_eq!(names.iter().filter(|n| n.starts_with("made")).count(), 2);
    let s3_start = names.iter().position(|n| n == "start s3").expect("s3 ran");
    let s1_end = names.iter().position(|n| n == "end s1").expect("s1 ended");
    assert!(s1_end < s3_start);
    // Each artifact is announced before its step's end.
    let event_json = serde_json::to_value(&events[0]).expect("serialises");
    assert_eq!(event_json["type"], "step_started");

    // s3 filled the face (found by s1) red on the grayscale image (made by s2).
    let id = outcome.plan["final_refs"][0]
        .as_str()
        .expect("final ref")
        .to_owned();
    let (meta, image) = image_of(&session, &id).await;
    assert_eq!(meta.provenance.operation, "redact_image");
    let face = &outcome.plan["steps"][0]["facts"]["faces"][0]["box"];
    let (x, y) = (
        ((face[0].as_f64().expect("x0") + face[2].as_f64().expect("x1")) / 2.0) as u32,
        ((face[1].as_f64().expect("y0") + face[3].as_f64().expect("y1")) / 2.0) as u32,
    );
    let centre = image.to_rgb8().get_pixel(x, y).0;
    assert!(
        centre[0] > 200 && centre[1] < 60,
        "face centre {centre:?} is not red"
    );
    let corner = image.to_rgb8().get_pixel(5, 5).0;
    assert!(
        corner[0].abs_diff(corner[1]) < 8,
        "the rest is gray: {corner:?}"
    );
    assert_eq!(outcome.made.len(), 2, "grayscale and the redaction");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_step_over_its_time_limit_fails_the_request() {
    let session = session().await;
    let input = upload_image(&session, &photo("solvay-1927.png")).await;
    let hurried = agent().clone().with_limits(Limits {
        step: Duration::from_millis(1),
        request: Duration::from_secs(60),
    });
    let error = hurried
        .run(
            AgentRequest {
                instruction: "blur the faces".to_owned(),
                ..request(&session, vec![input])
            },
            None,
        )
        .await
        .expect_err("1 ms is not enough");
    assert!(matches!(error, AgentError::Timeout { .. }), "{error:?}");
    assert!(!error.is_client_error());
    assert!(
        error.to_string().contains("step `s1` (`blur_faces`)"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn several_images_get_one_chain_each() {
    let session = session().await;
    let first = upload_image(&session, &photo("dog.jpg")).await;
    let second = upload_image(&session, &photo("person.jpg")).await;
    let outcome = ask(
        &session,
        "Convert these to grayscale",
        vec![first, second],
        None,
        None,
    )
    .await
    .expect("grayscale both");
    let finals = outcome.plan["final_refs"].as_array().expect("refs").clone();
    assert_eq!(finals.len(), 2);
    let mut sizes = Vec::new();
    for id in &finals {
        let id = id.as_str().expect("id");
        assert!(outcome.content.contains(id), "{}", outcome.content);
        let (_, image) = image_of(&session, id).await;
        sizes.push((image.width(), image.height()));
    }
    assert_eq!(sizes, [(768, 576), (640, 424)], "in input order");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_with_a_bad_ref_is_refused_before_running() {
    let session = session().await;
    let input = upload_image(&session, &photo("dog.jpg")).await;
    let all: std::collections::BTreeSet<Toolset> = Toolset::ALL.into_iter().collect();
    for (args, expected) in [
        (
            json!({"image": {"$ref": "step:s9.image"}}),
            "does not come earlier",
        ),
        (json!({"image": {"$ref": "input:3"}}), "only 1 input"),
        (json!({"image": {"$ref": "somewhere"}}), "not a valid ref"),
        (
            json!({"image": {"$ref": "input:0"}, "bogus": 1, "max_side": "x"}),
            "max_side",
        ),
    ] {
        let plan = Plan {
            steps: vec![Step {
                id: "s1".into(),
                tool: "thumbnail".into(),
                args,
            }],
        };
        let error = plan
            .validate(agent().catalog(), &all, std::slice::from_ref(&input))
            .expect_err("invalid");
        assert!(
            error.to_string().contains(expected),
            "{expected:?} not in {error}"
        );
    }
    let chained = Plan {
        steps: vec![
            Step {
                id: "s1".into(),
                tool: "ocr".into(),
                args: json!({"image": {"$ref": "input:0"}}),
            },
            Step {
                id: "s2".into(),
                tool: "grayscale".into(),
                args: json!({"image": {"$ref": "step:s1.image"}}),
            },
        ],
    };
    let error = chained
        .validate(agent().catalog(), &all, std::slice::from_ref(&input))
        .expect_err("ocr makes no image");
    assert!(
        error.to_string().contains("has no output `image`"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn dropping_the_request_cancels_its_steps() {
    let session = session().await;
    let input = upload_image(&session, &photo("solvay-1927.png")).await;
    let run = agent().run(
        AgentRequest {
            instruction: "Blur all faces and remove any PHI".to_owned(),
            ..request(&session, vec![input])
        },
        None,
    );
    // The client goes away while the first step is still detecting faces.
    assert!(
        tokio::time::timeout(Duration::from_millis(30), run)
            .await
            .is_err()
    );
    // Long enough for both steps to have finished had they kept running.
    tokio::time::sleep(Duration::from_secs(6)).await;
    let listed = crate::support::store()
        .list(TENANT, &session)
        .await
        .expect("list");
    assert_eq!(
        listed.len(),
        1,
        "nothing was stored after the request was dropped"
    );
}
