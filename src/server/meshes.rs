//! The service's meshes: content-addressed `mesh_id`s, the in-memory mesh cache,
//! the recipe book that lets any id be re-meshed, and one meshing job per id.
//!
//! A `mesh_id` is `mesh_` + 128 bits of BLAKE3 over the compiled id, the
//! settings (method, resolution, the bounds' f32 bits or "auto", normals) and
//! this binary's version: the same request gets the same id on every replica,
//! and a persistent export directory never serves a file an older mesher made.
//!
//! Invariants: meshing goes through [`Engine::run_cpu`] (a CPU permit, a blocking
//! thread), on a detached task, so a client that disconnects does not waste the
//! work: the mesh lands in the cache for the next asker. Concurrent requests for
//! one id share one job ([`Meshes::obtain`]); its progress is a `watch` channel
//! (the latest value only, so a slow reader never queues events). The cache is
//! byte-bounded by its share of `MESH_CACHE_SIZE_MB` (see `super::compute`); the
//! recipe book by [`RECIPES_MAX`] entries and [`RECIPES_MAX_BYTES`] of source.
//! Nothing here imports axum: the CLI shares the ids, checks and summaries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::sync::watch;
use tracing::Instrument;

use super::compute::{Engine, JobError};
use super::lru::ByteLru;
use crate::mesh::mesher::Aabb;
use crate::mesh::{MeshError, MeshOutput, MeshSettings, Method, Progress};
use crate::sdf::compile::Compiled;
use crate::sdf::eval::SimdWidth;

/// Cells along the longest axis when a request names no resolution (capped by
/// `MAX_MESH_RESOLUTION` when that is lower).
pub const DEFAULT_RESOLUTION: u32 = 128;
/// Most recipes remembered; older ids fall back to "generate again".
pub const RECIPES_MAX: usize = 4096;
/// Most bytes of tree source the recipe book holds (a `.vm` file can be large).
pub const RECIPES_MAX_BYTES: u64 = 32 * 1024 * 1024;
/// Progress is published about this many times per job at most, so thousands of
/// chunk passes on many threads do not all take the channel's lock.
const PROGRESS_STEPS: usize = 200;

/// What a mesh is made from and how: exactly what its id hashes.
#[derive(Clone, Debug, PartialEq)]
pub struct MeshRequest {
    /// The compiled tree.
    pub compiled_id: String,
    /// Vertex placement.
    pub method: Method,
    /// Cells along the longest axis of the domain.
    pub resolution: u32,
    /// The domain, or `None` for the tree's interval bounds padded by a cell.
    pub bounds: Option<Aabb>,
    /// Whether vertex normals are computed.
    pub normals: bool,
}

impl MeshRequest {
    /// The content address of the mesh this request makes.
    pub fn mesh_id(&self) -> String {
        let mut h = blake3::Hasher::new();
        h.update(b"ai-modeler mesh\0");
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(b"\0");
        h.update(self.compiled_id.as_bytes());
        h.update(b"\0");
        h.update(self.method.name().as_bytes());
        h.update(b"\0");
        h.update(&self.resolution.to_le_bytes());
        match self.bounds {
            None => {
                h.update(b"auto");
            }
            Some((lo, hi)) => {
                h.update(b"box");
                for v in lo.iter().chain(&hi) {
                    h.update(&v.to_bits().to_le_bytes());
                }
            }
        }
        h.update(&[u8::from(self.normals)]);
        format!("mesh_{}", &h.finalize().to_hex()[..32])
    }

    /// The mesher's settings for this request.
    pub fn settings(&self, simd: SimdWidth) -> MeshSettings {
        MeshSettings {
            method: self.method,
            resolution: self.resolution,
            bounds: self.bounds,
            normals: self.normals,
            simd,
        }
    }
}

