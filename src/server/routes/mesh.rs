//! `/v1/mesh/*`: generate a mesh (JSON, or progress as server-sent events),
//! download it as a file, and list the meshing methods. Also the pieces the
//! export routes share: reading mesh settings, finding a mesh by id, and
//! answering with a stored file.
//!
//! A mesh is addressed by content (`mesh_id`, see `server::meshes`): generating
//! it twice costs one meshing, downloading it in a format costs one export
//! (then it is a file under `EXPORT_STORAGE_PATH`), and an id whose mesh has left
//! the memory cache is meshed again from its recipe without the caller noticing.
//!
//! Every setting is checked before any meshing starts, so bad input is a plain
//! 4xx problem naming the field (`resolution`, `method`, `bounds`, `normals`,
//! `format`) even when the caller asked for an event stream.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tracing::Instrument;

use crate::config::Config;
use crate::export::{self, Exporter};
use crate::mesh::mesher::Aabb;
use crate::mesh::{Method, Progress};
use crate::sdf::bounds::{Extent, extent};
use crate::sdf::compile::Compiled;
use crate::server::AppState;
use crate::server::error::{ApiError, Problem};
use crate::server::exports;
use crate::server::extract::AppJson;
use crate::server::meshes::{
    DEFAULT_RESOLUTION, JobState, MeshEntry, MeshRequest, MeshSummary, Recipe, Ticket, TreeSource,
    check_bounds, is_mesh_id,
};
use crate::server::routes::engine::{Source, resolve};
use crate::server::stream::{ChannelStream, file_body};

/// At most this often a progress event (about 10 a second), plus the final one.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(100);
/// The format a download gets when it names none.
pub const DEFAULT_FORMAT: &str = "glb";

/// The mesh routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/mesh/generate", post(generate))
        .route("/v1/mesh/methods", get(methods))
        .route("/v1/mesh/{mesh_id}", get(download))
}

/// Mesh settings, checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MeshParams {
    pub(crate) method: Method,
    pub(crate) resolution: u32,
    pub(crate) bounds: Option<Aabb>,
    pub(crate) normals: bool,
}

/// The settings fields of a request body, as sent (checked by [`MeshParams::parse`]).
#[derive(Deserialize, Default)]
pub(crate) struct RawParams {
    pub(crate) method: Option<Value>,
    pub(crate) resolution: Option<Value>,
    pub(crate) bounds: Option<Value>,
    pub(crate) normals: Option<Value>,
}

impl RawParams {
    /// The first setting present, by name (`None` when all are left out).
    pub(crate) fn first_present(&self) -> Option<&'static str> {
        [
            ("method", self.method.is_some()),
            ("resolution", self.resolution.is_some()),
            ("bounds", self.bounds.is_some()),
            ("normals", self.normals.is_some()),
        ]
        .into_iter()
        .find_map(|(name, present)| present.then_some(name))
    }
}

fn method_names() -> String {
    Method::ALL.map(Method::name).join(", ")
}

impl MeshParams {
    /// Checks every setting, defaulting what is left out.
    pub(crate) fn parse(config: &Config, raw: RawParams) -> Result<Self, ApiError> {
        let cap = config.max_mesh_resolution;
        let method = match raw.method {
            None => Method::default(),
            Some(Value::String(s)) => s.parse().map_err(|_| {
                ApiError::field(
                    "invalid_method",
                    "method",
                    format!(
                        "method `{s}` is not one of {} (GET /v1/mesh/methods)",
                        method_names()
                    ),
                )
            })?,
            Some(other) => {
                return Err(ApiError::field(
                    "invalid_method",
                    "method",
                    format!(
                        "method must be a string, one of {}; got {other}",
                        method_names()
                    ),
                ));
            }
        };
        let resolution = match raw.resolution {
            None => DEFAULT_RESOLUTION.min(cap),
            Some(v) => match v.as_u64() {
                Some(n) if n > u64::from(cap) => {
                    return Err(ApiError::field(
                        "invalid_resolution",
                        "resolution",
                        format!(
                            "resolution {n} is more than MAX_MESH_RESOLUTION ({cap}); ask for at most {cap} cells along the longest side"
                        ),
                    ));
                }
                Some(n) if n >= 1 => n as u32,
                _ => {
                    return Err(ApiError::field(
                        "invalid_resolution",
                        "resolution",
                        format!(
                            "resolution must be a whole number from 1 to MAX_MESH_RESOLUTION ({cap}): the cells along the longest side of the domain; got {v}"
                        ),
                    ));
                }
            },
        };
        let bounds = raw.bounds.map(parse_bounds).transpose()?;
        let normals = match raw.normals {
            None => true,
            Some(Value::Bool(b)) => b,
            Some(other) => {
                return Err(ApiError::field(
                    "invalid_normals",
                    "normals",
                    format!("normals must be true or false; got {other}"),
                ));
            }
        };
        Ok(Self {
            method,
            resolution,
            bounds,
            normals,
        })
    }
}

