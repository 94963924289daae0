//! Solid primitives centred at the origin (ALICE-SDF's 3-D primitive kinds).
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use crate::sdf::expr::{E, V2, V3};

/// `Sphere`: see the catalog.
pub fn sphere<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    p.length() - radius
}

/// `Box3d`: see the catalog.
pub fn box3d<'a>(p: V3<'a>, half_extents: [f32; 3]) -> E<'a> {
    let b = p.builder();
    let q = p.abs() - b.v3(half_extents);
    q.max_s(0.0).length() + q.max_element().min(0.0)
}

/// `Cylinder`: see the catalog.
pub fn cylinder<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    let d = V2::new(p.xz().length() - radius, p.y.abs() - half_height);
    d.max_element().min(0.0) + d.max_s(0.0).length()
}

/// `Torus`: see the catalog.
#[allow(unused_variables)]
pub fn torus<'a>(p: V3<'a>, major_radius: f32, minor_radius: f32) -> E<'a> {
    todo!()
}

/// `Plane`: see the catalog.
#[allow(unused_variables)]
pub fn plane<'a>(p: V3<'a>, normal: [f32; 3], distance: f32) -> E<'a> {
    todo!()
}

/// `Capsule`: see the catalog.
#[allow(unused_variables)]
pub fn capsule<'a>(p: V3<'a>, point_a: [f32; 3], point_b: [f32; 3], radius: f32) -> E<'a> {
    todo!()
}

/// `Cone`: see the catalog.
#[allow(unused_variables)]
pub fn cone<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Ellipsoid`: see the catalog.
#[allow(unused_variables)]
pub fn ellipsoid<'a>(p: V3<'a>, radii: [f32; 3]) -> E<'a> {
    todo!()
}

/// `RoundedCone`: see the catalog.
#[allow(unused_variables)]
pub fn rounded_cone<'a>(p: V3<'a>, r1: f32, r2: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Pyramid`: see the catalog.
#[allow(unused_variables)]
pub fn pyramid<'a>(p: V3<'a>, half_height: f32) -> E<'a> {
    todo!()
}

/// `Octahedron`: see the catalog.
#[allow(unused_variables)]
pub fn octahedron<'a>(p: V3<'a>, size: f32) -> E<'a> {
    todo!()
}

