//! 2-D profiles in the XY plane extruded along Z (ALICE-SDF's extruded and *2D kinds).
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use crate::sdf::expr::{E, V3};

/// `RoundedX`: see the catalog.
#[allow(unused_variables)]
pub fn rounded_x<'a>(p: V3<'a>, width: f32, round_radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Pie`: see the catalog.
#[allow(unused_variables)]
pub fn pie<'a>(p: V3<'a>, angle: f32, radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Trapezoid`: see the catalog.
#[allow(unused_variables)]
pub fn trapezoid<'a>(p: V3<'a>, r1: f32, r2: f32, trap_height: f32, half_depth: f32) -> E<'a> {
    todo!()
}

/// `Parallelogram`: see the catalog.
#[allow(unused_variables)]
pub fn parallelogram<'a>(
    p: V3<'a>,
    width: f32,
    para_height: f32,
    skew: f32,
    half_depth: f32,
) -> E<'a> {
    todo!()
}

/// `Tunnel`: see the catalog.
#[allow(unused_variables)]
pub fn tunnel<'a>(p: V3<'a>, width: f32, height_2d: f32, half_depth: f32) -> E<'a> {
    todo!()
}

/// `UnevenCapsule`: see the catalog.
#[allow(unused_variables)]
pub fn uneven_capsule<'a>(p: V3<'a>, r1: f32, r2: f32, cap_height: f32, half_depth: f32) -> E<'a> {
    todo!()
}

/// `ArcShape`: see the catalog.
#[allow(unused_variables)]
pub fn arc_shape<'a>(
    p: V3<'a>,
    aperture: f32,
    radius: f32,
    thickness: f32,
    half_height: f32,
) -> E<'a> {
    todo!()
}

/// `Moon`: see the catalog.
#[allow(unused_variables)]
pub fn moon<'a>(p: V3<'a>, d: f32, ra: f32, rb: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `CrossShape`: see the catalog.
#[allow(unused_variables)]
pub fn cross_shape<'a>(
    p: V3<'a>,
    length: f32,
    thickness: f32,
    round_radius: f32,
    half_height: f32,
) -> E<'a> {
    todo!()
}

/// `BlobbyCross`: see the catalog.
#[allow(unused_variables)]
pub fn blobby_cross<'a>(p: V3<'a>, size: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `ParabolaSegment`: see the catalog.
#[allow(unused_variables)]
pub fn parabola_segment<'a>(p: V3<'a>, width: f32, para_height: f32, half_depth: f32) -> E<'a> {
    todo!()
}

/// `RegularPolygon`: see the catalog.
#[allow(unused_variables)]
pub fn regular_polygon<'a>(p: V3<'a>, radius: f32, n_sides: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `StarPolygon`: see the catalog.
#[allow(unused_variables)]
pub fn star_polygon<'a>(p: V3<'a>, radius: f32, n_points: f32, m: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Stairs`: see the catalog.
#[allow(unused_variables)]
pub fn stairs<'a>(
    p: V3<'a>,
    step_width: f32,
    step_height: f32,
    n_steps: f32,
    half_depth: f32,
) -> E<'a> {
    todo!()
}

/// `Circle2D`: see the catalog.
#[allow(unused_variables)]
pub fn circle2d<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Rect2D`: see the catalog.
#[allow(unused_variables)]
pub fn rect2d<'a>(p: V3<'a>, half_extents: [f32; 2], half_height: f32) -> E<'a> {
    todo!()
}

/// `Segment2D`: see the catalog.
#[allow(unused_variables)]
pub fn segment2d<'a>(
    p: V3<'a>,
    a: [f32; 2],
    b: [f32; 2],
    thickness: f32,
    half_height: f32,
) -> E<'a> {
    todo!()
}

/// `Polygon2D`: see the catalog.
#[allow(unused_variables)]
pub fn polygon2d<'a>(p: V3<'a>, vertices: &[[f32; 2]], half_height: f32) -> E<'a> {
    todo!()
}

/// `RoundedRect2D`: see the catalog.
#[allow(unused_variables)]
pub fn rounded_rect2d<'a>(
    p: V3<'a>,
    half_extents: [f32; 2],
    round_radius: f32,
    half_height: f32,
) -> E<'a> {
    todo!()
}

/// `Annular2D`: see the catalog.
#[allow(unused_variables)]
pub fn annular2d<'a>(p: V3<'a>, outer_radius: f32, thickness: f32, half_height: f32) -> E<'a> {
    todo!()
}
