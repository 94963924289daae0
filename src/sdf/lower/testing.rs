//! Helpers shared by the families' unit tests: a deterministic generator,
//! lowering from JSON, evaluation, and the sampled checks every family runs
//! (a Lipschitz bound over nearby pairs, no NaN, unit gradients, the cost).

use std::fmt::Display;

use serde_json::{Value, json};

use crate::sdf::expr::{Graph, Op};
use crate::sdf::node::Node;

/// The seed of the shared sampled checks, so that a failure reproduces.
pub(crate) const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

/// Small deterministic xorshift generator: uniform in `[-1, 1)`.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    /// The next value, uniform in `[-1, 1)`.
    pub(crate) fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }

    /// A point uniform in `[-half, half)³`.
    pub(crate) fn point(&mut self, half: f32) -> [f32; 3] {
        [self.next() * half, self.next() * half, self.next() * half]
    }
}

/// Lowers a node given as JSON, under an operation budget no test reaches.
pub(crate) fn graph(json: &Value) -> Graph {
    let node: Node = serde_json::from_value(json.clone()).expect("valid JSON");
    crate::sdf::lower::lower(&node, 100_000).expect("lowers")
}

/// The field's value at `p`.
pub(crate) fn at(g: &Graph, p: [f32; 3]) -> f32 {
    g.eval_point(g.root(), p)
}

/// A sphere of radius `r` at the origin.
pub(crate) fn sphere(r: f32) -> Value {
    json!({"Sphere": {"radius": r}})
}

/// What a point costs: the operations other than constants and coordinates.
pub(crate) fn cost(g: &Graph) -> usize {
    g.ops()
        .iter()
        .filter(|o| !matches!(o, Op::Const(_) | Op::Input(_)))
        .count()
}

/// Whether the central-difference gradient at `p` has unit length (within 2%).
pub(crate) fn unit_gradient(g: &Graph, p: [f32; 3]) -> bool {
    let h = 1e-3;
    let len = (0..3)
        .map(|i| {
            let (mut a, mut b) = (p, p);
            a[i] += h;
            b[i] -= h;
            ((at(g, a) - at(g, b)) / (2.0 * h)).powi(2)
        })
        .sum::<f32>()
        .sqrt();
    (len - 1.0).abs() < 0.02
}

/// How [`lipschitz_pairs`] samples.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Pairs {
    /// First points are uniform in `[-extent, extent)³`.
    pub(crate) extent: f32,
    /// Second points are offset from the first by up to this much per axis.
    pub(crate) spacing: f32,
    /// How many pairs.
    pub(crate) count: usize,
    /// The relative slack of the bound, `|d(p) - d(q)| <= |p - q| (1 + tolerance)
    /// + 1e-5`; `None` checks only that nothing is NaN.
    pub(crate) tolerance: Option<f32>,
}

impl Pairs {
    /// 2000 pairs within `extent`, up to 0.05 apart per axis, tolerance 1e-3.
    pub(crate) const fn within(extent: f32) -> Self {
        Self {
            extent,
            spacing: 0.05,
            count: 2000,
            tolerance: Some(1e-3),
        }
    }
}

/// One pair of [`lipschitz_pairs`]: its first point, the value there, and the
/// slope `|d(p) - d(q)| / |p - q|` towards the second.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sample {
    pub(crate) p: [f32; 3],
    pub(crate) d: f32,
    pub(crate) slope: f32,
}

/// Asserts over random nearby pairs that `g` is never NaN and is 1-Lipschitz
/// (within the tolerance); returns the pairs for a caller's further checks.
/// `label` names the field in failure messages.
pub(crate) fn lipschitz_pairs(g: &Graph, label: &dyn Display, pairs: Pairs) -> Vec<Sample> {
    let mut rng = Rng(SEED);
    (0..pairs.count)
        .map(|_| {
            let p = rng.point(pairs.extent);
            let o = rng.point(pairs.spacing);
            let q = [p[0] + o[0], p[1] + o[1], p[2] + o[2]];
            let (dp, dq) = (at(g, p), at(g, q));
            assert!(dp.is_finite() && dq.is_finite(), "{label}: NaN at {p:?}");
            let len = (o[0] * o[0] + o[1] * o[1] + o[2] * o[2]).sqrt();
            if let Some(tolerance) = pairs.tolerance {
                let lim = len * (1.0 + tolerance) + 1e-5;
                assert!(
                    (dp - dq).abs() <= lim,
                    "{label}: |d({p:?}) - d({q:?})| = |{dp} - {dq}| > {lim}"
                );
            }
            Sample {
                p,
                d: dp,
                slope: (dp - dq).abs() / len,
            }
        })
        .collect()
}

/// [`lipschitz_pairs`] with [`Pairs::within`] `extent`, for a node given as JSON.
pub(crate) fn lipschitz(json: &Value, extent: f32) {
    lipschitz_pairs(&graph(json), json, Pairs::within(extent));
}

/// Asserts that the node given as JSON is not NaN at 2000 random points in
/// `[-extent, extent)³`.
pub(crate) fn finite(json: &Value, extent: f32) {
    let g = graph(json);
    let mut rng = Rng(SEED);
    for _ in 0..2000 {
        let p = rng.point(extent);
        assert!(at(&g, p).is_finite(), "{json}: NaN at {p:?}");
    }
}
