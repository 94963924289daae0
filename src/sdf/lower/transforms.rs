//! Rigid, scaling and projective transforms: the child is lowered at a moved point.
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.

use super::{Lower, LowerError};
use crate::sdf::expr::{E, V3};
use crate::sdf::node::Bone;
use crate::sdf::node::Node;

/// `Translate`: the child moved by `offset`. Exact.
pub fn translate<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    offset: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let q = p - p.x.builder().v3(offset);
    cx.node(child, q)
}

/// `Rotate`: the child rotated by a unit quaternion `[x, y, z, w]`. Exact.
pub fn rotate<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    rotation: [f32; 4],
) -> Result<E<'a>, LowerError> {
    cx.node(child, rotate_inverse(p, rotation))
}

/// `Scale`: the child scaled uniformly by `factor`, `child(p / s) * s`. Exact
/// (when the child is). A factor of 0 is refused by validation; here it counts
/// as a tiny positive one so nothing divides by zero.
pub fn scale<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    factor: f32,
) -> Result<E<'a>, LowerError> {
    let s = guard_factor(factor);
    Ok(cx.node(child, p * (1.0 / s))? * s)
}

/// `ScaleNonUniform`: the child scaled by `factors` per axis,
/// `child(p / f) * min(f)`, as ALICE-SDF. Bound: stretching by at most
/// `1 / min(f)` in the child's frame, so the value never overestimates.
pub fn scale_non_uniform<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    factors: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let f = factors.map(guard_factor);
    let q = V3::new(p.x * (1.0 / f[0]), p.y * (1.0 / f[1]), p.z * (1.0 / f[2]));
    let m = f[0].min(f[1]).min(f[2]);
    Ok(cx.node(child, q)? * m)
}

/// `ProjectiveTransform`: the child seen through the projective map
/// `inv_matrix` (column-major; `q = (M p).xyz / (M p).w`), as ALICE-SDF.
/// Bound, and here it differs from ALICE-SDF 6.1, which multiplies the child's
/// distance by `1/|w|` (up to ~7x too large): the Jacobian of `q` is
/// `(A - q ∇wᵀ) / w`, so the distance is multiplied by
/// `|w| / (‖A‖ + |q| |∇w|)` (‖A‖ the spectral norm of the linear part, found
/// at lowering time), capped at `lipschitz_bound` like ALICE-SDF caps its
/// factor. `w` is kept at least 1e-6 away from 0 (sign kept), so the plane
/// `w = 0` gives a tiny finite value instead of NaN. The factor is evaluated at
/// the point, a first-order bound for maps with a varying `w`; exact for affine
/// maps whose linear part is a similarity.
pub fn projective_transform<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    inv_matrix: [f32; 16],
    lipschitz_bound: f32,
) -> Result<E<'a>, LowerError> {
    let m = inv_matrix;
    let row = |r: usize| p.x * m[r] + p.y * m[4 + r] + p.z * m[8 + r] + m[12 + r];
    let w = row(3);
    let w = w.lt(0.0).select(w.min(-1e-6), w.max(1e-6));
    let inv_w = w.recip();
    let q = V3::new(row(0) * inv_w, row(1) * inv_w, row(2) * inv_w);
    let a = [[m[0], m[4], m[8]], [m[1], m[5], m[9]], [m[2], m[6], m[10]]];
    let norm_a = spectral_norm(a);
    let grad_w = (m[3] * m[3] + m[7] * m[7] + m[11] * m[11]).sqrt();
    let denom = if grad_w == 0.0 {
        p.x.builder().c(norm_a.max(1e-12))
    } else {
        (q.length() * grad_w + norm_a).max(1e-12)
    };
    let factor = (w.abs() / denom).min(lipschitz_bound.max(0.0));
    Ok(cx.node(child, q)? * factor)
}

