//! ai-modeler: one binary that is a whole AI 3D-modeling SaaS.
//!
//! Layout:
//! - [`sdf`]: the engine — tree model, validation, compiler, evaluators. It never
//!   imports the web layer and can be used as a plain library.
//! - [`mesh`]: sparse meshing of compiled trees into watertight triangle meshes.
//! - [`export`]: writing meshes as files: 15 formats (OBJ, STL, PLY, glTF/GLB,
//!   3MF, OFF, USDA, X3D, COLLADA, DXF, FBX, AMF) behind one trait and registry.
//! - [`gpu`]: wgpu compute evaluation (feature `gpu`), chosen for large jobs on
//!   a hardware adapter, with the CPU as the fallback (and the only path
//!   without the feature).
//! - [`config`]: the one typed configuration (figment: defaults < file < environment).
//! - [`telemetry`]: logging (pretty on a terminal, JSON otherwise).
//! - [`server`]: the HTTP service (axum): state, routes, errors as problem+json.
//! - [`store`]: accounts, projects, versions, templates on SQLite or Postgres (sqlx).
//! - [`cli`]: the command line: `serve` and the offline commands.
pub mod cli;
pub mod config;
pub mod export;
pub mod gpu;
pub mod mesh;
pub mod sdf;
pub mod server;
pub mod shader;
pub mod store;
pub mod telemetry;
