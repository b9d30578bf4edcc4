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
async fn a_completion_stores_the_uploaded_input_and_names_its_ref() {
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
    let refs = find_refs(&content);
    assert_eq!(refs.len(), 1, "one input ref in {content:?}");
    assert!(refs[0].starts_with("img_"));
    assert!(content.contains("20×10"), "{content}");

    // The session continues: a second turn sees the first turn's artifact.
    let listed = app
        .client
        .artifacts()
        .list(&completion.session_id)
        .await
        .expect("list");
    assert_eq!(listed.items.len(), 1);
    let next = app
        .client
        .agent()
        .completions()
        .create(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("and again")
                .input_ref(&refs[0])
                .session_id(&completion.session_id),
        )
        .await
        .expect("second turn");
    assert_eq!(next.session_id, completion.session_id);
    assert!(
        next.choices[0]
            .message
            .content
            .as_deref()
            .unwrap_or_default()
            .contains(&refs[0])
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
    // No image input, yet the schema requires an ImageRef: the server can
    // only say so after the stream has started.
    let mut stream = app
        .client
        .agent()
        .completions()
        .create_stream(
            ChatRequest::new("vlmrun-orion-1:auto")
                .text("make a picture")
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
            assert!(api.message.contains("picture"), "{}", api.message);
        }
        other => panic!("expected a stream error, got {other:?}"),
    }
}
