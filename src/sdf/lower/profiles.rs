//! 2-D profiles extruded into prisms (ALICE-SDF's extruded and `*2D` kinds).
//!
//! ALICE-SDF 6.1 is not uniform about the profile plane: RoundedX, Pie, ArcShape,
//! Moon, CrossShape, BlobbyCross, RegularPolygon and StarPolygon lie in XZ and are
//! extruded along Y; the others lie in XY and are extruded along Z. Each function
//! says which. Every 2-D distance is extruded with Inigo Quilez's `opExtrusion`,
//! which is exact when the 2-D distance is exact and a bound when it is a bound.
//!
//! Formulas follow Inigo Quilez's 2-D distance-function article where an exact one
//! exists; parameters mean what they mean in ALICE-SDF 6.1. Each function's doc
//! says "Exact.", "Bound: …" (never more than the true distance) or how it differs.

use crate::sdf::expr::{E, V2, V3};

/// Exact extrusion of the 2-D distance `d2` to a slab `|along| <= half`.
fn extrude<'a>(d2: E<'a>, along: E<'a>, half: f32) -> E<'a> {
    let w = V2::new(d2, along.abs() - half);
    w.max_element().min(0.0) + w.max_s(0.0).length()
}

/// Exact 2-D box distance for `q = |p| - half_extents`.
fn box2<'a>(q: V2<'a>) -> E<'a> {
    q.max_s(0.0).length() + q.max_element().min(0.0)
}

/// `1 - 2 c` for a 0/1 condition `c`: the sign to apply when `c` means "inside".
fn sign_from<'a>(inside: E<'a>) -> E<'a> {
    1.0 - inside * 2.0
}

/// Real cube root (the graph's `powf` takes non-negative bases only).
fn cbrt<'a>(v: E<'a>) -> E<'a> {
    v.abs().powf(1.0 / 3.0) * v.sign()
}

/// `RoundedX`: an X of arm reach `width` (in |x| + |z|) and stroke radius
/// `round_radius` in XZ, extruded along Y. Exact (IQ's rounded X).
pub fn rounded_x<'a>(p: V3<'a>, width: f32, round_radius: f32, half_height: f32) -> E<'a> {
    let q = p.xz().abs();
    let s = (q.x + q.y).min(width) * 0.5;
    let d2 = (q - s).length() - round_radius;
    extrude(d2, p.y, half_height)
}

/// `Pie`: a disc sector of `radius` opening around +Z with half-angle `angle`
/// (radians) in XZ, extruded along Y. Exact (IQ's pie).
pub fn pie<'a>(p: V3<'a>, angle: f32, radius: f32, half_height: f32) -> E<'a> {
    let b = p.builder();
    let (s, c) = angle.sin_cos();
    let q = V2::new(p.x.abs(), p.z);
    let l = q.length() - radius;
    let m = (q - b.v2([s, c]) * q.dot(b.v2([s, c])).clamp(0.0, radius)).length();
    let d2 = l.max(m * (q.x * c - q.y * s).sign());
    extrude(d2, p.y, half_height)
}

/// `Trapezoid`: an isosceles trapezoid in XY, half-width `r1` at `y = -trap_height`
/// and `r2` at `y = +trap_height`, extruded along Z. Exact (IQ's trapezoid).
pub fn trapezoid<'a>(p: V3<'a>, r1: f32, r2: f32, trap_height: f32, half_depth: f32) -> E<'a> {
    let b = p.builder();
    let he = trap_height;
    let k1 = b.v2([r2, he]);
    let k2 = [r2 - r1, 2.0 * he];
    let inv_k2 = 1.0 / (k2[0] * k2[0] + k2[1] * k2[1]).max(f32::MIN_POSITIVE);
    let q = V2::new(p.x.abs(), p.y);
    let half_w = q.y.lt(0.0).select(r1, r2);
    let ca = V2::new(q.x - q.x.min(half_w), q.y.abs() - he);
    let k2 = b.v2(k2);
    let t = ((k1 - q).dot(k2) * inv_k2).clamp(0.0, 1.0);
    let cb = q - k1 + k2 * t;
    let inside = cb.x.lt(0.0) * ca.y.lt(0.0);
    let d2 = sign_from(inside) * ca.length_squared().min(cb.length_squared()).sqrt();
    extrude(d2, p.z, half_depth)
}

