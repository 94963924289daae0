//! GPU vs CPU evaluation throughput on the ALICE demo tree: a sweep of point
//! batch sizes (1 Ki … 1 Mi points, which shows the GPU's fixed cost per job and
//! where it starts to win, the basis of `gpu::MIN_GPU_POINTS`) and a 512³ grid
//! (134 M samples, streamed in z-slabs), and a 512³ surface-nets mesh with its
//! chunk samples taken on the CPU and on the GPU (`GPU_MODE=require`). Time is the median (and best) of
//! several runs after one warm-up, which also compiles the pipelines. The GPU is
//! whatever adapter wgpu finds (`WGPU_BACKEND` restricts it); prints a Markdown
//! table with the adapter's name.
//!
//! `cargo bench --bench gpu` (all rows), or pass words to keep only the rows
//! whose label contains one of them, e.g. `cargo bench --bench gpu -- 1M grid`.
//! `RAYON_NUM_THREADS` sets the CPU threads (default: all cores).

use std::time::Instant;

use ai_modeler::gpu::{self, GpuMode, Kernel};
use ai_modeler::mesh::{MeshSettings, mesh};
use ai_modeler::sdf::compile::Compiled;
use ai_modeler::sdf::eval::SimdWidth;

mod common;
use common::{demo, points};

/// Median and best of `runs` timed runs after one warm-up, in milliseconds.
fn time(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    t.sort_by(f64::total_cmp);
    (t[t.len() / 2], t[0])
}

/// The CPU's grid sampling: the same positions as the GPU's `eval_grid`, built
/// and evaluated in slabs of z-layers so memory stays bounded like the GPU's.
fn cpu_grid(c: &Compiled, origin: [f32; 3], step: [f32; 3], n: usize) -> Vec<f32> {
    let mut out = Vec::with_capacity(n * n * n);
    let layers = ((1 << 22) / (n * n)).max(1);
    let mut pts = Vec::with_capacity(layers * n * n);
    for z0 in (0..n).step_by(layers) {
        pts.clear();
        for k in z0..(z0 + layers).min(n) {
            let z = origin[2] + k as f32 * step[2];
            for j in 0..n {
                let y = origin[1] + j as f32 * step[1];
                for i in 0..n {
                    pts.push([origin[0] + i as f32 * step[0], y, z]);
                }
            }
        }
        out.extend(c.eval_points(&pts, SimdWidth::Auto));
    }
    out
}

fn main() {
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let keep = |label: &str| filters.is_empty() || filters.iter().any(|f| label.contains(f));
    let gpu = match gpu::shared() {
        Ok(g) => g,
        Err(e) => {
            eprintln!("no GPU adapter ({e}); nothing to compare");
            return;
        }
    };
    let info = gpu.info();
    let threads = rayon::current_num_threads();
    let c = demo();
    let kernel = Kernel::for_compiled(&c);
    println!(
        "ALICE demo tree ({} tape instructions); GPU: {} ({}, {}); CPU: {threads} threads, SIMD auto\n",
        c.tape.len(),
        info.name,
        info.backend,
        info.device_type
    );
    println!("| job | values | CPU ms | CPU M/s | GPU ms | GPU M/s | GPU/CPU |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let row = |label: &str, n: usize, cpu: (f64, f64), gpu_t: (f64, f64)| {
        let rate = |ms: f64| n as f64 / (ms * 1e3);
        println!(
            "| {label} | {n} | {:.2} | {:.1} | {:.2} | {:.1} | {:.2}× |",
            cpu.0,
            rate(cpu.0),
            gpu_t.0,
            rate(gpu_t.0),
            cpu.0 / gpu_t.0
        );
    };
    for (label, n, runs) in [
        ("points 1Ki", 1 << 10, 21),
        ("points 16Ki", 1 << 14, 21),
        ("points 256Ki", 1 << 18, 9),
        ("points 1M", 1 << 20, 7),
    ] {
        if !keep(label) {
            continue;
        }
        let pts = points(n);
        let cpu = time(runs, || {
            std::hint::black_box(c.eval_points(&pts, SimdWidth::Auto));
        });
        let g = time(runs, || {
            std::hint::black_box(gpu.eval_points(&kernel, &pts).expect("GPU eval"));
        });
        row(label, n, cpu, g);
    }
    let label = "grid 512³";
    if keep(label) {
        let n = 512usize;
        let origin = [-1.5f32; 3];
        let step = [3.0 / (n - 1) as f32; 3];
        let cpu = time(2, || {
            std::hint::black_box(cpu_grid(&c, origin, step, n));
        });
        let g = time(2, || {
            std::hint::black_box(
                gpu.eval_grid(&kernel, origin, step, [n as u32; 3])
                    .expect("GPU grid"),
            );
        });
        row(label, n * n * n, cpu, g);
    }
    let label = "mesh 512³ surface_nets";
    if keep(label) {
        let settings = MeshSettings {
            resolution: 512,
            ..MeshSettings::default()
        };
        let mut samples = (0, 0);
        let cpu = time(3, || {
            let out = mesh(&c.tape, c.bounds, &settings, &|_| {}).expect("CPU mesh");
            samples.0 = out.samples;
        });
        let g = time(3, || {
            let out = gpu::mesh(GpuMode::Require, &c, &settings, &|_| {}).expect("GPU mesh");
            samples.1 = out.samples;
        });
        println!(
            "| {label} (CPU {} samples, GPU {}) | - | {:.2} | - | {:.2} | - | {:.2}× |",
            samples.0,
            samples.1,
            cpu.0,
            g.0,
            cpu.0 / g.0
        );
    }
}
