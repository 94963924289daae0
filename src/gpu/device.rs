//! The [`Gpu`] handle: one wgpu device and queue, the compiled-pipeline cache,
//! and the two jobs a [`Kernel`] runs ([`Gpu::eval_points`], [`Gpu::eval_grid`]).
//!
//! Jobs are cut into dispatches that fit the device's limits (buffer binding
//! size, workgroups per dimension) and at most [`MAX_CHUNK_VALUES`] results each,
//! so a 512³ grid streams through two small sets of buffers instead of one
//! 512 MiB buffer. Two chunks are in flight at once: while the GPU computes one,
//! the CPU uploads the next or copies the previous one's results out.
//!
//! Invariants: nothing here panics on a bad kernel or a failing device. Every
//! wgpu call that can fail runs inside error scopes (validation, out of memory,
//! internal) whose errors come back as [`GpuError`]; errors outside any scope
//! and device loss reach the handlers installed by [`Gpu::new`], which log and
//! mark the device lost, so later jobs fail fast (and their callers fall back
//! to the CPU).
#![warn(missing_docs)]

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::kernel::Kernel;
use super::{GpuError, GpuInfo};

/// Most results one dispatch produces (16 Mi floats: 64 MiB out, 192 MiB in for
/// points): big enough that per-dispatch overhead vanishes, small enough that two
/// chunks in flight stay far below any device's memory.
pub const MAX_CHUNK_VALUES: usize = 1 << 24;
/// Compiled kernels kept (each holds two pipelines).
pub const PIPELINE_CACHE: usize = 64;
/// How long one chunk may run before the job is abandoned (a hung driver).
const CHUNK_TIMEOUT: Duration = Duration::from_secs(120);
/// Bytes of the job uniform: origin, step (vec4<f32>) and dims (vec4<u32>).
const JOB_BYTES: u64 = 48;

/// One wgpu device, ready to run kernels. `Send + Sync`; jobs from several
/// threads share it (wgpu serialises submissions internally).
pub struct Gpu {
    device: wgpu::Device,
    queue: wgpu::Queue,
    info: GpuInfo,
    device_type: wgpu::DeviceType,
    limits: wgpu::Limits,
    layouts: Layouts,
    pipelines: Mutex<lru::LruCache<[u8; 32], Arc<Pipelines>>>,
    lost: Arc<AtomicBool>,
}

impl std::fmt::Debug for Gpu {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpu").field("info", &self.info).finish()
    }
}

/// A kernel's two compute pipelines.
struct Pipelines {
    points: wgpu::ComputePipeline,
    grid: wgpu::ComputePipeline,
}

/// The bind group layouts of the interface, made once per device. Explicit
/// rather than derived from each kernel, because a derived layout leaves out
/// the bindings a kernel never reads (a tree without parameters, `eval_grid`'s
/// points), and the bind groups would have to follow each kernel's shape.
struct Layouts {
    points: wgpu::BindGroupLayout,
    points_pipeline: wgpu::PipelineLayout,
    grid: wgpu::BindGroupLayout,
    grid_pipeline: wgpu::PipelineLayout,
}

impl Layouts {
    fn new(device: &wgpu::Device) -> Layouts {
        let entry = |binding: u32, ty: wgpu::BindingType| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty,
            count: None,
        };
        let uniform = wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Uniform,
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        let storage = |read_only| wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        };
        let layout = |label, entries: &[wgpu::BindGroupLayoutEntry]| {
            let group = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
                label: Some(label),
                entries,
            });
            let pipeline = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(&group)],
                immediate_size: 0,
            });
            (group, pipeline)
        };
        let (points, points_pipeline) = layout(
            "eval_points",
            &[
                entry(0, uniform),
                entry(1, uniform),
                entry(2, storage(true)),
                entry(3, storage(false)),
            ],
        );
        let (grid, grid_pipeline) = layout(
            "eval_grid",
            &[
                entry(0, uniform),
                entry(1, uniform),
                entry(3, storage(false)),
            ],
        );
        Layouts {
            points,
            points_pipeline,
            grid,
            grid_pipeline,
        }
    }
}

/// Which entry point a chunk runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    Points,
    Grid,
}

