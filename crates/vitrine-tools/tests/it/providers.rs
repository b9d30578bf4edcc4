//! The depth and open-vocabulary detection providers, against local stand-ins (axum on
//! 127.0.0.1) that compute their answers from the image they receive: `estimate_depth`,
//! `detect_open_vocab`, `reconstruct_3d` with provider depth, and every way a provider's
//! reply can be wrong.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::Engine as _;
use serde_json::{Value, json};
use vitrine_media::image::{DynamicImage, Rgb, RgbImage};
use vitrine_media::{DecodeLimits, NpyArray, NpyData};
use vitrine_tools::{
    DepthClient, DetectClient, ProviderConfig, ToolCatalog, ToolContext, ToolError, ToolOutput,
};

use crate::image_tools::put_rgb;
use crate::support::{context, read};

const DEPTH_KEY: &str = "depth-key";

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, router).await.expect("serve") });
    format!("http://{address}")
}

/// The stand-in's relative inverse depth: grows from left to right, so the right is nearer.
fn disparity(x: u32, width: u32) -> f32 {
    1.0 + 4.0 * x as f32 / width as f32
}

/// How the depth stand-in answers.
#[derive(Debug, Clone, Copy, PartialEq)]
enum DepthReply {
    Gradient,
    /// Metric depth growing left to right (the left is nearer).
    Metric,
    HalfHeight,
    NanAt(usize),
    ServerError,
    Slow,
    NotNpy,
    UnknownKind,
}

fn npy(width: u32, height: u32, value: impl Fn(u32, u32) -> f32) -> Vec<u8> {
    let values = (0..height)
        .flat_map(|y| (0..width).map(move |x| (x, y)))
        .map(|(x, y)| value(x, y))
        .collect();
    vitrine_media::write_npy(&NpyArray::from_f32(width, height, values).expect("sizes"))
        .expect("npy")
}

/// A depth provider that decodes the PNG it gets and answers from its size.
async fn depth_stand_in(reply: DepthReply) -> String {
    let handler = move |headers: HeaderMap, body: Bytes| async move {
        if headers.get("authorization").and_then(|v| v.to_str().ok())
            != Some(&format!("Bearer {DEPTH_KEY}"))
        {
            return (StatusCode::UNAUTHORIZED, "missing or wrong key").into_response();
        }
        assert_eq!(headers["content-type"], "image/png");
        let image = vitrine_media::decode(&body, &DecodeLimits::default())
            .expect("Vitrine sends a PNG")
            .image;
        let (width, height) = (image.width(), image.height());
        let kind = |kind: &'static str| [("x-depth-kind", kind)];
        match reply {
            DepthReply::Gradient => npy(width, height, |x, _| disparity(x, width)).into_response(),
            DepthReply::Metric => (
                kind("metric"),
                npy(width, height, |x, _| 2.0 + x as f32 / 10.0),
            )
                .into_response(),
            DepthReply::HalfHeight => {
                npy(width, height / 2, |x, _| disparity(x, width)).into_response()
            }
            DepthReply::NanAt(index) => npy(width, height, |x, y| {
                if (y * width + x) as usize == index {
                    f32::NAN
                } else {
                    1.0
                }
            })
            .into_response(),
            DepthReply::ServerError => {
                (StatusCode::INTERNAL_SERVER_ERROR, "CUDA out of memory").into_response()
            }
            DepthReply::Slow => {
                tokio::time::sleep(Duration::from_secs(5)).await;
                npy(width, height, |x, _| disparity(x, width)).into_response()
            }
            DepthReply::NotNpy => Json(json!({"depth": [[1.0]]})).into_response(),
            DepthReply::UnknownKind => (
                kind("millimetres"),
                npy(width, height, |x, _| disparity(x, width)),
            )
                .into_response(),
        }
    };
    serve(Router::new().route("/depth", post(handler))).await
}

/// reqwest needs a crypto provider even for `http://`; the server installs this one.
fn install_crypto() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn with_depth(cx: &mut ToolContext, base: &str, key: Option<&str>, timeout: Duration) {
    install_crypto();
    let config = ProviderConfig {
        base_url: base.to_owned(),
        api_key: key.map(str::to_owned),
        timeout,
    };
    cx.depth = Some(Arc::new(DepthClient::new(config).expect("client")));
}

