//! Solid primitives centred at the origin (ALICE-SDF's 3-D primitive kinds).
//!
//! Formulas follow Inigo Quilez's distance-function articles where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. A kind whose value is
//! only a bound (never more than the true distance) or an approximation says so.
//! Everything that depends only on parameters is computed here in plain `f32`, so
//! the graph holds only per-point work.

use crate::sdf::expr::{E, V2, V3};

const SQRT3: f32 = 1.732_050_8;
const INV_SQRT3: f32 = 0.577_350_26;

fn dot3(a: [f32; 3], b: [f32; 3]) -> f32 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

fn sub3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn scale3(a: [f32; 3], s: f32) -> [f32; 3] {
    [a[0] * s, a[1] * s, a[2] * s]
}

fn cross3(a: [f32; 3], b: [f32; 3]) -> [f32; 3] {
    [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ]
}

/// Exact distance to the intersection of a 2-D solid (distance `d`) with the slab
/// `|axis| <= half` (given as `h = |axis| - half`): the IQ extrusion.
fn extrude<'a>(d: E<'a>, h: E<'a>) -> E<'a> {
    let w = V2::new(d, h);
    w.max_element().min(0.0) + w.max_s(0.0).length()
}

/// Squared distance from `p` to the segment `a .. a + e`.
fn segment_d2<'a>(p: V3<'a>, a: [f32; 3], e: [f32; 3]) -> E<'a> {
    let b = p.builder();
    let pa = p - b.v3(a);
    let ee = dot3(e, e);
    // A zero-length segment is its end point; dividing by ee would give inf.
    if ee <= f32::MIN_POSITIVE {
        return pa.length_squared();
    }
    let t = pa.dot(b.v3(scale3(e, 1.0 / ee))).clamp(0.0, 1.0);
    (pa - b.v3(e) * t).length_squared()
}

/// IQ's capped cone in the (radial, axial) half-plane: radius `r1` at `-h`, `r2` at `+h`.
fn capped_cone_2d<'a>(q: V2<'a>, h: f32, r1: f32, r2: f32) -> E<'a> {
    let k2 = [r2 - r1, 2.0 * h];
    // h > 0, so k2 is never zero.
    let inv = 1.0 / (k2[0] * k2[0] + k2[1] * k2[1]);
    let ca = V2::new(q.x - q.x.min(q.y.lt(0.0).select(r1, r2)), q.y.abs() - h);
    let t = ((r2 * k2[0] + h * k2[1]) * inv - (q.x * (k2[0] * inv) + q.y * (k2[1] * inv)))
        .clamp(0.0, 1.0);
    let cb = V2::new(q.x - r2 + t * k2[0], q.y - h + t * k2[1]);
    let inside = cb.x.lt(0.0) * ca.y.lt(0.0);
    let d = ca.length_squared().min(cb.length_squared()).sqrt();
    inside.select(-d, d)
}

/// `Sphere`: Exact.
pub fn sphere<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    p.length() - radius
}

/// `Box3d`: Exact.
pub fn box3d<'a>(p: V3<'a>, half_extents: [f32; 3]) -> E<'a> {
    let b = p.builder();
    let q = p.abs() - b.v3(half_extents);
    q.max_s(0.0).length() + q.max_element().min(0.0)
}

/// `Cylinder`: Exact.
pub fn cylinder<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    let d = V2::new(p.xz().length() - radius, p.y.abs() - half_height);
    d.max_element().min(0.0) + d.max_s(0.0).length()
}

/// `Torus`: Exact.
pub fn torus<'a>(p: V3<'a>, major_radius: f32, minor_radius: f32) -> E<'a> {
    V2::new(p.xz().length() - major_radius, p.y).length() - minor_radius
}

/// `Plane`: Exact. The solid is `dot(p, normal) <= distance`, the zero set ALICE-SDF
/// has; unlike ALICE-SDF (which returns `dot(p, normal) - distance` unscaled) the
/// value is divided by `|normal|`, so a non-unit normal still gives true distances.
pub fn plane<'a>(p: V3<'a>, normal: [f32; 3], distance: f32) -> E<'a> {
    let len = dot3(normal, normal).sqrt();
    // Validation rejects a zero normal; fall back to +Y rather than divide by 0.
    let (n, d) = if len > 0.0 && len.is_finite() {
        (scale3(normal, 1.0 / len), distance / len)
    } else {
        ([0.0, 1.0, 0.0], distance)
    };
    p.dot(p.builder().v3(n)) - d
}

/// `Capsule`: Exact. Equal end points give a sphere.
pub fn capsule<'a>(p: V3<'a>, point_a: [f32; 3], point_b: [f32; 3], radius: f32) -> E<'a> {
    segment_d2(p, point_a, sub3(point_b, point_a)).sqrt() - radius
}

/// `Cone`: Exact.
pub fn cone<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    capped_cone_2d(V2::new(p.xz().length(), p.y), half_height, radius, 0.0)
}

/// `Ellipsoid`: Bound: `max((|p/radii| - 1) * min(radii), |p| - max(radii))`. Each
/// term is 1-Lipschitz with the ellipsoid's sign, so the max is a bound and the
/// zero set is exactly the ellipsoid; far away it tends to the true distance. Near
/// the surface along a long axis it can be as low as `min/max` of the true value.
/// (ALICE-SDF solves for the exact distance iteratively, at ~100x the cost.)
pub fn ellipsoid<'a>(p: V3<'a>, radii: [f32; 3]) -> E<'a> {
    let b = p.builder();
    let inv = radii.map(|r| 1.0 / r);
    let rmin = radii[0].min(radii[1]).min(radii[2]);
    let rmax = radii[0].max(radii[1]).max(radii[2]);
    let k0 = (p * b.v3(inv)).length();
    ((k0 - 1.0) * rmin).max(p.length() - rmax)
}

/// `RoundedCone`: Exact. When one end sphere contains the other (`|r1 - r2| >=
/// 2 * half_height`) the solid is that sphere (ALICE-SDF gives NaN there).
pub fn rounded_cone<'a>(p: V3<'a>, r1: f32, r2: f32, half_height: f32) -> E<'a> {
    let h = 2.0 * half_height;
    let q = V2::new(p.xz().length(), p.y + half_height);
    let bottom = q.length() - r1;
    let top = V2::new(q.x, q.y - h).length() - r2;
    let sb = (r1 - r2) / h;
    if sb >= 1.0 {
        return bottom;
    }
    if sb <= -1.0 {
        return top;
    }
    let sa = (1.0 - sb * sb).sqrt();
    let k = q.y * sa - q.x * sb;
    let mantle = q.x * sa + q.y * sb - r1;
    k.lt(0.0).select(bottom, k.gt(sa * h).select(top, mantle))
}