/// One dispatch: its job uniform, its input points (eval_points), and where its
/// results go in the output.
struct Chunk<'a> {
    job: [u8; JOB_BYTES as usize],
    points: &'a [[f32; 3]],
    /// Workgroups to dispatch.
    groups: [u32; 3],
    /// First result index and count.
    start: usize,
    len: usize,
}

/// The buffers of one chunk in flight.
struct Slot {
    job: wgpu::Buffer,
    points: Option<wgpu::Buffer>,
    distances: wgpu::Buffer,
    readback: wgpu::Buffer,
}

/// A chunk submitted and being mapped for reading.
struct InFlight {
    slot: usize,
    start: usize,
    len: usize,
    submission: wgpu::SubmissionIndex,
    mapped: mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>,
}

/// Which adapters [`Gpu::open`] looks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Search {
    /// Any adapter, software rasterisers included (`GPU_MODE=require`, tests).
    Any,
    /// Hardware only, on the backends where hardware lives (`GPU_MODE=auto`,
    /// which never runs work on a software adapter).
    Hardware,
}

impl Gpu {
    /// Requests an adapter (a hardware one first, then a fallback, i.e. software,
    /// one) and a device with the adapter's full limits. `WGPU_BACKEND` (e.g.
    /// `vulkan`, `gl`) restricts the backends tried; `WGPU_ADAPTER_NAME` picks an
    /// adapter by name. Blocks: call it from a blocking thread.
    pub fn new() -> Result<Gpu, GpuError> {
        Self::open(Search::Any)
    }