fn with_detect(cx: &mut ToolContext, base: &str) {
    install_crypto();
    let config = ProviderConfig::new(base, None);
    cx.detect = Some(Arc::new(DetectClient::new(config).expect("client")));
}

async fn run(cx: &ToolContext, tool: &str, args: Value) -> Result<ToolOutput, ToolError> {
    ToolCatalog::standard()
        .get(tool)
        .expect("tool exists")
        .run(cx, args)
        .await
}

async fn output(cx: &ToolContext, out: &ToolOutput, name: &str) -> Vec<u8> {
    let meta = out.output(name).next().expect("the output exists");
    read(cx, meta).await
}

/// A textured photo-like input.
fn texture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| {
        Rgb([(x * 9 % 200) as u8 + 30, (y * 7 % 180) as u8 + 40, 120])
    })
}

#[tokio::test]
async fn estimate_depth_stores_the_providers_map_and_a_preview() {
    let (_dir, mut cx) = context().await;
    let base = depth_stand_in(DepthReply::Gradient).await;
    with_depth(&mut cx, &base, Some(DEPTH_KEY), Duration::from_secs(10));
    let input = put_rgb(&cx, texture(64, 48)).await;
    let out = run(
        &cx,
        "estimate_depth",
        json!({"image": input.id.to_string()}),
    )
    .await
    .expect("estimate_depth runs");

    let array = vitrine_media::read_npy(&output(&cx, &out, "depth").await).expect("a .npy");
    assert_eq!(array.shape, vec![48, 64]);
    let NpyData::F32(values) = &array.data else {
        panic!("float32 depth, got {:?}", array.data);
    };
    for (index, value) in values.iter().enumerate() {
        assert_eq!(*value, disparity(index as u32 % 64, 64), "value {index}");
    }
    let preview = vitrine_media::image::load_from_memory(&output(&cx, &out, "image").await)
        .expect("a PNG preview")
        .to_luma8();
    assert_eq!(preview.dimensions(), (64, 48));
    let column = |x: u32| {
        (0..48)
            .map(|y| u32::from(preview.get_pixel(x, y).0[0]))
            .sum::<u32>()
    };
    assert!(column(63) > column(0) + 48 * 100, "near (right) is bright");
    assert_eq!(
        out.facts["depth_source"],
        json!(format!("depth provider at {base}"))
    );
    assert_eq!(out.facts["kind"], "relative-inverse");
    let made = out.output("depth").next().expect("depth");
    assert_eq!(made.provenance.operation, "estimate_depth");
    assert_eq!(made.provenance.parents, vec![input.id.clone()]);
}

#[tokio::test]
async fn metric_depth_is_kept_as_metres_and_previewed_near_bright() {
    let (_dir, mut cx) = context().await;
    let base = depth_stand_in(DepthReply::Metric).await;
    with_depth(&mut cx, &base, Some(DEPTH_KEY), Duration::from_secs(10));
    let input = put_rgb(&cx, texture(40, 30)).await;
    let out = run(
        &cx,
        "estimate_depth",
        json!({"image": input.id.to_string()}),
    )
    .await
    .expect("estimate_depth runs");
    assert_eq!(out.facts["kind"], "metric");
    let array = vitrine_media::read_npy(&output(&cx, &out, "depth").await).expect("a .npy");
    assert_eq!(
        array.data,
        NpyData::F32(
            (0..30)
                .flat_map(|_| (0..40).map(|x| 2.0 + x as f32 / 10.0))
                .collect()
        )
    );
    let preview = vitrine_media::image::load_from_memory(&output(&cx, &out, "image").await)
        .expect("preview")
        .to_luma8();
    assert!(
        preview.get_pixel(0, 10).0[0] > preview.get_pixel(39, 10).0[0] + 100,
        "the near left is bright"
    );
}