/// `HexPrism`: see the catalog.
#[allow(unused_variables)]
pub fn hex_prism<'a>(p: V3<'a>, hex_radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Link`: see the catalog.
#[allow(unused_variables)]
pub fn link<'a>(p: V3<'a>, half_length: f32, r1: f32, r2: f32) -> E<'a> {
    todo!()
}

/// `Triangle`: see the catalog.
#[allow(unused_variables)]
pub fn triangle<'a>(p: V3<'a>, point_a: [f32; 3], point_b: [f32; 3], point_c: [f32; 3]) -> E<'a> {
    todo!()
}

/// `Bezier`: see the catalog.
#[allow(unused_variables)]
pub fn bezier<'a>(
    p: V3<'a>,
    point_a: [f32; 3],
    point_b: [f32; 3],
    point_c: [f32; 3],
    radius: f32,
) -> E<'a> {
    todo!()
}

/// `RoundedBox`: see the catalog.
#[allow(unused_variables)]
pub fn rounded_box<'a>(p: V3<'a>, half_extents: [f32; 3], round_radius: f32) -> E<'a> {
    todo!()
}

/// `CappedCone`: see the catalog.
#[allow(unused_variables)]
pub fn capped_cone<'a>(p: V3<'a>, half_height: f32, r1: f32, r2: f32) -> E<'a> {
    todo!()
}

/// `CappedTorus`: see the catalog.
#[allow(unused_variables)]
pub fn capped_torus<'a>(p: V3<'a>, major_radius: f32, minor_radius: f32, cap_angle: f32) -> E<'a> {
    todo!()
}

/// `RoundedCylinder`: see the catalog.
#[allow(unused_variables)]
pub fn rounded_cylinder<'a>(p: V3<'a>, radius: f32, round_radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `TriangularPrism`: see the catalog.
#[allow(unused_variables)]
pub fn triangular_prism<'a>(p: V3<'a>, width: f32, half_depth: f32) -> E<'a> {
    todo!()
}

/// `CutSphere`: see the catalog.
#[allow(unused_variables)]
pub fn cut_sphere<'a>(p: V3<'a>, radius: f32, cut_height: f32) -> E<'a> {
    todo!()
}

/// `CutHollowSphere`: see the catalog.
#[allow(unused_variables)]
pub fn cut_hollow_sphere<'a>(p: V3<'a>, radius: f32, cut_height: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `DeathStar`: see the catalog.
#[allow(unused_variables)]
pub fn death_star<'a>(p: V3<'a>, ra: f32, rb: f32, d: f32) -> E<'a> {
    todo!()
}

/// `SolidAngle`: see the catalog.
#[allow(unused_variables)]
pub fn solid_angle<'a>(p: V3<'a>, angle: f32, radius: f32) -> E<'a> {
    todo!()
}

/// `Rhombus`: see the catalog.
#[allow(unused_variables)]
pub fn rhombus<'a>(p: V3<'a>, la: f32, lb: f32, half_height: f32, round_radius: f32) -> E<'a> {
    todo!()
}

/// `Horseshoe`: see the catalog.
#[allow(unused_variables)]
pub fn horseshoe<'a>(
    p: V3<'a>,
    angle: f32,
    radius: f32,
    half_length: f32,
    width: f32,
    thickness: f32,
) -> E<'a> {
    todo!()
}

/// `Vesica`: see the catalog.
#[allow(unused_variables)]
pub fn vesica<'a>(p: V3<'a>, radius: f32, half_dist: f32) -> E<'a> {
    todo!()
}

/// `InfiniteCylinder`: see the catalog.
#[allow(unused_variables)]
pub fn infinite_cylinder<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    todo!()
}

/// `InfiniteCone`: see the catalog.
#[allow(unused_variables)]
pub fn infinite_cone<'a>(p: V3<'a>, angle: f32) -> E<'a> {
    todo!()
}

/// `MetricBall`: see the catalog.
#[allow(unused_variables)]
pub fn metric_ball<'a>(p: V3<'a>, radius: f32, w_l1: f32, w_l2: f32, w_linf: f32) -> E<'a> {
    todo!()
}

/// `MetricBlend`: see the catalog.
#[allow(unused_variables)]
pub fn metric_blend<'a>(
    p: V3<'a>,
    inner: E<'a>,
    outer: E<'a>,
    center: [f32; 3],
    radius: f32,
    skin: f32,
) -> E<'a> {
    todo!()
}

/// `Heart`: see the catalog.
#[allow(unused_variables)]
pub fn heart<'a>(p: V3<'a>, size: f32) -> E<'a> {
    todo!()
}

/// `Tube`: see the catalog.
#[allow(unused_variables)]
pub fn tube<'a>(p: V3<'a>, outer_radius: f32, thickness: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `Barrel`: see the catalog.
#[allow(unused_variables)]
pub fn barrel<'a>(p: V3<'a>, radius: f32, half_height: f32, bulge: f32) -> E<'a> {
    todo!()
}

/// `Diamond`: see the catalog.
#[allow(unused_variables)]
pub fn diamond<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `ChamferedCube`: see the catalog.
#[allow(unused_variables)]
pub fn chamfered_cube<'a>(p: V3<'a>, half_extents: [f32; 3], chamfer: f32) -> E<'a> {
    todo!()
}

/// `Superellipsoid`: see the catalog.
#[allow(unused_variables)]
pub fn superellipsoid<'a>(p: V3<'a>, half_extents: [f32; 3], e1: f32, e2: f32) -> E<'a> {
    todo!()
}

/// `Egg`: see the catalog.
#[allow(unused_variables)]
pub fn egg<'a>(p: V3<'a>, ra: f32, rb: f32) -> E<'a> {
    todo!()
}

/// `Helix`: see the catalog.
#[allow(unused_variables)]
pub fn helix<'a>(p: V3<'a>, major_r: f32, minor_r: f32, pitch: f32, half_height: f32) -> E<'a> {
    todo!()
}

/// `BoxFrame`: see the catalog.
#[allow(unused_variables)]
pub fn box_frame<'a>(p: V3<'a>, half_extents: [f32; 3], edge: f32) -> E<'a> {
    todo!()
}
