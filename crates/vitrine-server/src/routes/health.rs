//! `GET /health` (liveness: the `vlmrun` SDK calls it from its constructor) and
//! `GET /v1/ready` (readiness: whether this server can do real work now).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::AppState;
use crate::openapi::Health;
use crate::settings::{FETCH_MODELS_COMMAND, missing_models};

#[utoipa::path(get, path = "/health", tag = "meta", security(()), responses((status = 200, description = "The server is up", body = Health)))]
pub(super) async fn health() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /v1/health`: the same under `/v1`, where the SDKs' base URL points.
#[utoipa::path(get, path = "/v1/health", tag = "meta", security(()), responses((status = 200, description = "The server is up", body = Health)))]
pub(super) async fn health_v1() -> Json<Health> {
    health().await
}

/// 200 when the model files are in place, ffmpeg runs and the store takes a
/// write (on a replica: its PostgreSQL answers and its object storage takes a write); 503 naming what is not. Public like `/health`, so orchestrators
/// can probe it without a key; it reveals no tenant data.
#[utoipa::path(get, path = "/v1/ready", tag = "meta", security(()), responses((status = 200, description = "Ready: models, ffmpeg and the store all pass", body = Object), (status = 503, description = "Not ready; `checks` names what fails", body = Object)))]
pub(super) async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Value>) {
    let missing = missing_models(&state.models_dir);
    let models = if missing.is_empty() {
        json!({ "ok": true, "dir": state.models_dir.display().to_string() })
    } else {
        json!({
            "ok": false,
            "dir": state.models_dir.display().to_string(),
            "error": format!("missing {}; run `{FETCH_MODELS_COMMAND}`", missing.join(", ")),
        })
    };
    let ffmpeg = match vitrine_video::Ffmpeg::new().version().await {
        Ok(version) => json!({ "ok": true, "version": version }),
        Err(error) => json!({ "ok": false, "error": error.to_string() }),
    };
    // Staging and flushing a blob writes a temp file in the store's own
    // directory; dropping it uncommitted deletes it again.
    // On a replica, `check` also reaches its database and writes to its object storage.
    let staged = async {
        state.store.stage(1).await?.flush().await?;
        state.store.check().await
    };
    let store = match staged.await {
        Ok(()) => json!({ "ok": true, "backend": state.store.describe() }),
        Err(error) => json!({ "ok": false, "error": error.to_string() }),
    };
    let ready = [&models, &ffmpeg, &store]
        .iter()
        .all(|check| check["ok"] == true);
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(json!({
            "status": if ready { "ready" } else { "not_ready" },
            "checks": { "models": models, "ffmpeg": ffmpeg, "store": store },
        })),
    )
}