#[tokio::test]
async fn bad_depth_replies_fail_clearly_naming_the_setting() {
    let cases = [
        (
            DepthReply::HalfHeight,
            Some(DEPTH_KEY),
            "sent a 32×12 depth map for a 32×24 image",
        ),
        (
            DepthReply::NanAt(32 * 3 + 5),
            Some(DEPTH_KEY),
            "sent NaN at row 3, column 5",
        ),
        (
            DepthReply::ServerError,
            Some(DEPTH_KEY),
            "answered 500 Internal Server Error: CUDA out of memory",
        ),
        (
            DepthReply::Slow,
            Some(DEPTH_KEY),
            "did not answer within 0.5 s",
        ),
        (DepthReply::NotNpy, Some(DEPTH_KEY), "not a .npy array"),
        (
            DepthReply::UnknownKind,
            Some(DEPTH_KEY),
            "`X-Depth-Kind: millimetres`",
        ),
        (DepthReply::Gradient, None, "answered 401 Unauthorized"),
    ];
    for (reply, key, expected) in cases {
        let (_dir, mut cx) = context().await;
        let base = depth_stand_in(reply).await;
        with_depth(&mut cx, &base, key, Duration::from_millis(500));
        let input = put_rgb(&cx, texture(32, 24)).await;
        let error = run(
            &cx,
            "estimate_depth",
            json!({"image": input.id.to_string()}),
        )
        .await
        .expect_err("a bad reply fails");
        let message = error.to_string();
        assert_eq!(error.code(), "provider_failed", "{reply:?}: {message}");
        assert!(message.contains(expected), "{reply:?}: {message}");
        assert!(
            message.contains(&format!("at `{base}/depth`")) && message.contains("--depth-url"),
            "{reply:?}: {message}"
        );
        // Clients are told what went wrong, not where the provider lives.
        let public = error.public_message();
        assert!(
            public.starts_with("the depth provider ") && public.contains(expected),
            "{reply:?}: {public}"
        );
        assert!(
            !public.contains(&base) && !public.contains("--depth-url"),
            "{reply:?}: {public}"
        );
    }
}

#[tokio::test]
async fn tools_without_their_provider_name_the_setting() {
    let (_dir, cx) = context().await;
    let input = put_rgb(&cx, texture(32, 24)).await;
    let id = input.id.to_string();
    let cases = [
        (
            "estimate_depth",
            json!({"image": id}),
            "`--depth-url` (or `VITRINE_DEPTH_URL`)",
        ),
        (
            "detect_open_vocab",
            json!({"image": id, "labels": ["price tag"]}),
            "`--detect-url` (or `VITRINE_DETECT_URL`)",
        ),
        (
            "reconstruct_3d",
            json!({"image": id, "depth": "provider"}),
            "`--depth-url`",
        ),
    ];
    for (tool, args, setting) in cases {
        let error = run(&cx, tool, args).await.expect_err("not configured");
        assert_eq!(error.code(), "not_configured", "{tool}: {error}");
        assert!(error.to_string().contains(setting), "{tool}: {error}");
    }
}

/// Positions of the splats `reconstruct_3d` stored, and its facts.
async fn reconstruct(cx: &ToolContext, args: Value) -> (Vec<[f32; 3]>, Value) {
    let out = run(cx, "reconstruct_3d", args)
        .await
        .expect("reconstruct_3d runs");
    let splats = vitrine_splat::read_spz(&output(cx, &out, "recon").await).expect("an SPZ file");
    (splats.positions, out.facts)
}

/// Mean z (negative: the camera looks down −z) of the splats left and right of the axis.
fn mean_z_left_right(positions: &[[f32; 3]]) -> (f32, f32) {
    let mean = |keep: &dyn Fn(f32) -> bool| {
        let zs: Vec<f32> = positions
            .iter()
            .filter(|p| keep(p[0]))
            .map(|p| p[2])
            .collect();
        zs.iter().sum::<f32>() / zs.len() as f32
    };
    (mean(&|x| x < 0.0), mean(&|x| x > 0.0))
}

