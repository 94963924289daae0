//! `/v1/projects…`: a user's projects and their version history.
//!
//! Every save of a tree is a new version (tree, message, author, time); `PATCH`
//! carries the `base_version` it was made from, and a save over anything but the
//! current version is refused with 409 `version_conflict` and the current
//! version in the body, never a silent overwrite. Trees are validated and
//! compiled by the engine before anything is written, so a saved tree always
//! opens. `DELETE` moves a project to the trash for `TRASH_RETENTION_DAYS`.
//!
//! Invariant: every handler takes [`CurrentUser`] and every store call names the
//! caller as owner, so another user's project answers 404 exactly like a missing
//! one.

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::server::AppState;
use crate::server::auth::CurrentUser;
use crate::server::error::ApiError;
use crate::server::extract::{AppJson, AppQuery, parse_json, read_body};
use crate::store::projects::{
    Changes, CreateOutcome, ListQuery, NewTree, Project, SaveOutcome, UntrashOutcome, Version,
};
use crate::store::timestamp;

/// Default page size.
pub const DEFAULT_PAGE: i64 = 20;
/// Largest page size.
pub const MAX_PAGE: i64 = 100;
/// Longest project name, in characters.
pub const MAX_NAME: usize = 200;
/// Longest version message, in characters.
pub const MAX_MESSAGE: usize = 1000;

/// The project routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/projects", get(list).post(create))
        .route("/v1/projects/{id}", get(show).patch(save).delete(remove))
        .route("/v1/projects/{id}/restore", post(untrash))
        .route("/v1/projects/{id}/versions", get(versions))
        .route("/v1/projects/{id}/versions/{n}", get(version))
        .route(
            "/v1/projects/{id}/versions/{n}/restore",
            post(restore_version),
        )
}

/// A keyset cursor: a time and an id, opaque to clients.
pub struct Cursor {
    /// Unix ms.
    pub t: i64,
    /// The row's id.
    pub id: String,
}

impl Cursor {
    /// The opaque text of `(t, id)`.
    pub fn encode(t: i64, id: &str) -> String {
        B64.encode(format!("{t}:{id}"))
    }

    /// Parses a cursor from a previous page; 422 `invalid_cursor` otherwise.
    pub fn decode(text: &str) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::field(
                "invalid_cursor",
                "cursor",
                "cursor is not one this server gave out; pass next_cursor from the previous page",
            )
        };
        let raw = B64.decode(text).map_err(|_| bad())?;
        let raw = String::from_utf8(raw).map_err(|_| bad())?;
        let (t, id) = raw.split_once(':').ok_or_else(bad)?;
        Ok(Cursor {
            t: t.parse().map_err(|_| bad())?,
            id: id.to_string(),
        })
    }
}

/// The page size asked for, checked: 1 to [`MAX_PAGE`], default [`DEFAULT_PAGE`].
pub fn page_limit(limit: Option<i64>) -> Result<i64, ApiError> {
    match limit {
        None => Ok(DEFAULT_PAGE),
        Some(n) if (1..=MAX_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field(
            "invalid_limit",
            "limit",
            format!("limit must be between 1 and {MAX_PAGE}"),
        )),
    }
}

/// Whether a path id can name a row at all (ids are UUIDs); anything else is
/// answered 404 before it reaches the database.
pub fn plausible_id(id: &str) -> bool {
    uuid::Uuid::try_parse(id).is_ok()
}

/// The project id of a path, or the 404 a missing project gets.
fn project_id(id: String) -> Result<String, ApiError> {
    if plausible_id(&id) {
        Ok(id)
    } else {
        Err(not_found(&id))
    }
}

fn not_found(id: &str) -> ApiError {
    ApiError::bad(
        StatusCode::NOT_FOUND,
        "project_not_found",
        format!("no project `{id}` in this account"),
    )
}

fn in_trash(id: &str) -> ApiError {
    ApiError::bad(
        StatusCode::CONFLICT,
        "project_in_trash",
        format!("project `{id}` is in the trash; POST /v1/projects/{id}/restore first"),
    )
}

fn limit_reached(plan: &str, limit: i64) -> ApiError {
    let mut extra = Map::new();
    extra.insert("limit".into(), json!(limit));
    extra.insert("plan".into(), json!(plan));
    ApiError::Detailed {
        status: StatusCode::FORBIDDEN,
        code: "project_limit",
        detail: format!(
            "the `{plan}` plan allows {limit} projects (max_projects); delete one (and empty it from the trash is not needed: trashed projects do not count) or upgrade"
        ),
        extra,
    }
}