/// `Parallelogram`: in XY, half-width `width` along X, half-height `para_height`,
/// the top edge shifted by `+skew` and the bottom by `-skew`; extruded along Z.
/// Exact (IQ's parallelogram).
pub fn parallelogram<'a>(
    p: V3<'a>,
    width: f32,
    para_height: f32,
    skew: f32,
    half_depth: f32,
) -> E<'a> {
    let b = p.builder();
    let (wi, he, sk) = (width, para_height, skew);
    let e = b.v2([sk, he]);
    let inv_e2 = 1.0 / (sk * sk + he * he).max(f32::MIN_POSITIVE);
    // Point symmetry: fold the lower half onto the upper one.
    let q = p.xy();
    let q = V2::select(q.y.lt(0.0), -q, q);
    let w = q - e;
    let w = V2::new(w.x - w.x.clamp(-wi, wi), w.y);
    let d_top = V2::new(w.length_squared(), -w.y);
    let s = q.x * he - q.y * sk;
    let q = V2::select(s.lt(0.0), -q, q);
    let v = q - b.v2([wi, 0.0]);
    let v = v - e * (v.dot(e) * inv_e2).clamp(-1.0, 1.0);
    let dx = d_top.x.min(v.length_squared());
    let dy = d_top.y.min(wi * he - s.abs());
    let d2 = dx.sqrt() * (-dy).sign();
    extrude(d2, p.z, half_depth)
}

/// `Tunnel`: in XY, the rectangle `|x| <= width`, `|y| <= height_2d` topped by a
/// half-disc of radius `width` centred at `(0, height_2d)`; extruded along Z.
/// Exact (IQ's tunnel, moved so it matches ALICE-SDF's placement).
pub fn tunnel<'a>(p: V3<'a>, width: f32, height_2d: f32, half_depth: f32) -> E<'a> {
    // IQ's tunnel has its arch centre at the origin and its floor at -wh.y.
    let wh = [width, 2.0 * height_2d];
    let q = V2::new(p.x.abs(), height_2d - p.y);
    let qx0 = q.x - wh[0];
    let qy = q.y - wh[1];
    let d1 = V2::new(qx0.max(0.0), qy).length_squared();
    let qx = q.y.gt(0.0).select(qx0, q.length() - wh[0]);
    let d2sq = V2::new(qx, qy.max(0.0)).length_squared();
    let d = d1.min(d2sq).sqrt();
    let d2 = qx.max(qy).lt(0.0).select(-d, d);
    extrude(d2, p.z, half_depth)
}

/// `UnevenCapsule`: in XY, a disc of `r1` at the origin and a disc of `r2` at
/// `(0, 2 cap_height)` joined by their tangents (ALICE-SDF does not centre it);
/// extruded along Z. Exact (IQ's uneven capsule); when one disc contains the
/// other it is that disc.
pub fn uneven_capsule<'a>(p: V3<'a>, r1: f32, r2: f32, cap_height: f32, half_depth: f32) -> E<'a> {
    let h = 2.0 * cap_height;
    let q = V2::new(p.x.abs(), p.y);
    let d_low = q.length() - r1;
    let d_high = V2::new(q.x, q.y - h).length() - r2;
    let bb = (r1 - r2) / h;
    let d2 = if bb >= 1.0 {
        d_low
    } else if bb <= -1.0 {
        d_high
    } else {
        let a = (1.0 - bb * bb).sqrt();
        let k = q.x * -bb + q.y * a;
        let side = q.x * a + q.y * bb - r1;
        k.lt(0.0).select(d_low, k.gt(a * h).select(d_high, side))
    };
    extrude(d2, p.z, half_depth)
}

/// `ArcShape`: in XZ, a ring of centre radius `radius` and half-thickness
/// `thickness`, cut to the half-angle `aperture` (radians) around +Z, with round
/// ends; extruded along Y. Exact (IQ's arc).
pub fn arc_shape<'a>(
    p: V3<'a>,
    aperture: f32,
    radius: f32,
    thickness: f32,
    half_height: f32,
) -> E<'a> {
    let b = p.builder();
    let (s, c) = aperture.sin_cos();
    let q = V2::new(p.x.abs(), p.z);
    let to_end = (q - b.v2([s * radius, c * radius])).length();
    let to_ring = (q.length() - radius).abs();
    let d2 = (q.x * c).gt(q.y * s).select(to_end, to_ring) - thickness;
    extrude(d2, p.y, half_height)
}

/// `Moon`: in XZ, the disc of `ra` at the origin minus the discs of `rb` at
/// `x = ±d` (ALICE-SDF folds |x| before placing its inner disc, so both sides are
/// cut; with d < 0 only the lens common to both inner discs is cut); extruded
/// along Y. Bound: the difference of two exact discs, which underestimates near
/// the cusps where the circles meet.
pub fn moon<'a>(p: V3<'a>, d: f32, ra: f32, rb: f32, half_height: f32) -> E<'a> {
    let q = V2::new(p.x.abs(), p.z);
    let outer = q.length() - ra;
    let inner = V2::new(q.x - d, q.y).length() - rb;
    extrude(outer.max(-inner), p.y, half_height)
}