/// `LatticeDeform`: free-form deformation as ALICE-SDF 6.1 defines it. Inside
/// `bbox_min..bbox_max` the point maps to the cubic Bernstein combination of
/// the control points, `q = Σ B3_i(s.x) B3_j(s.y) B3_k(s.z) cp[i, j, k]` with
/// `s` the point's position in the box (0..1 per axis) and
/// `cp[i, j, k] = control_points[(i (ny+1) + j) (nz+1) + k]` (z fastest,
/// `(nx+1)(ny+1)(nz+1)` points, only the first four per axis weigh in, as in
/// ALICE-SDF); outside the box the point is unchanged. With `nx = ny = nz = 3`
/// and the points evenly spaced over the box the map is the identity.
/// The child is evaluated at `q`. Bound inside the box: the value is divided by
/// a Lipschitz constant of the map (three times the largest control-point step
/// per box size, per axis), not by ALICE-SDF's finite-difference estimate of one
/// column, so it never overestimates there. Like ALICE-SDF's, the map jumps at
/// the box faces unless the outer control points sit at their rest positions.
#[allow(clippy::too_many_arguments)]
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
    let b = p.x.builder();
    let counts = [nx as usize + 1, ny as usize + 1, nz as usize + 1];
    // Only the first four points per axis carry a cubic Bernstein weight.
    let used = counts.map(|c| c.min(4));
    let size: [f32; 3] = std::array::from_fn(|a| (bbox_max[a] - bbox_min[a]).max(1e-6));
    let cp = |i: usize, j: usize, k: usize| -> [f32; 3] {
        control_points
            .get((i * counts[1] + j) * counts[2] + k)
            .copied()
            .unwrap_or([0.0; 3])
    };
    // Lipschitz bound: ∂q/∂s_a = 3 Σ (c_{n+1} - c_n) B2_n along axis a, and the
    // weights of the other axes sum to at most 1. With four points per axis
    // the evenly spaced rest lattice is the identity, so measure the steps of
    // the displacements from it instead: the map is `p + D(p)`, `|J| <= 1 + |J_D|`.
    let cubic = used == [4, 4, 4];
    let rest = |t: [usize; 3]| -> [f32; 3] {
        if cubic {
            std::array::from_fn(|a| bbox_min[a] + size[a] * t[a] as f32 / 3.0)
        } else {
            [0.0; 3]
        }
    };
    let at = |t: [usize; 3]| -> [f32; 3] {
        if !t.iter().zip(&used).all(|(v, u)| v < u) {
            return [0.0; 3];
        }
        let (c, r) = (cp(t[0], t[1], t[2]), rest(t));
        // Points written to 7 digits still count as at rest.
        std::array::from_fn(|a| {
            let d = c[a] - r[a];
            if d.abs() <= 1e-6 * size[a] { 0.0 } else { d }
        })
    };
    let mut g = [0.0f32; 3];
    for i in 0..4 {
        for j in 0..4 {
            for k in 0..4 {
                let c0 = at([i, j, k]);
                for (a, step) in [[1, 0, 0], [0, 1, 0], [0, 0, 1]].iter().enumerate() {
                    let t = [i + step[0], j + step[1], k + step[2]];
                    if t[a] < 4 {
                        let c1 = at(t);
                        let e = ((c1[0] - c0[0]).powi(2)
                            + (c1[1] - c0[1]).powi(2)
                            + (c1[2] - c0[2]).powi(2))
                        .sqrt();
                        g[a] = g[a].max(3.0 * e / size[a]);
                    }
                }
            }
        }
    }
    let frobenius = (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt();
    let lip = if cubic {
        1.0 + frobenius
    } else {
        frobenius.max(1e-6)
    };
    let s = [p.x, p.y, p.z];
    let t: [E<'a>; 3] =
        std::array::from_fn(|a| ((s[a] - bbox_min[a]) * (1.0 / size[a])).clamp(0.0, 1.0));
    let bern = |t: E<'a>| {
        let u = 1.0 - t;
        [u * u * u, u * u * t * 3.0, u * t * t * 3.0, t * t * t]
    };
    let (bx, by, bz) = (bern(t[0]), bern(t[1]), bern(t[2]));
    // Bernstein weights reproduce linear functions, so with the cubic rest
    // lattice the map is `bbox_min + t size + Σ B (cp - rest)`: only displaced
    // points cost anything, and the identity lattice costs nothing.
    let mut q: [E<'a>; 3] = if cubic {
        std::array::from_fn(|a| t[a] * size[a] + bbox_min[a])
    } else {
        [b.c(0.0); 3]
    };
    let zero = b.c(0.0);
    for (i, &wx) in bx.iter().enumerate().take(used[0]) {
        let mut qy = [zero; 3];
        for (j, &wy) in by.iter().enumerate().take(used[1]) {
            let mut qz = [zero; 3];
            for (k, &wz) in bz.iter().enumerate().take(used[2]) {
                let c = at([i, j, k]);
                for a in 0..3 {
                    if c[a] != 0.0 {
                        qz[a] = qz[a] + wz * c[a];
                    }
                }
            }
            for a in 0..3 {
                qy[a] = qy[a] + qz[a] * wy;
            }
        }
        for a in 0..3 {
            q[a] = q[a] + qy[a] * wx;
        }
    }
    // Inside the box on every axis: 1, else 0. The child is lowered once, at
    // the mapped point inside and at the point itself outside.
    let inside = (0..3)
        .map(|a| s[a].ge(bbox_min[a]) * s[a].le(bbox_max[a]))
        .fold(b.c(1.0), |acc, v| acc * v);
    let at_point = V3::select(inside, V3::new(q[0], q[1], q[2]), p);
    Ok(cx.node(child, at_point)? * inside.select(1.0 / lip, 1.0))
}

