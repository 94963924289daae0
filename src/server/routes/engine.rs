//! `/v1/engine/*`: compile, eval (JSON or bulk binary), validate, slice, nodes.
//!
//! Trees are addressed by content (`compiled_id`), so a request may name a cached
//! id or send the tree itself, which is compiled and cached on the fly. Any route
//! that takes a tree validates it first; errors name the JSON path.
//!
//! Binary eval: `Content-Type: application/octet-stream`, the `x-compiled-id`
//! header, and a body of little-endian f32 `x y z` triples (12 bytes a point); the
//! answer is little-endian f32 distances (4 bytes a point) in the same order.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::sdf::compile::Compiled;
use crate::sdf::node::KINDS;
use crate::sdf::validate;
use crate::server::AppState;
use crate::server::compute::{DEFAULT_REGION, INLINE_POINTS, render_slice};
use crate::server::error::{ApiError, PathMessage};
use crate::server::extract::{AppJson, is_json, is_octet_stream, parse_json, read_body};

/// Header naming the compiled tree of a binary eval.
pub const COMPILED_ID: &str = "x-compiled-id";

/// The engine routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/engine/compile", post(compile))
        .route("/v1/engine/eval", post(eval))
        .route("/v1/engine/validate", post(validate_tree))
        .route("/v1/engine/slice", post(slice))
        .route("/v1/engine/nodes", get(nodes))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TreeBody {
    tree: Value,
}

/// Where a request's shape comes from: a cached id, a tree, or `.vm` text.
/// Shared with the mesh and export routes.
#[derive(Deserialize, Default)]
pub(crate) struct Source {
    pub(crate) compiled_id: Option<String>,
    pub(crate) tree: Option<Value>,
    /// A fidget `.vm` expression file's text.
    pub(crate) vm: Option<String>,
}

