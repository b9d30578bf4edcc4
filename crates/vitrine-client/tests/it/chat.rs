//! `agent().completions()`: whole and streamed answers, health and models.

use futures_util::StreamExt as _;
use vitrine_client::{ChatRequest, ClientError, ImageRef, find_refs, response_format};

use crate::{png, spawn};

#[tokio::test]
async fn health_and_models_answer() {
    let app = spawn().await;
    let health = app.client.health().await.expect("health");
    assert_eq!(health.status, "ok");
    let models = app.client.models().await.expect("models");
    let ids: Vec<&str> = models.iter().map(|model| model.id.as_str()).collect();
    assert!(ids.contains(&"vlmrun-orion-1:auto"), "{ids:?}");
}

#[tokio::test]
async fn a_completion_describes_the_upload_and_the_session_continues_with_its_ref() {
    let app = spawn().await;
    let path = app.write("red.png", &png(20, 10, [255, 0, 0], [255, 0, 0]));
    let file = app.client.files().upload(&path).await.expect("upload");
    let completion = app
        .client
        .agent()
        .completions()
        .create(
            ChatRequest::new("vlmrun-orion-1:fast")
                .text("What is this?")
                .input_file(&file.id),
        )
        .await
        .expect("completion");
    assert_eq!(completion.object, "chat.completion");
    assert_eq!(completion.session_id.len(), 32);
    let content = completion.choices[0]
        .message
        .content
        .clone()
        .unwrap_or_default();
    assert!(
        content.contains("20×10") && content.contains("red"),
        "{content}"
    );
    let input = completion
        .vitrine
        .as_ref()
        .and_then(|extension| extension["inputs"][0]["ref"].as_str())
        .expect("the stored input's ref")
        .to_owned();
    assert!(input.starts_with("img_"));

    // The session continues: a second turn works on the first turn's artifact.
    let next = app
        .client
        .agent()
        .completions()
        .create(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("Convert this image to grayscale")
                .input_ref(&input)
                .session_id(&completion.session_id),
        )
        .await
        .expect("second turn");
    assert_eq!(next.session_id, completion.session_id);
    let answer = next.choices[0].message.content.clone().unwrap_or_default();
    let made: Vec<String> = find_refs(&answer)
        .into_iter()
        .filter(|id| *id != input)
        .collect();
    assert_eq!(made.len(), 1, "{answer}");
    let gray = app
        .client
        .artifacts()
        .get(&next.session_id, &made[0])
        .await
        .expect("download")
        .into_image()
        .expect("an image")
        .to_rgb8();
    assert_eq!(gray.dimensions(), (20, 10));
    assert!(
        gray.pixels()
            .all(|pixel| pixel[0] == pixel[1] && pixel[1] == pixel[2])
    );
}

#[tokio::test]
async fn a_stream_yields_progress_then_the_answer_and_ends_at_done() {
    let app = spawn().await;
    let path = app.write("blue.png", &png(8, 8, [0, 0, 255], [0, 0, 255]));
    let file = app.client.files().upload(&path).await.expect("upload");
    let mut stream = app
        .client
        .agent()
        .completions()
        .create_stream(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("hi")
                .input_file(&file.id),
        )
        .await
        .expect("stream opens");
    let mut chunks = Vec::new();
    while let Some(chunk) = stream.next().await {
        chunks.push(chunk.expect("chunk"));
    }
    assert!(chunks.len() >= 4, "{} chunks", chunks.len());
    let session = &chunks[0].session_id;
    assert!(chunks.iter().all(|chunk| &chunk.session_id == session));
    let stored: Vec<_> = chunks
        .iter()
        .filter_map(|chunk| chunk.vitrine_event.as_ref())
        .filter(|event| event["type"] == "input_stored")
        .collect();
    assert_eq!(stored.len(), 1);
    let text: String = chunks
        .iter()
        .flat_map(|chunk| &chunk.choices)
        .filter_map(|choice| choice.delta.content.as_deref())
        .collect();
    assert!(
        text.contains(stored[0]["ref"].as_str().expect("ref")),
        "{text}"
    );
    assert!(chunks.iter().any(|chunk| chunk.usage.is_some()));

    // The same through `into_answer`.
    let answer = app
        .client
        .agent()
        .completions()
        .create_stream(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("hi")
                .input_file(&file.id),
        )
        .await
        .expect("stream opens")
        .into_answer()
        .await
        .expect("whole stream");
    assert_eq!(find_refs(&answer.content).len(), 1);
    assert_eq!(answer.events.len(), 1);
    assert!(answer.usage.is_some());
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct NeedsAnImage {
    #[expect(dead_code, reason = "the request fails before it is read")]
    picture: ImageRef,
}

#[tokio::test]
async fn an_error_inside_a_stream_surfaces_as_a_stream_error() {
    let app = spawn().await;
    // An ask the agent cannot plan, with a schema that needs an answer: the
    // server can only say so after the stream has started.
    let mut stream = app
        .client
        .agent()
        .completions()
        .create_stream(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("Write me a sonnet")
                .response_format(response_format::<NeedsAnImage>()),
        )
        .await
        .expect("stream opens");
    let mut error = None;
    while let Some(item) = stream.next().await {
        if let Err(failure) = item {
            error = Some(failure);
        }
    }
    match error {
        Some(ClientError::Stream(api)) => {
            assert!(
                api.message.contains("could not work out"),
                "{}",
                api.message
            );
        }
        other => panic!("expected a stream error, got {other:?}"),
    }
}