/// `SdfSkinning`: linear blend skinning, as ALICE-SDF: each bone maps the point
/// by `inv_bind_pose * current_pose` (column-major, affine part only) and the
/// results are averaged by weight (bones under 1e-6 skipped; no weight at all
/// leaves the point unchanged). The average of affine maps is one affine map,
/// folded at lowering time, so any number of bones costs one matrix product.
/// Bound: unlike ALICE-SDF (which returns the child's value unscaled), the
/// value is divided by the spectral norm of the blended map when it exceeds 1.
pub fn sdf_skinning<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    bones: &[Bone],
) -> Result<E<'a>, LowerError> {
    let mut acc = [0.0f32; 12];
    let mut total = 0.0f32;
    for bone in bones.iter().filter(|b| b.weight >= 1e-6) {
        let m = mat_mul(&bone.inv_bind_pose, &bone.current_pose);
        for (slot, v) in acc.iter_mut().zip(affine_rows(&m)) {
            *slot += v * bone.weight;
        }
        total += bone.weight;
    }
    if total <= 1e-6 {
        return cx.node(child, p);
    }
    let r = acc.map(|v| v / total);
    let row = |i: usize| p.x * r[4 * i] + p.y * r[4 * i + 1] + p.z * r[4 * i + 2] + r[4 * i + 3];
    let q = V3::new(row(0), row(1), row(2));
    let a = [[r[0], r[1], r[2]], [r[4], r[5], r[6]], [r[8], r[9], r[10]]];
    let lip = spectral_norm(a).max(1.0);
    Ok(cx.node(child, q)? * (1.0 / lip))
}

/// `conj(q) * p` for a quaternion `[x, y, z, w]`, normalised first: the point in
/// the child's frame when the child is rotated by `q`.
pub fn rotate_inverse<'a>(p: V3<'a>, q: [f32; 4]) -> V3<'a> {
    // In f64 so that a quaternion written with f32 digits (0.70710677) gives a
    // matrix whose 0 and ±1 entries are within rounding of those values.
    let q = q.map(f64::from);
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
    let row = |r: [f64; 3]| p.x * snap(r[0]) + p.y * snap(r[1]) + p.z * snap(r[2]);
    V3::new(row(m[0]), row(m[1]), row(m[2]))
}

/// Rounds matrix entries within 1e-6 of 0 or ±1 to those values, so rotations
/// by multiples of 90° fold into swizzles instead of costing multiplies and
/// adds. A quaternion given to f32 precision is only good to about 1e-7 per
/// component, so this moves a point by no more than its own rounding noise
/// (1e-6 of its distance from the origin).
fn snap(v: f64) -> f32 {
    for t in [0.0, 1.0, -1.0] {
        if (v - t).abs() < 1e-6 {
            return t as f32;
        }
    }
    v as f32
}