#[tokio::test]
async fn reconstruction_uses_the_providers_depth_and_says_so() {
    let (_dir, mut cx) = context().await;
    let input = put_rgb(&cx, texture(96, 64)).await;
    let id = input.id.to_string();

    // Without a provider: the layout estimate, labelled as such; a plain texture has no
    // left-right structure in its layout.
    let (layout, facts) = reconstruct(&cx, json!({"image": id})).await;
    assert_eq!(facts["depth_source"], "layout approximation");
    let (left, right) = mean_z_left_right(&layout);
    assert!(
        (left - right).abs() < 0.05 * left.abs(),
        "layout is left-right symmetric: {left} {right}"
    );

    let base = depth_stand_in(DepthReply::Gradient).await;
    with_depth(&mut cx, &base, Some(DEPTH_KEY), Duration::from_secs(10));
    let (provider, facts) = reconstruct(&cx, json!({"image": id})).await;
    assert_eq!(
        facts["depth_source"],
        json!(format!("depth provider at {base}"))
    );
    assert!(
        facts["depth"]
            .as_str()
            .expect("depth")
            .contains("relative inverse depth"),
        "{facts}"
    );
    // The stand-in's disparity grows to the right: the right half is nearer (z closer to 0).
    let (left, right) = mean_z_left_right(&provider);
    assert!(right > left + 1.0, "right nearer than left: {left} {right}");
    // Nearest and farthest land on the documented 1 m .. 10 m range.
    let depths: Vec<f32> = provider.iter().map(|p| -p[2]).collect();
    let nearest = depths.iter().copied().fold(f32::INFINITY, f32::min);
    let farthest = depths.iter().copied().fold(0.0, f32::max);
    assert!(
        (nearest - 1.0).abs() < 0.05 && (farthest - 10.0).abs() < 0.5,
        "{nearest} {farthest}"
    );
    // Along one image row (constant y / z), depth only shrinks from left to right.
    let ratio = |p: &[f32; 3]| p[1] / p[2];
    let r0 = ratio(&provider[provider.len() / 2]);
    let mut row: Vec<[f32; 3]> = provider
        .iter()
        .copied()
        .filter(|p| (ratio(p) - r0).abs() < 1e-3)
        .collect();
    row.sort_by(|a, b| a[0].total_cmp(&b[0]));
    assert!(row.len() > 40, "a row of samples: {}", row.len());
    assert!(
        row.windows(2).all(|w| w[1][2] >= w[0][2] - 1e-3),
        "z grows (nearer) to the right along a row"
    );

    // Forcing the layout estimate ignores the provider.
    let (forced, facts) = reconstruct(&cx, json!({"image": id, "depth": "layout"})).await;
    assert_eq!(facts["depth_source"], "layout approximation");
    assert_eq!(forced, layout, "the same splats as without a provider");
}

/// A detection provider that finds the pure-red pixels of the image it gets.
async fn detect_stand_in(reply: fn(&[String], [u32; 4]) -> Response) -> String {
    let handler = move |Json(request): Json<Value>| async move {
        let png = base64::engine::general_purpose::STANDARD
            .decode(request["image"].as_str().expect("image"))
            .expect("base64");
        let image = vitrine_media::decode(&png, &DecodeLimits::default())
            .expect("a PNG")
            .image
            .to_rgb8();
        assert_eq!(request["threshold"], json!(0.25));
        let labels: Vec<String> =
            serde_json::from_value(request["labels"].clone()).expect("labels");
        let red: Vec<(u32, u32)> = image
            .enumerate_pixels()
            .filter(|(_, _, p)| p.0[0] > 200 && p.0[1] < 60 && p.0[2] < 60)
            .map(|(x, y, _)| (x, y))
            .collect();
        let bbox = [
            red.iter().map(|p| p.0).min().unwrap_or(0),
            red.iter().map(|p| p.1).min().unwrap_or(0),
            red.iter().map(|p| p.0 + 1).max().unwrap_or(0),
            red.iter().map(|p| p.1 + 1).max().unwrap_or(0),
        ];
        reply(&labels, bbox)
    };
    serve(Router::new().route("/detect", post(handler))).await
}

fn red_square_photo() -> RgbImage {
    let mut image = texture(120, 80);
    for y in 20..44 {
        for x in 30..50 {
            image.put_pixel(x, y, Rgb([230, 20, 25]));
        }
    }
    image
}