    /// Requests an adapter as `search` says, and a device with its full limits.
    /// Blocking, like [`Gpu::new`].
    pub fn open(search: Search) -> Result<Gpu, GpuError> {
        let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
        if search == Search::Hardware && std::env::var_os("WGPU_BACKEND").is_none() {
            // The GL backend finds hardware only where Vulkan does not exist,
            // and initialising it (EGL, Mesa's drivers) costs ~0.1 s and 70 MB
            // on a machine whose only GL adapter is llvmpipe: measured on the
            // CLI's whole run. `WGPU_BACKEND=gl` still opts in.
            descriptor.backends = wgpu::Backends::PRIMARY;
        }
        let instance = wgpu::Instance::new(descriptor);
        let mut last = None;
        let mut found = None;
        let passes: &[bool] = match search {
            Search::Any => &[false, true],
            Search::Hardware => &[false],
        };
        for &fallback in passes {
            let options = wgpu::RequestAdapterOptions {
                power_preference: wgpu::PowerPreference::from_env()
                    .unwrap_or(wgpu::PowerPreference::HighPerformance),
                force_fallback_adapter: fallback,
                compatible_surface: None,
                // Limit bucketing hides exact limits from untrusted web content;
                // this is trusted code that wants the device's real limits.
                apply_limit_buckets: false,
            };
            match pollster::block_on(instance.request_adapter(&options)) {
                Ok(a) => {
                    found = Some(a);
                    break;
                }
                Err(e) => last = Some(e.to_string()),
            }
        }
        let adapter = found.ok_or_else(|| {
            GpuError::NoAdapter(last.unwrap_or_else(|| "no backend available".into()))
        })?;
        let adapter_info = adapter.get_info();
        if search == Search::Hardware && adapter_info.device_type == wgpu::DeviceType::Cpu {
            return Err(GpuError::NoAdapter(format!(
                "only a software adapter ({}), which the CPU evaluator outruns",
                adapter_info.name
            )));
        }
        let limits = adapter.limits();
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("ai-modeler compute"),
            required_features: wgpu::Features::empty(),
            required_limits: limits.clone(),
            ..Default::default()
        }))
        .map_err(|e| GpuError::NoAdapter(format!("{}: {e}", adapter_info.name)))?;
        let info = GpuInfo {
            name: adapter_info.name.clone(),
            backend: adapter_info.backend.to_str().to_string(),
            device_type: device_type_name(adapter_info.device_type).to_string(),
        };
        let lost = Arc::new(AtomicBool::new(false));
        {
            let lost = lost.clone();
            let name = info.name.clone();
            device.set_device_lost_callback(move |reason, message| {
                lost.store(true, Ordering::Relaxed);
                tracing::error!(adapter = %name, ?reason, %message, "GPU device lost; GPU jobs now run on the CPU");
            });
        }
        {
            let lost = lost.clone();
            let name = info.name.clone();
            device.on_uncaptured_error(Arc::new(move |e: wgpu::Error| {
                if matches!(
                    e,
                    wgpu::Error::OutOfMemory { .. } | wgpu::Error::Internal { .. }
                ) {
                    lost.store(true, Ordering::Relaxed);
                }
                tracing::error!(adapter = %name, error = %e, "uncaptured GPU error");
            }));
        }
        tracing::info!(adapter = %info.name, backend = %info.backend, device_type = %info.device_type, "GPU adapter ready");
        let layouts = Layouts::new(&device);
        Ok(Gpu {
            layouts,
            device,
            queue,
            info,
            device_type: adapter_info.device_type,
            limits,
            pipelines: Mutex::new(lru::LruCache::new(
                NonZeroUsize::new(PIPELINE_CACHE).unwrap_or(NonZeroUsize::MIN),
            )),
            lost,
        })
    }

    /// The wgpu device (for the renderer).
    pub(super) fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The wgpu queue (for the renderer).
    pub(super) fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    /// Name, backend and device type of the adapter.
    pub fn info(&self) -> &GpuInfo {
        &self.info
    }

    /// Whether the adapter is a CPU rasteriser (llvmpipe, lavapipe, SwiftShader,
    /// WARP): correct, but never faster than the engine's own SIMD evaluator.
    pub fn is_software(&self) -> bool {
        self.device_type == wgpu::DeviceType::Cpu
    }

    /// Whether the device has been lost (every job now fails at once).
    pub fn is_lost(&self) -> bool {
        self.lost.load(Ordering::Relaxed)
    }

    /// Distances at `points` (same order), computed by `kernel`'s `eval_points`.
    pub fn eval_points(&self, kernel: &Kernel, points: &[[f32; 3]]) -> Result<Vec<f32>, GpuError> {
        self.eval_points_in_chunks(kernel, points, MAX_CHUNK_VALUES)
    }

    /// [`Gpu::eval_points`] with at most `max_chunk` points per dispatch (and
    /// fewer if the device's limits say so); tests use it to exercise splitting.
    pub fn eval_points_in_chunks(
        &self,
        kernel: &Kernel,
        points: &[[f32; 3]],
        max_chunk: usize,
    ) -> Result<Vec<f32>, GpuError> {
        let mut out = vec![0.0f32; points.len()];
        if points.is_empty() {
            return Ok(out);
        }
        let pipelines = self.pipelines(kernel)?;
        // Per dispatch: the points buffer binding (12 bytes a point) and the
        // workgroup grid (64 points a group, up to max² groups over x and y).
        let max_dim = self.limits.max_compute_workgroups_per_dimension.max(1) as usize;
        let per_chunk = (self.max_binding() / 12)
            .min(max_chunk)
            .min(max_dim * max_dim * 64)
            .max(1);
        let chunks = points.chunks(per_chunk).enumerate().map(|(k, pts)| {
            let groups = pts.len().div_ceil(64);
            let gx = groups.min(max_dim);
            let gy = groups.div_ceil(gx);
            Chunk {
                job: job_bytes([0.0; 3], [0.0; 3], [0, 0, 0, pts.len() as u32]),
                points: pts,
                groups: [gx as u32, gy as u32, 1],
                start: k * per_chunk,
                len: pts.len(),
            }
        });
        // Buffers as big as the largest chunk, not the limit: creating (and
        // zeroing) hundreds of MiB for a small job would cost more than the job.
        let capacity = per_chunk.min(points.len());
        self.run(
            &pipelines,
            Entry::Points,
            kernel,
            chunks,
            capacity,
            &mut out,
        )?;
        Ok(out)
    }

    /// Distances on the grid `origin + (i, j, k) · step` for `i < dims[0]`,
    /// `j < dims[1]`, `k < dims[2]`, x fastest: index `i + dims[0]·(j + dims[1]·k)`.
    /// Runs as slabs of whole z-layers.
    pub fn eval_grid(
        &self,
        kernel: &Kernel,
        origin: [f32; 3],
        step: [f32; 3],
        dims: [u32; 3],
    ) -> Result<Vec<f32>, GpuError> {
        self.eval_grid_in_chunks(kernel, origin, step, dims, MAX_CHUNK_VALUES)
    }

    /// [`Gpu::eval_grid`] with at most `max_chunk` samples per dispatch (whole
    /// z-layers, at least one); tests use it to exercise splitting.
    pub fn eval_grid_in_chunks(
        &self,
        kernel: &Kernel,
        origin: [f32; 3],
        step: [f32; 3],
        dims: [u32; 3],
        max_chunk: usize,
    ) -> Result<Vec<f32>, GpuError> {
        let total = dims
            .iter()
            .try_fold(1usize, |acc, &d| acc.checked_mul(d as usize));
        let Some(total) = total else {
            return Err(GpuError::TooLarge("grid sample count overflows".into()));
        };
        let mut out = vec![0.0f32; total];
        if total == 0 {
            return Ok(out);
        }
        let pipelines = self.pipelines(kernel)?;
        let max_dim = self.limits.max_compute_workgroups_per_dimension as usize;
        let [nx, ny, nz] = dims.map(|d| d as usize);
        if nx.div_ceil(4) > max_dim || ny.div_ceil(4) > max_dim {
            return Err(GpuError::TooLarge(format!(
                "grid {nx}×{ny} needs more than {max_dim} workgroups along an axis"
            )));
        }
        let layer = nx * ny;
        let cap = (self.max_binding() / 4).min(MAX_CHUNK_VALUES);
        if layer > cap {
            return Err(GpuError::TooLarge(format!(
                "one grid layer ({nx}×{ny} samples) exceeds a dispatch's {cap} results"
            )));
        }
        let layers = (cap.min(max_chunk) / layer).min(nz).min(max_dim * 4).max(1);
        let chunks = (0..nz).step_by(layers).map(|z0| {
            let nl = layers.min(nz - z0);
            let o = [origin[0], origin[1], origin[2] + z0 as f32 * step[2]];
            Chunk {
                job: job_bytes(o, step, [dims[0], dims[1], nl as u32, 0]),
                points: &[],
                groups: [
                    nx.div_ceil(4) as u32,
                    ny.div_ceil(4) as u32,
                    nl.div_ceil(4) as u32,
                ],
                start: z0 * layer,
                len: nl * layer,
            }
        });
        self.run(
            &pipelines,
            Entry::Grid,
            kernel,
            chunks,
            layers * layer,
            &mut out,
        )?;
        Ok(out)
    }

    /// The largest storage binding (and buffer) a dispatch may use, in bytes.
    fn max_binding(&self) -> usize {
        let binding = self.limits.max_storage_buffer_binding_size;
        binding.min(self.limits.max_buffer_size) as usize
    }

    fn check_alive(&self) -> Result<(), GpuError> {
        if self.is_lost() {
            Err(GpuError::DeviceLost(
                "the device was lost earlier in this process".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// The cached pipelines of `kernel`, compiling them on a miss. A kernel that
    /// does not compile is an `Err` (captured by error scopes), never a panic.
    fn pipelines(&self, kernel: &Kernel) -> Result<Arc<Pipelines>, GpuError> {
        self.check_alive()?;
        let key = *blake3::hash(kernel.wgsl.as_bytes()).as_bytes();
        if let Some(p) = self.lock_pipelines().get(&key) {
            return Ok(p.clone());
        }
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let module = self
            .device
            .create_shader_module(wgpu::ShaderModuleDescriptor {
                label: Some("compute_eval"),
                source: wgpu::ShaderSource::Wgsl(kernel.wgsl.as_str().into()),
            });
        let make = |entry: &str, layout| {
            self.device
                .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                    label: Some(entry),
                    layout: Some(layout),
                    module: &module,
                    entry_point: Some(entry),
                    compilation_options: Default::default(),
                    cache: None,
                })
        };
        let pipelines = Pipelines {
            points: make("eval_points", &self.layouts.points_pipeline),
            grid: make("eval_grid", &self.layouts.grid_pipeline),
        };
        if let Some(e) = pollster::block_on(scope.pop()) {
            return Err(GpuError::Shader(error_text(&e)));
        }
        let pipelines = Arc::new(pipelines);
        self.lock_pipelines().put(key, pipelines.clone());
        Ok(pipelines)
    }

    fn lock_pipelines(&self) -> std::sync::MutexGuard<'_, lru::LruCache<[u8; 32], Arc<Pipelines>>> {
        // A panic while holding the lock cannot leave the cache inconsistent
        // (every operation on it is a single call), so a poisoned lock is reused.
        self.pipelines.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `chunks` (each at most `capacity` results) through `entry`, two in
    /// flight, copying each one's results into `out`.
    fn run<'a>(
        &self,
        pipelines: &Pipelines,
        entry: Entry,
        kernel: &Kernel,
        chunks: impl Iterator<Item = Chunk<'a>>,
        capacity: usize,
        out: &mut [f32],
    ) -> Result<(), GpuError> {
        self.check_alive()?;
        // Scopes are per thread and popped in reverse: internal, OOM, validation.
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let internal = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let result = self.run_scoped(pipelines, entry, kernel, chunks, capacity, out);
        let errors = [
            pollster::block_on(internal.pop()),
            pollster::block_on(oom.pop()),
            pollster::block_on(validation.pop()),
        ];
        // A captured error explains a failure better than its symptom (a failed map).
        match errors.into_iter().flatten().next() {
            Some(e @ wgpu::Error::OutOfMemory { .. }) => Err(GpuError::OutOfMemory(error_text(&e))),
            Some(e @ wgpu::Error::Validation { .. }) => Err(GpuError::Dispatch(error_text(&e))),
            Some(e @ wgpu::Error::Internal { .. }) => Err(GpuError::DeviceLost(error_text(&e))),
            None => {
                result?;
                self.check_alive()
            }
        }
    }

    fn run_scoped<'a>(
        &self,
        pipelines: &Pipelines,
        entry: Entry,
        kernel: &Kernel,
        chunks: impl Iterator<Item = Chunk<'a>>,
        capacity: usize,
        out: &mut [f32],
    ) -> Result<(), GpuError> {
        let max_uniform = self.limits.max_uniform_buffer_binding_size as usize;
        let n = kernel.params.len().div_ceil(4).max(1);
        if 16 * n > max_uniform {
            return Err(GpuError::TooLarge(format!(
                "{} parameters exceed the {max_uniform}-byte uniform binding",
                kernel.params.len()
            )));
        }
        let mut param_bytes = vec![0u8; 16 * n];
        for (dst, v) in param_bytes.chunks_exact_mut(4).zip(&kernel.params) {
            dst.copy_from_slice(&v.to_le_bytes());
        }
        let params = self.buffer(
            "params",
            param_bytes.len() as u64,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        );
        self.queue.write_buffer(&params, 0, &param_bytes);

        let (layout, pipeline) = match entry {
            Entry::Points => (&self.layouts.points, &pipelines.points),
            Entry::Grid => (&self.layouts.grid, &pipelines.grid),
        };
        let mut slots: Vec<Slot> = Vec::with_capacity(2);
        let mut in_flight: std::collections::VecDeque<InFlight> = Default::default();
        let mut upload: Vec<u8> = Vec::new();
        for (k, chunk) in chunks.enumerate() {
            let slot = k % 2;
            // The slot's previous chunk must be read out before its buffers are reused.
            if in_flight.len() == 2
                && let Some(done) = in_flight.pop_front()
            {
                self.finish(&slots, done, out)?;
            }
            if slots.len() <= slot {
                slots.push(self.slot(entry, capacity));
            }
            let s = &slots[slot];
            self.queue.write_buffer(&s.job, 0, &chunk.job);
            if let Some(points_buf) = &s.points {
                upload.clear();
                upload.reserve(chunk.points.len() * 12);
                for p in chunk.points {
                    for v in p {
                        upload.extend_from_slice(&v.to_le_bytes());
                    }
                }
                self.queue.write_buffer(points_buf, 0, &upload);
            }
            let out_bytes = chunk.len as u64 * 4;
            let mut entries = vec![
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: s.job.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &s.distances,
                        offset: 0,
                        size: wgpu::BufferSize::new(out_bytes),
                    }),
                },
            ];
            if let Some(points_buf) = &s.points {
                entries.push(wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: points_buf,
                        offset: 0,
                        size: wgpu::BufferSize::new(out_bytes * 3),
                    }),
                });
            }
            let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: None,
                layout,
                entries: &entries,
            });
            let mut encoder = self
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: None,
                    timestamp_writes: None,
                });
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, &bind_group, &[]);
                let [x, y, z] = chunk.groups;
                pass.dispatch_workgroups(x, y, z);
            }
            encoder.copy_buffer_to_buffer(&s.distances, 0, &s.readback, 0, out_bytes);
            let submission = self.queue.submit([encoder.finish()]);
            let (tx, rx) = mpsc::channel();
            s.readback
                .slice(..out_bytes)
                .map_async(wgpu::MapMode::Read, move |r| {
                    let _ = tx.send(r);
                });
            in_flight.push_back(InFlight {
                slot,
                start: chunk.start,
                len: chunk.len,
                submission,
                mapped: rx,
            });
        }
        while let Some(done) = in_flight.pop_front() {
            self.finish(&slots, done, out)?;
        }
        Ok(())
    }

    /// Waits for a chunk, then copies its results into `out`.
    fn finish(&self, slots: &[Slot], done: InFlight, out: &mut [f32]) -> Result<(), GpuError> {
        let mapped = wait_for_map(
            &self.device,
            done.submission,
            &done.mapped,
            CHUNK_TIMEOUT,
            "the result buffer",
        );
        self.check_alive()?;
        mapped?;
        let s = &slots[done.slot];
        let bytes = done.len as u64 * 4;
        {
            let view = s
                .readback
                .slice(..bytes)
                .get_mapped_range()
                .map_err(|e| GpuError::Map(e.to_string()))?;
            let dst = &mut out[done.start..done.start + done.len];
            for (d, b) in dst.iter_mut().zip(view.chunks_exact(4)) {
                *d = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
        s.readback.unmap();
        Ok(())
    }

    fn slot(&self, entry: Entry, capacity: usize) -> Slot {
        use wgpu::BufferUsages as U;
        let bytes = (capacity as u64 * 4).max(4);
        Slot {
            job: self.buffer("job", JOB_BYTES, U::UNIFORM | U::COPY_DST),
            points: (entry == Entry::Points)
                .then(|| self.buffer("points", bytes * 3, U::STORAGE | U::COPY_DST)),
            distances: self.buffer("distances", bytes, U::STORAGE | U::COPY_SRC),
            readback: self.buffer("readback", bytes, U::MAP_READ | U::COPY_DST),
        }
    }

    fn buffer(&self, label: &str, size: u64, usage: wgpu::BufferUsages) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size,
            usage,
            mapped_at_creation: false,
        })
    }
}