/// `CrossShape`: in XZ, the union of a `length` x `thickness` and a
/// `thickness` x `length` rectangle (half-sizes), grown by `round_radius`;
/// extruded along Y. Exact outside (IQ's cross, then offset); inside it is a bound
/// that underestimates only in the rounded inner corners.
pub fn cross_shape<'a>(
    p: V3<'a>,
    length: f32,
    thickness: f32,
    round_radius: f32,
    half_height: f32,
) -> E<'a> {
    let b = p.builder();
    let (long, short) = (length.max(thickness), length.min(thickness));
    let a = p.xz().abs();
    // Fold across the diagonal so the arm along X is the one to measure.
    let q = V2::select(a.y.gt(a.x), V2::new(a.y, a.x), a);
    let r = q - b.v2([long, short]);
    let k = r.max_element();
    let w = V2::select(k.gt(0.0), r, V2::new(short - q.x, -k));
    let d2 = k.sign() * w.max_s(0.0).length() - round_radius;
    extrude(d2, p.y, half_height)
}

/// `BlobbyCross`: in XZ, IQ's blobby cross (arm blobbiness 0.5) scaled so its
/// arms reach `±size`; extruded along Y. Exact (the nearest point on the
/// parabolic arm is the root of a cubic, solved in closed form).
pub fn blobby_cross<'a>(p: V3<'a>, size: f32, half_height: f32) -> E<'a> {
    const HE: f32 = 0.5;
    let s = std::f32::consts::FRAC_1_SQRT_2;
    let a = p.xz().abs() * (1.0 / size);
    let q = V2::new((a.x - a.y).abs() * s, (1.0 - a.x - a.y) * s);
    let pp = (HE - q.y - 0.25 / HE) * (1.0 / (6.0 * HE));
    let qq = q.x * (1.0 / (HE * HE * 16.0));
    let h = qq.square() - pp.square() * pp;
    let r = h.max(0.0).sqrt();
    let one_root = (qq + r).powf(1.0 / 3.0) + cbrt(qq - r);
    let rp = pp.max(0.0).sqrt();
    let three_roots = ((qq / (pp * rp).max(1e-30)).acos() * (1.0 / 3.0)).cos() * rp * 2.0;
    let x = h.ge(0.0).select(one_root, three_roots).min(s);
    let z = V2::new(x - q.x, (1.0 - x.square() * 2.0) * HE - q.y);
    let d2 = z.length() * z.y.sign() * size;
    extrude(d2, p.y, half_height)
}

/// `ParabolaSegment`: in XY, the region between `y = 0` and the arch
/// `y = para_height (1 - (x/width)^2)` for `|x| <= width`; extruded along Z.
/// Exact: the distance to the arch comes from IQ's parabola segment (a cubic
/// solved in closed form), the distance to the base from its segment. ALICE-SDF
/// 6.1 returns |y| above the arch instead (about 5x too large there); the shape is
/// the same.
pub fn parabola_segment<'a>(p: V3<'a>, width: f32, para_height: f32, half_depth: f32) -> E<'a> {
    let (wi, he) = (width, para_height);
    let ik = wi * wi / he;
    let q = V2::new(p.x.abs(), p.y);
    let pp = (he - q.y - 0.5 * ik) * (ik / 3.0);
    let qq = q.x * (ik * ik * 0.25);
    let h = qq.square() - pp.square() * pp;
    let r = h.abs().sqrt();
    let one_root = (qq + r).powf(1.0 / 3.0) + cbrt(qq - r);
    let three_roots = (r.atan2(qq) * (1.0 / 3.0)).cos() * pp.max(0.0).sqrt() * 2.0;
    let x = h.gt(0.0).select(one_root, three_roots).min(wi);
    let to_arch = V2::new(q.x - x, q.y - (he - x.square() * (1.0 / ik))).length_squared();
    let to_base = V2::new((q.x - wi).max(0.0), q.y).length_squared();
    // Below the arch's parabola and above the base: inside (this implies |x| < width).
    let inside = ((q.y - he) * ik + q.x.square()).lt(0.0) * q.y.gt(0.0);
    let d2 = sign_from(inside) * to_arch.min(to_base).sqrt();
    extrude(d2, p.z, half_depth)
}

/// `RegularPolygon`: in XZ, a regular polygon with `floor(max(n_sides, 3))`
/// sides, circumradius `radius` and a vertex on +Z; extruded along Y. Exact
/// (IQ's regular polygon).
pub fn regular_polygon<'a>(p: V3<'a>, radius: f32, n_sides: f32, half_height: f32) -> E<'a> {
    let n = n_sides.max(3.0).trunc();
    let an = std::f32::consts::PI / n;
    let (sa, ca) = an.sin_cos();
    // Angle from +Z towards +X, folded into the sector (-an, an] around an edge normal.
    let bn = p.x.atan2(p.z).modulo(2.0 * an) - an;
    let r = p.xz().length();
    let q = V2::new(r * bn.cos(), (r * bn.sin()).abs());
    let q = V2::new(q.x - radius * ca, q.y - radius * sa);
    let q = V2::new(q.x, q.y + (-q.y).clamp(0.0, radius * sa));
    let d2 = q.length() * q.x.sign();
    extrude(d2, p.y, half_height)
}

