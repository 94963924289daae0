//! Triply periodic minimal surfaces as shells, and terrain.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use crate::sdf::expr::{E, V3};

/// `Gyroid`: see the catalog.
#[allow(unused_variables)]
pub fn gyroid<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `SchwarzP`: see the catalog.
#[allow(unused_variables)]
pub fn schwarz_p<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `DiamondSurface`: see the catalog.
#[allow(unused_variables)]
pub fn diamond_surface<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `Neovius`: see the catalog.
#[allow(unused_variables)]
pub fn neovius<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `Lidinoid`: see the catalog.
#[allow(unused_variables)]
pub fn lidinoid<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `IWP`: see the catalog.
#[allow(unused_variables)]
pub fn iwp<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `FRD`: see the catalog.
#[allow(unused_variables)]
pub fn frd<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `FischerKochS`: see the catalog.
#[allow(unused_variables)]
pub fn fischer_koch_s<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `PMY`: see the catalog.
#[allow(unused_variables)]
pub fn pmy<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    todo!()
}

/// `Terrain`: see the catalog.
#[allow(unused_variables)]
pub fn terrain<'a>(p: V3<'a>, scale: f32, amplitude: f32) -> E<'a> {
    todo!()
}
