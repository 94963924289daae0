//! `/v1/export`: a tree (or a mesh already made) as a file in one request, and
//! `GET /v1/export/formats`, the format registry as JSON.
//!
//! `POST /v1/export` is `POST /v1/mesh/generate` then `GET /v1/mesh/{id}` in one
//! call: it shares their cache, recipes and stored files (`routes::mesh`), so the
//! same tree and settings cost one meshing and one export whichever way they
//! come. The answer names the mesh in `x-mesh-id` for later downloads.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::export;
use crate::server::AppState;
use crate::server::error::ApiError;
use crate::server::extract::AppJson;
use crate::server::meshes::is_mesh_id;
use crate::server::routes::engine::Source;
use crate::server::routes::mesh::{
    MeshParams, RawParams, etag, file_response, mesh_by_id, parse_format, prepare, stored_file,
};

/// The export routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/export", post(export_file))
        .route("/v1/export/formats", get(formats))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportBody {
    compiled_id: Option<String>,
    tree: Option<Value>,
    vm: Option<String>,
    mesh_id: Option<String>,
    format: Option<Value>,
    method: Option<Value>,
    resolution: Option<Value>,
    bounds: Option<Value>,
    normals: Option<Value>,
}

/// `POST /v1/export {compiled_id|tree|vm|mesh_id, format, …settings}` → the file.
async fn export_file(
    State(state): State<AppState>,
    AppJson(body): AppJson<ExportBody>,
) -> Result<Response, ApiError> {
    let exporter = parse_format(body.format, None)?;
    let raw = RawParams {
        method: body.method,
        resolution: body.resolution,
        bounds: body.bounds,
        normals: body.normals,
    };
    let sources = [
        body.compiled_id.is_some(),
        body.tree.is_some(),
        body.vm.is_some(),
        body.mesh_id.is_some(),
    ];
    if !sources.contains(&true) {
        return Err(ApiError::InvalidRequest(
            "missing field `compiled_id` (or `tree`, `vm`, `mesh_id`)".into(),
        ));
    }
    if let Some(id) = body.mesh_id {
        if body.compiled_id.is_some() || body.tree.is_some() || body.vm.is_some() {
            return Err(ApiError::InvalidRequest(
                "send exactly one of compiled_id, tree, vm, mesh_id".into(),
            ));
        }
        if let Some(field) = raw.first_present() {
            return Err(ApiError::field(
                "invalid_request",
                field,
                format!(
                    "a mesh_id already fixes the {field}; leave {field} out, or send the tree with its settings instead of mesh_id"
                ),
            ));
        }
        if !is_mesh_id(&id) {
            return Err(ApiError::UnknownMeshId(id));
        }
        let file = stored_file(&state, &id, exporter, || mesh_by_id(&state, &id)).await?;
        return Ok(file_response(&id, exporter, file, &etag(&id, exporter)));
    }
    let params = MeshParams::parse(&state.config, raw)?;
    let source = Source {
        compiled_id: body.compiled_id,
        tree: body.tree,
        vm: body.vm,
    };
    let prepared = prepare(&state, source, params)?;
    let id = prepared.id.clone();
    let file = stored_file(&state, &id, exporter, || async {
        Ok(prepared.obtain(&state).wait().await?.0)
    })
    .await?;
    Ok(file_response(&id, exporter, file, &etag(&id, exporter)))
}

/// `GET /v1/export/formats`: every format, in the registry's order.
async fn formats() -> Json<Value> {
    let formats: Vec<Value> = export::formats()
        .iter()
        .map(|e| {
            let i = e.info();
            json!({
                "name": i.name,
                "extension": i.extension,
                "mime": i.mime,
                "binary": i.binary,
                "normals": i.normals,
                "units": i.units,
                "up_axis": i.up_axis,
                "description": i.description,
            })
        })
        .collect();
    Json(json!({ "formats": formats }))
}