/// Whether `id` has the shape of a mesh id (`mesh_` + 32 lower-case hex). Ids
/// name files in the export directory, so nothing else may get that far.
pub fn is_mesh_id(id: &str) -> bool {
    id.strip_prefix("mesh_").is_some_and(|hex| {
        hex.len() == 32
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Checks a caller's meshing box: finite, `min < max` on every axis, and a
/// finite size (so the grid's cell size is a number). The error says which.
pub fn check_bounds(b: Aabb) -> Result<Aabb, String> {
    let (lo, hi) = b;
    for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
        if !(lo[k].is_finite() && hi[k].is_finite()) {
            return Err(format!(
                "{axis} is not finite (numbers must fit a 32-bit float)"
            ));
        }
        if lo[k] >= hi[k] {
            return Err(format!(
                "min {axis} ({}) is not below max {axis} ({})",
                lo[k], hi[k]
            ));
        }
        if !(hi[k] - lo[k]).is_finite() {
            return Err(format!(
                "the box is too large along {axis} to divide into cells"
            ));
        }
    }
    Ok(b)
}

/// A mesh made, with what made it.
#[derive(Debug)]
pub struct MeshEntry {
    /// Its content address.
    pub id: String,
    /// What it was made from.
    pub request: MeshRequest,
    /// The mesh and the mesher's statistics.
    pub output: MeshOutput,
    /// Wall time of the meshing, in milliseconds.
    pub mesh_time_ms: f64,
}

impl MeshEntry {
    /// Bytes charged to the cache.
    fn byte_size(&self) -> u64 {
        (self.output.mesh.byte_size() + std::mem::size_of::<Self>() + 64) as u64
    }
}

/// A box as `{"min":[x,y,z],"max":[x,y,z]}`.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct BoxJson {
    /// Lowest corner.
    pub min: [f32; 3],
    /// Highest corner.
    pub max: [f32; 3],
}

impl From<Aabb> for BoxJson {
    fn from((min, max): Aabb) -> Self {
        Self { min, max }
    }
}

/// What `POST /v1/mesh/generate` (and `ai-modeler mesh`) report about a mesh.
#[derive(Clone, Debug, Serialize)]
pub struct MeshSummary {
    /// Content address; `GET /v1/mesh/{mesh_id}` downloads it.
    pub mesh_id: String,
    /// The compiled tree it was made from.
    pub compiled_id: String,
    /// Vertex placement.
    pub method: Method,
    /// Cells along the longest axis.
    pub resolution: u32,
    /// Whether vertex normals were computed.
    pub normals: bool,
    /// Vertices.
    pub vertex_count: usize,
    /// Triangles.
    pub triangle_count: usize,
    /// No triangles: the surface does not cross the domain.
    pub empty: bool,
    /// Closed and 2-manifold by construction.
    pub watertight: bool,
    /// The mesh's bounding box; `null` when empty.
    pub bounds: Option<BoxJson>,
    /// The sampled domain.
    pub domain: BoxJson,
    /// Cell edge length.
    pub cell_size: f32,
    /// Cells along each axis.
    pub cells: [u32; 3],
    /// Chunks that held surface and were meshed.
    pub chunks_meshed: usize,
    /// All chunks of the grid.
    pub chunks_total: usize,
    /// Distance samples evaluated.
    pub samples: usize,
    /// How long this request waited for the mesh, in milliseconds (about 0 when
    /// it came from the cache).
    pub time_ms: f64,
    /// How long the meshing took when the mesh was made, in milliseconds.
    pub mesh_time_ms: f64,
    /// Whether the mesh came from the cache (or another request's job).
    pub cached: bool,
}

impl MeshSummary {
    /// The summary of `entry`, which this caller waited `waited` for.
    pub fn new(entry: &MeshEntry, cached: bool, waited: Duration) -> Self {
        let out = &entry.output;
        Self {
            mesh_id: entry.id.clone(),
            compiled_id: entry.request.compiled_id.clone(),
            method: entry.request.method,
            resolution: entry.request.resolution,
            normals: entry.request.normals,
            vertex_count: out.mesh.vertex_count(),
            triangle_count: out.mesh.triangle_count(),
            empty: out.mesh.is_empty(),
            watertight: out.watertight,
            bounds: out.mesh.bounds().map(BoxJson::from),
            domain: out.domain.into(),
            cell_size: out.cell_size,
            cells: out.cells,
            chunks_meshed: out.chunks_meshed,
            chunks_total: out.chunks_total,
            samples: out.samples,
            time_ms: round3(waited.as_secs_f64() * 1e3),
            mesh_time_ms: round3(entry.mesh_time_ms),
            cached,
        }
    }
}

/// Milliseconds to three decimals.
pub fn round3(v: f64) -> f64 {
    (v * 1e3).round() / 1e3
}

/// The text a tree can be compiled again from.
#[derive(Clone, Debug)]
pub enum TreeSource {
    /// Canonical tree JSON.
    Tree(Arc<str>),
    /// A fidget `.vm` text.
    Vm(Arc<str>),
}

impl TreeSource {
    fn len(&self) -> usize {
        match self {
            TreeSource::Tree(s) | TreeSource::Vm(s) => s.len(),
        }
    }
}

/// How to make a mesh again: its request and, when known, the tree's source
/// (for when the compiled tree has left its cache too). A `.vm` tree named only
/// by `compiled_id` has no source here: its recipe lasts as long as the
/// compiled tree stays cached.
#[derive(Clone, Debug)]
pub struct Recipe {
    /// The request.
    pub request: MeshRequest,
    /// The tree's source.
    pub source: Option<TreeSource>,
}

/// Why a meshing job gave no mesh. Cloned to every waiter of the job.
#[derive(Clone, Debug, thiserror::Error)]
pub enum MeshFailure {
    /// The mesher refused the request.
    #[error(transparent)]
    Mesh(Arc<MeshError>),
    /// The job did not run to its end.
    #[error(transparent)]
    Job(#[from] JobError),
}

/// Where a job stands, as its watchers see it.
#[derive(Clone, Debug)]
pub enum JobState {
    /// Meshing; chunk passes done out of the total (0 of 0 before it starts).
    Running(Progress),
    /// Finished; the final progress (all passes) and the result.
    Done(Progress, Result<Arc<MeshEntry>, MeshFailure>),
}

/// A request's way to its mesh.
pub enum Ticket {
    /// It was in the cache.
    Cached(Arc<MeshEntry>),
    /// A job is making it; `true` when an earlier identical request started it.
    Job(watch::Receiver<JobState>, bool),
}

impl Ticket {
    /// Waits for the mesh; `true` with it when this request started no meshing.
    pub async fn wait(self) -> Result<(Arc<MeshEntry>, bool), MeshFailure> {
        match self {
            Ticket::Cached(e) => Ok((e, true)),
            Ticket::Job(rx, joined) => wait_job(rx).await.map(|e| (e, joined)),
        }
    }
}

/// Waits until the job behind `rx` is done.
pub async fn wait_job(mut rx: watch::Receiver<JobState>) -> Result<Arc<MeshEntry>, MeshFailure> {
    loop {
        if let JobState::Done(_, result) = &*rx.borrow_and_update() {
            return result.clone();
        }
        if rx.changed().await.is_err() {
            // The sender went away without a result: the task was torn down
            // (runtime shutdown) or panicked.
            if let JobState::Done(_, result) = &*rx.borrow() {
                return result.clone();
            }
            return Err(
                JobError::Panicked("the meshing task ended without a result".into()).into(),
            );
        }
    }
}

/// The mesh cache, the recipe book and the running jobs of one server.
pub struct Meshes {
    cache: Mutex<ByteLru<Arc<MeshEntry>>>,
    recipes: Mutex<ByteLru<Recipe>>,
    jobs: Mutex<HashMap<String, watch::Receiver<JobState>>>,
}

/// Takes a lock whose data every update leaves consistent (each is one call),
/// so a panic elsewhere while it was held is no reason to fail here.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Meshes {
    /// Empty, with `max_bytes` for cached meshes.
    pub fn new(max_bytes: usize) -> Self {
        Self {
            cache: Mutex::new(ByteLru::new(max_bytes as u64, usize::MAX)),
            recipes: Mutex::new(ByteLru::new(RECIPES_MAX_BYTES, RECIPES_MAX)),
            jobs: Mutex::new(HashMap::new()),
        }
    }

    /// The cached mesh with this id, marking it used.
    pub fn cached(&self, id: &str) -> Option<Arc<MeshEntry>> {
        lock(&self.cache).get(id).cloned()
    }

    /// Remembers how to make `id` again (first recipe wins: they are equal).
    pub fn remember(&self, id: &str, recipe: impl FnOnce() -> Recipe) {
        let mut book = lock(&self.recipes);
        if book.contains(id) {
            book.get(id);
            return;
        }
        let recipe = recipe();
        let size = 256 + recipe.source.as_ref().map_or(0, TreeSource::len) as u64;
        book.insert(id.to_string(), recipe, size);
    }

    /// The recipe of `id`, if remembered.
    pub fn recipe(&self, id: &str) -> Option<Recipe> {
        lock(&self.recipes).get(id).cloned()
    }

    /// Whether a recipe for `id` is remembered.
    pub fn has_recipe(&self, id: &str) -> bool {
        lock(&self.recipes).contains(id)
    }

    /// `(meshes, bytes, byte budget, recipes)`, for `/health`.
    pub fn stats(&self) -> (usize, u64, u64, usize) {
        let cache = lock(&self.cache);
        let recipes = lock(&self.recipes).len();
        (cache.len(), cache.bytes(), cache.max_bytes(), recipes)
    }

    /// The mesh for `request` of `compiled`: from the cache, from a job already
    /// running for the same id, or from a new job. Must be called inside the
    /// tokio runtime (it spawns the job).
    pub fn obtain(
        self: &Arc<Self>,
        engine: &Arc<Engine>,
        compiled: Arc<Compiled>,
        request: MeshRequest,
        simd: SimdWidth,
    ) -> Ticket {
        let id = request.mesh_id();
        // Cache and jobs are looked at under the jobs lock, which a finishing job
        // also holds while it moves its mesh into the cache: no request can miss
        // both and start a duplicate job.
        let mut jobs = lock(&self.jobs);
        if let Some(entry) = self.cached(&id) {
            return Ticket::Cached(entry);
        }
        if let Some(rx) = jobs.get(&id)
            && rx.has_changed().is_ok()
        {
            return Ticket::Job(rx.clone(), true);
        }
        let start = Progress { done: 0, total: 0 };
        let (tx, rx) = watch::channel(JobState::Running(start));
        jobs.insert(id.clone(), rx.clone());
        drop(jobs);
        let this = self.clone();
        let engine = engine.clone();
        // In the starting request's span, so its logs carry that request id.
        tokio::spawn(
            async move {
                let tx = Arc::new(tx);
                let progress = tx.clone();
                let settings = request.settings(simd);
                let gpu_mode = engine.gpu_mode;
                let made = engine
                    .run_cpu(move || {
                        let t = Instant::now();
                        let publish = |p: Progress| {
                            let step = (p.total / PROGRESS_STEPS).max(1);
                            if p.done == p.total || p.done.is_multiple_of(step) {
                                progress.send_replace(JobState::Running(p));
                            }
                        };
                        crate::gpu::mesh(gpu_mode, &compiled, &settings, &publish)
                            .map(|out| (out, t.elapsed()))
                    })
                    .await;
                let result = match made {
                    Ok(Ok((output, took))) => Ok(Arc::new(MeshEntry {
                        id: id.clone(),
                        request,
                        output,
                        mesh_time_ms: took.as_secs_f64() * 1e3,
                    })),
                    Ok(Err(e)) => Err(MeshFailure::Mesh(Arc::new(e))),
                    Err(e) => Err(MeshFailure::Job(e)),
                };
                let last = match &*tx.borrow() {
                    JobState::Running(p) | JobState::Done(p, _) => Progress {
                        done: p.total,
                        total: p.total,
                    },
                };
                {
                    let mut jobs = lock(&this.jobs);
                    if let Ok(entry) = &result {
                        let size = entry.byte_size();
                        lock(&this.cache).insert(id.clone(), entry.clone(), size);
                    }
                    jobs.remove(&id);
                }
                tx.send_replace(JobState::Done(last, result));
            }
            .in_current_span(),
        );
        Ticket::Job(rx, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> MeshRequest {
        MeshRequest {
            compiled_id: "sdf_0123".into(),
            method: Method::MarchingCubes,
            resolution: 32,
            bounds: None,
            normals: true,
        }
    }

    #[test]
    fn mesh_ids_address_every_setting() {
        let base = request();
        let id = base.mesh_id();
        assert!(is_mesh_id(&id), "{id}");
        assert_eq!(id, request().mesh_id(), "same request, same id");
        let variants = [
            MeshRequest {
                compiled_id: "sdf_0124".into(),
                ..request()
            },
            MeshRequest {
                method: Method::SurfaceNets,
                ..request()
            },
            MeshRequest {
                resolution: 33,
                ..request()
            },
            MeshRequest {
                bounds: Some(([-1.0; 3], [1.0; 3])),
                ..request()
            },
            MeshRequest {
                bounds: Some(([-1.0; 3], [1.0, 1.0, 1.000_000_1])),
                ..request()
            },
            MeshRequest {
                normals: false,
                ..request()
            },
        ];
        let mut ids: Vec<String> = variants.iter().map(MeshRequest::mesh_id).collect();
        ids.push(id);
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "every setting changes the id");
    }

    #[test]
    fn only_well_formed_ids_pass() {
        assert!(!is_mesh_id("mesh_../../etc/passwd"));
        assert!(!is_mesh_id("mesh_0123456789ABCDEF0123456789abcdef"));
        assert!(!is_mesh_id("sdf_0123456789abcdef0123456789abcdef"));
        assert!(is_mesh_id("mesh_0123456789abcdef0123456789abcdef"));
    }

    #[test]
    fn bounds_must_be_a_finite_box() {
        assert!(check_bounds(([-1.0; 3], [1.0; 3])).is_ok());
        assert!(check_bounds(([1.0; 3], [1.0; 3])).is_err());
        assert!(check_bounds(([0.0, f32::NAN, 0.0], [1.0; 3])).is_err());
        assert!(
            check_bounds(([-3e38; 3], [3e38; 3])).is_err(),
            "size overflows"
        );
    }
}
