//! GPU evaluation: compiled trees evaluated by a wgpu compute shader (feature
//! `gpu`), with the CPU as the fallback for everything.
//!
//! Owns: the [`GpuMode`] policy (`GPU_MODE=auto|off|require`), the process-wide
//! device ([`shared`], created once, on first use), the `compute_eval` kernels
//! ([`kernel`]), the jobs a device runs ([`device::Gpu::eval_points`],
//! [`device::Gpu::eval_grid`]), and the chooser callers use
//! ([`eval_points`], and [`mesh`] for the mesher's sampling), which decide
//! between GPU and CPU and finish the job on the CPU, with a warning in the
//! log, whenever the GPU fails.
//!
//! Why the device is process-wide rather than in the server's state: an adapter
//! and device take tens to hundreds of milliseconds to open and hold driver
//! resources, the hardware is one per machine, and every server or CLI command
//! in a process wants the same one. The policy, which is configuration, is
//! passed by each caller.
//!
//! When the GPU is used ([`GpuMode::wants_gpu`]): never with `off` (no adapter is
//! even requested); with `auto` only for bulk evaluations of at least
//! [`MIN_GPU_POINTS`] values and only on a hardware adapter (a software
//! rasteriser such as Mesa's llvmpipe is correct but slower than the engine's
//! own SIMD evaluator on the same cores; meshes sample on the CPU, see
//! [`mesh_sampler`]); with `require` always, and a process started with `require`
//! refuses to start without an adapter ([`open`]).
//!
//! Without the `gpu` feature the policy, the kernels and the chooser still
//! exist, so callers need no `cfg`: every job runs on the CPU, `/health` says
//! `"adapter": "none"`, and `GPU_MODE=require` fails at start-up.
//!
//! Guarantee: the chooser's result equals the CPU evaluator's within float
//! rounding and the GPU's transcendental precision, whichever ran.
#![warn(missing_docs)]

#[cfg(feature = "gpu")]
pub mod device;
pub mod kernel;
#[cfg(feature = "gpu")]
pub mod render;

use std::fmt;
use std::str::FromStr;
#[cfg(feature = "gpu")]
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[cfg(feature = "gpu")]
pub use device::Gpu;
pub use kernel::Kernel;

use crate::mesh::{MeshError, MeshOutput, MeshSettings, Progress};
use crate::sdf::compile::Compiled;
use crate::sdf::eval::SimdWidth;

/// Jobs smaller than this many values stay on the CPU under `auto`. The CPU
/// evaluates the ALICE demo tree at 100–250 M points/s on two cores, so 256 Ki
/// points take it 1–2 ms (`cargo bench --bench gpu`). A GPU job pays a fixed
/// cost (dispatch, wait, readback: 0.1 ms measured through wgpu on llvmpipe)
/// plus the transfers, which over PCIe are an estimated 0.5–1 ms per Mi points;
/// below 256 Ki points those costs are the whole of the CPU's time, so the GPU
/// cannot win however fast it computes. Re-measure on real hardware.
pub const MIN_GPU_POINTS: usize = 1 << 18;

/// When to use the GPU (`GPU_MODE`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum GpuMode {
    /// Use a hardware adapter for large jobs; the CPU otherwise.
    #[default]
    Auto,
    /// Never; no adapter is requested.
    Off,
    /// Always use the adapter (software ones too); fail at start-up without one.
    Require,
}

impl GpuMode {
    /// Every mode, in documentation order.
    pub const ALL: [GpuMode; 3] = [GpuMode::Auto, GpuMode::Off, GpuMode::Require];

    /// The name used in the configuration.
    pub fn name(self) -> &'static str {
        match self {
            GpuMode::Auto => "auto",
            GpuMode::Off => "off",
            GpuMode::Require => "require",
        }
    }

    /// Whether a job of `values` results should run on `gpu`.
    #[cfg(feature = "gpu")]
    pub fn wants_gpu(self, gpu: &Gpu, values: usize) -> bool {
        match self {
            GpuMode::Off => false,
            GpuMode::Require => values > 0,
            GpuMode::Auto => values >= MIN_GPU_POINTS && !gpu.is_software(),
        }
    }
}

impl fmt::Display for GpuMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A `GPU_MODE` value that is not `auto`, `off` or `require`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not one of auto, off, require")]
pub struct GpuModeError(pub String);

impl FromStr for GpuMode {
    type Err = GpuModeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        GpuMode::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| GpuModeError(t.to_string()))
    }
}

impl Serialize for GpuMode {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for GpuMode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// Why the GPU did not produce a result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GpuError {
    /// No adapter or device could be opened.
    #[error("no GPU adapter: {0}")]
    NoAdapter(String),
    /// The kernel did not compile into pipelines.
    #[error("GPU shader rejected: {0}")]
    Shader(String),
    /// A dispatch failed validation (a bug, or a kernel with the wrong interface).
    #[error("GPU dispatch failed: {0}")]
    Dispatch(String),
    /// The device ran out of memory.
    #[error("GPU out of memory: {0}")]
    OutOfMemory(String),
    /// The device was lost (driver reset, hang, internal error).
    #[error("GPU device lost: {0}")]
    DeviceLost(String),
    /// Reading the results back failed.
    #[error("GPU result readback failed: {0}")]
    Map(String),
    /// The job does not fit the device's limits.
    #[error("job too large for the GPU: {0}")]
    TooLarge(String),
}

