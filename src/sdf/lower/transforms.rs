//! Rigid, scaling and projective transforms: the child is lowered at a moved point.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use super::{Lower, LowerError};
use crate::sdf::expr::{E, V3};
use crate::sdf::node::Bone;
use crate::sdf::node::Node;

/// `Translate`: see the catalog.
pub fn translate<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    offset: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let q = p - p.x.builder().v3(offset);
    cx.node(child, q)
}

/// `Rotate`: see the catalog.
pub fn rotate<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    rotation: [f32; 4],
) -> Result<E<'a>, LowerError> {
    cx.node(child, rotate_inverse(p, rotation))
}

/// `Scale`: see the catalog.
#[allow(unused_variables)]
pub fn scale<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    factor: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `ScaleNonUniform`: see the catalog.
#[allow(unused_variables)]
pub fn scale_non_uniform<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    factors: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `ProjectiveTransform`: see the catalog.
#[allow(unused_variables)]
pub fn projective_transform<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    inv_matrix: [f32; 16],
    lipschitz_bound: f32,
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `LatticeDeform`: see the catalog.
#[allow(unused_variables)]
pub fn lattice_deform<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    control_points: &[[f32; 3]],
    nx: u32,
    ny: u32,
    nz: u32,
    bbox_min: [f32; 3],
    bbox_max: [f32; 3],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `SdfSkinning`: see the catalog.
#[allow(unused_variables)]
pub fn sdf_skinning<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    bones: &[Bone],
) -> Result<E<'a>, LowerError> {
    todo!()
}

/// `conj(q) * p` for a quaternion `[x, y, z, w]`, normalised first: the point in
/// the child's frame when the child is rotated by `q`.
pub fn rotate_inverse<'a>(p: V3<'a>, q: [f32; 4]) -> V3<'a> {
    let n = (q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]).sqrt();
    let [x, y, z, w] = q.map(|c| c / n);
    // Rows of R(q)^T, i.e. the columns of R(q).
    let m = [
        [
            1.0 - 2.0 * (y * y + z * z),
            2.0 * (x * y + w * z),
            2.0 * (x * z - w * y),
        ],
        [
            2.0 * (x * y - w * z),
            1.0 - 2.0 * (x * x + z * z),
            2.0 * (y * z + w * x),
        ],
        [
            2.0 * (x * z + w * y),
            2.0 * (y * z - w * x),
            1.0 - 2.0 * (x * x + y * y),
        ],
    ];
    let row = |r: [f32; 3]| p.x * snap(r[0]) + p.y * snap(r[1]) + p.z * snap(r[2]);
    V3::new(row(m[0]), row(m[1]), row(m[2]))
}

/// Rounds matrix entries within 1e-7 of 0 or ±1 to those values, so rotations
/// by multiples of 90° fold into swizzles instead of costing multiplies.
fn snap(v: f32) -> f32 {
    for t in [0.0, 1.0, -1.0] {
        if (v - t).abs() < 1e-7 {
            return t;
        }
    }
    v
}
