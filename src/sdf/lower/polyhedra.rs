//! Regular and truncated polyhedra.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use crate::sdf::expr::{E, V3};

/// `Tetrahedron`: see the catalog.
#[allow(unused_variables)]
pub fn tetrahedron<'a>(p: V3<'a>, size: f32) -> E<'a> {
    todo!()
}

/// `Dodecahedron`: see the catalog.
#[allow(unused_variables)]
pub fn dodecahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    todo!()
}

/// `Icosahedron`: see the catalog.
#[allow(unused_variables)]
pub fn icosahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    todo!()
}

/// `TruncatedOctahedron`: see the catalog.
#[allow(unused_variables)]
pub fn truncated_octahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    todo!()
}

/// `TruncatedIcosahedron`: see the catalog.
#[allow(unused_variables)]
pub fn truncated_icosahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    todo!()
}