/// `StarPolygon`: in XZ, a star with `max(n_points, 3)` points of outer radius
/// `radius` (one on +Z) and inner vertices at radius `m`; extruded along Y.
/// Exact for a whole number of points (the dihedral fold is an isometry onto one
/// edge); otherwise the last point is cut short and the field is a bound.
pub fn star_polygon<'a>(p: V3<'a>, radius: f32, n_points: f32, m: f32, half_height: f32) -> E<'a> {
    let n = n_points.max(3.0);
    let an = std::f32::consts::PI / n;
    let ab = [m * an.cos() - radius, m * an.sin()];
    let inv_ab2 = 1.0 / (ab[0] * ab[0] + ab[1] * ab[1]).max(f32::MIN_POSITIVE);
    let x = p.x.abs();
    let r = V2::new(x, p.z).length();
    let ang = x.atan2(p.z).modulo(2.0 * an);
    let ang = an - (ang - an).abs();
    let ap = V2::new(r * ang.cos() - radius, r * ang.sin());
    let b = p.builder();
    let abv = b.v2(ab);
    let t = (ap.dot(abv) * inv_ab2).clamp(0.0, 1.0);
    let dist = (ap - abv * t).length();
    let cross = ap.y * ab[0] - ap.x * ab[1];
    let d2 = cross.gt(0.0).select(-dist, dist);
    extrude(d2, p.y, half_height)
}

/// `Stairs`: in XY, `floor(max(n_steps, 1))` steps rising towards +X, step `i`
/// covering `x` in `[i, i+1] step_width` and `y` in `[0, (i+1) step_height]`, the
/// whole centred on `max(n_steps, 1)` steps; extruded along Z. Exact (IQ's
/// stairs), and its cost does not grow with the number of steps.
pub fn stairs<'a>(
    p: V3<'a>,
    step_width: f32,
    step_height: f32,
    n_steps: f32,
    half_depth: f32,
) -> E<'a> {
    let (w, h) = (step_width, step_height);
    let n_raw = n_steps.max(1.0);
    let n = n_raw.trunc();
    let q = V2::new(p.x + n_raw * w * 0.5, p.y + n_raw * h * 0.5);
    let ba = [w * n, h * n];
    // The floor and the back wall.
    let to_floor = V2::new(q.x - q.x.clamp(0.0, ba[0]), q.y).length_squared();
    let to_wall = V2::new(q.x - ba[0], q.y - q.y.clamp(0.0, ba[1])).length_squared();
    let d = to_floor.min(to_wall);
    let s = (-q.y).max(q.x - ba[0]).sign();
    // Rotate so the steps' diagonal is the X axis, pick the nearest step, rotate back.
    let dia = (w * w + h * h).sqrt();
    let (cw, ch) = (w / dia, h / dia);
    let u = q.x * cw + q.y * ch;
    let v = q.y * cw - q.x * ch;
    let id = (u * (1.0 / dia)).round().clamp(0.0, n - 1.0);
    let u = u - id * dia;
    let hh = h * 0.5;
    let lx = u * cw - v * ch;
    let ly = u * ch + v * cw - hh;
    let s = ly.gt(hh * lx.sign()).select(1.0, s);
    let keep = id.lt(0.5).max(lx.gt(0.0));
    let l = V2::select(keep, V2::new(lx, ly), V2::new(-lx, -ly));
    let d = d.min(V2::new(l.x, l.y - l.y.clamp(-hh, hh)).length_squared());
    let d = d.min(V2::new(l.x - l.x.clamp(0.0, w), l.y - hh).length_squared());
    extrude(d.sqrt() * s, p.z, half_depth)
}

/// `Circle2D`: a disc of `radius` in XY, extruded along Z. Exact.
pub fn circle2d<'a>(p: V3<'a>, radius: f32, half_height: f32) -> E<'a> {
    extrude(p.xy().length() - radius, p.z, half_height)
}

/// `Rect2D`: a rectangle of half-sizes `half_extents` in XY, extruded along Z. Exact.
pub fn rect2d<'a>(p: V3<'a>, half_extents: [f32; 2], half_height: f32) -> E<'a> {
    let b = p.builder();
    extrude(box2(p.xy().abs() - b.v2(half_extents)), p.z, half_height)
}

