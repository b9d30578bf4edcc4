//! API keys and tenant isolation.

use serde_json::Value;

use crate::*;

#[tokio::test]
async fn requests_need_a_valid_key() {
    let app = spawn().await;
    let response = app.http.get(app.url("/models")).send().await.expect("sent");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["error"]["code"], "invalid_api_key");
    let response = app
        .get("/models", "not-a-real-key")
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn another_tenant_gets_404_and_never_the_bytes() {
    let app = spawn().await;
    let (_, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image("x", &data_url("image/png", &png(6, 6, [6, 6, 6]))),
        )
        .await;
    let session = completion["session_id"].as_str().expect("session");
    let id = first_input_ref(&completion);
    for path in [
        format!("/artifacts?session_id={session}&object_id={id}"),
        format!("/artifacts/list?session_id={session}"),
    ] {
        let response = app.get(&path, KEY_GLOBEX).send().await.expect("sent");
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.expect("json");
        assert_eq!(body["error"]["code"], "session_not_found");
    }
    let response = app
        .http
        .delete(app.url(&format!("/sessions/{session}")))
        .bearer_auth(KEY_GLOBEX)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 404);
    // A foreign tenant cannot continue the session either.
    let mut body = ask_with_image("x", &id);
    body["session_id"] = serde_json::json!(session);
    let (status, _) = app.chat(KEY_GLOBEX, body).await;
    assert_eq!(status, 404);
    // The owner still can.
    let response = app
        .get(
            &format!("/artifacts?session_id={session}&object_id={id}"),
            KEY_ACME,
        )
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn an_open_server_serves_everyone_as_one_local_tenant() {
    let app = spawn_with(Options {
        keys: vitrine_server::ApiKeys::open(),
        ..Options::default()
    })
    .await;
    let response = app.http.get(app.url("/models")).send().await.expect("sent");
    assert_eq!(response.status(), 200);
}