/// `Pyramid`: Exact. IQ's pyramid (unit square base on `y = -half_height`, apex at
/// `+half_height`) plus the base face: below the base the distance is to the base
/// square, and inside it is capped by the height above the base. ALICE-SDF uses
/// IQ's formula alone, which overestimates near the base (up to ~3x).
pub fn pyramid<'a>(p: V3<'a>, half_height: f32) -> E<'a> {
    let h = 2.0 * half_height;
    let m2 = h * h + 0.25;
    let py = p.y + half_height;
    let (ax, az) = (p.x.abs(), p.z.abs());
    let px = ax.max(az) - 0.5;
    let pz = ax.min(az) - 0.5;
    let qx = pz;
    let qy = py * h - px * 0.5;
    let qz = px * h + py * 0.5;
    let s = (-qx).max(0.0);
    let t = ((qy - pz * 0.5) * (1.0 / (m2 + 0.25))).clamp(0.0, 1.0);
    let a = (qx + s).square() * m2 + qy.square();
    let b = (qx + t * 0.5).square() * m2 + (qy - t * m2).square();
    let d2 = qy.min(qx * -m2 - qy * 0.5).gt(0.0).select(0.0, a.min(b));
    let faces = ((d2 + qz.square()) * (1.0 / m2)).sqrt() * qz.max(-py).sign();
    let base = V3::new((ax - 0.5).max(0.0), py, (az - 0.5).max(0.0)).length();
    py.lt(0.0).select(base, faces.max(-py))
}

/// `Octahedron`: Exact.
pub fn octahedron<'a>(p: V3<'a>, size: f32) -> E<'a> {
    let a = p.abs();
    let m = a.x + a.y + a.z - size;
    let c1 = (a.x * 3.0).lt(m);
    let c2 = (a.y * 3.0).lt(m);
    let q = V3::select(
        c1,
        a,
        V3::select(c2, V3::new(a.y, a.z, a.x), V3::new(a.z, a.x, a.y)),
    );
    let k = ((q.z - q.y + size) * 0.5).clamp(0.0, size);
    let edge = V3::new(q.x, q.y - size + k, q.z - k).length();
    (a.min_element() * 3.0).lt(m).select(edge, m * INV_SQRT3)
}

/// `HexPrism`: Exact.
pub fn hex_prism<'a>(p: V3<'a>, hex_radius: f32, half_height: f32) -> E<'a> {
    let (kx, ky, kz) = (-0.866_025_4_f32, 0.5_f32, INV_SQRT3);
    let a = p.abs();
    let f = (a.x * kx + a.y * ky).min(0.0) * 2.0;
    let px = a.x - f * kx;
    let py = a.y - f * ky;
    let dy = py - hex_radius;
    let dx = px - px.clamp(-kz * hex_radius, kz * hex_radius);
    let d = V2::new(dx, dy).length() * dy.sign();
    extrude(d, a.z - half_height)
}

/// `Link`: Exact.
pub fn link<'a>(p: V3<'a>, half_length: f32, r1: f32, r2: f32) -> E<'a> {
    let qy = (p.y.abs() - half_length).max(0.0);
    V2::new(V2::new(p.x, qy).length() - r1, p.z).length() - r2
}

/// `Triangle`: Exact distance to the triangle thickened by a skin of 1/1000 of its
/// longest edge, so it is a (very thin) solid with an inside that meshes and
/// combines; ALICE-SDF returns the unsigned distance to the bare triangle, which is
/// never negative (no inside). A degenerate (collinear) triangle is its edges.
pub fn triangle<'a>(p: V3<'a>, point_a: [f32; 3], point_b: [f32; 3], point_c: [f32; 3]) -> E<'a> {
    let bld = p.builder();
    let ba = sub3(point_b, point_a);
    let cb = sub3(point_c, point_b);
    let ac = sub3(point_a, point_c);
    let longest = dot3(ba, ba).max(dot3(cb, cb)).max(dot3(ac, ac)).sqrt();
    let skin = longest * 1e-3;
    let nor = cross3(ba, ac);
    let nn = dot3(nor, nor);
    let lab = dot3(ba, ba).sqrt();
    if nn <= f32::MIN_POSITIVE * 1e6 || !nn.is_finite() || lab == 0.0 {
        let edges = segment_d2(p, point_a, ba)
            .min(segment_d2(p, point_b, cb))
            .min(segment_d2(p, point_c, ac));
        return edges.sqrt() - skin;
    }
    // Frame of the triangle's plane with a at the origin and b on the +u axis, so
    // each edge's along/across coordinates are affine in (u, v).
    let n = scale3(nor, 1.0 / nn.sqrt());
    let eu = scale3(ba, 1.0 / lab);
    let ev = cross3(eu, n);
    let pa = p - bld.v3(point_a);
    let (u, v, w) = (pa.dot(bld.v3(eu)), pa.dot(bld.v3(ev)), pa.dot(bld.v3(n)));
    let c2 = [
        dot3(sub3(point_c, point_a), eu),
        dot3(sub3(point_c, point_a), ev),
    ];
    // c is on the +v side (ev = eu x n with n = ba x ac), so "inside" is t > 0.
    let edge = |from: [f32; 2], to: [f32; 2]| {
        let (dx, dy) = (to[0] - from[0], to[1] - from[1]);
        let len = (dx * dx + dy * dy).sqrt().max(f32::MIN_POSITIVE);
        let (dx, dy) = (dx / len, dy / len);
        let s = u * dx + v * dy - (from[0] * dx + from[1] * dy);
        let t = v * dx - u * dy - (from[1] * dx - from[0] * dy);
        ((s - s.clamp(0.0, len)).square() + t.square(), t)
    };
    let (dab, tab) = ((u - u.clamp(0.0, lab)).square() + v.square(), v);
    let (dbc, tbc) = edge([lab, 0.0], c2);
    let (dca, tca) = edge(c2, [0.0, 0.0]);
    let inside = tab.min(tbc).min(tca).gt(0.0);
    let d2 = inside.select(0.0, dab.min(dbc).min(dca));
    (d2 + w.square()).sqrt() - skin
}

