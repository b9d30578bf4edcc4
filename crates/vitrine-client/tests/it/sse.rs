//! The SSE reader against hand-written event streams from a local stub:
//! CRLF line ends, comments, multi-line `data:`, a missing `[DONE]`.

use axum::Router;
use axum::routing::post;
use futures_util::StreamExt as _;
use vitrine_client::{ChatRequest, Client, ClientError, RetryPolicy};

fn chunk(content: &str) -> String {
    serde_json::json!({
        "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1,
        "model": "vlmrun-orion-1:auto", "session_id": "s",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]
    })
    .to_string()
}

async fn serve(body: String) -> Client {
    let app = Router::new().route(
        "/v1/openai/chat/completions",
        post(move || {
            let body = body.clone();
            async move { ([("content-type", "text/event-stream")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    Client::builder(format!("http://{address}/v1"))
        .retry(RetryPolicy::none())
        .build()
        .expect("client")
}

#[tokio::test]
async fn comments_crlf_and_multi_line_data_are_read_as_sse() {
    let second = chunk("world");
    // Split the JSON at a comma: joined with a newline it is the same object.
    let (head, tail) = second.split_at(second.find(",\"object\"").expect("a comma") + 1);
    let body = format!(
        ": keep-alive\r\n\r\ndata: {}\r\n\r\nevent: message\nid: 7\ndata: {head}\ndata: {tail}\n\ndata: [DONE]\n\ndata: {}\n\n",
        chunk("hello "),
        chunk("never read"),
    );
    let client = serve(body).await;
    let answer = client
        .agent()
        .completions()
        .create_stream(ChatRequest::new("vlmrun-orion-1:auto").text("hi"))
        .await
        .expect("stream opens")
        .into_answer()
        .await
        .expect("a clean stream");
    assert_eq!(answer.content, "hello world");
    assert_eq!(answer.session_id, "s");
}

#[tokio::test]
async fn a_stream_cut_short_is_an_error_after_its_chunks() {
    let client = serve(format!("data: {}\n\n", chunk("partial"))).await;
    let mut stream = client
        .agent()
        .completions()
        .create_stream(ChatRequest::new("vlmrun-orion-1:auto").text("hi"))
        .await
        .expect("stream opens");
    let first = stream.next().await.expect("a chunk").expect("parsed");
    assert_eq!(first.choices[0].delta.content.as_deref(), Some("partial"));
    match stream.next().await {
        Some(Err(ClientError::InvalidResponse { detail, .. })) => {
            assert!(detail.contains("[DONE]"), "{detail}");
        }
        other => panic!("expected a truncation error, got {other:?}"),
    }
    assert!(stream.next().await.is_none());
}
