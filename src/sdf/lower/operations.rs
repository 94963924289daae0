//! Boolean and blending operations on two distances.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use crate::sdf::expr::E;
use std::f32::consts::{FRAC_1_SQRT_2, SQRT_2};

/// `Union`: see the catalog.
pub fn union<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.min(b)
}

/// `Intersection`: see the catalog.
pub fn intersection<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.max(b)
}

/// `Subtraction`: see the catalog.
pub fn subtraction<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.max(-b)
}

/// `SmoothUnion`: see the catalog.
pub fn smooth_union<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    if k <= 0.0 {
        return a.min(b);
    }
    // max(k - |a-b|, 0)² / 4k: ALICE-SDF's (1 - |a-b|/k)² k/4, one op shorter.
    let h = (k - (a - b).abs()).max(0.0);
    a.min(b) - h.square() * (0.25 / k)
}

/// `SmoothIntersection`: see the catalog.
pub fn smooth_intersection<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    if k <= 0.0 {
        return a.max(b);
    }
    let h = (k - (a - b).abs()).max(0.0);
    a.max(b) + h.square() * (0.25 / k)
}

/// `SmoothSubtraction`: see the catalog.
pub fn smooth_subtraction<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    smooth_intersection(a, -b, k)
}

/// `ChamferUnion`: ALICE-SDF's shape (a 45° bevel of size `r` where the
/// surfaces meet). Bound: the bevel term is divided by √2 because its gradient
/// reaches √2 where the gradients of `a` and `b` align; this keeps the surface
/// and never overestimates. `r = 0` is the sharp union.
pub fn chamfer_union<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    if r <= 0.0 {
        return a.min(b);
    }
    // ((a + b)/√2 - r)/√2
    a.min(b).min((a + b) * 0.5 - r * FRAC_1_SQRT_2)
}

/// `ChamferIntersection`: the chamfered intersection, `-chamfer_union(-a, -b)`.
/// Bound (see [`chamfer_union`]).
pub fn chamfer_intersection<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    -chamfer_union(-a, -b, r)
}

/// `ChamferSubtraction`: `a` minus `b` with a chamfered edge. Bound (see
/// [`chamfer_union`]).
pub fn chamfer_subtraction<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    chamfer_intersection(a, -b, r)
}

/// `StairsUnion`: hg_sdf's staircase seam (the variant ALICE-SDF uses: `n`
/// square steps over a 45° bevel of size `r`). Bound: the bevel and step terms
/// are divided by √2 (their gradient reaches √2), which keeps the surface.
/// `r = 0` is the sharp union; `n` below 1 counts as 1.
pub fn stairs_union<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    if r <= 0.0 {
        return a.min(b);
    }
    let n = n.max(1.0);
    let s = FRAC_1_SQRT_2;
    let rn = r / n;
    let off = (r - rn) * 0.5 * SQRT_2;
    // Rotate (a, b) by 45°: `along` runs down the seam, `out` is the bevel.
    let along = (b - a) * s - off + 0.5 * SQRT_2 * rn;
    let out = (a + b) * s - off;
    let step = r * SQRT_2 / n;
    let along = (along + step * 0.5).modulo(step) - step * 0.5;
    let corner = ((along + out) * s).max((out - along) * s) - 0.5 * rn;
    a.min(b).min(out.min(corner) * s)
}

/// `StairsIntersection`: `-stairs_union(-a, -b)`. Bound (see [`stairs_union`]).
pub fn stairs_intersection<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    -stairs_union(-a, -b, r, n)
}

/// `StairsSubtraction`: `-stairs_union(-a, b)`. Bound (see [`stairs_union`]).
pub fn stairs_subtraction<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    -stairs_union(-a, b, r, n)
}

/// `XOR`: what lies in exactly one operand, `max(min(a, b), -max(a, b))`.
/// Bound (exact where the nearest surface is a single operand's).
pub fn xor<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    a.min(b).max(-a.max(b))
}

/// `Morph`: the zero set of `(1 - t) a + t b`, as ALICE-SDF. Bound: divided by
/// `|1 - t| + |t|` when that exceeds 1 (t outside [0, 1]), so it never
/// overestimates; for t in [0, 1] the value is ALICE-SDF's.
pub fn morph<'a>(a: E<'a>, b: E<'a>, t: f32) -> E<'a> {
    let l = ((1.0 - t).abs() + t.abs()).max(1.0);
    a * ((1.0 - t) / l) + b * (t / l)
}

/// The shared body of the column operations: the union of `a`, `b`, a 45°
/// bevel and `n`-ish round columns along it (hg_sdf's `fOpUnionColumns`).
fn columns_min<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    let cr = r * SQRT_2 / ((n - 1.0) * 2.0 + SQRT_2);
    let s = FRAC_1_SQRT_2;
    let mut x = (a + b) * s - (SQRT_2 * 0.5 * r) + cr * SQRT_2;
    let mut y = (b - a) * s;
    if n.rem_euclid(2.0) == 1.0 {
        y = y + cr;
    }
    let period = cr * 2.0;
    y = (y + cr).modulo(period) - cr;
    let column = (x.square() + y.square()).sqrt() - cr;
    x = x.min(column);
    a.min(b).min(x * s)
}