/// `{"min":[x,y,z],"max":[x,y,z]}` or `[[x,y,z],[x,y,z]]`, a finite box.
fn parse_bounds(v: Value) -> Result<Aabb, ApiError> {
    let bad = |why: &str| {
        ApiError::field(
            "invalid_bounds",
            "bounds",
            format!(
                "bounds must be {{\"min\":[x,y,z],\"max\":[x,y,z]}} (or [[x,y,z],[x,y,z]]) with finite numbers and min < max on every axis: {why}"
            ),
        )
    };
    let corner = |c: Option<&Value>, which: &str| -> Result<[f32; 3], ApiError> {
        let arr = c
            .and_then(Value::as_array)
            .filter(|a| a.len() == 3)
            .ok_or_else(|| bad(&format!("{which} is not an array of 3 numbers")))?;
        let mut out = [0.0f32; 3];
        for (o, x) in out.iter_mut().zip(arr) {
            *o = x
                .as_f64()
                .ok_or_else(|| bad(&format!("{which} holds {x}, not a number")))?
                as f32;
        }
        Ok(out)
    };
    let (lo, hi) = match &v {
        Value::Object(o) => {
            if let Some(k) = o.keys().find(|k| *k != "min" && *k != "max") {
                return Err(bad(&format!("unknown key `{k}`")));
            }
            (corner(o.get("min"), "min")?, corner(o.get("max"), "max")?)
        }
        Value::Array(a) if a.len() == 2 => (corner(a.first(), "min")?, corner(a.get(1), "max")?),
        _ => return Err(bad(&format!("got {v}"))),
    };
    check_bounds((lo, hi)).map_err(|why| bad(&why))
}

/// The format called `v`, or the error listing them all.
pub(crate) fn parse_format(
    v: Option<Value>,
    default: Option<&str>,
) -> Result<&'static dyn Exporter, ApiError> {
    let list = || export::names().join(", ");
    let name = match (v, default) {
        (Some(Value::String(s)), _) => s,
        (None, Some(d)) => d.to_string(),
        (None, None) => {
            return Err(ApiError::field(
                "invalid_format",
                "format",
                format!(
                    "missing field `format`: one of {} (GET /v1/export/formats)",
                    list()
                ),
            ));
        }
        (Some(other), _) => {
            return Err(ApiError::field(
                "invalid_format",
                "format",
                format!("format must be a string, one of {}; got {other}", list()),
            ));
        }
    };
    export::by_name(&name).ok_or_else(|| {
        ApiError::field(
            "invalid_format",
            "format",
            format!(
                "format `{name}` is not one of {} (GET /v1/export/formats)",
                list()
            ),
        )
    })
}

/// A compiled tree and the request for its mesh, with the recipe remembered.
pub(crate) struct Prepared {
    pub(crate) compiled: Arc<Compiled>,
    pub(crate) request: MeshRequest,
    pub(crate) id: String,
}