/// The product `a * b` of two column-major 4x4 matrices.
fn mat_mul(a: &[f32; 16], b: &[f32; 16]) -> [f32; 16] {
    std::array::from_fn(|idx| {
        let (col, row) = (idx / 4, idx % 4);
        (0..4).map(|k| a[k * 4 + row] * b[col * 4 + k]).sum()
    })
}

/// The top three rows of a column-major 4x4 matrix, row-major (`[m00 m01 m02 t0, …]`).
fn affine_rows(m: &[f32; 16]) -> [f32; 12] {
    std::array::from_fn(|idx| {
        let (row, col) = (idx / 4, idx % 4);
        m[col * 4 + row]
    })
}

/// The largest singular value of a 3x3 matrix (rows), by power iteration on
/// `AᵀA` in f64, nudged up slightly so rounding never makes it too small.
pub fn spectral_norm(a: [[f32; 3]; 3]) -> f32 {
    let a = a.map(|r| r.map(f64::from));
    let mut ata = [[0.0f64; 3]; 3];
    for (i, row) in ata.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| a[k][i] * a[k][j]).sum();
        }
    }
    let frob: f64 = ata[0][0] + ata[1][1] + ata[2][2];
    if frob <= 0.0 {
        return 0.0;
    }
    let mut v = [0.577_f64, 0.578, 0.579];
    let mut lambda = 0.0;
    for _ in 0..200 {
        let w: [f64; 3] = std::array::from_fn(|i| (0..3).map(|k| ata[i][k] * v[k]).sum());
        let n = (w[0] * w[0] + w[1] * w[1] + w[2] * w[2]).sqrt();
        if n == 0.0 {
            break;
        }
        lambda = n;
        v = w.map(|x| x / n);
    }
    // Power iteration converges from below; a stalled start (v orthogonal to the
    // top singular vector) is caught by the trace bound.
    let lambda = if lambda <= 0.0 { frob } else { lambda };
    (lambda.sqrt() * (1.0 + 1e-5)) as f32
}

/// A positive scale factor: validation refuses 0 and negatives, but a library
/// caller may not have validated.
fn guard_factor(f: f32) -> f32 {
    if f.abs() < 1e-6 { 1e-6 } else { f.abs() }
}

#[cfg(test)]
mod tests {
    use crate::sdf::lower::testing::{at, finite, graph, lipschitz, sphere};
    use serde_json::json;

    const ID: [f32; 16] = [
        1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
    ];

    #[test]
    fn scales() {
        let s = json!({"Scale": {"child": sphere(1.0), "factor": 2.0}});
        assert!((at(&graph(&s), [3.0, 0.0, 0.0]) - 1.0).abs() < 1e-6);
        lipschitz(&s, 4.0);
        let n = json!({"ScaleNonUniform": {"child": sphere(1.0), "factors": [2.0, 1.0, 0.5]}});
        let g = graph(&n);
        assert!(at(&g, [1.9, 0.0, 0.0]) < 0.0);
        assert!(at(&g, [0.0, 0.0, 0.6]) > 0.0);
        lipschitz(&n, 3.0);
    }

    #[test]
    fn projective_transform_is_a_bound() {
        let id = json!({"ProjectiveTransform": {"child": sphere(1.0), "inv_matrix": ID, "lipschitz_bound": 1.0}});
        assert!((at(&graph(&id), [3.0, 0.0, 0.0]) - 2.0).abs() < 1e-4);
        // A uniform scale by 2 in the inverse map halves the shape.
        let mut m = ID;
        m[0] = 2.0;
        m[5] = 2.0;
        m[10] = 2.0;
        let half = json!({"ProjectiveTransform": {"child": sphere(1.0), "inv_matrix": m, "lipschitz_bound": 10.0}});
        assert!((at(&graph(&half), [1.5, 0.0, 0.0]) - 1.0).abs() < 1e-4);
        lipschitz(&half, 3.0);
        // A perspective division: w = 1 + 0.3 z.
        let mut m = ID;
        m[11] = 0.3;
        let persp = json!({"ProjectiveTransform": {"child": {"Box3d": {"half_extents": [0.5, 0.5, 0.5]}}, "inv_matrix": m, "lipschitz_bound": 10.0}});
        let g = graph(&persp);
        assert!(at(&g, [0.0, 0.0, 0.0]) < 0.0);
        lipschitz(&persp, 1.5);
        // Across w = 0 (z = -10/3) nothing is NaN.
        finite(&persp, 8.0);
        assert!(at(&g, [0.0, 0.0, -10.0 / 3.0]).is_finite());
    }

