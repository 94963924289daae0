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

/// `LatticeDeform`: trilinear free-form deformation. Not ALICE-SDF's Bernstein
/// lattice (whose `nx + 1` points per axis are absolute positions and whose
/// field jumps at the box): here `control_points` holds `nx * ny * nz` points,
/// x fastest, then y, then z, whose rest positions are the uniform grid over
/// `bbox_min..bbox_max`. Moving a control point away from its rest position
/// moves the material there by the same amount; the displacement `D` is the
/// trilinear interpolation of (control point - rest position), extended
/// outside the box by clamping (so the field stays continuous). The point is
/// mapped back by the first-order inverse `q = p - D(p)`. Bound: divided by
/// `1 + ‖∇D‖` (the largest edge difference per cell size, per axis), which is
/// at least the Lipschitz constant of `q`. Cost grows with the number of
/// displaced control points (undisplaced ones fold away); missing points count
/// as undisplaced.
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
    let n = [nx.max(2) as usize, ny.max(2) as usize, nz.max(2) as usize];
    let size: [f32; 3] = std::array::from_fn(|i| {
        let s = bbox_max[i] - bbox_min[i];
        if s.abs() < 1e-6 { 1e-6 } else { s }
    });
    let rest = |i: usize, j: usize, k: usize| -> [f32; 3] {
        let t = [i, j, k];
        std::array::from_fn(|a| bbox_min[a] + size[a] * t[a] as f32 / (n[a] - 1) as f32)
    };
    let disp = |i: usize, j: usize, k: usize| -> [f32; 3] {
        let idx = i + n[0] * (j + n[1] * k);
        match control_points.get(idx) {
            Some(c) => {
                let r = rest(i, j, k);
                [c[0] - r[0], c[1] - r[1], c[2] - r[2]]
            }
            None => [0.0; 3],
        }
    };
    // Lipschitz bound of D from the edge differences along each axis.
    let mut g = [0.0f32; 3];
    for k in 0..n[2] {
        for j in 0..n[1] {
            for i in 0..n[0] {
                let d0 = disp(i, j, k);
                let nb = [(i + 1, j, k), (i, j + 1, k), (i, j, k + 1)];
                for (a, &(ii, jj, kk)) in nb.iter().enumerate() {
                    if [ii, jj, kk][a] < n[a] {
                        let d1 = disp(ii, jj, kk);
                        let e = ((d1[0] - d0[0]).powi(2)
                            + (d1[1] - d0[1]).powi(2)
                            + (d1[2] - d0[2]).powi(2))
                        .sqrt();
                        let cell = (size[a] / (n[a] - 1) as f32).abs();
                        g[a] = g[a].max(e / cell);
                    }
                }
            }
        }
    }
    let lip = 1.0 + (g[0] * g[0] + g[1] * g[1] + g[2] * g[2]).sqrt();
    // Grid coordinates, clamped to the box, and the hat weights per axis.
    let coord = |v: E<'a>, a: usize| {
        ((v - bbox_min[a]) * ((n[a] - 1) as f32 / size[a])).clamp(0.0, (n[a] - 1) as f32)
    };
    let (u, v, w) = (coord(p.x, 0), coord(p.y, 1), coord(p.z, 2));
    let hat = |t: E<'a>, i: usize| (1.0 - (t - i as f32).abs()).max(0.0);
    let hx: Vec<E<'a>> = (0..n[0]).map(|i| hat(u, i)).collect();
    let hy: Vec<E<'a>> = (0..n[1]).map(|j| hat(v, j)).collect();
    let hz: Vec<E<'a>> = (0..n[2]).map(|k| hat(w, k)).collect();
    let zero = p.x.builder().c(0.0);
    let mut d = [zero; 3];
    for (k, &wz) in hz.iter().enumerate() {
        let mut dz = [zero; 3];
        for (j, &wy) in hy.iter().enumerate() {
            let mut dy = [zero; 3];
            for (i, &h) in hx.iter().enumerate() {
                let c = disp(i, j, k);
                for a in 0..3 {
                    if c[a] != 0.0 {
                        dy[a] = dy[a] + h * c[a];
                    }
                }
            }
            for a in 0..3 {
                dz[a] = dz[a] + dy[a] * wy;
            }
        }
        for a in 0..3 {
            d[a] = d[a] + dz[a] * wz;
        }
    }
    let q = V3::new(p.x - d[0], p.y - d[1], p.z - d[2]);
    Ok(cx.node(child, q)? * (1.0 / lip))
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
        let rest: Vec<[f32; 3]> = (0..8)
            .map(|i| {
                let b = |k: usize| if i >> k & 1 == 1 { 1.0 } else { -1.0 };
                [b(0), b(1), b(2)]
            })
            .collect();
        let j = json!({"LatticeDeform": {"child": sphere(0.5), "control_points": rest, "nx": 2, "ny": 2, "nz": 2,
            "bbox_min": [-1.0, -1.0, -1.0], "bbox_max": [1.0, 1.0, 1.0]}});
        let g = graph(&j);
        assert!((at(&g, [0.0, 0.0, 0.0]) + 0.5).abs() < 1e-6);
        // Shift the whole lattice by +0.3 in x: the sphere follows.
        let moved: Vec<[f32; 3]> = rest.iter().map(|c| [c[0] + 0.3, c[1], c[2]]).collect();
        let j = json!({"LatticeDeform": {"child": sphere(0.5), "control_points": moved, "nx": 2, "ny": 2, "nz": 2,
            "bbox_min": [-1.0, -1.0, -1.0], "bbox_max": [1.0, 1.0, 1.0]}});
        let g = graph(&j);
        assert!((at(&g, [0.3, 0.0, 0.0]) + 0.5).abs() < 1e-5);
        assert!(at(&g, [-0.35, 0.0, 0.0]) > 0.0);
        lipschitz(&j, 2.0);
        // Stretch the top: a true deformation, still a bound.
        let mut top = rest.clone();
        for c in top.iter_mut().filter(|c| c[1] > 0.0) {
            c[0] *= 1.5;
            c[2] *= 1.5;
        }
        let j = json!({"LatticeDeform": {"child": sphere(0.5), "control_points": top, "nx": 2, "ny": 2, "nz": 2,
            "bbox_min": [-1.0, -1.0, -1.0], "bbox_max": [1.0, 1.0, 1.0]}});
        lipschitz(&j, 2.0);
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