/// `Segment2D`: the segment from `a` to `b` in XY thickened by `thickness` (a
/// 2-D capsule), extruded along Z. Exact; a zero-length segment is a disc.
pub fn segment2d<'a>(
    p: V3<'a>,
    a: [f32; 2],
    b: [f32; 2],
    thickness: f32,
    half_height: f32,
) -> E<'a> {
    let bld = p.builder();
    let ba = [b[0] - a[0], b[1] - a[1]];
    let len2 = ba[0] * ba[0] + ba[1] * ba[1];
    let inv = if len2 > 0.0 { 1.0 / len2 } else { 0.0 };
    let pa = p.xy() - bld.v2(a);
    let bav = bld.v2(ba);
    let t = (pa.dot(bav) * inv).clamp(0.0, 1.0);
    extrude((pa - bav * t).length() - thickness, p.z, half_height)
}

/// `Polygon2D`: the polygon through `vertices` (in order, either winding; even-odd
/// rule) in XY, extruded along Z. Exact (IQ's polygon). Its cost grows linearly
/// with the vertex count (about 25 operations a vertex). Fewer than 3 vertices
/// describe no area: like ALICE-SDF, the value is then a constant 1e10.
pub fn polygon2d<'a>(p: V3<'a>, vertices: &[[f32; 2]], half_height: f32) -> E<'a> {
    let b = p.builder();
    if vertices.len() < 3 {
        return b.c(1e10);
    }
    let q = p.xy();
    let mut d = (q - b.v2(vertices[0])).length_squared();
    let mut crossings: Option<E<'a>> = None;
    let mut j = vertices.len() - 1;
    for (i, vi) in vertices.iter().enumerate() {
        let vj = vertices[j];
        j = i;
        let e = [vj[0] - vi[0], vj[1] - vi[1]];
        let e2 = e[0] * e[0] + e[1] * e[1];
        let inv = if e2 > 0.0 { 1.0 / e2 } else { 0.0 };
        let ev = b.v2(e);
        let w = q - b.v2(*vi);
        let proj = w - ev * (w.dot(ev) * inv).clamp(0.0, 1.0);
        d = d.min(proj.length_squared());
        // The edge crosses the ray from q towards +X: both y tests agree with the side test.
        let c1 = q.y.ge(vi[1]);
        let c2 = q.y.lt(vj[1]);
        let c3 = (w.y * e[0]).gt(w.x * e[1]);
        let flip = c1 * c2 * c3 + (1.0 - c1) * (1.0 - c2) * (1.0 - c3);
        crossings = Some(match crossings {
            Some(c) => c + flip,
            None => flip,
        });
    }
    let odd = crossings.map_or(b.c(0.0), |c| c.modulo(2.0));
    extrude(sign_from(odd) * d.sqrt(), p.z, half_height)
}

/// `RoundedRect2D`: a rectangle of outer half-sizes `half_extents` in XY whose
/// corners are rounded by `round_radius`, extruded along Z. Exact while
/// `round_radius <= min(half_extents)`; beyond that the shape (same as ALICE-SDF's)
/// is a bound.
pub fn rounded_rect2d<'a>(
    p: V3<'a>,
    half_extents: [f32; 2],
    round_radius: f32,
    half_height: f32,
) -> E<'a> {
    let b = p.builder();
    let inner = [
        half_extents[0] - round_radius,
        half_extents[1] - round_radius,
    ];
    let d2 = box2(p.xy().abs() - b.v2(inner)) - round_radius;
    extrude(d2, p.z, half_height)
}

/// `Annular2D`: a ring in XY centred on the circle of `outer_radius`, reaching
/// `thickness` to either side of it (so from `outer_radius - thickness` to
/// `outer_radius + thickness`), extruded along Z. Exact.
pub fn annular2d<'a>(p: V3<'a>, outer_radius: f32, thickness: f32, half_height: f32) -> E<'a> {
    let d2 = (p.xy().length() - outer_radius).abs() - thickness;
    extrude(d2, p.z, half_height)
}

#[cfg(test)]
mod tests {
    use crate::sdf::lower::testing::{Pairs, Rng, at, cost, graph, lipschitz_pairs, unit_gradient};
    use serde_json::{Value, json};

    /// (b) Lipschitz, (c) unit gradient when `exact`, (d) no NaN, and the cost:
    /// operations other than constants and coordinates.
    fn check(v: Value, half: f32, exact: bool) {
        let g = graph(&v);
        let ops = cost(&g);
        // About 10 spheres (7 operations each); Polygon2D pays per vertex.
        let vertices = v["Polygon2D"]["vertices"].as_array().map_or(0, Vec::len);
        assert!(ops <= 80 + 30 * vertices, "{v}: {ops} operations");
        assert!(at(&g, [0.0; 3]).is_finite(), "{v}: NaN at the origin");
        let samples = lipschitz_pairs(&g, &v, Pairs::within(half));
        if exact {
            let unit = samples.iter().filter(|s| unit_gradient(&g, s.p)).count();
            let total = samples.len();
            assert!(
                unit * 100 >= total * 95,
                "{v}: |grad| = 1 at {unit}/{total}"
            );
        }
    }

