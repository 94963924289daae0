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
    let h = (1.0 - (a - b).abs() * (1.0 / k)).max(0.0);
    a.min(b) - h.square() * (k * 0.25)
}

/// `SmoothIntersection`: see the catalog.
pub fn smooth_intersection<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    if k <= 0.0 {
        return a.max(b);
    }
    let h = (1.0 - (a - b).abs() * (1.0 / k)).max(0.0);
    a.max(b) + h.square() * (k * 0.25)
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