#[derive(Serialize)]
struct CompileResponse {
    compiled_id: String,
    node_count: usize,
    depth: usize,
    /// Axis-aligned box `[[xmin,ymin,zmin],[xmax,ymax,zmax]]` holding the whole
    /// inside, from interval bounds; `null` when the shape is unbounded or empty.
    bounds: Option<[[f32; 3]; 2]>,
    compile_time_ms: f64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompileBody {
    tree: Option<Value>,
    vm: Option<String>,
}

/// `POST /v1/engine/compile {"tree": …}` (or `{"vm": "<.vm text>"}`).
async fn compile(
    State(state): State<AppState>,
    AppJson(body): AppJson<CompileBody>,
) -> Result<Json<CompileResponse>, ApiError> {
    let compiled = resolve(
        &state,
        Source {
            tree: body.tree,
            vm: body.vm,
            ..Source::default()
        },
    )?;
    Ok(Json(CompileResponse {
        compiled_id: compiled.id.clone(),
        node_count: compiled.node_count,
        depth: compiled.depth,
        bounds: compiled.bounds.map(|(lo, hi)| [lo, hi]),
        compile_time_ms: compiled.compile_time_ms,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EvalBody {
    compiled_id: Option<String>,
    tree: Option<Value>,
    vm: Option<String>,
    points: Vec<[f32; 3]>,
}

/// `POST /v1/engine/eval`: JSON or binary, by content type.
async fn eval(State(state): State<AppState>, req: Request) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    if is_octet_stream(&headers) {
        let bytes = read_body(req, &state).await?;
        return eval_binary(&state, &headers, bytes).await;
    }
    if !is_json(&headers) {
        return Err(ApiError::UnsupportedMediaType {
            expected: "application/json or application/octet-stream",
        });
    }
    let bytes = read_body(req, &state).await?;
    let body: EvalBody = parse_json(&bytes, &state)?;
    drop(bytes);
    let compiled = resolve(
        &state,
        Source {
            compiled_id: body.compiled_id,
            tree: body.tree,
            vm: body.vm,
        },
    )?;
    check_points(&state, body.points.len())?;
    check_finite(&body.points)?;
    let distances = evaluate(&state, compiled, body.points).await?;
    Ok(Json(json!({ "distances": distances })).into_response())
}

async fn eval_binary(
    state: &AppState,
    headers: &HeaderMap,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let id = headers
        .get(COMPILED_ID)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::bad(
                StatusCode::BAD_REQUEST,
                "missing_compiled_id",
                "binary eval needs the x-compiled-id header (compile the tree first)",
            )
        })?
        .to_string();
    let compiled = resolve(
        state,
        Source {
            compiled_id: Some(id),
            ..Source::default()
        },
    )?;
    if !bytes.len().is_multiple_of(12) {
        return Err(ApiError::bad(
            StatusCode::BAD_REQUEST,
            "invalid_points",
            format!(
                "the body is {} bytes; binary points are little-endian f32 x,y,z triples (12 bytes each)",
                bytes.len()
            ),
        ));
    }
    check_points(state, bytes.len() / 12)?;
    let points: Vec<[f32; 3]> = bytes
        .chunks_exact(12)
        .map(|c| {
            let f = |i: usize| f32::from_le_bytes([c[i], c[i + 1], c[i + 2], c[i + 3]]);
            [f(0), f(4), f(8)]
        })
        .collect();
    drop(bytes);
    check_finite(&points)?;
    let count = points.len();
    let id = compiled.id.clone();
    let distances = evaluate(state, compiled, points).await?;
    let mut out = Vec::with_capacity(distances.len() * 4);
    for d in distances {
        out.extend_from_slice(&d.to_le_bytes());
    }
    let mut res = out.into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert(COMPILED_ID, v);
    }
    h.insert("x-point-count", HeaderValue::from(count));
    Ok(res)
}

/// Every coordinate must be a finite f32 (JSON numbers past f32's range and
/// binary NaN/inf are refused, naming the first bad point).
fn check_finite(points: &[[f32; 3]]) -> Result<(), ApiError> {
    match points.iter().position(|p| !p.iter().all(|v| v.is_finite())) {
        Some(i) => Err(ApiError::bad(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_points",
            format!("points[{i}] is not finite (coordinates must be finite 32-bit floats)"),
        )),
        None => Ok(()),
    }
}

fn check_points(state: &AppState, count: usize) -> Result<(), ApiError> {
    let limit = state.config.max_eval_points;
    if count > limit {
        return Err(ApiError::bad(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_many_points",
            format!("{count} points is more than MAX_EVAL_POINTS ({limit}); split the request"),
        ));
    }
    Ok(())
}

/// Small batches inline, large ones on a CPU permit through the GPU chooser
/// (which keeps them on the CPU unless `GPU_MODE` and the batch size say
/// otherwise, and finishes on the CPU if the GPU fails).
async fn evaluate(
    state: &AppState,
    compiled: Arc<Compiled>,
    points: Vec<[f32; 3]>,
) -> Result<Vec<f32>, ApiError> {
    let simd = state.config.simd_width.engine();
    let mode = state.config.gpu_mode;
    // `require` sends every batch to the GPU, which blocks: never inline then.
    if points.len() <= INLINE_POINTS && mode != crate::gpu::GpuMode::Require {
        return Ok(compiled.eval_points(&points, simd));
    }
    let (distances, ran) = state
        .engine
        .run_cpu(move || crate::gpu::eval_points(mode, &compiled, &points, simd))
        .await?;
    tracing::debug!(?ran, points = distances.len(), "bulk eval");
    Ok(distances)
}

/// The compiled tree a request names: a cached id, or a tree (or `.vm` text)
/// compiled now.
pub(crate) fn resolve(state: &AppState, source: Source) -> Result<Arc<Compiled>, ApiError> {
    match (source.compiled_id, source.tree, source.vm) {
        (Some(id), None, None) => state
            .engine
            .cache
            .get(&id)
            .ok_or(ApiError::UnknownCompiledId(id)),
        (None, Some(tree), None) => Ok(state.engine.compile(&tree)?),
        (None, None, Some(vm)) => Ok(state.engine.compile_vm(&vm)?),
        (None, None, None) => Err(ApiError::InvalidRequest(
            "missing field `compiled_id` (or `tree`, or `vm`)".into(),
        )),
        _ => Err(ApiError::InvalidRequest(
            "send exactly one of compiled_id, tree, vm".into(),
        )),
    }
}

#[derive(Serialize)]
struct ValidateResponse {
    valid: bool,
    node_count: usize,
    depth: usize,
    errors: Vec<PathMessage>,
}

/// `POST /v1/engine/validate {"tree": …}`: 200 with the verdict, valid or not.
async fn validate_tree(
    State(state): State<AppState>,
    AppJson(body): AppJson<TreeBody>,
) -> Json<ValidateResponse> {
    let report = validate::validate(&body.tree, &state.engine.limits);
    Json(ValidateResponse {
        valid: report.valid,
        node_count: report.node_count,
        depth: report.depth,
        errors: report
            .errors
            .into_iter()
            .map(|e| PathMessage {
                path: e.path,
                message: e.message,
            })
            .collect(),
    })
}

fn default_size() -> u32 {
    512
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SliceBody {
    compiled_id: Option<String>,
    tree: Option<Value>,
    vm: Option<String>,
    #[serde(default)]
    z: f32,
    #[serde(default = "default_size")]
    size: u32,
    region: Option<[f32; 4]>,
}

/// `POST /v1/engine/slice` → `image/png`: inside black, outside white.
async fn slice(
    State(state): State<AppState>,
    AppJson(body): AppJson<SliceBody>,
) -> Result<Response, ApiError> {
    let max = state.config.max_slice_size;
    if body.size == 0 || body.size > max {
        return Err(ApiError::bad(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_size",
            format!("size must be between 1 and MAX_SLICE_SIZE ({max})"),
        ));
    }
    let compiled = resolve(
        &state,
        Source {
            compiled_id: body.compiled_id,
            tree: body.tree,
            vm: body.vm,
        },
    )?;
    let (z, size) = (body.z, body.size);
    let region = body.region.unwrap_or(DEFAULT_REGION);
    let simd = state.config.simd_width.engine();
    let png = state
        .engine
        .run_cpu(move || render_slice(&compiled, z, size, region, simd))
        .await?
        .map_err(|e| match e {
            crate::server::compute::SliceError::BadRegion => ApiError::bad(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_region",
                e.to_string(),
            ),
            other => ApiError::Internal(other.into()),
        })?;
    Ok(([(header::CONTENT_TYPE, "image/png")], png).into_response())
}

/// `GET /v1/engine/nodes`: the catalog, each kind with a ready-to-use example.
async fn nodes() -> Result<Json<Value>, ApiError> {
    let mut kinds = Vec::with_capacity(KINDS.len());
    for k in KINDS {
        let mut v = serde_json::to_value(k).map_err(anyhow::Error::from)?;
        if let Value::Object(o) = &mut v {
            o.insert("example".into(), k.example());
        }
        kinds.push(v);
    }
    Ok(Json(json!({ "count": kinds.len(), "kinds": kinds })))
}