    /// Asserts `d(p)` for each `(point, distance)` pair.
    fn values(v: Value, cases: &[([f32; 3], f32)]) {
        let g = graph(&v);
        for &(p, want) in cases {
            let got = at(&g, p);
            assert!(
                (got - want).abs() < 1e-4,
                "{v} at {p:?}: {got}, want {want}"
            );
        }
    }

    #[test]
    fn rounded_x() {
        let v = json!({"RoundedX": {"width": 0.6, "round_radius": 0.1, "half_height": 0.5}});
        values(
            v.clone(),
            &[
                ([0.0; 3], -0.1),
                (
                    [0.0, 0.0, 0.3],
                    0.3f32.hypot(0.0) * 0.0 + (0.15f32 * 0.15 * 2.0).sqrt() - 0.1,
                ),
                ([0.0, 0.8, 0.0], 0.3),
            ],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn pie() {
        let v = json!({"Pie": {"angle": 1.0, "radius": 0.8, "half_height": 0.4}});
        values(
            v.clone(),
            &[
                ([0.0, 0.0, 0.5], -0.3),
                ([0.0, 0.0, 1.0], 0.2),
                ([0.0, 0.9, 0.5], 0.5),
            ],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn trapezoid() {
        let v = json!({"Trapezoid": {"r1": 0.6, "r2": 0.2, "trap_height": 0.4, "half_depth": 0.5}});
        values(
            v.clone(),
            &[
                ([0.0; 3], -0.32 / 0.8f32.hypot(0.4)),
                ([0.0, -0.5, 0.0], 0.1),
                ([0.0, 0.5, 0.0], 0.1),
                ([0.0, 0.0, 0.7], 0.2),
            ],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn parallelogram() {
        let v = json!({"Parallelogram": {"width": 0.5, "para_height": 0.3, "skew": 0.2, "half_depth": 0.5}});
        // The top edge runs from x = -0.3 to 0.7 at y = 0.3.
        values(
            v.clone(),
            &[
                ([0.0; 3], -0.3),
                ([0.6, 0.4, 0.0], 0.1),
                ([-0.6, -0.4, 0.0], 0.1),
                ([0.9, 0.3, 0.0], 0.2),
            ],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn tunnel() {
        let v = json!({"Tunnel": {"width": 0.4, "height_2d": 0.3, "half_depth": 0.5}});
        values(
            v.clone(),
            &[
                ([0.0; 3], -0.3),
                ([0.0, 0.9, 0.0], 0.2),
                ([0.0, -0.5, 0.0], 0.2),
                ([0.6, 0.0, 0.0], 0.2),
                ([0.0, 0.6, 0.0], -0.1),
            ],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn uneven_capsule() {
        let v =
            json!({"UnevenCapsule": {"r1": 0.3, "r2": 0.1, "cap_height": 0.3, "half_depth": 0.5}});
        values(
            v.clone(),
            &[
                ([0.0; 3], -0.3),
                ([0.0, -0.5, 0.0], 0.2),
                ([0.0, 0.8, 0.0], 0.1),
            ],
        );
        check(v, 1.2, true);
        // One disc inside the other: just the bigger disc.
        let v =
            json!({"UnevenCapsule": {"r1": 0.1, "r2": 0.6, "cap_height": 0.1, "half_depth": 1.0}});
        values(
            v.clone(),
            &[([0.0, 0.2, 0.0], -0.6), ([0.0, 1.0, 0.0], 0.2)],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn arc_shape() {
        let v = json!({"ArcShape": {"aperture": 1.5, "radius": 0.5, "thickness": 0.1, "half_height": 0.5}});
        values(
            v.clone(),
            &[
                ([0.0, 0.0, 0.5], -0.1),
                ([0.0; 3], 0.4),
                (
                    [0.0, 0.0, -0.5],
                    0.5f32.hypot(0.0) * 0.0 + (2.0f32 * 0.25 + 2.0 * 0.25 * (1.5f32).cos()).sqrt()
                        - 0.1,
                ),
            ],
        );
        check(v, 1.2, true);
    }

    #[test]
    fn moon() {
        // ALICE-SDF cuts discs at x = +d and x = -d.
        let v = json!({"Moon": {"d": 0.3, "ra": 0.5, "rb": 0.4, "half_height": 0.5}});
        let g = graph(&v);
        assert!(at(&g, [0.0, 0.0, 0.45]) < 0.0);
        assert!(at(&g, [0.3, 0.0, 0.0]) > 0.0 && at(&g, [-0.3, 0.0, 0.0]) > 0.0);
        check(v, 1.2, false);
    }

    #[test]
    fn cross_shape() {
        let v = json!({"CrossShape": {"length": 0.5, "thickness": 0.1, "round_radius": 0.05, "half_height": 0.5}});
        values(
            v.clone(),
            &[
                ([0.0; 3], -(0.02f32.sqrt()) - 0.05),
                ([0.7, 0.0, 0.0], 0.15),
                ([0.3, 0.0, 0.3], 0.15),
            ],
        );
        check(v.clone(), 1.2, true);
        // Thickness above length is the same plus sign with the roles swapped.
        let w = json!({"CrossShape": {"length": 0.1, "thickness": 0.5, "round_radius": 0.05, "half_height": 0.5}});
        let (a, b) = (graph(&v), graph(&w));
        let mut rng = Rng(7);
        for _ in 0..200 {
            let p = rng.point(1.0);
            assert!((at(&a, p) - at(&b, p)).abs() < 1e-5);
        }
    }

    #[test]
    fn blobby_cross() {
        let v = json!({"BlobbyCross": {"size": 0.5, "half_height": 0.5}});
        let g = graph(&v);
        // The arms reach ±size on the axes.
        for p in [[0.5, 0.0, 0.0], [0.0, 0.0, -0.5]] {
            assert!(at(&g, p).abs() < 1e-4, "{}", at(&g, p));
        }
        assert!(at(&g, [0.0; 3]) < 0.0 && at(&g, [0.4, 0.0, 0.4]) > 0.0);
        check(v, 1.0, true);
    }

    #[test]
    fn parabola_segment() {
        let v = json!({"ParabolaSegment": {"width": 0.5, "para_height": 0.6, "half_depth": 0.5}});
        // Above the apex the distance is to the arch, not |y| (ALICE-SDF's defect).
        values(
            v.clone(),
            &[
                ([0.0, 0.8, 0.0], 0.2),
                ([0.0, 0.1, 0.0], -0.1),
                ([0.0, -0.3, 0.0], 0.3),
                ([0.7, 0.0, 0.0], 0.2),
            ],
        );
        check(v, 1.2, true);
        // A brute-force distance to the boundary at a few points.
        let g = graph(
            &json!({"ParabolaSegment": {"width": 0.5, "para_height": 0.6, "half_depth": 10.0}}),
        );
        let mut rng = Rng(3);
        for _ in 0..100 {
            let p = rng.point(1.0);
            let mut best = f32::MAX;
            for i in 0..=4000 {
                let x = -0.5 + i as f32 / 4000.0;
                let y = 0.6 * (1.0 - (x / 0.5).powi(2));
                best = best
                    .min((p[0] - x).hypot(p[1] - y))
                    .min((p[0] - x).hypot(p[1]));
            }
            assert!(
                (at(&g, [p[0], p[1], 0.0]).abs() - best).abs() < 1e-3,
                "{p:?}"
            );
        }
    }

    #[test]
    fn regular_polygon() {
        let v = json!({"RegularPolygon": {"radius": 0.5, "n_sides": 6.0, "half_height": 0.5}});
        let apothem = 0.5 * (std::f32::consts::PI / 6.0).cos();
        values(
            v.clone(),
            &[
                ([0.0; 3], -apothem),
                ([0.0, 0.0, 0.7], 0.2),
                ([0.0, 0.9, 0.0], 0.4),
            ],
        );
        check(v, 1.2, true);
        check(
            json!({"RegularPolygon": {"radius": 0.5, "n_sides": 3.7, "half_height": 0.5}}),
            1.2,
            true,
        );
    }

    #[test]
    fn star_polygon() {
        let v =
            json!({"StarPolygon": {"radius": 0.6, "n_points": 5.0, "m": 0.25, "half_height": 0.5}});
        values(v.clone(), &[([0.0, 0.0, 0.6], 0.0), ([0.0, 0.0, 0.8], 0.2)]);
        assert!(at(&graph(&v), [0.0; 3]) < 0.0);
        check(v, 1.2, true);
        check(
            json!({"StarPolygon": {"radius": 0.5, "n_points": 5.0, "m": 3.0, "half_height": 0.5}}),
            4.0,
            false,
        );
        check(
            json!({"StarPolygon": {"radius": 0.5, "n_points": 4.5, "m": 0.2, "half_height": 0.5}}),
            1.2,
            false,
        );
    }

    #[test]
    fn stairs() {
        let v = json!({"Stairs": {"step_width": 0.25, "step_height": 0.2, "n_steps": 4.0, "half_depth": 0.5}});
        check(v.clone(), 1.2, true);
        // Against the union of ALICE-SDF's step boxes: same sign, same distance outside.
        let g = graph(&v);
        let mut rng = Rng(11);
        for _ in 0..2000 {
            let p = rng.point(1.0);
            let (lx, ly) = (p[0] + 0.5, p[1] + 0.4);
            let mut want = f32::MAX;
            for i in 0..4 {
                let (cx, hy) = (i as f32 * 0.25 + 0.125, (i + 1) as f32 * 0.1);
                let (dx, dy) = ((lx - cx).abs() - 0.125, (ly - hy).abs() - hy);
                want = want.min(dx.max(0.0).hypot(dy.max(0.0)) + dx.max(dy).min(0.0));
            }
            let want = want.max(p[2].abs() - 0.5);
            let got = at(&g, p);
            assert_eq!(got < 0.0, want < 0.0, "{p:?}: {got} vs {want}");
            if want > 0.0 && p[2].abs() < 0.5 {
                assert!((got - want).abs() < 1e-4, "{p:?}: {got} vs {want}");
            }
        }
        check(
            json!({"Stairs": {"step_width": 0.3, "step_height": 0.1, "n_steps": 1.0, "half_depth": 0.5}}),
            1.0,
            true,
        );
    }

    #[test]
    fn circle_rect_rounded_rect_annulus() {
        let c = json!({"Circle2D": {"radius": 0.5, "half_height": 0.3}});
        values(
            c.clone(),
            &[
                ([0.0; 3], -0.3),
                ([0.8, 0.0, 0.0], 0.3),
                ([0.0, 0.0, 0.5], 0.2),
            ],
        );
        check(c, 1.2, true);
        let r = json!({"Rect2D": {"half_extents": [0.5, 0.2], "half_height": 0.3}});
        values(
            r.clone(),
            &[
                ([0.0; 3], -0.2),
                ([0.0, 0.5, 0.0], 0.3),
                ([0.8, 0.6, 0.0], 0.5),
            ],
        );
        check(r, 1.2, true);
        let rr = json!({"RoundedRect2D": {"half_extents": [0.5, 0.3], "round_radius": 0.1, "half_height": 0.3}});
        values(
            rr.clone(),
            &[
                ([0.0; 3], -0.3),
                ([0.7, 0.0, 0.0], 0.2),
                ([0.6, 0.4, 0.0], 0.2f32.hypot(0.2) - 0.1),
            ],
        );
        check(rr, 1.2, true);
        let a = json!({"Annular2D": {"outer_radius": 0.5, "thickness": 0.1, "half_height": 0.3}});
        values(
            a.clone(),
            &[
                ([0.0; 3], 0.4),
                ([0.5, 0.0, 0.0], -0.1),
                ([0.0, 0.8, 0.0], 0.2),
            ],
        );
        check(a, 1.2, true);
    }

    #[test]
    fn segment2d() {
        let v = json!({"Segment2D": {"a": [-0.5, 0.0], "b": [0.5, 0.2], "thickness": 0.1, "half_height": 0.3}});
        values(
            v.clone(),
            &[([-0.5, 0.0, 0.0], -0.1), ([-0.8, 0.0, 0.0], 0.2)],
        );
        check(v, 1.2, true);
        let dot = json!({"Segment2D": {"a": [0.2, 0.2], "b": [0.2, 0.2], "thickness": 0.1, "half_height": 0.3}});
        values(
            dot.clone(),
            &[([0.2, 0.2, 0.0], -0.1), ([0.2, 0.5, 0.0], 0.2)],
        );
        check(dot, 1.2, true);
    }

    #[test]
    fn polygon2d() {
        // An L shape, clockwise, to exercise a concave corner and the winding.
        let l = [
            [0.0, 0.0],
            [0.0, 0.6],
            [0.2, 0.6],
            [0.2, 0.2],
            [0.6, 0.2],
            [0.6, 0.0],
        ];
        let v = json!({"Polygon2D": {"vertices": l, "half_height": 0.3}});
        values(
            v.clone(),
            &[
                ([0.1, 0.1, 0.0], -0.1),
                ([0.4, 0.4, 0.0], 0.2),
                ([0.7, 0.3, 0.0], 0.1f32.hypot(0.1)),
                ([-0.3, 0.3, 0.0], 0.3),
                ([0.1, 0.1, 0.5], 0.2),
            ],
        );
        check(v, 1.0, true);
        let tri = json!({"Polygon2D": {"vertices": [[-0.5, -0.5], [0.5, -0.5], [0.0, 0.5]], "half_height": 0.5}});
        assert!(at(&graph(&tri), [0.0; 3]) < 0.0);
        check(tri, 1.2, true);
        let few = json!({"Polygon2D": {"vertices": [[0.0, 0.0], [1.0, 0.0]], "half_height": 0.5}});
        assert_eq!(at(&graph(&few), [0.0; 3]), 1e10);
        let repeated = json!({"Polygon2D": {"vertices": [[0.0, 0.0], [0.0, 0.0], [1.0, 0.0], [0.0, 1.0]], "half_height": 0.5}});
        check(repeated, 1.2, true);
    }
}