/// `Bezier`: Exact (IQ's closed-form cubic solve), worked in the plane of the curve:
/// the squared distance is the in-plane one plus the squared height over the plane.
/// A straight control polygon is a capsule from `point_a` to `point_c`.
pub fn bezier<'a>(
    p: V3<'a>,
    point_a: [f32; 3],
    point_b: [f32; 3],
    point_c: [f32; 3],
    radius: f32,
) -> E<'a> {
    let bld = p.builder();
    let ab = sub3(point_b, point_a);
    let curv = sub3(sub3(point_c, point_b), ab);
    let cc = dot3(curv, curv);
    let scale = dot3(ab, ab).max(dot3(curv, curv)).max(1e-30);
    if cc <= 1e-10 * scale {
        return segment_d2(p, point_a, sub3(point_c, point_a)).sqrt() - radius;
    }
    // Orthonormal frame of the curve's plane, origin at point_a.
    let e1 = scale3(curv, 1.0 / cc.sqrt());
    let mut v = sub3(ab, scale3(e1, dot3(ab, e1)));
    if dot3(v, v) <= 1e-12 * dot3(ab, ab).max(1e-30) {
        // Collinear: any plane through the line holds the curve.
        let t = if e1[0].abs() < 0.9 {
            [1.0, 0.0, 0.0]
        } else {
            [0.0, 1.0, 0.0]
        };
        v = cross3(e1, t);
    }
    let e2 = scale3(v, 1.0 / dot3(v, v).sqrt());
    let n = cross3(e1, e2);
    let to2 = |x: [f32; 3]| [dot3(x, e1), dot3(x, e2)];
    let pa = p - bld.v3(point_a);
    let u = V2::new(pa.dot(bld.v3(e1)), pa.dot(bld.v3(e2)));
    let w = pa.dot(bld.v3(n));
    // IQ's sdBezier with A at the origin: a = B - A, b = A - 2B + C, c = 2a, d = A - pos.
    let a2 = to2(ab);
    let b2 = to2(curv);
    let kk = 1.0 / (b2[0] * b2[0] + b2[1] * b2[1]);
    let kx = kk * (a2[0] * b2[0] + a2[1] * b2[1]);
    let d = -u;
    let ky = (d.x * b2[0] + d.y * b2[1] + 2.0 * (a2[0] * a2[0] + a2[1] * a2[1])) * (kk / 3.0);
    let kz = (d.x * a2[0] + d.y * a2[1]) * kk;
    let pp = ky - kx * kx;
    let q = kz + (ky * -3.0 + 2.0 * kx * kx) * kx;
    let h = q.square() + pp.square() * pp * 4.0;
    let dist2 = |t: E<'a>| {
        let x = d.x + (t * b2[0] + 2.0 * a2[0]) * t;
        let y = d.y + (t * b2[1] + 2.0 * a2[1]) * t;
        x.square() + y.square()
    };
    // One real root: t = cbrt(x0) + cbrt(x1) with x0 * x1 = -pp³, so the second
    // cube root is -pp / cbrt(x0); x0 takes the larger-magnitude sign to stay
    // away from 0 (both are 0 only where pp = q = 0, and then so is the root).
    let hs = h.sqrt();
    let x0 = (q + q.ge(0.0).select(hs, -hs)) * -0.5;
    let r0 = x0.sign() * x0.abs().powf(1.0 / 3.0);
    let r1 = r0.abs().gt(1e-20).select(-pp / r0, 0.0);
    let t1 = (r0 + r1 - kx).clamp(0.0, 1.0);
    // Three real roots (pp < 0 here); the third can never be the closest.
    let z = (-pp).sqrt();
    let vv = (q / (pp * z * 2.0).min(-1e-30)).acos() * (1.0 / 3.0);
    let m = vv.cos();
    let nn = vv.sin() * SQRT3;
    let ta = ((m + m) * z - kx).clamp(0.0, 1.0);
    let tb = ((-nn - m) * z - kx).clamp(0.0, 1.0);
    // Pick the parameters first so only two distances are evaluated.
    let one = h.ge(0.0);
    let best = dist2(one.select(t1, ta)).min(dist2(one.select(t1, tb)));
    (best + w.square()).sqrt() - radius
}

/// `RoundedBox`: Exact. As in ALICE-SDF, the box of `half_extents` is grown by
/// `round_radius` (outer half-size `half_extents + round_radius`).
pub fn rounded_box<'a>(p: V3<'a>, half_extents: [f32; 3], round_radius: f32) -> E<'a> {
    box3d(p, half_extents) - round_radius
}

/// `CappedCone`: Exact.
pub fn capped_cone<'a>(p: V3<'a>, half_height: f32, r1: f32, r2: f32) -> E<'a> {
    capped_cone_2d(V2::new(p.xz().length(), p.y), half_height, r1, r2)
}

/// `CappedTorus`: Exact.
pub fn capped_torus<'a>(p: V3<'a>, major_radius: f32, minor_radius: f32, cap_angle: f32) -> E<'a> {
    let (s, c) = cap_angle.sin_cos();
    let px = p.x.abs();
    let k = (px * c)
        .gt(p.y * s)
        .select(px * s + p.y * c, V2::new(px, p.y).length());
    (p.length_squared() + major_radius * major_radius - k * (2.0 * major_radius)).sqrt()
        - minor_radius
}

/// `RoundedCylinder`: Exact when `round_radius <= radius`. As in ALICE-SDF the radius
/// stays `radius` and the height grows to `half_height + round_radius`.
pub fn rounded_cylinder<'a>(p: V3<'a>, radius: f32, round_radius: f32, half_height: f32) -> E<'a> {
    extrude(
        p.xz().length() - radius + round_radius,
        p.y.abs() - half_height,
    ) - round_radius
}

/// `TriangularPrism`: Exact (IQ's equilateral triangle, extruded). ALICE-SDF uses the
/// max of the three face planes (a bound with the same solid): apex on +Y, centroid
/// at the origin, inradius `width / 2`, side `sqrt(3) * width`.
pub fn triangular_prism<'a>(p: V3<'a>, width: f32, half_depth: f32) -> E<'a> {
    let r = width * SQRT3 * 0.5;
    let px = p.x.abs() - r;
    let py = p.y + r / SQRT3;
    let fold = (px + py * SQRT3).gt(0.0);
    let fx = fold.select((px - py * SQRT3) * 0.5, px);
    let fy = fold.select((px * -SQRT3 - py) * 0.5, py);
    let fx = fx - fx.clamp(-2.0 * r, 0.0);
    let d = -(V2::new(fx, fy).length() * fy.sign());
    extrude(d, p.z.abs() - half_depth)
}

/// `CutSphere`: Exact. Keeps the part of the sphere ABOVE `y = cut_height` (the cap
/// on +Y), as ALICE-SDF (IQ's formula) does.
pub fn cut_sphere<'a>(p: V3<'a>, radius: f32, cut_height: f32) -> E<'a> {
    let h = cut_height;
    let w = (radius * radius - h * h).max(0.0).sqrt();
    let q = V2::new(p.xz().length(), p.y);
    let s =
        (q.x.square() * (h - radius) + (h + radius - q.y * 2.0) * (w * w)).max(q.x * h - q.y * w);
    let rim = V2::new(q.x - w, q.y - h).length();
    s.lt(0.0)
        .select(q.length() - radius, q.x.lt(w).select(h - q.y, rim))
}

/// `CutHollowSphere`: Exact. A spherical shell (wall `thickness` either side of
/// `radius`) with the part above `y = cut_height` removed: a bowl opening to +Y.
pub fn cut_hollow_sphere<'a>(p: V3<'a>, radius: f32, cut_height: f32, thickness: f32) -> E<'a> {
    let h = cut_height;
    let w = (radius * radius - h * h).max(0.0).sqrt();
    let q = V2::new(p.xz().length(), p.y);
    let rim = V2::new(q.x - w, q.y - h).length();
    (q.x * h)
        .lt(q.y * w)
        .select(rim, (q.length() - radius).abs())
        - thickness
}

/// `DeathStar`: Exact while the two spheres' surfaces cross (`|ra - rb| < |d| <
/// ra + rb`); when they do not it is the plain sphere (no bite), a sphere with an
/// inner cavity (exact too), or empty (a positive field). The bite sits at `x = d`
/// (negative `d` mirrors it; ALICE-SDF's formula assumes `d > 0` and misplaces the
/// rim for negative `d`: it disagrees on ~1.6% of sampled signs there).
pub fn death_star<'a>(p: V3<'a>, ra: f32, rb: f32, d: f32) -> E<'a> {
    let dd = d.abs();
    let x = if d < 0.0 { -p.x } else { p.x };
    let q = V2::new(x, p.yz().length());
    let ball = q.length() - ra;
    if dd >= ra + rb {
        return ball;
    }
    let carved = ball.max(rb - V2::new(q.x - dd, q.y).length());
    if dd <= (ra - rb).abs() {
        return carved;
    }
    let a = (ra * ra - rb * rb + dd * dd) / (2.0 * dd);
    let b = (ra * ra - a * a).max(0.0).sqrt();
    let rim = V2::new(q.x - a, q.y - b).length();
    (q.x * b - q.y * a)
        .gt((-q.y + b).max(0.0) * dd)
        .select(rim, carved)
}