fn project_json(state: &AppState, p: &Project) -> Value {
    let retention_ms = (state.config.trash_retention_days as i64).saturating_mul(86_400_000);
    json!({
        "id": p.id,
        "name": p.name,
        "version": p.version,
        "template_id": p.template_id,
        "created_at": timestamp(p.created_at),
        "updated_at": timestamp(p.updated_at),
        "deleted_at": p.deleted_at.map(timestamp),
        "purge_at": p.deleted_at.map(|t| timestamp(t.saturating_add(retention_ms))),
    })
}

fn version_json(v: &Version) -> Result<Value, ApiError> {
    let mut out = json!({
        "version": v.version,
        "message": v.message,
        "author": v.author_id.as_ref().map(|id| json!({"id": id, "email": v.author_email})),
        "restored_from": v.restored_from,
        "compiled_id": v.compiled_id,
        "node_count": v.node_count,
        "created_at": timestamp(v.created_at),
    });
    if let Some(text) = &v.tree {
        let tree: Value = serde_json::from_str(text)
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("stored tree does not parse: {e}")))?;
        out["tree"] = tree;
    }
    Ok(out)
}

/// Validates and compiles a tree with the engine's limits; the stored form.
fn checked_tree(state: &AppState, tree: &Value) -> Result<NewTree, ApiError> {
    let compiled = state.engine.compile(tree)?;
    Ok(NewTree {
        json: serde_json::to_string(tree).map_err(anyhow::Error::from)?,
        compiled_id: compiled.id.clone(),
        node_count: compiled.node_count as i64,
    })
}

/// A short label (project or key name): trimmed, 1 to `max` characters, no
/// control characters (Postgres text cannot even hold NUL).
pub fn checked_label(label: &str, max: usize) -> Option<String> {
    let label = label.trim();
    (!label.is_empty() && label.chars().count() <= max && !label.chars().any(char::is_control))
        .then(|| label.to_string())
}

fn checked_name(name: &str) -> Result<String, ApiError> {
    let Some(name) = checked_label(name, MAX_NAME) else {
        return Err(ApiError::field(
            "invalid_name",
            "name",
            format!("name must be 1 to {MAX_NAME} characters, without control characters"),
        ));
    };
    Ok(name)
}

fn checked_message(message: Option<String>) -> Result<Option<String>, ApiError> {
    match message.map(|m| m.trim().to_string()) {
        Some(m)
            if m.chars().count() > MAX_MESSAGE
                || m.chars().any(|c| c.is_control() && c != '\n' && c != '\t') =>
        {
            Err(ApiError::field(
                "invalid_message",
                "message",
                format!(
                    "message must be at most {MAX_MESSAGE} characters, without control characters other than newlines and tabs"
                ),
            ))
        }
        Some(m) if m.is_empty() => Ok(None),
        other => Ok(other),
    }
}

/// The project with its current version and tree.
async fn full(state: &AppState, owner: &str, p: &Project) -> Result<Value, ApiError> {
    let mut out = project_json(state, p);
    let current = state
        .store
        .version(owner, &p.id, p.version)
        .await?
        .ok_or_else(|| not_found(&p.id))?;
    let v = version_json(&current)?;
    out["tree"] = v["tree"].clone();
    let mut meta = v;
    if let Some(o) = meta.as_object_mut() {
        o.remove("tree");
    }
    out["current"] = meta;
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: Option<String>,
    tree: Option<Value>,
    template_id: Option<String>,
    message: Option<String>,
}

