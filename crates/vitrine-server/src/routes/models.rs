//! `GET /v1/models`: the model names this server answers to.

use axum::Json;
use serde_json::{Value, json};
use vitrine_wire::chat::MODELS;

use crate::auth::Tenant;

/// Listing models needs a key, as with OpenAI; only health is public.
pub(super) async fn list(_tenant: Tenant) -> Json<Value> {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|id| json!({ "id": id, "object": "model", "created": 0, "owned_by": "vitrine" }))
        .collect();
    Json(json!({ "object": "list", "data": data }))
}
