//! `/v1/shader/*`: a tree as GPU source code. `POST /v1/shader/{target}`
//! `{compiled_id|tree|vm, kind?, dynamic?}` answers the source, its entry
//! points and the parameter buffer layout; `GET /v1/shader/targets` lists the
//! languages and shapes. The work is [`crate::shader::generate`], run on the
//! CPU pool because dynamic parameters re-lower the tree; answers are cached
//! by compiled id, target, kind and mode.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::sdf::compile::CompileError;
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::extract::AppJson;
use crate::server::lru::ByteLru;
use crate::server::routes::engine::{Source, resolve};
use crate::shader::{self, Kind, ShaderError};

/// The shader routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/shader/targets", get(targets))
        .route("/v1/shader/{target}", post(generate))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ShaderBody {
    compiled_id: Option<String>,
    tree: Option<Value>,
    vm: Option<String>,
    kind: Option<Value>,
    dynamic: Option<Value>,
}

fn kind_names() -> String {
    Kind::ALL.map(Kind::name).join(", ")
}

/// `POST /v1/shader/{target}`.
async fn generate(
    State(state): State<AppState>,
    Path(target): Path<String>,
    AppJson(body): AppJson<ShaderBody>,
) -> Result<Json<Arc<shader::Shader>>, ApiError> {
    if shader::by_name(&target).is_none() {
        return Err(ApiError::field(
            "invalid_target",
            "target",
            format!(
                "unknown shader target {target:?}; targets: {} (GET /v1/shader/targets)",
                shader::names().join(", ")
            ),
        ));
    }
    let kind = match body.kind {
        None => Kind::default(),
        Some(Value::String(s)) => Kind::parse(&s).ok_or_else(|| {
            ApiError::field(
                "invalid_kind",
                "kind",
                format!("unknown kind {s:?}; kinds: {}", kind_names()),
            )
        })?,
        Some(other) => {
            return Err(ApiError::field(
                "invalid_kind",
                "kind",
                format!(
                    "kind must be a string, one of {}; got {other}",
                    kind_names()
                ),
            ));
        }
    };
    let dynamic = match body.dynamic {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(other) => {
            return Err(ApiError::field(
                "invalid_dynamic",
                "dynamic",
                format!("dynamic must be true or false; got {other}"),
            ));
        }
    };
    let compiled = resolve(
        &state,
        Source {
            compiled_id: body.compiled_id,
            tree: body.tree,
            vm: body.vm,
        },
    )?;
    let key = format!("{}/{target}/{}/{dynamic}", compiled.id, kind.name());
    if let Some(hit) = lock(&state).get(&key).cloned() {
        return Ok(Json(hit));
    }
    let max_ops = state.engine.limits.max_ops;
    let result = state
        .engine
        .run_cpu(move || shader::generate(&compiled, &target, kind, dynamic, max_ops))
        .await?;
    match result {
        Ok(s) => {
            let s = Arc::new(s);
            let size = (s.source.len() + 64 * s.parameters.len() + 1024) as u64;
            lock(&state).insert(key, s.clone(), size);
            Ok(Json(s))
        }
        Err(ShaderError::Target(e @ shader::TargetError::Unsupported { .. })) => {
            Err(ApiError::field("unsupported_kind", "kind", e.to_string()))
        }
        Err(ShaderError::UnknownTarget { name }) => Err(ApiError::field(
            "invalid_target",
            "target",
            format!("unknown shader target {name:?}"),
        )),
        Err(ShaderError::Lower(e)) => Err(CompileError::Lower(e).into()),
        Err(e @ (ShaderError::Invalid(_) | ShaderError::Target(_))) => {
            Err(ApiError::Internal(anyhow::anyhow!(e)))
        }
    }
}

/// The shader cache; a poisoned lock is reused (every operation on the map is
/// one call, so a panic elsewhere cannot leave it half-changed).
fn lock(state: &AppState) -> std::sync::MutexGuard<'_, ByteLru<Arc<shader::Shader>>> {
    state
        .engine
        .shaders
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// `GET /v1/shader/targets`.
async fn targets() -> Json<Value> {
    let targets: Vec<Value> = shader::targets()
        .iter()
        .map(|t| {
            let kinds: Vec<&str> = Kind::ALL
                .into_iter()
                .filter(|k| t.check(*k).is_ok())
                .map(Kind::name)
                .collect();
            json!({
                "name": t.name(),
                "language": t.language(),
                "binary": t.binary(),
                "encoding": if t.binary() { "base64" } else { "utf-8" },
                "kinds": kinds,
            })
        })
        .collect();
    Json(json!({
        "targets": targets,
        "kinds": Kind::ALL.map(Kind::name),
        "max_parameters": shader::MAX_PARAMETERS,
    }))
}
