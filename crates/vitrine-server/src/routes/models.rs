//! `GET /v1/models` in the `vlmrun` SDK's shape and `GET /v1/openai/models` in
//! OpenAI's: the model names this server answers to.

use axum::Json;
use serde_json::{Value, json};
use vitrine_wire::chat::MODELS;

use crate::auth::Tenant;

/// The domain every Orion agent model is listed under by the `vlmrun` SDK.
const AGENT_DOMAIN: &str = "agent";

/// A bare list of `{model, domain}`: `vlmrun`'s `client.models.list()` raises
/// `TypeError` on anything but a list. Listing needs a key, as with OpenAI.
pub(super) async fn list_vlmrun(_tenant: Tenant) -> Json<Value> {
    Json(Value::Array(
        MODELS
            .iter()
            .map(|model| json!({ "model": model, "domain": AGENT_DOMAIN }))
            .collect(),
    ))
}

/// OpenAI's list object, read by `openai.OpenAI(base_url=".../v1/openai").models.list()`.
pub(super) async fn list_openai(_tenant: Tenant) -> Json<Value> {
    let data: Vec<Value> = MODELS
        .iter()
        .map(|id| json!({ "id": id, "object": "model", "created": 0, "owned_by": "vitrine" }))
        .collect();
    Json(json!({ "object": "list", "data": data }))
}