/// `SolidAngle`: Exact.
pub fn solid_angle<'a>(p: V3<'a>, angle: f32, radius: f32) -> E<'a> {
    let (s, c) = angle.sin_cos();
    let q = V2::new(p.xz().length(), p.y);
    let l = q.length() - radius;
    let t = (q.x * s + q.y * c).clamp(0.0, radius);
    let m = V2::new(q.x - t * s, q.y - t * c).length();
    let outside = (q.x * c - q.y * s).lt(0.0);
    l.max(outside.select(-m, m))
}

/// `Rhombus`: Exact. Half-diagonals `la` (X) and `lb` (Z), grown by `round_radius`,
/// extruded `half_height` either side along Y.
pub fn rhombus<'a>(p: V3<'a>, la: f32, lb: f32, half_height: f32, round_radius: f32) -> E<'a> {
    let a = p.abs();
    let bb = la * la + lb * lb;
    // ndot(b, b - 2 p.xz) / dot(b, b)
    let f = ((la * la - lb * lb) - (a.x * la - a.z * lb) * 2.0) * (1.0 / bb);
    let f = f.clamp(-1.0, 1.0);
    let dx = a.x - (1.0 - f) * (0.5 * la);
    let dz = a.z - (f + 1.0) * (0.5 * lb);
    let side = (a.x * lb + a.z * la - la * lb).sign();
    extrude(
        V2::new(dx, dz).length() * side - round_radius,
        a.y - half_height,
    )
}

/// `Horseshoe`: Exact (IQ's horseshoe). In XY, symmetric about the Y axis: an arc of
/// `radius` covering every direction more than `angle` away from +Y (so the opening
/// faces +Y), with straight legs of `half_length` continuing tangentially from its
/// ends towards +Y; bar half-width `width`, extruded `thickness` either side along
/// Z. ALICE-SDF reuses the already-rotated x in one branch where IQ's formula reads
/// the original one; sampled signs agree everywhere we looked (angles 1.2 and 2.2).
pub fn horseshoe<'a>(
    p: V3<'a>,
    angle: f32,
    radius: f32,
    half_length: f32,
    width: f32,
    thickness: f32,
) -> E<'a> {
    let (s, c) = angle.sin_cos();
    let px = p.x.abs();
    let l = V2::new(px, p.y).length();
    let qx = px * -c + p.y * s;
    let qy = px * s + p.y * c;
    let sgn = if -c > 0.0 {
        1.0
    } else if -c < 0.0 {
        -1.0
    } else {
        0.0
    };
    let nx = qx.max(qy).gt(0.0).select(qx, l * sgn);
    let ny = qx.gt(0.0).select(qy, l);
    let bx = nx - half_length;
    let by = (ny - radius).abs() - width;
    extrude(extrude(bx, by), p.z.abs() - thickness)
}

/// `Vesica`: Exact for `0 <= half_dist < radius`: the lens where two spheres of
/// `radius`, centred `half_dist` either side of the Y axis, overlap, revolved
/// around Y (width `2 * (radius - half_dist)`, height `2 * sqrt(radius² - half_dist²)`).
/// Other values keep ALICE-SDF's formula.
pub fn vesica<'a>(p: V3<'a>, radius: f32, half_dist: f32) -> E<'a> {
    let q = V2::new(p.xz().length(), p.y.abs());
    let b = (radius * radius - half_dist * half_dist).max(0.0).sqrt();
    let tip = V2::new(q.x, q.y - b).length();
    let arc = V2::new(q.x + half_dist, q.y).length() - radius;
    ((q.y - b) * half_dist).gt(q.x * b).select(tip, arc)
}

/// `InfiniteCylinder`: Exact.
pub fn infinite_cylinder<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    p.xz().length() - radius
}

/// `InfiniteCone`: Exact. One nappe: apex at the origin, opening towards -Y with
/// half-angle `angle` from the axis (as ALICE-SDF, IQ's formula).
pub fn infinite_cone<'a>(p: V3<'a>, angle: f32) -> E<'a> {
    let (s, c) = angle.sin_cos();
    let q = V2::new(p.xz().length(), -p.y);
    let t = (q.x * s + q.y * c).max(0.0);
    let d = V2::new(q.x - t * s, q.y - t * c).length();
    (q.x * c - q.y * s).lt(0.0).select(-d, d)
}

/// `MetricBall`: Bound: ALICE-SDF's `w_l1*|p|₁ + w_l2*|p|₂ + w_linf*|p|∞ - radius`
/// divided by its Lipschitz constant `sqrt(3)*w_l1 + w_l2 + w_linf` (same solid;
/// exact for a pure L2 ball). ALICE-SDF leaves it undivided, so it overestimates
/// whenever that constant exceeds 1. All weights zero: the whole space (`-radius`).
pub fn metric_ball<'a>(p: V3<'a>, radius: f32, w_l1: f32, w_l2: f32, w_linf: f32) -> E<'a> {
    let k = SQRT3 * w_l1 + w_l2 + w_linf;
    if k <= 0.0 || !k.is_finite() {
        return p.builder().c(-radius);
    }
    let a = p.abs();
    let l1 = a.x + a.y + a.z;
    let linf = a.max_element();
    (l1 * (w_l1 / k) + p.length() * (w_l2 / k) + linf * (w_linf / k)) - radius / k
}

/// `MetricBlend`: Approximate: `mix(inner, outer, smoothstep(radius, radius + skin,
/// |p - center|))`, as ALICE-SDF. Exactly `inner` within `radius`, exactly `outer`
/// beyond `radius + skin`; in the skin the blend of two distances is not a distance
/// (its slope can exceed 1 by `|outer - inner| / skin`). `skin = 0` is a hard switch.
pub fn metric_blend<'a>(
    p: V3<'a>,
    inner: E<'a>,
    outer: E<'a>,
    center: [f32; 3],
    radius: f32,
    skin: f32,
) -> E<'a> {
    let r = (p - p.builder().v3(center)).length();
    let t = if skin > 0.0 {
        let t = ((r - radius) * (1.0 / skin)).clamp(0.0, 1.0);
        t.square() * (3.0 - t * 2.0)
    } else {
        r.lt(radius).select(0.0, 1.0)
    };
    inner.mix(outer, t)
}

/// `Heart`: Exact (IQ's 2-D heart revolved around Y). Spans `y` from `-size / 2` (the
/// point) to about `+0.6 * size`, scaled uniformly by `size`.
pub fn heart<'a>(p: V3<'a>, size: f32) -> E<'a> {
    let inv = 1.0 / size;
    let qx = p.xz().length() * inv;
    let qy = p.y * inv - 0.5;
    let top = V2::new(qx - 0.25, qy - 0.75).length() - std::f32::consts::SQRT_2 / 4.0;
    let d1 = V2::new(qx, qy - 1.0).length_squared();
    let t = (qx + qy).max(0.0) * 0.5;
    let d2 = V2::new(qx - t, qy - t).length_squared();
    let below = d1.min(d2).sqrt() * (qx - qy).gt(0.0).select(1.0, -1.0);
    (qx + qy).gt(1.0).select(top, below) * size
}