/// `ColumnsUnion`: a union whose seam is a bevel of size `r` studded with round
/// columns, hg_sdf's `fOpUnionColumns` (computed everywhere, without its
/// branch, so the field is continuous). Differs from ALICE-SDF 6.1, whose
/// variant puts diamond teeth along the seam, jumps where `min(a, b) = r`
/// and overestimates distance up to 3x. Bound: the seam terms are divided by
/// √2. `r = 0` is the sharp union.
pub fn columns_union<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    if r <= 0.0 {
        return a.min(b);
    }
    columns_min(a, b, r, n.max(1.0))
}

/// `ColumnsIntersection`: `-columns_union(-a, -b)`. Bound; differs from
/// ALICE-SDF as [`columns_union`] does.
pub fn columns_intersection<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    -columns_union(-a, -b, r, n)
}

/// `ColumnsSubtraction`: `-columns_union(-a, b)`: `a` minus `b` with columned
/// edges. Bound; differs from ALICE-SDF as [`columns_union`] does.
pub fn columns_subtraction<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    -columns_union(-a, b, r, n)
}

/// `Pipe`: a tube of radius `r` around the curve where both surfaces meet,
/// `sqrt(a² + b²) - r`. Bound: divided by √2 (the gradient of `sqrt(a² + b²)`
/// reaches √2 where the surfaces are tangent); exact up to that factor where
/// they cross at right angles.
pub fn pipe<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    ((a.square() + b.square()).sqrt() - r) * FRAC_1_SQRT_2
}

/// `Engrave`: the surface of `b` cut into `a` as a V groove of depth `r`,
/// `max(a, (a + r - |b|)/√2)`. Bound: the groove term is divided by √2 once
/// more (its gradient reaches √2).
pub fn engrave<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    a.max((a + r - b.abs()) * 0.5)
}

/// `Groove`: a square groove cut into `a` along `b`'s surface, of half-width
/// `rb` (measured by `b`) and depth `ra`: `max(a, min(a + ra, rb - |b|))`. Bound.
pub fn groove<'a>(a: E<'a>, b: E<'a>, ra: f32, rb: f32) -> E<'a> {
    a.max((a + ra).min(rb - b.abs()))
}

/// `Tongue`: a square ridge raised on `a` along `b`'s surface, of half-width
/// `rb` and height `ra`: `min(a, max(a - ra, |b| - rb))`. Bound.
pub fn tongue<'a>(a: E<'a>, b: E<'a>, ra: f32, rb: f32) -> E<'a> {
    a.min((a - ra).max(b.abs() - rb))
}

/// `ExpSmoothUnion`: the exponential smooth minimum with blend width `k`,
/// `min(a, b) - k ln(1 + exp(-|a - b| / k))` (never overflows). Bound: its
/// gradient is a convex mix of the operands'. `k = 0` is the sharp union.
pub fn exp_smooth_union<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    if k <= 0.0 {
        return a.min(b);
    }
    a.min(b) - ((-(a - b).abs() * (1.0 / k)).exp() + 1.0).ln() * k
}

/// `ExpSmoothIntersection`: `-exp_smooth_union(-a, -b)`. Bound.
pub fn exp_smooth_intersection<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    -exp_smooth_union(-a, -b, k)
}

/// `ExpSmoothSubtraction`: `exp_smooth_intersection(a, -b)`. Bound.
pub fn exp_smooth_subtraction<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    exp_smooth_intersection(a, -b, k)
}

#[cfg(test)]
mod tests {
    use crate::sdf::lower::testing::{at, graph, lipschitz};
    use serde_json::{Value, json};

    /// Two overlapping operands: a unit sphere and a box beside it.
    fn op(kind: &str, extra: Value) -> Value {
        let mut body = json!({
            "a": {"Sphere": {"radius": 1.0}},
            "b": {"Translate": {"child": {"Box3d": {"half_extents": [0.5, 0.5, 0.5]}}, "offset": [1.0, 0.0, 0.0]}}
        });
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        json!({ kind: body })
    }

    #[test]
    fn every_operation_is_a_bound_without_nan() {
        let r = json!({"r": 0.3});
        let rn = json!({"r": 0.3, "n": 3.0});
        let k = json!({"k": 0.2});
        let cases = [
            ("ChamferUnion", r.clone()),
            ("ChamferIntersection", r.clone()),
            ("ChamferSubtraction", r.clone()),
            ("StairsUnion", rn.clone()),
            ("StairsIntersection", rn.clone()),
            ("StairsSubtraction", rn.clone()),
            ("ColumnsUnion", rn.clone()),
            ("ColumnsIntersection", rn.clone()),
            ("ColumnsSubtraction", rn.clone()),
            ("ColumnsUnion", json!({"r": 0.3, "n": 4.0})),
            ("XOR", json!({})),
            ("Morph", json!({"t": 0.3})),
            ("Morph", json!({"t": 1.7})),
            ("Pipe", json!({"r": 0.1})),
            ("Engrave", json!({"r": 0.1})),
            ("Groove", json!({"ra": 0.1, "rb": 0.05})),
            ("Tongue", json!({"ra": 0.1, "rb": 0.05})),
            ("ExpSmoothUnion", k.clone()),
            ("ExpSmoothIntersection", k.clone()),
            ("ExpSmoothSubtraction", k.clone()),
            ("ChamferUnion", json!({"r": 0.0})),
            ("StairsUnion", json!({"r": 0.0, "n": 1.0})),
            ("ColumnsSubtraction", json!({"r": 0.0, "n": 1.0})),
            ("ExpSmoothUnion", json!({"k": 0.0})),
        ];
        for (kind, extra) in cases {
            lipschitz(&op(kind, extra), 2.5);
        }
    }

