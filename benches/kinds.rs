//! Per-kind evaluation cost: every node kind's catalog example, 1M points on one
//! thread with the batch evaluator, reported as ns/point and as a multiple of a
//! Sphere (issue target: no kind above 10x). Prints a Markdown table; pass a
//! kind name to measure only the kinds whose names contain it.
//!
//! `cargo bench --bench kinds`

use std::time::Instant;

use ai_modeler::sdf::compile::compile;
use ai_modeler::sdf::eval::{SimdWidth, eval_soa};
use ai_modeler::sdf::node::KINDS;
use ai_modeler::sdf::tape::Tape;
use ai_modeler::sdf::validate::Limits;

// Shared bench code; here for the shipped allocator it sets.
mod common;

const POINTS: usize = 1 << 20;

fn ns_per_point(tape: &Tape, xs: &[f32], ys: &[f32], zs: &[f32], out: &mut [f32]) -> f64 {
    eval_soa(tape, xs, ys, zs, out, SimdWidth::Auto);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        eval_soa(tape, xs, ys, zs, out, SimdWidth::Auto);
        best = best.min(t.elapsed().as_secs_f64());
    }
    best * 1e9 / xs.len() as f64
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("thread pool");
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 40) as f32 / (1u64 << 24) as f32 * 4.0 - 2.0
    };
    let xs: Vec<f32> = (0..POINTS).map(|_| next()).collect();
    let ys: Vec<f32> = (0..POINTS).map(|_| next()).collect();
    let zs: Vec<f32> = (0..POINTS).map(|_| next()).collect();
    let mut out = vec![0.0f32; POINTS];
    let limits = Limits::default();
    let tape_of = |name: &str| {
        let kind = KINDS.iter().find(|k| k.name == name).expect("kind exists");
        let compiled = compile(&kind.example(), &limits).expect("catalog example compiles");
        Tape::new(&compiled.graph)
    };
    let sphere = tape_of("Sphere");
    let base = pool.install(|| ns_per_point(&sphere, &xs, &ys, &zs, &mut out));
    println!("| kind | tape ops | ns/point | x Sphere |");
    println!("|---|---:|---:|---:|");
    let mut worst = (0.0f64, "");
    for kind in KINDS {
        if filter.as_deref().is_some_and(|f| !kind.name.contains(f)) {
            continue;
        }
        let tape = tape_of(kind.name);
        let ns = pool.install(|| ns_per_point(&tape, &xs, &ys, &zs, &mut out));
        let ratio = ns / base;
        if ratio > worst.0 {
            worst = (ratio, kind.name);
        }
        println!(
            "| {} | {} | {:.2} | {:.1} |",
            kind.name,
            tape.len(),
            ns,
            ratio
        );
    }
    println!(
        "\nSphere: {base:.2} ns/point; most expensive: {} at {:.1}x Sphere",
        worst.1, worst.0
    );
}
