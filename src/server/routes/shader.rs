//! `/v1/shader/*`: a tree as GPU source code. `POST /v1/shader/{target}`
//! `{compiled_id|tree|vm, kind?, dynamic?}` answers the source, its entry
//! points and the parameter buffer layout; `GET /v1/shader/targets` lists the
//! languages and shapes. The work is [`crate::shader::generate`], run on the
//! CPU pool because dynamic parameters re-lower the tree.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::sdf::compile::CompileError;
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::extract::AppJson;
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
) -> Result<Json<shader::Shader>, ApiError> {
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
    let max_ops = state.engine.limits.max_ops;
    let result = state
        .engine
        .run_cpu(move || shader::generate(&compiled, &target, kind, dynamic, max_ops))
        .await?;
    match result {
        Ok(s) => Ok(Json(s)),
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