/// The process-wide device (or why there is none), filled once by [`shared`].
#[cfg(feature = "gpu")]
static GPU: OnceLock<Result<Arc<Gpu>, GpuError>> = OnceLock::new();

/// The process-wide device, opened on first call (which blocks for as long as
/// the driver takes: call it from a blocking thread). Later calls return the
/// same device, or the same error.
#[cfg(feature = "gpu")]
pub fn shared() -> Result<Arc<Gpu>, GpuError> {
    GPU.get_or_init(|| {
        Gpu::new().map(Arc::new).inspect_err(|e| {
            tracing::info!(error = %e, "no GPU adapter; evaluation runs on the CPU");
        })
    })
    .clone()
}

/// The process-wide hardware device for `auto`, filled once by [`shared_hardware`].
#[cfg(feature = "gpu")]
static HARDWARE_GPU: OnceLock<Result<Arc<Gpu>, GpuError>> = OnceLock::new();

/// The process-wide hardware device (see [`device::Search::Hardware`]): the
/// [`shared`] one when that is open and is hardware, else one opened once,
/// looking at the hardware backends only. Blocks like [`shared`].
#[cfg(feature = "gpu")]
pub fn shared_hardware() -> Result<Arc<Gpu>, GpuError> {
    if let Some(Ok(g)) = GPU.get()
        && !g.is_software()
    {
        return Ok(g.clone());
    }
    HARDWARE_GPU
        .get_or_init(|| {
            Gpu::open(device::Search::Hardware)
                .map(Arc::new)
                .inspect_err(|e| {
                    tracing::info!(error = %e, "no hardware GPU; evaluation runs on the CPU");
                })
        })
        .clone()
}

/// The device `mode` uses if it is open already; never blocks, never opens it.
#[cfg(feature = "gpu")]
pub fn opened(mode: GpuMode) -> Option<Arc<Gpu>> {
    let open = |lock: &OnceLock<Result<Arc<Gpu>, GpuError>>| lock.get()?.as_ref().ok().cloned();
    match mode {
        GpuMode::Off => None,
        GpuMode::Auto => open(&GPU)
            .filter(|g| !g.is_software())
            .or_else(|| open(&HARDWARE_GPU)),
        GpuMode::Require => open(&GPU),
    }
}

/// The device `mode` may use: none with `off` (nothing is requested), a
/// hardware one with `auto`, any with `require`. May block to open it.
#[cfg(feature = "gpu")]
pub fn for_mode(mode: GpuMode) -> Option<Arc<Gpu>> {
    match mode {
        GpuMode::Off => None,
        GpuMode::Auto => shared_hardware().ok(),
        GpuMode::Require => shared().ok(),
    }
}

/// Opens the device for `mode` at start-up, so the first job does not pay for
/// it: nothing with `off`; with `auto` the adapter if there is one; with
/// `require` the adapter or the error that stops the process. Blocking.
/// Returns the adapter's description when one is open.
pub fn open(mode: GpuMode) -> Result<Option<GpuInfo>, GpuError> {
    #[cfg(feature = "gpu")]
    {
        let gpu = match mode {
            GpuMode::Off => None,
            GpuMode::Auto => shared_hardware().ok(),
            GpuMode::Require => Some(shared()?),
        };
        Ok(gpu.map(|g| g.info().clone()))
    }
    #[cfg(not(feature = "gpu"))]
    match mode {
        GpuMode::Require => Err(GpuError::NoAdapter(
            "this binary was built without the `gpu` feature".into(),
        )),
        GpuMode::Auto | GpuMode::Off => Ok(None),
    }
}

/// What `/health` says about the GPU: `{"mode": …, "adapter": {name, backend,
/// device_type} | "none"}`. Never blocks: `none` until the device is open.
pub fn health(mode: GpuMode) -> serde_json::Value {
    #[cfg(feature = "gpu")]
    let adapter = opened(mode).and_then(|g| serde_json::to_value(g.info()).ok());
    #[cfg(not(feature = "gpu"))]
    let adapter = None;
    health_json(mode, adapter)
}

fn health_json(mode: GpuMode, adapter: Option<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "mode": mode.name(),
        "adapter": adapter.unwrap_or_else(|| serde_json::Value::from("none")),
    })
}

/// What `/health` shows of the adapter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GpuInfo {
    /// The adapter's name, e.g. "NVIDIA H100" or "llvmpipe (LLVM 15.0.6, 256 bits)".
    pub name: String,
    /// The wgpu backend: vulkan, gl, metal, dx12.
    pub backend: String,
    /// discrete_gpu, integrated_gpu, virtual_gpu, cpu or other.
    pub device_type: String,
}