/// `Tube`: Exact when `thickness <= outer_radius`. As in ALICE-SDF the wall is
/// centred on `outer_radius` and reaches `thickness` either side of it.
pub fn tube<'a>(p: V3<'a>, outer_radius: f32, thickness: f32, half_height: f32) -> E<'a> {
    extrude(
        (p.xz().length() - outer_radius).abs() - thickness,
        p.y.abs() - half_height,
    )
}

/// `Barrel`: Bound: the side radius is `radius + bulge * (1 - (y / half_height)²)` as
/// in ALICE-SDF; its radial gap is divided by the profile's steepest slope
/// `sqrt(1 + (2 * bulge / half_height)²)` so the field stays 1-Lipschitz (ALICE-SDF
/// does not divide, and overestimates near the rims). Exact for `bulge = 0`.
pub fn barrel<'a>(p: V3<'a>, radius: f32, half_height: f32, bulge: f32) -> E<'a> {
    let slope = 2.0 * bulge / half_height;
    let k = 1.0 / (1.0 + slope * slope).sqrt();
    let yn = (p.y * (1.0 / half_height)).clamp(-1.0, 1.0);
    let side = (p.xz().length() - radius - (1.0 - yn.square()) * bulge) * k;
    extrude(side, p.y.abs() - half_height)
}

/// `Diamond`: Exact. Two cones base to base: radius `radius` at `y = 0`, tips at
/// `y = ±half_height`.
pub fn diamond<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    let qx = p.xz().length();
    let qy = p.y.abs();
    let (bx, by) = (-radius, half_height);
    let inv = 1.0 / (bx * bx + by * by);
    let t = ((qx - radius) * (bx * inv) + qy * (by * inv)).clamp(0.0, 1.0);
    let d = V2::new(qx - radius - t * bx, qy - t * by).length();
    (qx * half_height + qy * radius)
        .lt(radius * half_height)
        .select(-d, d)
}

/// `ChamferedCube`: Bound: the box intersected with the plane `|x| + |y| + |z| <=
/// sum(half_extents) - chamfer`, as in ALICE-SDF: each of the 8 corners is cut by a
/// triangle whose legs run `chamfer` along the three edges (edges are not bevelled).
/// The max of two exact fields is exact inside and a bound outside near the cuts.
pub fn chamfered_cube<'a>(p: V3<'a>, half_extents: [f32; 3], chamfer: f32) -> E<'a> {
    let a = p.abs();
    let s = half_extents[0] + half_extents[1] + half_extents[2];
    let cut = (a.x + a.y + a.z - (s - chamfer)) * INV_SQRT3;
    box3d(p, half_extents).max(cut)
}

/// The superellipsoid's gauge `((|x|^(2/e2) + |z|^(2/e2))^(e2/e1) + |y|^(2/e1))^(e1/2)`
/// of a point in half-extent units, in plain `f32`.
fn super_gauge(v: [f32; 3], e1: f32, e2: f32) -> f32 {
    let w = v[0].powf(2.0 / e2) + v[2].powf(2.0 / e2);
    (w.powf(e2 / e1) + v[1].powf(2.0 / e1)).powf(e1 * 0.5)
}

/// `Superellipsoid`: Bound for `e1, e2 <= 2` (convex shapes), Approximate above
/// (pinched shapes whose gauge is not Lipschitz near the axes). The field is
/// `(g(p / half_extents) - 1) * rho * min(half_extents)`, where `g` is ALICE-SDF's
/// gauge (same solid) and `rho` the radius of the largest ball inside the unit
/// shape, which makes `g - 1` 1-Lipschitz for convex shapes. ALICE-SDF scales by a
/// fixed 0.5 instead. `g` is evaluated as `m * g(q / m)`, `m = max(q)`, so large
/// exponents do not overflow far from the shape. Exponents below 0.02 are raised
/// to 0.02 (as ALICE-SDF).
pub fn superellipsoid<'a>(p: V3<'a>, half_extents: [f32; 3], e1: f32, e2: f32) -> E<'a> {
    let (e1, e2) = (e1.max(0.02), e2.max(0.02));
    let rho = [
        (1.0, [1.0, 0.0, 0.0]),
        (SQRT3, [1.0, 1.0, 1.0]),
        (std::f32::consts::SQRT_2, [1.0, 0.0, 1.0]),
        (std::f32::consts::SQRT_2, [1.0, 1.0, 0.0]),
    ]
    .iter()
    .map(|&(len, v)| len / super_gauge(v, e1, e2))
    .fold(1.0f32, f32::min);
    let hmin = half_extents[0].min(half_extents[1]).min(half_extents[2]);
    let b = p.builder();
    let q = (p * b.v3(half_extents.map(|h| 1.0 / h))).abs();
    let m = q.max_element().max(1e-20);
    let n = q / m;
    let w = n.x.powf(2.0 / e2) + n.z.powf(2.0 / e2);
    let v = w.powf(e2 / e1) + n.y.powf(2.0 / e1);
    let g = v.powf(e1 * 0.5) * m;
    (g - 1.0) * (rho * hmin)
}

/// `Egg`: Exact for `rb <= ra` (IQ's egg): a sphere of `ra` centred at the origin
/// below `y = 0`, a tip sphere of `rb` centred at `y = sqrt(3) * (ra - rb)`, joined by
/// arcs of radius `2 * ra - rb`. ALICE-SDF subtracts `ra - rb` once more in the tip
/// region, so its field jumps across that region's border and its tip is smaller.
pub fn egg<'a>(p: V3<'a>, ra: f32, rb: f32) -> E<'a> {
    let r = ra - rb;
    let qx = p.xz().length();
    let qy = p.y;
    let bottom = V2::new(qx, qy).length() - r;
    let tip = V2::new(qx, qy - SQRT3 * r).length();
    let side = V2::new(qx + r, qy).length() - 2.0 * r;
    qy.lt(0.0)
        .select(bottom, ((qx + r) * SQRT3).lt(qy).select(tip, side))
        - rb
}

/// `Helix`: Approximate shape, bounded field. The tube around the helix `(major_r cos
/// t, pitch t / 2pi, major_r sin t)` is measured in the meridian plane through the
/// point: radial gap `r - major_r` and the height gap `u` to the nearest turn, scaled
/// by `r / sqrt(r² + c²)` (`c = pitch / 2pi`) to account for the coil's slope. Its
/// zero set matches the true tube (ALICE-SDF's, found by Newton steps at ~100x the
/// cost) up to terms of order `minor_r² / major_r`. The value is divided by its
/// worst slope outside radius `r0 = (major_r - minor_r) / 2`, and inside `r0` it is
/// replaced by the radial gap to the tube, so the whole field is 1-Lipschitz. Cut
/// to `|y| <= half_height` as in ALICE-SDF.
pub fn helix<'a>(p: V3<'a>, major_r: f32, minor_r: f32, pitch: f32, half_height: f32) -> E<'a> {
    let c = pitch / std::f32::consts::TAU;
    let r = p.xz().length();
    let theta = p.z.atan2(p.x);
    let u = (p.y - theta * c + pitch * 0.5).modulo(pitch) - pitch * 0.5;
    let k = r / (r.square() + c * c).sqrt().max(1e-30);
    let t = V2::new(r - major_r, u * k).length() - minor_r;
    let cap = p.y.abs() - half_height;
    let r0 = (major_r - minor_r) * 0.5;
    if r0 <= 0.0 {
        // The tube crosses the axis: no slope bound holds there.
        return t.max(cap);
    }
    // |u| <= pitch/2 = pi*c and the slope of k is at most c²/r³ outside r0.
    let e = std::f32::consts::PI * c * c * c / (r0 * r0 * r0);
    let s = 1.0 / (1.0 + e + e * e).sqrt();
    let near_axis = ((r - r0).abs() + (major_r - minor_r - r0)) * s;
    (t * s).min(near_axis).max(cap)
}

