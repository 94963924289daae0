//! `/v1/admin/*`: the operator's routes, behind `ADMIN_API_KEY` (off without
//! it): list users, and move a user to another plan.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::accounts::user_json;
use super::projects::{Cursor, page_limit};
use crate::server::AppState;
use crate::server::auth::Admin;
use crate::server::error::ApiError;
use crate::server::extract::{AppJson, AppQuery};

/// The admin routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/users", get(list_users))
        .route("/v1/admin/users/{id}/plan", put(set_plan))
        .route("/v1/admin/plans", get(plans))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UsersQuery {
    limit: Option<i64>,
    cursor: Option<String>,
    q: Option<String>,
}

/// `GET /v1/admin/users?limit=&cursor=&q=`: users, oldest first, by email search.
async fn list_users(
    _: Admin,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<UsersQuery>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(query.limit)?;
    let after = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let mut users = state
        .store
        .list_users(limit + 1, after.map(|c| (c.t, c.id)), query.q.as_deref())
        .await?;
    let next = if users.len() as i64 > limit {
        users.truncate(limit as usize);
        users.last().map(|u| Cursor::encode(u.created_at, &u.id))
    } else {
        None
    };
    Ok(Json(json!({
        "items": users.iter().map(user_json).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanBody {
    plan: String,
}

/// `PUT /v1/admin/users/{id}/plan {"plan"}`: the user, on the new plan.
async fn set_plan(
    _: Admin,
    State(state): State<AppState>,
    Path(id): Path<String>,
    AppJson(body): AppJson<PlanBody>,
) -> Result<Json<Value>, ApiError> {
    let plan = body.plan.trim();
    if state.store.plan(plan).await?.is_none() {
        let known: Vec<String> = state
            .store
            .plans()
            .await?
            .into_iter()
            .map(|p| p.plan)
            .collect();
        return Err(ApiError::field(
            "unknown_plan",
            "plan",
            format!("no plan `{plan}`; plans are {}", known.join(", ")),
        ));
    }
    let user = if super::projects::plausible_id(&id) {
        state.store.set_user_plan(&id, plan).await?
    } else {
        None
    };
    match user {
        Some(user) => {
            tracing::info!(user_id = %user.id, plan, "plan changed by the operator");
            Ok(Json(user_json(&user)))
        }
        None => Err(ApiError::bad(
            StatusCode::NOT_FOUND,
            "user_not_found",
            format!("no user `{id}`"),
        )),
    }
}

/// `GET /v1/admin/plans`: every plan's limits.
async fn plans(_: Admin, State(state): State<AppState>) -> Result<Json<Value>, ApiError> {
    Ok(Json(json!({ "items": state.store.plans().await? })))
}
