//! A depth provider through the HTTP chat API: an axum stand-in on 127.0.0.1 computes a
//! disparity gradient of the size of the image it is sent; `estimate_depth` and
//! `reconstruct_3d` use it and say so.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

use crate::*;

/// A depth provider on 127.0.0.1 that answers a left-to-right disparity gradient of the size
/// of the PNG it is sent (the right is nearer), and counts its calls.
async fn depth_stand_in(calls: Arc<AtomicUsize>) -> String {
    use axum::body::Bytes;
    let handler = move |body: Bytes| {
        let calls = Arc::clone(&calls);
        async move {
            calls.fetch_add(1, Ordering::SeqCst);
            let image = image::load_from_memory(&body).expect("a PNG");
            let (width, height) = (image.width(), image.height());
            let values = (0..height)
                .flat_map(|_| (0..width).map(move |x| 1.0 + 4.0 * x as f32 / width as f32))
                .collect();
            let array =
                vitrine_media::NpyArray::from_f32(width, height, values).expect("sizes match");
            vitrine_media::write_npy(&array).expect("npy")
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let router = axum::Router::new().route("/depth", axum::routing::post(handler));
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    base
}

#[tokio::test]
async fn depth_and_3d_through_http_use_the_configured_depth_provider() {
    let calls = Arc::new(AtomicUsize::new(0));
    let depth_url = depth_stand_in(Arc::clone(&calls)).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let configured = depth_url.clone();
    let app = spawn_with(Options {
        providers: vitrine_server::Providers {
            depth: Some(vitrine_agent::ProviderConfig::new(configured, None)),
            ..Default::default()
        },
        ..Options::default()
    })
    .await;
    let photo = png(80, 60, [120, 140, 90]);

    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Estimate the depth of this image",
                &data_url("image/png", &photo),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(
        content.contains(&format!("depth provider at {depth_url}")),
        "{content}"
    );
    let made = completion["vitrine"]["made"].as_array().expect("made");
    let array_id = made
        .iter()
        .filter_map(Value::as_str)
        .find(|id| id.starts_with("arr_"))
        .expect("a depth array");
    let bytes = download(&app, &completion, array_id).await;
    let depth = vitrine_media::read_npy(&bytes).expect("a .npy");
    assert_eq!(depth.shape, vec![60, 80]);
    assert_eq!(
        depth.data,
        vitrine_media::NpyData::F32(
            (0..60)
                .flat_map(|_| (0..80).map(|x| 1.0 + 4.0 * x as f32 / 80.0))
                .collect()
        )
    );

    let (status, completion) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Make a 3D reconstruction of this photo",
                &data_url("image/png", &photo),
            ),
        )
        .await;
    assert_eq!(status, 200, "{completion}");
    let step = &completion["vitrine"]["plan"]["steps"][0];
    assert_eq!(step["tool"], "reconstruct_3d", "{completion}");
    assert_eq!(
        step["facts"]["depth_source"],
        json!(format!("depth provider at {depth_url}"))
    );
    let content = completion["choices"][0]["message"]["content"]
        .as_str()
        .expect("content");
    assert!(
        content.contains("depth from the depth provider") && !content.contains("approximation"),
        "{content}"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "one provider call per request"
    );
}

#[tokio::test]
async fn a_failing_depth_provider_is_a_502_that_says_why_but_not_where() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let depth_url = format!("http://{}", listener.local_addr().expect("address"));
    let router = axum::Router::new().route(
        "/depth",
        axum::routing::post(|| async {
            (
                axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "CUDA out of memory",
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    let _ = rustls::crypto::ring::default_provider().install_default();
    let configured = depth_url.clone();
    let app = spawn_with(Options {
        providers: vitrine_server::Providers {
            depth: Some(vitrine_agent::ProviderConfig::new(configured, None)),
            ..Default::default()
        },
        ..Options::default()
    })
    .await;

    let (status, error) = app
        .chat(
            KEY_ACME,
            ask_with_image(
                "Estimate the depth of this image",
                &data_url("image/png", &png(40, 30, [120, 140, 90])),
            ),
        )
        .await;
    assert_eq!(status, 502, "{error}");
    assert_eq!(error_code(&error), "provider_failed", "{error}");
    let message = error_message(&error);
    assert!(
        message.contains("the depth provider answered 500")
            && message.contains("CUDA out of memory"),
        "{message}"
    );
    assert!(!message.contains(&depth_url), "{message}");
}
