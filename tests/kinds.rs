//! Conformance of every node kind: JSON → compile → evaluate, with random
//! parameters drawn from each field's catalog rule, checked four ways:
//! the tape agrees with the graph reference, every SIMD width agrees with the
//! scalar tape within 1e-5 (relative above 1, absolute below), interval
//! bounds over random boxes contain every sampled value, and the tape
//! simplified for a box (choices applied, constants folded) gives the same
//! values inside it, bit for bit.

use ai_modeler::sdf::compile::compile;
use ai_modeler::sdf::eval::interval::Interval;
use ai_modeler::sdf::eval::{SimdWidth, eval_points};
use ai_modeler::sdf::node::KINDS;
use ai_modeler::sdf::tape::Tape;
use ai_modeler::sdf::validate::{Limits, validate};

mod common;
use common::kinds::{Rng, random_instance};

fn close(a: f32, b: f32, tol: f32) -> bool {
    (a.is_nan() && b.is_nan()) || a == b || (a - b).abs() <= tol * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn every_kind_compiles_and_every_evaluator_agrees() {
    let limits = Limits::default();
    let widths: Vec<SimdWidth> = ["1", "4", "8", "16", "auto"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut failures = Vec::new();
    let mut checked = 0;
    for kind in KINDS {
        for trial in 0..12 {
            let tree = if trial == 0 {
                kind.example()
            } else {
                random_instance(kind, &mut rng)
            };
            if !validate(&tree, &limits).valid {
                assert!(trial > 0, "{}: catalog example is invalid", kind.name);
                continue;
            }
            let compiled = match compile(&tree, &limits) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{}: {tree} does not compile: {e}", kind.name));
                    continue;
                }
            };
            checked += 1;
            let tape = Tape::new(&compiled.graph);
            let points: Vec<[f32; 3]> = (0..300)
                .map(|_| {
                    [
                        rng.range(-2.0, 2.0),
                        rng.range(-2.0, 2.0),
                        rng.range(-2.0, 2.0),
                    ]
                })
                .collect();
            let scalar: Vec<f32> = points.iter().map(|&p| tape.eval_point(p)).collect();
            for (p, &s) in points.iter().zip(&scalar) {
                let reference = compiled.graph.eval_point(compiled.graph.root(), *p);
                if !close(s, reference, 1e-5) {
                    failures.push(format!(
                        "{}: tape {s} != graph {reference} at {p:?} for {tree}",
                        kind.name
                    ));
                    break;
                }
            }
            for &w in &widths {
                let mut out = vec![0.0; points.len()];
                eval_points(&tape, &points, &mut out, w);
                if let Some(i) = (0..points.len()).find(|&i| !close(out[i], scalar[i], 1e-5)) {
                    failures.push(format!(
                        "{}: SIMD {w} gives {} but scalar {} at {:?} for {tree}",
                        kind.name, out[i], scalar[i], points[i]
                    ));
                }
            }
            for _ in 0..8 {
                let c = [
                    rng.range(-1.5, 1.5),
                    rng.range(-1.5, 1.5),
                    rng.range(-1.5, 1.5),
                ];
                let h = rng.range(0.001, 1.0);
                let boxed = |i: usize| Interval::new(c[i] - h, c[i] + h);
                let (bound, choices) = tape.eval_interval(boxed(0), boxed(1), boxed(2));
                let inside: Vec<[f32; 3]> = (0..64)
                    .map(|_| {
                        [
                            c[0] + rng.range(-h, h),
                            c[1] + rng.range(-h, h),
                            c[2] + rng.range(-h, h),
                        ]
                    })
                    .collect();
                let mut out = vec![0.0; inside.len()];
                eval_points(&tape, &inside, &mut out, SimdWidth::Auto);
                if let Some(i) =
                    (0..inside.len()).find(|&i| !out[i].is_nan() && !bound.contains(out[i]))
                {
                    failures.push(format!(
                        "{}: value {} at {:?} outside interval {bound:?} of box {c:?}±{h} for {tree}",
                        kind.name, out[i], inside[i]
                    ));
                    break;
                }
                let simple = tape.simplify(&choices);
                let mut short = vec![0.0; inside.len()];
                eval_points(&simple, &inside, &mut short, SimdWidth::Auto);
                // Equal bits, or both NaN, or both zero (`x + 0` folds to `x`,
                // which keeps a -0 that the addition made +0, as `Graph` does).
                let same = |a: f32, b: f32| {
                    a.to_bits() == b.to_bits()
                        || (a.is_nan() && b.is_nan())
                        || (a == 0.0 && b == 0.0)
                };
                if let Some(i) = (0..inside.len()).find(|&i| !same(out[i], short[i])) {
                    failures.push(format!(
                        "{}: simplified tape ({} of {} instructions) gives {} but the full one {} at {:?} for {tree}",
                        kind.name,
                        simple.len(),
                        tape.len(),
                        short[i],
                        out[i],
                        inside[i]
                    ));
                    break;
                }
            }
        }
    }
    assert!(
        checked >= KINDS.len() * 6,
        "only {checked} instances were valid"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