/// `BoxFrame`: Exact.
pub fn box_frame<'a>(p: V3<'a>, half_extents: [f32; 3], edge: f32) -> E<'a> {
    let b = p.builder();
    let p = p.abs() - b.v3(half_extents);
    let q = (p + edge).abs() - edge;
    let bar = |v: V3<'a>| v.max_s(0.0).length() + v.max_element().min(0.0);
    bar(V3::new(p.x, q.y, q.z))
        .min(bar(V3::new(q.x, p.y, q.z)))
        .min(bar(V3::new(q.x, q.y, p.z)))
}

#[cfg(test)]
mod tests {
    use crate::sdf::lower::testing::{Pairs, at, graph, lipschitz_pairs, unit_gradient};
    use serde_json::{Value, json};

    /// What a kind's doc promises about its field.
    #[derive(Clone, Copy, PartialEq, Debug)]
    enum Kind {
        /// True distance: 1-Lipschitz and unit gradient almost everywhere.
        Exact,
        /// Never more than the true distance: 1-Lipschitz.
        Bound,
        /// Neither: only signs and NaN-freedom are checked.
        Approx,
    }
    use Kind::*;

    /// A case: the JSON, half-size of the sampling box, the promise, and points
    /// with their expected distance (`None`: only the sign of the expected value).
    struct Case {
        json: Value,
        half: f32,
        kind: Kind,
        points: Vec<([f32; 3], f32, bool)>,
    }

    fn case(json: Value, half: f32, kind: Kind, points: &[([f32; 3], f32)]) -> Case {
        Case {
            json,
            half,
            kind,
            points: points.iter().map(|&(p, d)| (p, d, true)).collect(),
        }
    }

    /// Like [`case`] but the points are only sign checks (`-1` inside, `1` outside).
    fn signs(json: Value, half: f32, kind: Kind, points: &[([f32; 3], f32)]) -> Case {
        Case {
            json,
            half,
            kind,
            points: points.iter().map(|&(p, d)| (p, d, false)).collect(),
        }
    }

    fn check(c: &Case) {
        let g = graph(&c.json);
        let d = |p: [f32; 3]| at(&g, p);
        let name = c.json.to_string();
        for &(p, want, exact) in &c.points {
            let got = d(p);
            if exact {
                assert!(
                    (got - want).abs() < 1e-3,
                    "{name} at {p:?}: {got} != {want}"
                );
            } else {
                assert!(
                    got * want > 0.0,
                    "{name} at {p:?}: {got} has the wrong sign"
                );
            }
        }
        assert!(d([0.0; 3]).is_finite(), "{name}: not finite at the origin");
        let pairs = Pairs {
            tolerance: if c.kind == Approx { None } else { Some(1e-3) },
            ..Pairs::within(c.half)
        };
        let samples = lipschitz_pairs(&g, &name, pairs);
        if c.kind == Exact {
            let away: Vec<_> = samples.iter().filter(|s| s.d.abs() > 1e-2).collect();
            let unit = away.iter().filter(|s| unit_gradient(&g, s.p)).count();
            let frac = unit as f32 / away.len().max(1) as f32;
            assert!(
                frac >= 0.95,
                "{name}: only {frac} of gradients have unit length"
            );
        }
    }

