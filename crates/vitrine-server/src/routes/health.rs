//! `GET /v1/health`: the `vlmrun` SDK calls it from its constructor.

use axum::Json;
use serde_json::{Value, json};

pub(super) async fn health() -> Json<Value> {
    Json(json!({ "status": "ok", "version": env!("CARGO_PKG_VERSION") }))
}