/// Resolves the tree, refuses an unbounded shape without bounds (before any
/// meshing, so it is a plain 422), and remembers the recipe.
pub(crate) fn prepare(
    state: &AppState,
    source: Source,
    params: MeshParams,
) -> Result<Prepared, ApiError> {
    let vm_text: Option<Arc<str>> = source.vm.as_deref().map(Arc::from);
    let compiled = resolve(state, source)?;
    if params.bounds.is_none()
        && compiled.bounds.is_none()
        && extent(&compiled.tape) == Extent::Unbounded
    {
        return Err(ApiError::field(
            "unbounded_shape",
            "bounds",
            "the shape is unbounded (it reaches infinity: a Plane, an infinite repeat…); pass bounds, e.g. \"bounds\":{\"min\":[-1,-1,-1],\"max\":[1,1,1]}, to mesh the part inside that box",
        ));
    }
    let request = MeshRequest {
        compiled_id: compiled.id.clone(),
        method: params.method,
        resolution: params.resolution,
        bounds: params.bounds,
        normals: params.normals,
    };
    let id = request.mesh_id();
    state.meshes.remember(&id, || Recipe {
        request: request.clone(),
        source: match (&compiled.tree, vm_text) {
            (Some(tree), _) => serde_json::to_string(tree)
                .ok()
                .map(|s| TreeSource::Tree(s.into())),
            (None, vm) => vm.map(TreeSource::Vm),
        },
    });
    Ok(Prepared {
        compiled,
        request,
        id,
    })
}

impl Prepared {
    /// Starts (or joins, or skips, when cached) the meshing.
    pub(crate) fn obtain(self, state: &AppState) -> Ticket {
        let simd = state.config.simd_width.engine();
        state
            .meshes
            .obtain(&state.engine, self.compiled, self.request, simd)
    }
}

/// The mesh `id`: cached, or made again from its recipe (compiling the tree
/// again when it has left the compiled cache too).
pub(crate) async fn mesh_by_id(state: &AppState, id: &str) -> Result<Arc<MeshEntry>, ApiError> {
    if let Some(entry) = state.meshes.cached(id) {
        return Ok(entry);
    }
    let unknown = || ApiError::UnknownMeshId(id.to_string());
    let recipe = state.meshes.recipe(id).ok_or_else(unknown)?;
    let compiled = match state.engine.cache.get(&recipe.request.compiled_id) {
        Some(c) => c,
        None => match &recipe.source {
            Some(TreeSource::Tree(json)) => {
                let doc: Value = serde_json::from_str(json).map_err(anyhow::Error::from)?;
                state.engine.compile(&doc)?
            }
            Some(TreeSource::Vm(text)) => state.engine.compile_vm(text)?,
            None => return Err(unknown()),
        },
    };
    if compiled.id != recipe.request.compiled_id {
        return Err(ApiError::Internal(anyhow::anyhow!(
            "recipe of {id} compiled to {}, not {}",
            compiled.id,
            recipe.request.compiled_id
        )));
    }
    let simd = state.config.simd_width.engine();
    let ticket = state
        .meshes
        .obtain(&state.engine, compiled, recipe.request, simd);
    Ok(ticket.wait().await?.0)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GenerateBody {
    compiled_id: Option<String>,
    tree: Option<Value>,
    vm: Option<String>,
    method: Option<Value>,
    resolution: Option<Value>,
    bounds: Option<Value>,
    normals: Option<Value>,
}

/// Whether the client asked for server-sent events.
fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("text/event-stream"))
}

/// `POST /v1/mesh/generate`: the mesh's summary as JSON, or with `Accept:
/// text/event-stream` its progress then the summary as events.
async fn generate(
    State(state): State<AppState>,
    headers: HeaderMap,
    AppJson(body): AppJson<GenerateBody>,
) -> Result<Response, ApiError> {
    let started = Instant::now();
    let params = MeshParams::parse(
        &state.config,
        RawParams {
            method: body.method,
            resolution: body.resolution,
            bounds: body.bounds,
            normals: body.normals,
        },
    )?;
    let source = Source {
        compiled_id: body.compiled_id,
        tree: body.tree,
        vm: body.vm,
    };
    let ticket = prepare(&state, source, params)?.obtain(&state);
    if wants_events(&headers) {
        return Ok(events(ticket, started));
    }
    let (entry, cached) = ticket.wait().await?;
    Ok(Json(MeshSummary::new(&entry, cached, started.elapsed())).into_response())
}

fn progress_event(p: Progress) -> Event {
    Event::default()
        .event("progress")
        .data(format!("{{\"done\":{},\"total\":{}}}", p.done, p.total))
}