/// Where a chooser job ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Ran {
    /// On the GPU.
    Gpu,
    /// On the CPU, by choice.
    Cpu,
    /// On the CPU after the GPU failed (the log says why).
    Fallback,
}

/// Distances at `points`: on the GPU when `mode` wants it for a job this size
/// and an adapter exists, else (or when the GPU fails) on the CPU with `simd`.
pub fn eval_points(
    mode: GpuMode,
    compiled: &Compiled,
    points: &[[f32; 3]],
    simd: SimdWidth,
) -> (Vec<f32>, Ran) {
    eval_points_with(mode, compiled, None, points, simd)
}

/// [`eval_points`] with an explicit kernel (`None`: the transpiler's kernel of
/// `compiled`). The CPU fallback always evaluates `compiled`.
pub fn eval_points_with(
    mode: GpuMode,
    compiled: &Compiled,
    kernel: Option<&Kernel>,
    points: &[[f32; 3]],
    simd: SimdWidth,
) -> (Vec<f32>, Ran) {
    // Size first, so a small job never opens the device.
    let big_enough = match mode {
        GpuMode::Off => false,
        GpuMode::Auto => points.len() >= MIN_GPU_POINTS,
        GpuMode::Require => !points.is_empty(),
    };
    #[cfg(feature = "gpu")]
    if big_enough && let Some(gpu) = for_mode(mode).filter(|g| mode.wants_gpu(g, points.len())) {
        let owned;
        let kernel = match kernel {
            Some(k) => k,
            None => {
                owned = Kernel::for_compiled(compiled);
                &owned
            }
        };
        return match gpu.eval_points(kernel, points) {
            Ok(d) => (d, Ran::Gpu),
            Err(e) => {
                tracing::warn!(error = %e, points = points.len(), compiled_id = %compiled.id,
                    "GPU evaluation failed; finishing on the CPU");
                (compiled.eval_points(points, simd), Ran::Fallback)
            }
        };
    }
    #[cfg(not(feature = "gpu"))]
    let _ = (big_enough, kernel);
    (compiled.eval_points(points, simd), Ran::Cpu)
}

/// The mesher's sample evaluator on the GPU: the transpiler's kernel of one compiled
/// tree on the shared device. A failure logs why and makes the mesher finish
/// on the CPU.
#[cfg(feature = "gpu")]
pub struct MeshSampler {
    gpu: Arc<Gpu>,
    kernel: Kernel,
    compiled_id: String,
}

#[cfg(feature = "gpu")]
impl crate::mesh::BulkSampler for MeshSampler {
    fn eval_points(&self, points: &[[f32; 3]]) -> Option<Vec<f32>> {
        match self.gpu.eval_points(&self.kernel, points) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::warn!(error = %e, points = points.len(), compiled_id = %self.compiled_id,
                    "GPU mesh sampling failed; the mesh finishes on the CPU");
                None
            }
        }
    }
}

/// The GPU sampler for meshing `compiled`, when `mode` is `require` and an
/// adapter exists. Pass it to [`crate::mesh::mesh_with`]. May block to open
/// the device.
///
/// `auto` meshes on the CPU whatever the adapter: on an H200 beside 16 cores
/// the GPU sampler took 111–118 ms (medians) for the demo tree at 256³ and
/// 2.0–2.1 s at 1024³, the CPU mesher 13 ms and 0.15 s. The CPU evaluates only the samples
/// of 8³ blocks that may hold surface (5.5 M at 256³), the sampler every corner
/// of every surviving chunk (9.2 M), which also cross the bus both ways.
#[cfg(feature = "gpu")]
pub fn mesh_sampler(mode: GpuMode, compiled: &Compiled) -> Option<MeshSampler> {
    if mode != GpuMode::Require {
        return None;
    }
    let gpu = for_mode(mode)?;
    Some(MeshSampler {
        gpu,
        kernel: Kernel::for_compiled(compiled),
        compiled_id: compiled.id.clone(),
    })
}

/// Meshes `compiled` (see [`crate::mesh::mesh`]), sampling on the GPU when
/// [`mesh_sampler`] gives a sampler for `mode`, on the CPU otherwise or from
/// the first GPU failure on.
pub fn mesh(
    mode: GpuMode,
    compiled: &Compiled,
    settings: &MeshSettings,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<MeshOutput, MeshError> {
    #[cfg(feature = "gpu")]
    let sampler = mesh_sampler(mode, compiled);
    #[cfg(feature = "gpu")]
    let sampler = sampler.as_ref().map(|s| s as &dyn crate::mesh::BulkSampler);
    #[cfg(not(feature = "gpu"))]
    let sampler = {
        let _ = mode;
        None
    };
    crate::mesh::mesh_with(&compiled.tape, compiled.bounds, settings, progress, sampler)
}
