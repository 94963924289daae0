//! `/v1/api-keys`: a signed-in user's keys for scripts. The key is shown once, at
//! creation; only its SHA-256 is stored, and a deleted key stops working on the
//! next request.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::AppState;
use crate::server::auth::{CurrentUser, token};
use crate::server::error::ApiError;
use crate::server::extract::AppJson;
use crate::store::api_keys::ApiKey;
use crate::store::timestamp;

/// Most keys one user may hold.
pub const MAX_KEYS: usize = 50;

/// The API key routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/api-keys", get(list).post(create))
        .route("/v1/api-keys/{id}", delete(remove))
}

fn key_json(k: &ApiKey) -> Value {
    json!({
        "id": k.id,
        "name": k.name,
        "prefix": k.prefix,
        "created_at": timestamp(k.created_at),
        "last_used_at": k.last_used_at.map(timestamp),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
}

/// `POST /v1/api-keys {"name"}` → 201 `{"id","name","prefix","key"}` (the key only now).
async fn create(
    State(state): State<AppState>,
    who: CurrentUser,
    AppJson(body): AppJson<CreateBody>,
) -> Result<Response, ApiError> {
    let Some(name) = super::projects::checked_label(&body.name, 100) else {
        return Err(ApiError::field(
            "invalid_name",
            "name",
            "name must be 1 to 100 characters, without control characters",
        ));
    };
    if state.store.api_keys(&who.user.id).await?.len() >= MAX_KEYS {
        return Err(ApiError::bad(
            StatusCode::FORBIDDEN,
            "api_key_limit",
            format!("at most {MAX_KEYS} API keys per account; delete one first"),
        ));
    }
    let (key, prefix, hash) = token::new_api_key();
    let stored = state
        .store
        .create_api_key(&who.user.id, &name, &prefix, &hash)
        .await?;
    let mut body = key_json(&stored);
    body["key"] = Value::String(key);
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

/// `GET /v1/api-keys`: the caller's keys (never the keys themselves).
async fn list(State(state): State<AppState>, who: CurrentUser) -> Result<Json<Value>, ApiError> {
    let keys = state.store.api_keys(&who.user.id).await?;
    Ok(Json(
        json!({ "items": keys.iter().map(key_json).collect::<Vec<_>>() }),
    ))
}

/// `DELETE /v1/api-keys/{id}` → 204; 404 when the caller has no such key.
async fn remove(
    State(state): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    if super::projects::plausible_id(&id) && state.store.delete_api_key(&who.user.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::bad(
            StatusCode::NOT_FOUND,
            "api_key_not_found",
            format!("no API key `{id}` in this account"),
        ))
    }
}
