//! The usage ledger: per-step spans in the `vitrine` extension, summed by `GET /v1/usage`
//! per tenant and time range.

use serde_json::{Value, json};

use crate::*;

#[tokio::test]
async fn spans_are_in_the_extension_and_the_report_sums_them_per_tenant() {
    let app = spawn().await;
    let photo = crate::skills::gradient(40, 30);
    let mut spans: Vec<Value> = Vec::new();
    let mut credits = 0.0;
    for instruction in [
        "Convert this image to grayscale",
        "Flip this image horizontally",
    ] {
        let (status, completion) = app
            .chat(
                KEY_ACME,
                ask_with_image(instruction, &data_url("image/png", &photo)),
            )
            .await;
        assert_eq!(status, 200, "{completion}");
        let usage = &completion["vitrine"]["usage"];
        let steps = completion["vitrine"]["plan"]["steps"]
            .as_array()
            .expect("steps");
        let these = usage["spans"].as_array().expect("spans");
        assert_eq!(these.len(), steps.len());
        let input_bytes = completion["vitrine"]["inputs"][0]["bytes"]
            .as_u64()
            .expect("bytes");
        let session = completion["session_id"].as_str().expect("session");
        let list = app
            .get_json(&format!("/artifacts/list?session_id={session}"), KEY_ACME)
            .await;
        for (span, step) in these.iter().zip(steps) {
            assert_eq!(span["tool"], step["tool"]);
            assert_eq!(span["duration_ms"], step["elapsed_ms"]);
            assert_eq!(span["bytes_in"], input_bytes, "{span}");
            let made = step["made"][0]["id"].as_str().expect("made");
            let size = list["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|item| item["object_id"] == made)
                .expect("listed")["bytes"]
                .clone();
            assert_eq!(span["bytes_out"], size, "{span}");
        }
        assert_eq!(usage["tokens"], "estimate");
        credits += usage["credits"].as_f64().expect("credits");
        spans.extend(these.iter().cloned());
    }
    let report = app.get_json("/usage", KEY_ACME).await;
    assert_eq!(report["requests"], 2, "{report}");
    assert_eq!(report["steps"], spans.len());
    let sum = |key: &str| {
        spans
            .iter()
            .map(|span| span[key].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    assert_eq!(report["tool_ms"], sum("duration_ms"));
    assert_eq!(report["bytes_in"], sum("bytes_in"));
    assert_eq!(report["bytes_out"], sum("bytes_out"));
    assert_eq!(report["tools"]["grayscale"]["steps"], 1);
    assert_eq!(report["tools"]["flip"]["steps"], 1);
    assert!(
        (report["credits"].as_f64().expect("credits") - credits).abs() < 0.002,
        "{report}"
    );
    assert_eq!(report["llm_tokens"]["total_tokens"], 0);

    // Another tenant's report is empty; artifact downloads are not recorded.
    assert_eq!(app.get_json("/usage", KEY_GLOBEX).await["requests"], 0);

    // Time ranges, in unix seconds or RFC 3339 (the test clock stands at 1 800 000 000).
    assert_eq!(
        app.get_json("/usage?until=1700000000", KEY_ACME).await["requests"],
        0
    );
    assert_eq!(
        app.get_json("/usage?since=1799999999&until=1800000001", KEY_ACME)
            .await["requests"],
        2
    );
    assert_eq!(
        app.get_json("/usage?since=2027-01-15T00:00:00Z", KEY_ACME)
            .await["requests"],
        2
    );
    assert_eq!(
        app.get_json("/usage?since=2027-01-16T00:00:00Z", KEY_ACME)
            .await["requests"],
        0
    );
    let response = app
        .get("/usage?since=yesterday", KEY_ACME)
        .send()
        .await
        .expect("get");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("json");
    assert!(error_message(&body).contains("RFC 3339"), "{body}");
    let _ = json!(null);
}