/// The 48 bytes of the job uniform.
fn job_bytes(origin: [f32; 3], step: [f32; 3], dims: [u32; 4]) -> [u8; JOB_BYTES as usize] {
    let mut b = [0u8; JOB_BYTES as usize];
    for (i, v) in origin
        .iter()
        .chain(&[0.0])
        .chain(&step)
        .chain(&[0.0])
        .enumerate()
    {
        b[4 * i..4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    for (i, v) in dims.iter().enumerate() {
        b[32 + 4 * i..36 + 4 * i].copy_from_slice(&v.to_le_bytes());
    }
    b
}

fn device_type_name(t: wgpu::DeviceType) -> &'static str {
    match t {
        wgpu::DeviceType::DiscreteGpu => "discrete_gpu",
        wgpu::DeviceType::IntegratedGpu => "integrated_gpu",
        wgpu::DeviceType::VirtualGpu => "virtual_gpu",
        wgpu::DeviceType::Cpu => "cpu",
        wgpu::DeviceType::Other => "other",
    }
}

/// A wgpu error with its sources, on one line.
fn error_text(e: &wgpu::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Waits until `submission` has run and the mapping of a buffer it wrote
/// (requested after the submit, answered on `mapped`) has been answered.
/// Waiting on the submission alone once returned before the map callback had
/// run (1 of ~950 readbacks on llvmpipe), so a wait on all submitted work
/// follows when the answer is not there yet.
pub(super) fn wait_for_map(
    device: &wgpu::Device,
    submission: wgpu::SubmissionIndex,
    mapped: &mpsc::Receiver<Result<(), wgpu::BufferAsyncError>>,
    timeout: Duration,
    what: &str,
) -> Result<(), GpuError> {
    let mut target = Some(submission);
    for _ in 0..2 {
        device
            .poll(wgpu::PollType::Wait {
                submission_index: target.take(),
                timeout: Some(timeout),
            })
            .map_err(|e| GpuError::Map(format!("waiting for the GPU: {e}")))?;
        match mapped.try_recv() {
            Ok(Ok(())) => return Ok(()),
            Ok(Err(e)) => return Err(GpuError::Map(e.to_string())),
            Err(_) => {}
        }
    }
    Err(GpuError::Map(format!("{what} was never mapped")))
}