    #[test]
    fn seams_keep_the_sharp_result_away_from_them() {
        // Far from the seam every blended variant equals its sharp operation.
        let sharp_pts = [
            [-1.5f32, 0.0, 0.0],
            [0.0, -0.5, 0.0],
            [2.0, 0.0, 0.0],
            [0.0, 0.0, -3.0],
        ];
        let families = [
            (
                [
                    "ChamferUnion",
                    "StairsUnion",
                    "ColumnsUnion",
                    "ExpSmoothUnion",
                ],
                "Union",
            ),
            (
                [
                    "ChamferIntersection",
                    "StairsIntersection",
                    "ColumnsIntersection",
                    "ExpSmoothIntersection",
                ],
                "Intersection",
            ),
            (
                [
                    "ChamferSubtraction",
                    "StairsSubtraction",
                    "ColumnsSubtraction",
                    "ExpSmoothSubtraction",
                ],
                "Subtraction",
            ),
        ];
        for (kinds, sharp) in families {
            let s = graph(&op(sharp, json!({})));
            for kind in kinds {
                let g = graph(&op(
                    kind,
                    json!({"r": 0.1, "n": 3.0, "k": 0.01})
                        .as_object()
                        .map(|o| {
                            let mut m = serde_json::Map::new();
                            for (key, v) in o {
                                let keep = if kind.starts_with("ExpSmooth") {
                                    key == "k"
                                } else if kind.starts_with("Chamfer") {
                                    key == "r"
                                } else {
                                    key != "k"
                                };
                                if keep {
                                    m.insert(key.clone(), v.clone());
                                }
                            }
                            Value::Object(m)
                        })
                        .unwrap(),
                ));
                for p in sharp_pts {
                    let (a, b) = (at(&g, p), at(&s, p));
                    assert_eq!(a.signum(), b.signum(), "{kind} at {p:?}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn known_values() {
        let a = |j: Value, p: [f32; 3]| at(&graph(&j), p);
        // Chamfer: the bevel fills the corner between the operands.
        let corner = [0.9f32, 0.55, 0.0];
        assert!(a(op("Union", json!({})), corner) > 0.0);
        assert!(a(op("ChamferUnion", json!({"r": 0.3})), corner) < 0.0);
        // XOR: the overlap is outside, each lone part inside.
        let x = op("XOR", json!({}));
        assert!(a(x.clone(), [0.75, 0.0, 0.0]) > 0.0);
        assert!(a(x.clone(), [-0.5, 0.0, 0.0]) < 0.0);
        assert!(a(x, [1.3, 0.0, 0.0]) < 0.0);
        // Morph at t = 0 is a, at 1 is b.
        assert!((a(op("Morph", json!({"t": 0.0})), [3.0, 0.0, 0.0]) - 2.0).abs() < 1e-6);
        assert!((a(op("Morph", json!({"t": 1.0})), [3.0, 0.0, 0.0]) - 1.5).abs() < 1e-6);
        // Pipe: (sqrt(a² + b²) - r)/√2; at (0.5, 0, 0) a = -0.5 and b = 0.
        let pipe = a(op("Pipe", json!({"r": 0.1})), [0.5, 0.0, 0.0]);
        assert!((pipe - 0.4 / 2f32.sqrt()).abs() < 1e-5, "{pipe}");
        // Engrave / groove cut into a where b's surface crosses it; tongue adds.
        // (0.877, 0, 0.48) is on the sphere, 0.02 inside the box's +z face.
        let seam = [0.877f32, 0.0, 0.48];
        let out = seam.map(|c| c * 1.05);
        assert!(a(op("Engrave", json!({"r": 0.1})), seam) > 0.03);
        assert!(a(op("Groove", json!({"ra": 0.1, "rb": 0.05})), seam) > 0.02);
        assert!(a(op("Tongue", json!({"ra": 0.1, "rb": 0.05})), out) < 0.0);
        let on_a = [-1.0f32, 0.0, 0.0];
        assert!((a(op("Groove", json!({"ra": 0.1, "rb": 0.05})), on_a)).abs() < 1e-6);
        // Exp smooth union lies below the sharp union by k ln 2 on the bisector.
        let e = a(op("ExpSmoothUnion", json!({"k": 0.2})), [3.0, 0.0, 0.0]);
        assert!((e - (1.5 - 0.2 * (1.0 + (-0.5f32 / 0.2).exp()).ln())).abs() < 1e-5);
    }
}