fn json_event(name: &'static str, value: &impl serde::Serialize) -> Event {
    match serde_json::to_string(value) {
        Ok(text) => Event::default().event(name).data(text),
        Err(e) => Event::default()
            .event("error")
            .data(format!("{{\"code\":\"internal\",\"detail\":\"{e}\"}}")),
    }
}

fn error_event(e: ApiError) -> Event {
    json_event("error", &Problem::from_error(e))
}

/// The event stream of one meshing: `progress` events (`{"done","total"}`, at
/// most one per [`PROGRESS_INTERVAL`], then the final one), then `done` with the
/// summary, or `error` with a problem.
fn events(ticket: Ticket, started: Instant) -> Response {
    let (tx, rx) = mpsc::channel::<Result<Event, Infallible>>(8);
    tokio::spawn(
        async move {
            let send = |e: Event| {
                let tx = tx.clone();
                async move { tx.send(Ok(e)).await.is_ok() }
            };
            let (mut watch, joined) = match ticket {
                Ticket::Cached(entry) => {
                    let passes = 2 * entry.output.chunks_meshed;
                    let last = Progress {
                        done: passes,
                        total: passes,
                    };
                    if send(progress_event(last)).await {
                        let summary = MeshSummary::new(&entry, true, started.elapsed());
                        send(json_event("done", &summary)).await;
                    }
                    return;
                }
                Ticket::Job(rx, joined) => (rx, joined),
            };
            let mut sent: Option<Progress> = None;
            loop {
                let state = watch.borrow_and_update().clone();
                match state {
                    JobState::Done(last, result) => {
                        if !send(progress_event(last)).await {
                            return;
                        }
                        let event = match result {
                            Ok(entry) => json_event(
                                "done",
                                &MeshSummary::new(&entry, joined, started.elapsed()),
                            ),
                            Err(e) => error_event(e.into()),
                        };
                        send(event).await;
                        return;
                    }
                    JobState::Running(p) => {
                        // 0 of 0: still waiting for a CPU permit.
                        if p.total > 0 && sent != Some(p) {
                            if !send(progress_event(p)).await {
                                return; // the client has gone; the job goes on
                            }
                            sent = Some(p);
                            tokio::time::sleep(PROGRESS_INTERVAL).await;
                        }
                        if watch.changed().await.is_err()
                            && !matches!(&*watch.borrow(), JobState::Done(..))
                        {
                            let lost = crate::server::compute::JobError::Panicked(
                                "the meshing task ended without a result".into(),
                            );
                            send(error_event(lost.into())).await;
                            return;
                        }
                    }
                }
            }
        }
        .in_current_span(),
    );
    Sse::new(ChannelStream(rx))
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `GET /v1/mesh/methods`: the methods and the resolution limits.
async fn methods(State(state): State<AppState>) -> Json<Value> {
    let describe = |m: Method| match m {
        Method::SurfaceNets => {
            "One vertex per surface cell, at the mean of its edge crossings: smooth, fewest triangles, fastest; rounds sharp edges."
        }
        Method::MarchingCubes => {
            "One vertex per crossed cell edge, triangles from the 256-case table: the classic; about twice the triangles, some of them slivers."
        }
        Method::DualContouring => {
            "One vertex per surface cell, placed on the tangent planes at its edge crossings: keeps sharp edges and corners."
        }
    };
    let cap = state.config.max_mesh_resolution;
    Json(json!({
        "default": Method::default(),
        "default_resolution": DEFAULT_RESOLUTION.min(cap),
        "max_resolution": cap,
        "methods": Method::ALL.map(|m| json!({"name": m, "description": describe(m)})),
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DownloadQuery {
    format: Option<String>,
}

/// `GET /v1/mesh/{mesh_id}?format=glb`: the mesh as a file.
async fn download(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    query: Result<Query<DownloadQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Path(id) = path.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let exporter = parse_format(query.format.map(Value::String), Some(DEFAULT_FORMAT))?;
    if !is_mesh_id(&id) {
        return Err(ApiError::UnknownMeshId(id));
    }
    let tag = etag(&id, exporter);
    // Content-addressed: whoever holds this tag holds these bytes.
    if if_none_match(&headers, &tag, false) {
        return Ok(not_modified(&tag));
    }
    let file = stored_file(&state, &id, exporter, || mesh_by_id(&state, &id)).await?;
    if if_none_match(&headers, &tag, true) {
        return Ok(not_modified(&tag));
    }
    Ok(file_response(&id, exporter, file, &tag))
}

/// A file to send: open on disk, or in memory when the disk refused it.
pub(crate) enum Stored {
    /// An open file at its start, and its length.
    File(std::fs::File, u64),
    /// The bytes.
    Bytes(Vec<u8>),
}

/// The export of `mesh_id` in `exporter`'s format: the stored file, or one
/// written now from the mesh `get_mesh` finds (only called when needed).
/// Concurrent identical requests write it once. When the disk fails (full,
/// read-only), the file is made in memory instead and the failure logged.
pub(crate) async fn stored_file<F, Fut>(
    state: &AppState,
    mesh_id: &str,
    exporter: &'static dyn Exporter,
    get_mesh: F,
) -> Result<Stored, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Arc<MeshEntry>, ApiError>>,
{
    let name = exports::file_name(mesh_id, exporter.info());
    if let Some((file, len)) = state.exports.open_file(&name) {
        return Ok(Stored::File(file, len));
    }
    let entry = get_mesh().await?;
    let _writing = state.exports.lock_name(&name).await;
    if let Some((file, len)) = state.exports.open_file(&name) {
        return Ok(Stored::File(file, len));
    }
    let store = state.exports.clone();
    let mesh = entry.clone();
    let written = state
        .engine
        .run_cpu(move || store.write(&name, |w| exporter.write(&mesh.output.mesh, w)))
        .await?;
    match written {
        Ok((file, len)) => Ok(Stored::File(file, len)),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidInput => Err(ApiError::Internal(
            anyhow::Error::from(e)
                .context(format!("{} refused mesh {mesh_id}", exporter.info().name)),
        )),
        Err(e) => {
            tracing::error!(
                error = %e,
                dir = %state.exports.dir().display(),
                "cannot write an export file; serving it from memory"
            );
            let bytes = state
                .engine
                .run_cpu(move || {
                    let mut out = Vec::new();
                    exporter.write(&entry.output.mesh, &mut out).map(|()| out)
                })
                .await?
                .map_err(anyhow::Error::from)?;
            Ok(Stored::Bytes(bytes))
        }
    }
}

/// The strong entity tag of `mesh_id` in a format (content-addressed).
pub(crate) fn etag(mesh_id: &str, exporter: &dyn Exporter) -> String {
    format!("\"{mesh_id}.{}\"", exporter.info().name)
}

/// Whether `If-None-Match` names `tag` (weak comparison, as RFC 9110 says for
/// this header); `*` counts only once the file is known to exist (`exists`).
fn if_none_match(headers: &HeaderMap, tag: &str, exists: bool) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|t| (exists && t == "*") || t.strip_prefix("W/").unwrap_or(t) == tag)
}

/// Content-addressed files never change: caches may keep them for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn not_modified(tag: &str) -> Response {
    let mut res = StatusCode::NOT_MODIFIED.into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    res
}

/// The file as an attachment named `<mesh_id prefix>.<ext>`, with its MIME
/// type, length, tag and id.
pub(crate) fn file_response(
    mesh_id: &str,
    exporter: &dyn Exporter,
    file: Stored,
    tag: &str,
) -> Response {
    let info = exporter.info();
    let (body, len) = match file {
        Stored::File(f, len) => (file_body(f), len),
        Stored::Bytes(b) => {
            let len = b.len() as u64;
            (Body::from(b), len)
        }
    };
    // `mesh_` and 12 hex digits: short, and still unique among a user's files.
    let prefix = &mesh_id[..mesh_id.len().min(17)];
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(info.mime));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{prefix}.{}\"",
        info.extension
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(tag) {
        h.insert(header::ETAG, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    if let Ok(v) = HeaderValue::from_str(mesh_id) {
        h.insert(MESH_ID, v);
    }
    res
}

/// Header naming the mesh a file was made from.
pub const MESH_ID: &str = "x-mesh-id";