    fn cases() -> Vec<Case> {
        let s3 = 3f32.sqrt();
        vec![
            case(
                json!({"Sphere": {"radius": 0.5}}),
                1.5,
                Exact,
                &[([0.0; 3], -0.5), ([2.0, 0.0, 0.0], 1.5)],
            ),
            case(
                json!({"Torus": {"major_radius": 0.6, "minor_radius": 0.2}}),
                1.5,
                Exact,
                &[
                    ([0.6, 0.0, 0.0], -0.2),
                    ([0.0; 3], 0.4),
                    ([0.0, 0.0, 2.0], 1.2),
                ],
            ),
            case(
                json!({"Plane": {"normal": [0.0, 2.0, 0.0], "distance": 1.0}}),
                1.5,
                Exact,
                &[([0.0; 3], -0.5), ([3.0, 2.0, 0.0], 1.5)],
            ),
            case(
                json!({"Capsule": {"point_a": [0.0, -0.5, 0.0], "point_b": [0.0, 0.5, 0.0], "radius": 0.25}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -0.25),
                    ([1.0, 0.0, 0.0], 0.75),
                    ([0.0, 2.0, 0.0], 1.25),
                ],
            ),
            case(
                json!({"Capsule": {"point_a": [0.1, 0.2, 0.3], "point_b": [0.1, 0.2, 0.3], "radius": 0.25}}),
                1.5,
                Exact,
                &[([0.1, 0.2, 1.3], 0.75)],
            ),
            case(
                json!({"Cone": {"radius": 0.5, "half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0, -1.0, 0.0], 0.5),
                    ([0.0, 1.0, 0.0], 0.5),
                    ([0.0, -0.5, 0.0], 0.0),
                ],
            ),
            signs(
                json!({"Ellipsoid": {"radii": [0.8, 0.5, 0.4]}}),
                1.5,
                Bound,
                &[
                    ([0.0; 3], -1.0),
                    ([0.75, 0.0, 0.0], -1.0),
                    ([0.85, 0.0, 0.0], 1.0),
                    ([0.0, 0.0, 0.45], 1.0),
                ],
            ),
            case(
                json!({"Ellipsoid": {"radii": [0.8, 0.5, 0.4]}}),
                1.5,
                Bound,
                &[([2.0, 0.0, 0.0], 1.2), ([0.0, 0.0, 2.0], 1.6)],
            ),
            case(
                json!({"RoundedCone": {"r1": 0.5, "r2": 0.25, "half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0, -0.5, 0.0], -0.5),
                    ([0.0, -1.5, 0.0], 0.5),
                    ([0.0, 1.5, 0.0], 0.75),
                ],
            ),
            case(
                json!({"RoundedCone": {"r1": 0.9, "r2": 0.1, "half_height": 0.2}}),
                1.5,
                Exact,
                &[([0.0, -0.2, 0.0], -0.9)],
            ),
            case(
                json!({"Pyramid": {"half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0, -1.0, 0.0], 0.5),
                    ([0.0, 1.0, 0.0], 0.5),
                    ([0.0, -0.4, 0.0], -0.1),
                    ([1.0, -0.5, 0.0], 0.5),
                ],
            ),
            case(
                json!({"Octahedron": {"size": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -0.5 / s3),
                    ([1.0, 0.0, 0.0], 0.5),
                    ([1.0, 1.0, 1.0], 2.5 / s3),
                ],
            ),
            case(
                json!({"HexPrism": {"hex_radius": 0.5, "half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -0.5),
                    ([0.0, 1.0, 0.0], 0.5),
                    ([0.0, 0.0, 2.0], 1.5),
                ],
            ),
            case(
                json!({"Link": {"half_length": 0.5, "r1": 0.5, "r2": 0.25}}),
                1.5,
                Exact,
                &[
                    ([0.5, 0.0, 0.0], -0.25),
                    ([0.0; 3], 0.25),
                    ([0.0, 0.0, 2.0], 4.25f32.sqrt() - 0.25),
                ],
            ),
            case(
                json!({"Triangle": {"point_a": [-0.5, 0.0, 0.0], "point_b": [0.5, 0.0, 0.0], "point_c": [0.0, 0.8, 0.0]}}),
                1.5,
                Exact,
                &[
                    ([0.0, 0.3, 1.0], 0.999),
                    ([0.0, 0.3, 0.0], -0.001),
                    ([0.0, -1.0, 0.0], 0.999),
                ],
            ),
            case(
                json!({"Triangle": {"point_a": [0.0, 0.0, 0.0], "point_b": [1.0, 0.0, 0.0], "point_c": [2.0, 0.0, 0.0]}}),
                1.5,
                Exact,
                &[([1.0, 1.0, 0.0], 0.998)],
            ),
            case(
                json!({"Bezier": {"point_a": [-0.5, 0.0, 0.0], "point_b": [0.0, 0.8, 0.0], "point_c": [0.5, 0.0, 0.0], "radius": 0.1}}),
                1.5,
                Exact,
                &[
                    ([0.0, 0.4, 0.0], -0.1),
                    ([0.0, 0.4, 1.0], 0.9),
                    ([-0.5, 0.0, 0.0], -0.1),
                    ([-1.5, 0.0, 0.0], 0.9),
                ],
            ),
            case(
                json!({"Bezier": {"point_a": [-0.5, 0.0, 0.2], "point_b": [0.0, 0.0, 0.2], "point_c": [0.5, 0.0, 0.2], "radius": 0.1}}),
                1.5,
                Exact,
                &[([0.0, 1.0, 0.2], 0.9)],
            ),
            case(
                json!({"Bezier": {"point_a": [0.0, 0.0, 0.0], "point_b": [1.0, 0.0, 0.0], "point_c": [0.5, 0.0, 0.0], "radius": 0.1}}),
                1.5,
                Exact,
                &[([0.0, 1.0, 0.0], 0.9)],
            ),
            case(
                json!({"RoundedBox": {"half_extents": [0.5, 0.5, 0.5], "round_radius": 0.1}}),
                1.5,
                Exact,
                &[([0.0; 3], -0.6), ([1.0, 0.0, 0.0], 0.4)],
            ),
            case(
                json!({"CappedCone": {"half_height": 0.5, "r1": 0.5, "r2": 0.25}}),
                1.5,
                Exact,
                &[
                    ([0.0, -1.0, 0.0], 0.5),
                    ([0.0, 1.0, 0.0], 0.5),
                    ([0.0; 3], -0.375 / 1.0625f32.sqrt()),
                ],
            ),
            case(
                json!({"CappedTorus": {"major_radius": 0.6, "minor_radius": 0.15, "cap_angle": 2.0}}),
                1.5,
                Exact,
                &[
                    ([0.0, 0.6, 0.0], -0.15),
                    (
                        [0.0, -0.6, 0.0],
                        ((0.6 * 2f32.sin()).powi(2) + (0.6 - 0.6 * -(2f32.cos())).powi(2)).sqrt()
                            - 0.15,
                    ),
                ],
            ),
            case(
                json!({"RoundedCylinder": {"radius": 0.5, "round_radius": 0.1, "half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -0.5),
                    ([0.0, 1.0, 0.0], 0.4),
                    ([1.0, 0.0, 0.0], 0.5),
                ],
            ),
            case(
                json!({"TriangularPrism": {"width": 0.5, "half_depth": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -0.25),
                    ([0.0, -1.0, 0.0], 0.75),
                    ([0.0, 0.0, 1.0], 0.5),
                    ([0.0, 0.5, 0.0], 0.0),
                ],
            ),
            case(
                json!({"CutSphere": {"radius": 0.5, "cut_height": 0.2}}),
                1.5,
                Exact,
                &[
                    ([0.0, 0.4, 0.0], -0.1),
                    ([0.0; 3], 0.2),
                    ([0.0, 1.0, 0.0], 0.5),
                ],
            ),
            case(
                json!({"CutHollowSphere": {"radius": 0.5, "cut_height": 0.2, "thickness": 0.05}}),
                1.5,
                Exact,
                &[
                    ([0.0, -0.5, 0.0], -0.05),
                    ([0.0; 3], 0.45),
                    ([0.0, 0.5, 0.0], 0.3f32.sqrt() - 0.05),
                ],
            ),
            case(
                json!({"DeathStar": {"ra": 0.5, "rb": 0.35, "d": 0.5}}),
                1.5,
                Exact,
                &[
                    ([-0.5, 0.0, 0.0], 0.0),
                    ([-0.3, 0.0, 0.0], -0.2),
                    ([0.3, 0.0, 0.0], 0.15),
                ],
            ),
            case(
                json!({"DeathStar": {"ra": 0.5, "rb": 0.35, "d": -0.5}}),
                1.5,
                Exact,
                &[([0.5, 0.0, 0.0], 0.0), ([-0.3, 0.0, 0.0], 0.15)],
            ),
            case(
                json!({"DeathStar": {"ra": 0.5, "rb": 0.2, "d": 0.1}}),
                1.5,
                Exact,
                &[([0.1, 0.0, 0.0], 0.2), ([-0.45, 0.0, 0.0], -0.05)],
            ),
            case(
                json!({"DeathStar": {"ra": 0.5, "rb": 0.2, "d": 0.0}}),
                1.5,
                Exact,
                &[([0.0; 3], 0.2)],
            ),
            case(
                json!({"SolidAngle": {"angle": 0.6, "radius": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0, 0.25, 0.0], -0.25 * 0.6f32.sin()),
                    ([0.0, -1.0, 0.0], 1.0),
                    ([0.0, 1.0, 0.0], 0.5),
                ],
            ),
            case(
                json!({"Rhombus": {"la": 0.5, "lb": 0.5, "half_height": 0.5, "round_radius": 0.1}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -(0.5 / 2f32.sqrt() + 0.1)),
                    ([0.0, 2.0, 0.0], 1.5),
                    ([2.0, 0.0, 0.0], 1.4),
                ],
            ),
            case(
                json!({"Horseshoe": {"angle": 1.2, "radius": 0.5, "half_length": 0.3, "width": 0.05, "thickness": 0.1}}),
                1.5,
                Exact,
                &[([0.0, -0.5, 0.0], -0.05), ([0.0, -0.5, 1.0], 0.9)],
            ),
            case(
                json!({"Vesica": {"radius": 0.5, "half_dist": 0.25}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -0.25),
                    ([0.0, 1.0, 0.0], 1.0 - 0.1875f32.sqrt()),
                    ([1.0, 0.0, 0.0], 0.75),
                ],
            ),
            case(
                json!({"InfiniteCylinder": {"radius": 0.5}}),
                1.5,
                Exact,
                &[([0.0, 5.0, 0.0], -0.5), ([2.0, 0.0, 0.0], 1.5)],
            ),
            case(
                json!({"InfiniteCone": {"angle": 0.5}}),
                1.5,
                Exact,
                &[([0.0, -1.0, 0.0], -(0.5f32.sin())), ([0.0, 1.0, 0.0], 1.0)],
            ),
            case(
                json!({"MetricBall": {"radius": 0.5, "w_l1": 0.0, "w_l2": 1.0, "w_linf": 0.0}}),
                1.5,
                Exact,
                &[([0.0; 3], -0.5), ([2.0, 0.0, 0.0], 1.5)],
            ),
            case(
                json!({"MetricBall": {"radius": 0.5, "w_l1": 1.0, "w_l2": 0.5, "w_linf": 0.5}}),
                1.5,
                Bound,
                &[([0.25, 0.0, 0.0], 0.0)],
            ),
            case(
                json!({"MetricBall": {"radius": 0.5, "w_l1": 0.0, "w_l2": 0.0, "w_linf": 0.0}}),
                1.5,
                Bound,
                &[([1.0, 0.0, 0.0], -0.5)],
            ),
            case(
                json!({"MetricBlend": {"inner": {"Sphere": {"radius": 0.3}}, "outer": {"Box3d": {"half_extents": [0.5, 0.5, 0.5]}}, "center": [0.0, 0.0, 0.0], "radius": 0.5, "skin": 0.1}}),
                1.5,
                Approx,
                &[([0.0; 3], -0.3), ([2.0, 0.0, 0.0], 1.5)],
            ),
            case(
                json!({"MetricBlend": {"inner": {"Sphere": {"radius": 0.3}}, "outer": {"Box3d": {"half_extents": [0.5, 0.5, 0.5]}}, "center": [0.0, 0.0, 0.0], "radius": 0.5, "skin": 0.0}}),
                1.5,
                Approx,
                &[([0.0; 3], -0.3), ([2.0, 0.0, 0.0], 1.5)],
            ),
            case(
                json!({"Heart": {"size": 0.5}}),
                1.5,
                Exact,
                &[([0.0, 0.6, 0.0], -0.15), ([0.0; 3], 0.25)],
            ),
            case(
                json!({"Tube": {"outer_radius": 0.5, "thickness": 0.1, "half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.5, 0.0, 0.0], -0.1),
                    ([0.0; 3], 0.4),
                    ([0.5, 1.0, 0.0], 0.5),
                ],
            ),
            case(
                json!({"Barrel": {"radius": 0.5, "half_height": 0.5, "bulge": 0.1}}),
                1.5,
                Bound,
                &[
                    ([0.6, 0.0, 0.0], 0.0),
                    ([0.0, 1.0, 0.0], 0.5),
                    ([0.5, 0.5, 0.0], 0.0),
                ],
            ),
            signs(
                json!({"Barrel": {"radius": 0.5, "half_height": 0.5, "bulge": -0.3}}),
                1.5,
                Bound,
                &[
                    ([0.0; 3], -1.0),
                    ([0.3, 0.0, 0.0], 1.0),
                    ([0.4, 0.45, 0.0], -1.0),
                ],
            ),
            case(
                json!({"Diamond": {"radius": 0.5, "half_height": 0.5}}),
                1.5,
                Exact,
                &[
                    ([0.0; 3], -(0.5f32 / 2f32.sqrt())),
                    ([0.0, 1.0, 0.0], 0.5),
                    ([1.0, 0.0, 0.0], 0.5),
                ],
            ),
            case(
                json!({"ChamferedCube": {"half_extents": [0.5, 0.5, 0.5], "chamfer": 0.1}}),
                1.5,
                Bound,
                &[
                    ([0.0; 3], -0.5),
                    ([1.0, 0.0, 0.0], 0.5),
                    ([0.5, 0.5, 0.5], 0.1 / s3),
                ],
            ),
            case(
                json!({"Superellipsoid": {"half_extents": [0.5, 0.5, 0.5], "e1": 0.5, "e2": 0.5}}),
                1.5,
                Bound,
                &[([1.0, 0.0, 0.0], 0.5), ([0.0, -1.0, 0.0], 0.5)],
            ),
            case(
                json!({"Superellipsoid": {"half_extents": [0.5, 0.5, 0.5], "e1": 1.0, "e2": 1.0}}),
                1.5,
                Exact,
                &[([0.3, 0.4, 0.0], 0.0), ([2.0, 0.0, 0.0], 1.5)],
            ),
            case(
                json!({"Superellipsoid": {"half_extents": [0.8, 0.3, 0.5], "e1": 2.0, "e2": 0.1}}),
                1.5,
                Bound,
                &[([0.0, 0.3, 0.0], 0.0)],
            ),
            signs(
                json!({"Superellipsoid": {"half_extents": [0.5, 0.5, 0.5], "e1": 3.0, "e2": 0.01}}),
                1.5,
                Approx,
                &[
                    ([0.0; 3], -1.0),
                    ([0.45, 0.0, 0.0], -1.0),
                    ([0.4, 0.4, 0.4], 1.0),
                ],
            ),
            case(
                json!({"Egg": {"ra": 0.5, "rb": 0.2}}),
                1.5,
                Exact,
                &[
                    ([0.0, -0.6, 0.0], 0.1),
                    ([0.0; 3], -0.5),
                    ([0.0, s3 * 0.3 + 0.2, 0.0], 0.0),
                    ([0.0, s3 * 0.3 + 1.2, 0.0], 1.0),
                ],
            ),
            signs(
                json!({"Helix": {"major_r": 0.5, "minor_r": 0.1, "pitch": 0.5, "half_height": 0.5}}),
                1.5,
                Bound,
                &[
                    ([0.5, 0.0, 0.0], -1.0),
                    ([0.0; 3], 1.0),
                    ([0.5, 0.25, 0.0], 1.0),
                    ([0.0, 0.125, 0.5], -1.0),
                    ([0.0, 0.0, 0.5], 1.0),
                ],
            ),
            signs(
                json!({"Helix": {"major_r": 0.3, "minor_r": 0.05, "pitch": 1.5, "half_height": 1.0}}),
                1.5,
                Bound,
                &[([0.3, 0.0, 0.0], -1.0), ([-0.3, 0.75, 0.0], -1.0)],
            ),
            case(
                json!({"BoxFrame": {"half_extents": [0.5, 0.5, 0.5], "edge": 0.1}}),
                1.5,
                Exact,
                &[
                    ([0.45, 0.45, 0.0], -0.05),
                    ([0.0; 3], 0.18f32.sqrt()),
                    ([0.5, 0.5, 0.5], 0.0),
                ],
            ),
        ]
    }

    #[test]
    fn every_primitive_meets_its_documented_promise() {
        for c in cases() {
            check(&c);
        }
    }

    #[test]
    fn every_primitive_stays_cheap() {
        let sphere = graph(&json!({"Sphere": {"radius": 0.5}})).len();
        for c in cases() {
            let n = graph(&c.json).len();
            // The benchmark's budget is 10x a sphere per point; keep the graphs near it.
            assert!(n <= 12 * sphere, "{}: {n} ops (sphere {sphere})", c.json);
        }
    }
}