/// `POST /v1/projects {"name","tree"|"template_id"}` → 201, the project at version 1.
async fn create(
    State(state): State<AppState>,
    who: CurrentUser,
    AppJson(body): AppJson<CreateBody>,
) -> Result<Response, ApiError> {
    let (tree, template, default_name) = match (body.tree, body.template_id) {
        (Some(tree), None) => (tree, None, None),
        (None, Some(slug)) => {
            let t = state
                .store
                .template(&slug)
                .await?
                .ok_or_else(|| ApiError::Field {
                    status: StatusCode::NOT_FOUND,
                    code: "template_not_found",
                    field: "template_id",
                    detail: format!("no template `{slug}`; GET /v1/templates lists them"),
                })?;
            (t.tree.unwrap_or(Value::Null), Some(slug), Some(t.name))
        }
        (None, None) => {
            return Err(ApiError::field(
                "missing_tree",
                "tree",
                "send `tree` (an SDF tree) or `template_id` (from GET /v1/templates)",
            ));
        }
        (Some(_), Some(_)) => {
            return Err(ApiError::field(
                "invalid_request",
                "template_id",
                "send either `tree` or `template_id`, not both",
            ));
        }
    };
    let name = match (body.name, default_name) {
        (Some(n), _) => checked_name(&n)?,
        (None, Some(n)) => n,
        (None, None) => {
            return Err(ApiError::field("invalid_name", "name", "name is required"));
        }
    };
    let message = checked_message(body.message)?;
    let stored = checked_tree(&state, &tree)?;
    let outcome = state
        .store
        .create_project(
            &who.user.id,
            &name,
            &stored,
            message.as_deref(),
            template.as_deref(),
        )
        .await?;
    match outcome {
        CreateOutcome::Created(p) => {
            let body = full(&state, &who.user.id, &p).await?;
            Ok((StatusCode::CREATED, Json(body)).into_response())
        }
        CreateOutcome::LimitReached { plan, limit } => Err(limit_reached(&plan, limit)),
        CreateOutcome::NoOwner => Err(ApiError::Unauthorized {
            code: "invalid_token",
            detail: "the account no longer exists".into(),
        }),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListParams {
    limit: Option<i64>,
    cursor: Option<String>,
    q: Option<String>,
    #[serde(default)]
    trashed: bool,
}

/// `GET /v1/projects?limit=&cursor=&q=&trashed=`: most recently updated first.
async fn list(
    State(state): State<AppState>,
    who: CurrentUser,
    AppQuery(params): AppQuery<ListParams>,
) -> Result<Json<Value>, ApiError> {
    let limit = page_limit(params.limit)?;
    let after = params.cursor.as_deref().map(Cursor::decode).transpose()?;
    let query = ListQuery {
        limit: limit + 1,
        after: after.map(|c| (c.t, c.id)),
        q: params
            .q
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty()),
        trashed: params.trashed,
    };
    let mut items = state.store.list_projects(&who.user.id, &query).await?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|p| Cursor::encode(p.updated_at, &p.id))
    } else {
        None
    };
    Ok(Json(json!({
        "items": items.iter().map(|p| project_json(&state, p)).collect::<Vec<_>>(),
        "next_cursor": next,
    })))
}

