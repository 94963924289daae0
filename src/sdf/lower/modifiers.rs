//! Deformations, repetitions and surface modifiers.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use super::{Lower, LowerError};
use crate::sdf::expr::{E, V3};
use crate::sdf::node::Node;
use crate::sdf::node::TaperReach;

/// `Twist`: see the catalog.
#[allow(unused_variables)]
pub fn twist<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    strength: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Bend`: see the catalog.
#[allow(unused_variables)]
pub fn bend<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    curvature: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `RepeatInfinite`: see the catalog.
#[allow(unused_variables)]
pub fn repeat_infinite<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    spacing: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `RepeatFinite`: see the catalog.
#[allow(unused_variables)]
pub fn repeat_finite<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    count: [u32; 3],
    spacing: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Noise`: see the catalog.
#[allow(unused_variables)]
pub fn noise<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    amplitude: f32,
    frequency: f32,
    seed: u32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Round`: see the catalog.
#[allow(unused_variables)]
pub fn round<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    radius: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Onion`: see the catalog.
#[allow(unused_variables)]
pub fn onion<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    thickness: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Elongate`: see the catalog.
#[allow(unused_variables)]
pub fn elongate<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    amount: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Mirror`: see the catalog.
#[allow(unused_variables)]
pub fn mirror<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    axes: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Revolution`: see the catalog.
#[allow(unused_variables)]
pub fn revolution<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    offset: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Extrude`: see the catalog.
#[allow(unused_variables)]
pub fn extrude<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    half_height: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `SweepBezier`: see the catalog.
#[allow(unused_variables)]
pub fn sweep_bezier<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    p0: [f32; 2],
    p1: [f32; 2],
    p2: [f32; 2],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Taper`: see the catalog.
#[allow(unused_variables)]
pub fn taper<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    factor: f32,
    reach: TaperReach,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Displacement`: see the catalog.
#[allow(unused_variables)]
pub fn displacement<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    strength: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `SineDisplacement`: see the catalog.
#[allow(unused_variables)]
pub fn sine_displacement<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    amplitude: f32,
    frequency: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `PolarRepeat`: see the catalog.
#[allow(unused_variables)]
pub fn polar_repeat<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    count: u32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `OctantMirror`: see the catalog.
#[allow(unused_variables)]
pub fn octant_mirror<'a>(cx: &Lower<'a>, child: &Node, p: V3<'a>) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Shear`: see the catalog.
#[allow(unused_variables)]
pub fn shear<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    shear: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `Animated`: see the catalog.
#[allow(unused_variables)]
pub fn animated<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    speed: f32,
    amplitude: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `WithMaterial`: see the catalog.
#[allow(unused_variables)]
pub fn with_material<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    material_id: u32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `IcosahedralSymmetry`: see the catalog.
#[allow(unused_variables)]
pub fn icosahedral_symmetry<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `IFS`: see the catalog.
#[allow(unused_variables)]
pub fn ifs<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    transforms: &[[f32; 16]],
    iterations: u32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `HeightmapDisplacement`: see the catalog.
#[allow(unused_variables)]
pub fn heightmap_displacement<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    heightmap: &[f32],
    width: u32,
    height: u32,
    amplitude: f32,
    scale: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `SurfaceRoughness`: see the catalog.
#[allow(unused_variables)]
pub fn surface_roughness<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    frequency: f32,
    amplitude: f32,
    octaves: u32,
) -> Result<E<'a>, LowerError> {
    todo!()
}
