//! `GET /v1/templates?tag=&q=` and `GET /v1/templates/{id}`: the gallery, open to
//! anonymous callers. Start a project from one with `POST /v1/projects
//! {"template_id": id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::extract::AppQuery;
use crate::store::templates::Template;

/// The template routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/templates", get(list))
        .route("/v1/templates/{id}", get(show))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    tag: Option<String>,
    q: Option<String>,
}

/// The list: entries without trees, and every tag with its count.
async fn list(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let items: Vec<Template> = state
        .store
        .templates(params.tag.as_deref(), params.q.as_deref())
        .await?;
    let tags: Vec<Value> = state
        .store
        .template_tags()
        .await?
        .into_iter()
        .map(|(tag, count)| json!({"tag": tag, "count": count}))
        .collect();
    Ok(Json(
        json!({ "count": items.len(), "items": items, "tags": tags }),
    ))
}

/// One template with its tree.
async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Template>, ApiError> {
    let found = if crate::store::templates::valid_slug(&id) {
        state.store.template(&id).await?
    } else {
        None
    };
    found.map(Json).ok_or_else(|| {
        ApiError::bad(
            StatusCode::NOT_FOUND,
            "template_not_found",
            format!("no template `{id}`; GET /v1/templates lists them"),
        )
    })
}