    #[test]
    fn lattice_deform_moves_material_with_its_control_points() {
        // 4x4x4 points evenly spaced over [-1,1]^3, z fastest: the identity map.
        let rest: Vec<[f32; 3]> = (0..64)
            .map(|n| {
                let (i, j, k) = (n / 16, n / 4 % 4, n % 4);
                [i, j, k].map(|v| -1.0 + 2.0 * v as f32 / 3.0)
            })
            .collect();
        let lattice = |cps: &Vec<[f32; 3]>| {
            json!({"LatticeDeform": {"child": sphere(0.5), "control_points": cps, "nx": 3, "ny": 3, "nz": 3,
                "bbox_min": [-1.0, -1.0, -1.0], "bbox_max": [1.0, 1.0, 1.0]}})
        };
        let g = graph(&lattice(&rest));
        assert!((at(&g, [0.0, 0.0, 0.0]) + 0.5).abs() < 1e-5);
        assert!((at(&g, [0.7, 0.0, 0.0]) - 0.2).abs() < 1e-5);
        // ALICE-SDF maps the point forward: shifting every control point by
        // +0.3 in x samples the child 0.3 further along, so the sphere moves by -0.3.
        let moved: Vec<[f32; 3]> = rest.iter().map(|c| [c[0] + 0.3, c[1], c[2]]).collect();
        let g = graph(&lattice(&moved));
        assert!((at(&g, [-0.3, 0.0, 0.0]) + 0.5).abs() < 1e-5);
        assert!(at(&g, [0.25, 0.0, 0.0]) > 0.0);
        // Outside the box the child is untouched.
        assert!((at(&g, [0.0, 1.5, 0.0]) - 1.0).abs() < 1e-5);
        lipschitz(&lattice(&moved), 0.9);
        // Stretch the top: a true deformation, still a bound inside the box.
        let mut top = rest.clone();
        for c in top.iter_mut().filter(|c| c[1] > 0.0) {
            c[0] *= 1.5;
            c[2] *= 1.5;
        }
        lipschitz(&lattice(&top), 0.9);
    }

    #[test]
    fn skinning_folds_bones_into_one_affine_map() {
        let mut shift = ID;
        shift[12] = -1.0; // current pose moves the point by -1 in x
        let j = json!({"SdfSkinning": {"child": sphere(0.5), "bones": [
            {"inv_bind_pose": ID, "current_pose": shift, "weight": 1.0},
            {"inv_bind_pose": ID, "current_pose": ID, "weight": 1.0}
        ]}});
        let g = graph(&j);
        // The average map is p - (0.5, 0, 0): the sphere sits at +0.5.
        assert!((at(&g, [0.5, 0.0, 0.0]) + 0.5).abs() < 1e-4);
        lipschitz(&j, 2.0);
        let none = json!({"SdfSkinning": {"child": sphere(0.5), "bones": [
            {"inv_bind_pose": ID, "current_pose": shift, "weight": 0.0}
        ]}});
        assert!((at(&graph(&none), [0.0, 0.0, 0.0]) + 0.5).abs() < 1e-6);
        let mut stretch = ID;
        stretch[0] = 3.0;
        let s = json!({"SdfSkinning": {"child": sphere(0.5), "bones": [
            {"inv_bind_pose": ID, "current_pose": stretch, "weight": 1.0}
        ]}});
        lipschitz(&s, 2.0);
    }

    #[test]
    fn spectral_norm_of_known_matrices() {
        assert!(
            (super::spectral_norm([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) - 1.0).abs()
                < 1e-4
        );
        assert!(
            (super::spectral_norm([[0.5, 0.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 0.25]]) - 2.0)
                .abs()
                < 1e-4
        );
        // Shear [[1, 1], [0, 1]]: golden ratio.
        let n = super::spectral_norm([[1.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]);
        assert!((n - 1.618_034).abs() < 1e-4, "{n}");
    }
}
