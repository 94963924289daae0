//! Meshing time and peak memory: the ALICE demo tree at 64³ … 1024³ with every
//! method (and at 128³ and 256³ over ALICE-SDF's box, the grid its figures
//! are for), and the fidget models `bear.vm` and `colonnade.vm` at 512³ (in
//! fidget's `[-1, 1]³`). Time is the median (and best) of several runs after one
//! warm-up, to a mesh in memory with normals. Each row runs in a fresh child
//! process, so its peak memory is that process's resident high-water mark
//! (`VmHWM`), everything included. Prints a Markdown table.
//!
//! `cargo bench --bench mesh` (all rows), or pass words to keep only the rows
//! whose label contains one of them, e.g. `cargo bench --bench mesh -- 256 bear`.
//! `RAYON_NUM_THREADS` sets the threads (default: all cores).

use std::time::Instant;

use ai_modeler::mesh::{MeshSettings, Method, Phases, mesh};
use ai_modeler::sdf::compile::{Compiled, compile_vm};
use ai_modeler::sdf::validate::Limits;

mod common;
use common::demo;

/// label, model, resolution, method, domain (`None`: the model's bounds).
type Row<'a> = (
    String,
    &'a Compiled,
    u32,
    Method,
    Option<([f32; 3], [f32; 3])>,
);

fn vm(text: &str) -> Compiled {
    let limits = Limits {
        max_ops: usize::MAX,
        ..Limits::default()
    };
    compile_vm(text, &limits).expect("vm model")
}

/// Resident set size and its high-water mark, in MiB.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A child runs one row: `--row N`.
    let row = args
        .iter()
        .position(|a| a == "--row")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok());
    let filters: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|&(i, a)| !a.starts_with('-') && (i == 0 || args[i - 1] != "--row"))
        .map(|(_, a)| a.clone())
        .collect();
    let demo = demo();
    let bear = vm(include_str!("../tests/data/bear.vm"));
    let colonnade = vm(include_str!("../tests/data/colonnade.vm"));
    let cube = Some(([-1.0f32; 3], [1.0f32; 3]));
    let mut rows: Vec<Row<'_>> = Vec::new();
    for r in [64, 128, 256, 512, 1024] {
        rows.push((
            format!("demo {r}³ surface_nets"),
            &demo,
            r,
            Method::SurfaceNets,
            None,
        ));
    }
    // The grids ALICE-SDF's figures in the issue are for: its default box
    // [-1.5, 1.5]³, wider than the demo tree's padded bounds (±1.08), so the
    // same resolution has coarser cells and about half the triangles.
    let alice_box = Some(([-1.5f32; 3], [1.5f32; 3]));
    for r in [128, 256] {
        rows.push((
            format!("demo {r}³ surface_nets, ALICE-SDF's box ±1.5"),
            &demo,
            r,
            Method::SurfaceNets,
            alice_box,
        ));
    }
    for m in [Method::MarchingCubes, Method::DualContouring] {
        for r in [256, 512] {
            rows.push((format!("demo {r}³ {m}"), &demo, r, m, None));
        }
    }
    rows.push((
        "bear.vm 512³ surface_nets".into(),
        &bear,
        512,
        Method::SurfaceNets,
        cube,
    ));
    rows.push((
        "colonnade.vm 512³ surface_nets".into(),
        &colonnade,
        512,
        Method::SurfaceNets,
        cube,
    ));
    let Some(row) = row else {
        println!(
            "threads: {}\n\n| model | ms (median) | best ms | prune / pass 1 / pass 2 / assemble ms (medians) | triangles | vertices | peak MiB |",
            rayon::current_num_threads()
        );
        println!("|---|---:|---:|---:|---:|---:|---:|");
        let me = std::env::current_exe().expect("bench binary");
        for (i, (label, ..)) in rows.iter().enumerate() {
            if !filters.is_empty() && !filters.iter().any(|f| label.contains(f.as_str())) {
                continue;
            }
            let status = std::process::Command::new(&me)
                .args(["--row", &i.to_string()])
                .status()
                .expect("child bench");
            assert!(status.success(), "{label} failed");
        }
        return;
    };
    {
        let (label, c, resolution, method, bounds) = &rows[row];
        let (resolution, method) = (*resolution, *method);
        let settings = MeshSettings {
            method,
            resolution,
            bounds: *bounds,
            ..MeshSettings::default()
        };
        let run = || mesh(&c.tape, c.bounds, &settings, &|_| {}).expect("mesh");
        let out = run(); // warm-up
        let (vertices, triangles) = (out.mesh.vertex_count(), out.mesh.triangle_count());
        drop(out);
        let runs = if resolution >= 1024 {
            3
        } else if resolution >= 512 {
            5
        } else {
            15
        };
        let mut phases = Vec::with_capacity(runs);
        let mut times: Vec<f64> = (0..runs)
            .map(|_| {
                let t = Instant::now();
                let out = run();
                let ms = t.elapsed().as_secs_f64() * 1e3;
                phases.push(out.phases);
                drop(out);
                ms
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let m = Phases::median(&phases);
        let split = [m.prune, m.first_pass, m.border_pass, m.assemble]
            .map(|d| format!("{:.1}", d.as_secs_f64() * 1e3))
            .join(" / ");
        let (_, peak) = rss();
        println!(
            "| {label} | {:.1} | {:.1} | {split} | {triangles} | {vertices} | {peak:.0} |",
            times[times.len() / 2],
            times[0],
        );
    }
}
