//! `GET /v1/models` in the `vlmrun` SDK's shape and `GET /v1/openai/models` in
//! OpenAI's: the model names this server answers to.

use axum::Json;
use serde::Serialize;
use vitrine_wire::chat::MODELS;

use crate::auth::Tenant;

/// The domain every Orion agent model is listed under by the `vlmrun` SDK.
const AGENT_DOMAIN: &str = "agent";

/// One entry of `vlmrun`'s list.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct VlmrunModel {
    /// A model name, e.g. `vlmrun-orion-1:auto`.
    model: &'static str,
    /// Always `agent`.
    domain: &'static str,
}

/// OpenAI's list object.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct ModelList {
    /// Always `list`.
    object: &'static str,
    /// The models.
    data: Vec<OpenAiModel>,
}

/// One model in OpenAI's shape.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(crate) struct OpenAiModel {
    /// The model name.
    id: &'static str,
    /// Always `model`.
    object: &'static str,
    /// Always 0.
    created: u64,
    /// Always `vitrine`.
    owned_by: &'static str,
}

/// A bare list of `{model, domain}`: `vlmrun`'s `client.models.list()` raises
/// `TypeError` on anything but a list. Listing needs a key, as with OpenAI.
#[utoipa::path(get, path = "/v1/models", tag = "models", responses((status = 200, description = "A bare list of `{model, domain}`", body = Vec<VlmrunModel>), crate::openapi::Errors))]
pub(super) async fn list_vlmrun(_tenant: Tenant) -> Json<Vec<VlmrunModel>> {
    Json(
        MODELS
            .iter()
            .map(|model| VlmrunModel {
                model,
                domain: AGENT_DOMAIN,
            })
            .collect(),
    )
}

/// OpenAI's list object, read by `openai.OpenAI(base_url=".../v1/openai").models.list()`.
#[utoipa::path(get, path = "/v1/openai/models", tag = "models", responses((status = 200, description = "OpenAI's model list", body = ModelList), crate::openapi::Errors))]
pub(super) async fn list_openai(_tenant: Tenant) -> Json<ModelList> {
    let data = MODELS
        .iter()
        .map(|id| OpenAiModel {
            id,
            object: "model",
            created: 0,
            owned_by: "vitrine",
        })
        .collect();
    Json(ModelList {
        object: "list",
        data,
    })
}
