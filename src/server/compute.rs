//! The service's handle on the engine: limits from the config, the compiled-tree
//! cache, the CPU-job semaphore, and cross-section rendering.
//!
//! Memory: `MESH_CACHE_SIZE_MB` is the budget of both in-memory caches together,
//! split once at start ([`cache_budgets`]): a quarter for compiled trees (a
//! 1000-node tree's tape is well under a MiB), three quarters for meshes
//! (`super::meshes`). The halves do not borrow from each other, so neither can
//! starve the other and the sum never exceeds the setting.
//!
//! Invariants: nothing here imports axum, so the CLI's offline commands share it.
//! CPU-heavy work goes through [`Engine::run_cpu`]: one permit per job (at most
//! `MAX_CPU_JOBS` at once), on a blocking thread, so the async workers keep
//! answering `/health` while a big eval or slice runs.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::sync::Semaphore;

use crate::config::Config;
use crate::gpu::GpuMode;
use crate::sdf::compile::{self, CompileError, Compiled, CompiledCache};
use crate::sdf::eval::SimdWidth;
use crate::sdf::slice::SliceSettings;
use crate::sdf::validate::Limits;
use crate::server::lru::ByteLru;
use crate::shader::Shader;

/// Evaluations of at most this many points run inline on the async worker: they
/// take microseconds, and a thread hop would cost more than the work.
pub const INLINE_POINTS: usize = 4096;

/// Shared engine state of one server.
pub struct Engine {
    /// Tree limits, from the config.
    pub limits: Limits,
    /// Compiled trees by id.
    pub cache: CompiledCache,
    /// When evaluation and meshing may use the GPU (`GPU_MODE`).
    pub gpu_mode: GpuMode,
    /// Generated shaders by (compiled id, target, kind, mode): an editor asks
    /// for the same shader on every reload, and dynamic mode re-lowers the tree.
    pub shaders: Mutex<ByteLru<Arc<Shader>>>,
    jobs: Arc<Semaphore>,
}

/// Bytes of generated source the shader cache keeps.
const SHADER_CACHE_BYTES: u64 = 64 << 20;
/// Shaders the cache keeps.
const SHADER_CACHE_ENTRIES: usize = 1024;

/// Why CPU work did not produce a result.
#[derive(Clone, Debug, thiserror::Error)]
pub enum JobError {
    /// The semaphore was closed (shutdown).
    #[error("the CPU job queue is closed")]
    Closed,
    /// The job panicked; a bug.
    #[error("CPU job failed: {0}")]
    Panicked(String),
}

impl Engine {
    /// An engine configured by `config`.
    pub fn new(config: &Config) -> Self {
        Self {
            limits: limits(config),
            cache: CompiledCache::new(cache_budgets(config).0),
            gpu_mode: config.gpu_mode,
            shaders: Mutex::new(ByteLru::new(SHADER_CACHE_BYTES, SHADER_CACHE_ENTRIES)),
            jobs: Arc::new(Semaphore::new(config.cpu_jobs())),
        }
    }

    /// Compiles a document and caches the result. A tree whose id is cached is
    /// validated and hashed but not lowered again.
    pub fn compile(&self, doc: &Value) -> Result<Arc<Compiled>, CompileError> {
        let prepared = compile::prepare(doc, &self.limits)?;
        if let Some(existing) = self.cache.get(&prepared.id) {
            return Ok(existing);
        }
        Ok(self.keep(prepared.finish(&self.limits)?))
    }

    /// Compiles a fidget `.vm` text and caches the result.
    pub fn compile_vm(&self, text: &str) -> Result<Arc<Compiled>, CompileError> {
        Ok(self.keep(compile::compile_vm(text, &self.limits)?))
    }

    fn keep(&self, compiled: Compiled) -> Arc<Compiled> {
        if let Some(existing) = self.cache.get(&compiled.id) {
            return existing;
        }
        let compiled = Arc::new(compiled);
        self.cache.insert(compiled.clone());
        compiled
    }

    /// Runs `work` on a blocking thread once a CPU permit is free.
    pub async fn run_cpu<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, JobError> {
        let permit = self
            .jobs
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| JobError::Closed)?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| JobError::Panicked(e.to_string()))
    }
}

/// The byte budgets `(compiled trees, meshes)` that together make `MESH_CACHE_SIZE_MB`.
pub fn cache_budgets(config: &Config) -> (usize, usize) {
    let total = config.mesh_cache_size_mb.saturating_mul(1024 * 1024);
    let compiled = total / 4;
    (compiled, total - compiled)
}

/// The engine limits a config asks for.
pub fn limits(config: &Config) -> Limits {
    Limits {
        max_nodes: config.max_tree_nodes,
        max_depth: config.max_tree_depth,
        max_ops: config.max_tree_ops,
        ..Limits::default()
    }
}

/// The square region `[xmin, ymin, xmax, ymax]` a slice shows when none is given.
pub const DEFAULT_REGION: [f32; 4] = [-1.0, -1.0, 1.0, 1.0];

/// Why a slice could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum SliceError {
    /// The region is empty or not finite.
    #[error(
        "region must be [xmin, ymin, xmax, ymax] with finite numbers, xmin < xmax and ymin < ymax"
    )]
    BadRegion,
    /// PNG encoding failed (out of memory, in practice).
    #[error(transparent)]
    Png(#[from] crate::sdf::slice::SliceError),
}

/// Renders the cross-section at height `z` over `region` (`[xmin, ymin, xmax,
/// ymax]`) as a `size`×`size` grayscale PNG: black inside, white outside, row 0
/// at the top (`ymax`).
pub fn render_slice(
    compiled: &Compiled,
    z: f32,
    size: u32,
    region: [f32; 4],
    simd: SimdWidth,
) -> Result<Vec<u8>, SliceError> {
    let [x0, y0, x1, y1] = region;
    if !(region.iter().all(|v| v.is_finite()) && x0 < x1 && y0 < y1 && z.is_finite()) {
        return Err(SliceError::BadRegion);
    }
    let settings = SliceSettings {
        size: size as usize,
        z,
        region: [x0, x1, y0, y1],
        simd,
    };
    Ok(compiled.slice_png(&settings)?)
}
