//! Boolean and blending operations on two distances.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use crate::sdf::expr::E;

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

/// `ChamferUnion`: see the catalog.
#[allow(unused_variables)]
pub fn chamfer_union<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    todo!()
}

/// `ChamferIntersection`: see the catalog.
#[allow(unused_variables)]
pub fn chamfer_intersection<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    todo!()
}

/// `ChamferSubtraction`: see the catalog.
#[allow(unused_variables)]
pub fn chamfer_subtraction<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    todo!()
}

/// `StairsUnion`: see the catalog.
#[allow(unused_variables)]
pub fn stairs_union<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    todo!()
}

/// `StairsIntersection`: see the catalog.
#[allow(unused_variables)]
pub fn stairs_intersection<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    todo!()
}

/// `StairsSubtraction`: see the catalog.
#[allow(unused_variables)]
pub fn stairs_subtraction<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    todo!()
}

/// `XOR`: see the catalog.
#[allow(unused_variables)]
pub fn xor<'a>(a: E<'a>, b: E<'a>) -> E<'a> {
    todo!()
}

/// `Morph`: see the catalog.
#[allow(unused_variables)]
pub fn morph<'a>(a: E<'a>, b: E<'a>, t: f32) -> E<'a> {
    todo!()
}

/// `ColumnsUnion`: see the catalog.
#[allow(unused_variables)]
pub fn columns_union<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    todo!()
}

/// `ColumnsIntersection`: see the catalog.
#[allow(unused_variables)]
pub fn columns_intersection<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    todo!()
}

/// `ColumnsSubtraction`: see the catalog.
#[allow(unused_variables)]
pub fn columns_subtraction<'a>(a: E<'a>, b: E<'a>, r: f32, n: f32) -> E<'a> {
    todo!()
}

/// `Pipe`: see the catalog.
#[allow(unused_variables)]
pub fn pipe<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    todo!()
}

/// `Engrave`: see the catalog.
#[allow(unused_variables)]
pub fn engrave<'a>(a: E<'a>, b: E<'a>, r: f32) -> E<'a> {
    todo!()
}

/// `Groove`: see the catalog.
#[allow(unused_variables)]
pub fn groove<'a>(a: E<'a>, b: E<'a>, ra: f32, rb: f32) -> E<'a> {
    todo!()
}

/// `Tongue`: see the catalog.
#[allow(unused_variables)]
pub fn tongue<'a>(a: E<'a>, b: E<'a>, ra: f32, rb: f32) -> E<'a> {
    todo!()
}

/// `ExpSmoothUnion`: see the catalog.
#[allow(unused_variables)]
pub fn exp_smooth_union<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    todo!()
}

/// `ExpSmoothIntersection`: see the catalog.
#[allow(unused_variables)]
pub fn exp_smooth_intersection<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    todo!()
}

/// `ExpSmoothSubtraction`: see the catalog.
#[allow(unused_variables)]
pub fn exp_smooth_subtraction<'a>(a: E<'a>, b: E<'a>, k: f32) -> E<'a> {
    todo!()
}
