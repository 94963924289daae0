//! `GET /health` (liveness: the process answers; version, uptime, features,
//! how full the mesh cache and the export directory are, with that directory's
//! path, which differs from `EXPORT_STORAGE_PATH` when it fell back, and the GPU:
//! `GPU_MODE` and the adapter, or `"none"`) and
//! `GET /ready` (readiness: 503 once shutdown has begun, so a load balancer stops
//! sending new work while in-flight requests finish, and while the database does
//! not answer). Both report the database backend and whether it answers.

use std::sync::atomic::Ordering;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::server::AppState;
use crate::server::error::ApiError;

/// `GET /health`, `GET /ready`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
}

async fn health(State(state): State<AppState>) -> Json<serde_json::Value> {
    let (meshes, bytes, max_bytes, recipes) = state.meshes.stats();
    let database_ok = state.store.ping().await.is_ok();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_s": state.started.elapsed().as_secs(),
        "features": state.features(),
        "simd_width": state.config.simd_width.to_string(),
        "threads": state.config.cpu_threads(),
        "mesh_cache": {
            "meshes": meshes,
            "bytes": bytes,
            "max_bytes": max_bytes,
            "recipes": recipes,
        },
        "export_storage": state.exports.stats(),
        // Never blocks: the adapter is opened at start-up on a blocking thread,
        // and reads "none" until that has finished.
        "gpu": crate::gpu::health(state.config.gpu_mode),
        "database": { "backend": state.store.backend().name(), "ok": database_ok },
    }))
}

async fn ready(State(state): State<AppState>) -> Response {
    if !state.ready.load(Ordering::Relaxed) {
        return ApiError::ShuttingDown.into_response();
    }
    if let Err(e) = state.store.ping().await {
        tracing::warn!(error = %e, "readiness: the database does not answer");
        return ApiError::bad(
            StatusCode::SERVICE_UNAVAILABLE,
            "database_unavailable",
            "the database does not answer (DATABASE_URL)",
        )
        .into_response();
    }
    (StatusCode::OK, Json(json!({"status": "ready"}))).into_response()
}