/// `GET /v1/projects/{id}`: the project with its current tree.
async fn show(
    State(state): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = project_id(id)?;
    let p = state
        .store
        .project(&who.user.id, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    Ok(Json(full(&state, &who.user.id, &p).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SaveBody {
    base_version: Option<i64>,
    name: Option<String>,
    tree: Option<Value>,
    message: Option<String>,
}

fn conflict(state: &AppState, current: &Project, base: i64) -> ApiError {
    let mut extra = Map::new();
    extra.insert("current_version".into(), json!(current.version));
    extra.insert("base_version".into(), json!(base));
    extra.insert("project".into(), project_json(state, current));
    ApiError::Detailed {
        status: StatusCode::CONFLICT,
        code: "version_conflict",
        detail: format!(
            "base_version {base} is not the current version ({}); fetch the project, merge, and save with base_version {}",
            current.version, current.version
        ),
        extra,
    }
}

async fn saved(
    state: &AppState,
    owner: &str,
    id: &str,
    base: Option<i64>,
    changes: Changes,
) -> Result<Json<Value>, ApiError> {
    match state.store.save_project(owner, id, base, &changes).await? {
        SaveOutcome::Saved(p, _) => Ok(Json(full(state, owner, &p).await?)),
        SaveOutcome::NotFound => Err(not_found(id)),
        SaveOutcome::Trashed => Err(in_trash(id)),
        SaveOutcome::Stale(current) => Err(conflict(state, &current, base.unwrap_or_default())),
    }
}

/// `PATCH /v1/projects/{id} {"base_version", "tree"?, "name"?, "message"?}`:
/// a new version when `tree` is sent; a rename alone keeps the version.
async fn save(
    State(state): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
    AppJson(body): AppJson<SaveBody>,
) -> Result<Json<Value>, ApiError> {
    let id = project_id(id)?;
    let base = body.base_version.ok_or_else(|| {
        ApiError::field(
            "missing_base_version",
            "base_version",
            "base_version is required: the version your edit started from (409 if it is no longer current)",
        )
    })?;
    if body.tree.is_none() && body.name.is_none() {
        return Err(ApiError::field(
            "nothing_to_save",
            "tree",
            "send `tree` (a new version) and/or `name`",
        ));
    }
    let changes = Changes {
        name: body.name.as_deref().map(checked_name).transpose()?,
        tree: body
            .tree
            .as_ref()
            .map(|t| checked_tree(&state, t))
            .transpose()?,
        message: checked_message(body.message)?,
        restored_from: None,
    };
    saved(&state, &who.user.id, &id, Some(base), changes).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeleteParams {
    #[serde(default)]
    permanent: bool,
}

/// `DELETE /v1/projects/{id}` → 204, into the trash; with `?permanent=true`, a
/// trashed project and its history are deleted for good.
async fn remove(
    State(state): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<DeleteParams>,
) -> Result<StatusCode, ApiError> {
    let id = project_id(id)?;
    let owner = &who.user.id;
    let p = state
        .store
        .project(owner, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    if params.permanent {
        if p.deleted_at.is_none() {
            return Err(ApiError::bad(
                StatusCode::CONFLICT,
                "project_not_in_trash",
                "only a project in the trash can be deleted for good; DELETE it without ?permanent first",
            ));
        }
        if !state.store.delete_project_forever(owner, &id).await? {
            return Err(not_found(&id));
        }
        tracing::info!(project_id = %id, "project deleted for good");
        return Ok(StatusCode::NO_CONTENT);
    }
    // Already in the trash: deleting again changes nothing.
    state.store.trash_project(owner, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/projects/{id}/restore`: out of the trash (within the plan's limit).
async fn untrash(
    State(state): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = project_id(id)?;
    match state.store.untrash_project(&who.user.id, &id).await? {
        UntrashOutcome::Restored(p) => Ok(Json(project_json(&state, &p))),
        UntrashOutcome::NotFound => Err(not_found(&id)),
        UntrashOutcome::LimitReached { plan, limit } => Err(limit_reached(&plan, limit)),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionsParams {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /v1/projects/{id}/versions?limit=&cursor=`: newest first, without trees.
async fn versions(
    State(state): State<AppState>,
    who: CurrentUser,
    Path(id): Path<String>,
    AppQuery(params): AppQuery<VersionsParams>,
) -> Result<Json<Value>, ApiError> {
    let id = project_id(id)?;
    let limit = page_limit(params.limit)?;
    let before = params
        .cursor
        .as_deref()
        .map(|c| {
            c.parse::<i64>().map_err(|_| {
                ApiError::field(
                    "invalid_cursor",
                    "cursor",
                    "cursor is not one this server gave out; pass next_cursor from the previous page",
                )
            })
        })
        .transpose()?;
    let mut items = state
        .store
        .versions(&who.user.id, &id, limit + 1, before)
        .await?
        .ok_or_else(|| not_found(&id))?;
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|v| v.version.to_string())
    } else {
        None
    };
    let items = items
        .iter()
        .map(version_json)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(json!({ "items": items, "next_cursor": next })))
}

fn version_number(id: &str, n: &str) -> Result<i64, ApiError> {
    n.parse::<i64>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| version_not_found(id, n))
}

fn version_not_found(id: &str, n: &str) -> ApiError {
    ApiError::bad(
        StatusCode::NOT_FOUND,
        "version_not_found",
        format!("project `{id}` has no version `{n}` in this account"),
    )
}

/// `GET /v1/projects/{id}/versions/{n}`: one version with its tree.
async fn version(
    State(state): State<AppState>,
    who: CurrentUser,
    Path((id, n)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let id = project_id(id)?;
    let number = version_number(&id, &n)?;
    match state.store.version(&who.user.id, &id, number).await? {
        Some(v) => Ok(Json(version_json(&v)?)),
        None if state.store.project(&who.user.id, &id).await?.is_none() => Err(not_found(&id)),
        None => Err(version_not_found(&id, &n)),
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RestoreBody {
    base_version: Option<i64>,
    message: Option<String>,
}

/// `POST /v1/projects/{id}/versions/{n}/restore` (body optional:
/// `{"base_version"?, "message"?}`): version n's tree saved as a new version.
async fn restore_version(
    State(state): State<AppState>,
    who: CurrentUser,
    Path((id, n)): Path<(String, String)>,
    req: Request,
) -> Result<Json<Value>, ApiError> {
    let id = project_id(id)?;
    let bytes = read_body(req, &state).await?;
    let body: RestoreBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        RestoreBody::default()
    } else {
        parse_json(&bytes, &state)?
    };
    let number = version_number(&id, &n)?;
    let owner = &who.user.id;
    let Some(old) = state.store.version(owner, &id, number).await? else {
        return Err(match state.store.project(owner, &id).await? {
            None => not_found(&id),
            Some(_) => version_not_found(&id, &n),
        });
    };
    let tree = old.tree.unwrap_or_default();
    let changes = Changes {
        name: None,
        tree: Some(NewTree {
            json: tree,
            compiled_id: old.compiled_id,
            node_count: old.node_count,
        }),
        message: Some(
            checked_message(body.message)?.unwrap_or_else(|| format!("Restored version {number}")),
        ),
        restored_from: Some(number),
    };
    saved(&state, owner, &id, body.base_version, changes).await
}
