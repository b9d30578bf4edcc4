//! `/v1/files`: direct and presigned uploads, MD5 lookups, listing, use in chat.

use serde_json::{Value, json};

use crate::*;

async fn upload(app: &TestApp, name: &str, bytes: Vec<u8>) -> Value {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
    );
    let response = app
        .http
        .post(app.url("/files?purpose=assistants"))
        .bearer_auth(KEY_ACME)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 201);
    response.json().await.expect("file object")
}

#[tokio::test]
async fn a_direct_upload_is_found_by_id_and_md5_and_usable_in_chat() {
    let app = spawn().await;
    let bytes = png(30, 20, [0, 200, 0]);
    let file = upload(&app, "../../etc/photo.png", bytes.clone()).await;
    assert_eq!(file["object"], "file");
    assert_eq!(
        file["filename"], "photo.png",
        "directories are stripped from names"
    );
    assert_eq!(file["bytes"], bytes.len());
    assert!(file["created_at"].as_str().expect("time").ends_with('Z'));
    let id = file["id"].as_str().expect("id");

    let fetched: Value = app.get_json(&format!("/files/{id}"), KEY_ACME).await;
    assert_eq!(fetched["id"], id);
    let md5 = md5_hex(&bytes);
    let by_hash = app
        .get(&format!("/files/hash/{md5}"), KEY_ACME)
        .send()
        .await
        .expect("hash");
    assert_eq!(by_hash.status(), 200);
    let missing = app
        .get(&format!("/files/hash/{}", "0".repeat(32)), KEY_ACME)
        .send()
        .await
        .expect("hash");
    assert_eq!(missing.status(), 404);
    let content = app
        .get(&format!("/files/{id}/content"), KEY_ACME)
        .send()
        .await
        .expect("content")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(content.as_ref(), bytes.as_slice());
    let listed = app.get_json("/files?skip=0&limit=5", KEY_ACME).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(1));

    let (status, completion) = app
        .chat(
            KEY_ACME,
            json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
            {"type": "text", "text": "x"}, {"type": "input_file", "file_id": id}]}]}),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    assert_eq!(completion["vitrine"]["inputs"][0]["kind"], "image");
    // Another tenant cannot use or see the file.
    let (status, _) = app
        .chat(
            KEY_GLOBEX,
            json!({"model": "vlmrun-orion-1:auto", "messages": [{"role": "user", "content": [
            {"type": "input_file", "file_id": id}]}]}),
        )
        .await;
    assert_eq!(status, 404);
    assert_eq!(
        app.get(&format!("/files/{id}"), KEY_GLOBEX)
            .send()
            .await
            .expect("get")
            .status(),
        404
    );
}

#[tokio::test]
async fn the_presigned_path_uploads_with_the_token_and_verifies() {
    let app = spawn().await;
    let response = app
        .http
        .post(app.url("/files/presigned-url"))
        .bearer_auth(KEY_ACME)
        .json(&json!({"filename": "big.bin", "purpose": "assistants", "expiration": 3600}))
        .send()
        .await
        .expect("presign");
    assert_eq!(response.status(), 200);
    let presigned: Value = response.json().await.expect("json");
    let url = presigned["url"].as_str().expect("url").to_owned();
    let id = presigned["id"].as_str().expect("id").to_owned();
    // Not verified before the bytes arrive.
    let early = app
        .get(&format!("/files/verify-upload/{id}"), KEY_ACME)
        .send()
        .await
        .expect("verify");
    assert_eq!(early.status(), 400);
    // A forged token is refused.
    let forged = url.split("token=").next().unwrap_or_default().to_owned() + "token=forged";
    let response = app
        .http
        .put(&forged)
        .body(vec![1u8; 10])
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 400);

    let payload: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let response = app
        .http
        .put(&url)
        .header(
            "content-type",
            presigned["content_type"]
                .as_str()
                .unwrap_or("application/octet-stream"),
        )
        .body(payload.clone())
        .send()
        .await
        .expect("put");
    assert_eq!(response.status(), 200);
    let verified: Value = app
        .get_json(&format!("/files/verify-upload/{id}"), KEY_ACME)
        .await;
    assert_eq!(verified["bytes"], payload.len());
    let content = app
        .get(&format!("/files/{id}/content"), KEY_ACME)
        .send()
        .await
        .expect("content")
        .bytes()
        .await
        .expect("bytes");
    assert_eq!(sha256_hex(&content), sha256_hex(&payload));
}

#[tokio::test]
async fn uploads_over_the_limit_are_refused_with_413() {
    let mut options = Options::default();
    options.config.limits.max_upload_bytes = 1000;
    let app = spawn_with(options).await;
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(vec![0u8; 5000]).file_name("x.bin"),
    );
    let response = app
        .http
        .post(app.url("/files"))
        .bearer_auth(KEY_ACME)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    assert_eq!(response.status(), 413);
    assert_eq!(
        std::fs::read_dir(app.data_dir.join("tmp"))
            .expect("tmp")
            .count(),
        0,
        "no half-written upload is left"
    );
}
