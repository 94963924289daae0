//! Engine benchmarks (issue 2's speed targets): the ALICE demo tree over 1M points
//! at 1 and 2 threads, the prospero cross-section at 1024², and the cost of each
//! tape operation per point.
use std::hint::black_box;

use ai_modeler::sdf::document::Document;
use ai_modeler::sdf::eval::{SimdWidth, eval_points};
use ai_modeler::sdf::expr::{Axis, Binary, Graph, Op, Unary};
use ai_modeler::sdf::slice::{SliceSettings, slice};
use ai_modeler::sdf::tape::Tape;
use ai_modeler::sdf::{lower, vm};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

mod common;
use common::points;

fn demo_tape() -> Tape {
    let text = include_str!("../tests/data/alice-demo.asdf.json");
    let doc = Document::from_value(serde_json::from_str(text).expect("json")).expect("doc");
    Tape::new(&lower::lower(&doc.root, 100_000).expect("lower"))
}

fn eval_demo(c: &mut Criterion) {
    let tape = demo_tape();
    let pts = points(1 << 20);
    let mut out = vec![0.0f32; pts.len()];
    let mut g = c.benchmark_group("eval_demo_1M");
    g.throughput(Throughput::Elements(pts.len() as u64));
    g.sample_size(20);
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        g.bench_with_input(BenchmarkId::new("threads", threads), &threads, |b, _| {
            b.iter(|| {
                pool.install(|| eval_points(&tape, black_box(&pts), &mut out, SimdWidth::Auto))
            })
        });
    }
    // The narrower kernels, one thread, for comparison.
    for (name, w) in [("w8", SimdWidth::W8), ("w4", SimdWidth::W4)] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("pool");
        g.bench_function(BenchmarkId::new("threads_1", name), |b| {
            b.iter(|| pool.install(|| eval_points(&tape, black_box(&pts), &mut out, w)))
        });
    }
    g.finish();
}

fn prospero(c: &mut Criterion) {
    let g = vm::parse(include_str!("../tests/data/prospero.vm")).expect("vm");
    let tape = Tape::new(&g);
    let settings = SliceSettings {
        size: 1024,
        ..SliceSettings::default()
    };
    let mut grp = c.benchmark_group("prospero_slice_1024");
    grp.sample_size(20);
    grp.bench_function("auto", |b| b.iter(|| slice(black_box(&tape), &settings)));
    grp.finish();
}

/// One op applied to a mixed argument: cost per point of the op plus a small
/// constant prologue shared by all (compare against `add`).
fn per_op(c: &mut Criterion) {
    let pts = points(1 << 16);
    let mut out = vec![0.0f32; pts.len()];
    let mut grp = c.benchmark_group("per_op");
    grp.throughput(Throughput::Elements(pts.len() as u64));
    grp.sample_size(20);
    let unaries = [
        Unary::Sqrt,
        Unary::Sin,
        Unary::Cos,
        Unary::Tan,
        Unary::Asin,
        Unary::Acos,
        Unary::Atan,
        Unary::Exp,
        Unary::Ln,
        Unary::Floor,
        Unary::Abs,
    ];
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut cases: Vec<(String, Graph)> = Vec::new();
    for u in unaries {
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let s = g.push(Op::Binary(Binary::Add, x, y));
        let r = g.push(Op::Unary(u, s));
        g.set_root(r);
        cases.push((u.name().into(), g));
    }
    for bop in [
        Binary::Add,
        Binary::Mul,
        Binary::Div,
        Binary::Min,
        Binary::Atan2,
        Binary::Mod,
    ] {
        let mut g = Graph::default();
        let x = g.push(Op::Input(Axis::X));
        let y = g.push(Op::Input(Axis::Y));
        let z = g.push(Op::Input(Axis::Z));
        let s = g.push(Op::Binary(Binary::Add, x, y));
        let r = g.push(Op::Binary(bop, s, z));
        g.set_root(r);
        cases.push((bop.name().into(), g));
    }
    for (name, g) in cases {
        let tape = Tape::new(&g);
        grp.bench_function(name, |b| {
            b.iter(|| {
                pool.install(|| eval_points(&tape, black_box(&pts), &mut out, SimdWidth::Auto))
            })
        });
    }
    grp.finish();
}

/// Bounds of a union of 500 spheres (about 5000 tape instructions, the size a
/// 1000-node tree lowers to).
fn bounds(c: &mut Criterion) {
    let mut g = Graph::default();
    let (x, y, z) = (
        g.push(Op::Input(Axis::X)),
        g.push(Op::Input(Axis::Y)),
        g.push(Op::Input(Axis::Z)),
    );
    let mut acc = None;
    for (k, p) in points(500).into_iter().enumerate() {
        let mut sum = None;
        for (v, cc) in [(x, p[0]), (y, p[1]), (z, p[2])] {
            let cc = g.constant_id(cc);
            let d = g.push(Op::Binary(Binary::Sub, v, cc));
            let d2 = g.push(Op::Unary(Unary::Square, d));
            sum = Some(match sum {
                None => d2,
                Some(s) => g.push(Op::Binary(Binary::Add, s, d2)),
            });
        }
        let l = g.push(Op::Unary(Unary::Sqrt, sum.expect("three terms")));
        let r = g.constant_id(0.1 + (k % 7) as f32 * 0.01);
        let d = g.push(Op::Binary(Binary::Sub, l, r));
        acc = Some(match acc {
            None => d,
            Some(a) => g.push(Op::Binary(Binary::Min, a, d)),
        });
    }
    g.set_root(acc.expect("spheres"));
    let tape = Tape::new(&g);
    c.bench_function(&format!("bounds_{}_insts", tape.len()), |b| {
        b.iter(|| ai_modeler::sdf::bounds::bounds(black_box(&tape)))
    });
}

criterion_group!(benches, eval_demo, prospero, per_op, bounds);
criterion_main!(benches);
