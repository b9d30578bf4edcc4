//! `GET /v1/models`: the model names this server answers to.

use axum::Json;
use serde_json::{Value, json};
use vitrine_wire::chat::MODELS;

pub(super) async fn list() -> Json<Value> {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|id| json!({ "id": id, "object": "model", "created": 0, "owned_by": "vitrine" }))
        .collect();
    Json(json!({ "object": "list", "data": data }))
}