#[tokio::test]
async fn detect_open_vocab_boxes_and_crops_what_the_provider_found() {
    let (_dir, mut cx) = context().await;
    let base = detect_stand_in(|labels, bbox| {
        Json(json!({"detections": [
            {"label": labels[0], "score": 0.87, "box": bbox},
            // Below the threshold: dropped.
            {"label": labels[0], "score": 0.1, "box": [0, 0, 120, 80]},
        ]}))
        .into_response()
    })
    .await;
    with_detect(&mut cx, &base);
    let input = put_rgb(&cx, red_square_photo()).await;
    let out = run(
        &cx,
        "detect_open_vocab",
        json!({"image": input.id.to_string(), "labels": ["red sticky note"], "crop": true}),
    )
    .await
    .expect("detect_open_vocab runs");
    assert_eq!(out.facts["count"], 1, "{}", out.facts);
    assert_eq!(out.facts["objects"][0]["label"], "red sticky note");
    assert_eq!(
        out.facts["objects"][0]["box"],
        json!([30.0, 20.0, 50.0, 44.0])
    );
    assert_eq!(
        out.facts["source"],
        json!(format!("detection provider at {base}"))
    );
    let crop = vitrine_media::image::load_from_memory(&output(&cx, &out, "crop").await)
        .expect("crop")
        .to_rgb8();
    assert_eq!(crop.dimensions(), (20, 24));
    assert!(
        crop.pixels().all(|p| p.0[0] > 180 && p.0[1] < 90),
        "the crop is the red square"
    );
    let drawn = vitrine_media::image::load_from_memory(&output(&cx, &out, "image").await)
        .expect("annotated");
    assert_eq!((drawn.width(), drawn.height()), (120, 80));
    let original = DynamicImage::ImageRgb8(red_square_photo()).to_rgb8();
    let drawn = drawn.to_rgb8();
    assert!(
        (0..120).any(|x| drawn.get_pixel(x, 19) != original.get_pixel(x, 19)
            || drawn.get_pixel(x, 20) != original.get_pixel(x, 20)),
        "a box is drawn along the square's top edge"
    );
}

#[tokio::test]
async fn bad_detection_replies_fail_clearly_naming_the_setting() {
    type Reply = fn(&[String], [u32; 4]) -> Response;
    let cases: [(Reply, &str); 5] = [
        (
            |labels, _| {
                Json(json!({"detections": [{"label": labels[0], "score": 0.9, "box": [0, 0, 500, 10]}]})).into_response()
            },
            "not inside the 120×80 image",
        ),
        (
            |_, bbox| {
                Json(json!({"detections": [{"label": "dog", "score": 0.9, "box": bbox}]}))
                    .into_response()
            },
            "with label `dog`, which was not one of the requested",
        ),
        (
            |labels, bbox| {
                Json(json!({"detections": [{"label": labels[0], "score": 1.5, "box": bbox}]}))
                    .into_response()
            },
            "with score 1.5, outside 0..1",
        ),
        (
            |_, _| (StatusCode::INTERNAL_SERVER_ERROR, "model not loaded").into_response(),
            "answered 500 Internal Server Error: model not loaded",
        ),
        (
            |_, _| Json(json!({"boxes": []})).into_response(),
            "is not `{\"detections\"",
        ),
    ];
    for (reply, expected) in cases {
        let (_dir, mut cx) = context().await;
        let base = detect_stand_in(reply).await;
        with_detect(&mut cx, &base);
        let input = put_rgb(&cx, red_square_photo()).await;
        let error = run(
            &cx,
            "detect_open_vocab",
            json!({"image": input.id.to_string(), "labels": ["sticky note"]}),
        )
        .await
        .expect_err("a bad reply fails");
        let message = error.to_string();
        assert!(message.contains(expected), "{message}");
        assert!(
            message.contains(&format!("at `{base}/detect`")) && message.contains("--detect-url"),
            "{message}"
        );
    }
}

#[tokio::test]
async fn cropping_to_something_not_found_says_so() {
    let (_dir, mut cx) = context().await;
    let base = detect_stand_in(|_, _| Json(json!({"detections": []})).into_response()).await;
    with_detect(&mut cx, &base);
    let input = put_rgb(&cx, texture(60, 40)).await;
    let error = run(
        &cx,
        "detect_open_vocab",
        json!({"image": input.id.to_string(), "labels": ["unicorn"], "crop": true}),
    )
    .await
    .expect_err("nothing to crop to");
    assert_eq!(error.code(), "nothing_found");
    assert!(error.to_string().contains("found no unicorn"), "{error}");
}
