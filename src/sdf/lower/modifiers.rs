//! Deformations, repetitions and surface modifiers.
//!
//! Parameters mean what they mean in ALICE-SDF 6.1. Each kind's doc says whether
//! its value is exact, a bound (never more than the true distance, given a
//! child that is exact or a bound) or only approximate. Non-rigid deformations
//! divide by a Lipschitz factor of their point map so they stay bounds;
//! repetitions keep one lowering of the child at a folded point, so their cost
//! does not grow with the number of copies.

use super::transforms::spectral_norm;
use super::{Lower, LowerError};
use crate::sdf::expr::{E, V2, V3};
use crate::sdf::node::Node;
use crate::sdf::node::TaperReach;
use std::f32::consts::TAU;

/// Bound on `|∇ value_noise|`: the smoothstep's slope (1.5) times the largest
/// corner difference (2), on each of three axes.
pub const VALUE_NOISE_LIPSCHITZ: f32 = 3.0 * 1.732_050_8;

/// Steps of [`value_noise`]'s first hash fraction: its period in lattice index.
const HASH_PERIOD: f32 = 512.0;
/// `53 / 512`: odd over the period, so the first fraction permutes the index
/// mod 512.
const HASH_SCALE: f32 = 53.0 / HASH_PERIOD;
/// `33 + 21/64`, the dyadic neighbour of Hoskins' `33.33`.
const HASH_SHIFT: f32 = 33.328_125;

/// Smooth 3-D value noise in [-1, 1]: hashes of the integer lattice corners
/// around `p`, blended with smoothstep weights. `seed` shifts the hash
/// sequence. Lipschitz constant at most [`VALUE_NOISE_LIPSCHITZ`]. About 95
/// graph operations.
///
/// The hash is exact arithmetic: every value it computes is an integer below
/// 2²⁴ or a fraction of 2⁻⁹ or 2⁻¹⁸ steps, and every constant is dyadic, so
/// each operation's result is representable and no rounding happens. A GPU
/// compiler may fuse, reorder or distribute these operations (Vulkan allows
/// it) and still gets the CPU's bits. An earlier hash with decimal constants
/// (`0.1031`, `33.33`) rounded at each step; an H200 reordered it and, where a
/// `fract` was within ~100 ULPs of a wrap, hashed a corner to the other side
/// (SurfaceRoughness 0.4469 against 0.4490). Exact while the lattice index
/// `x + 57y + 113z` is below 2²⁴ in size (cells within ±98 k of the origin).
pub fn value_noise<'a>(p: V3<'a>, seed: u32) -> E<'a> {
    let cell = p.map(E::floor);
    let f = p - cell;
    let u = f.map(|t| t * t * (3.0 - 2.0 * t));
    let index = cell.x + cell.y * 57.0 + cell.z * 113.0 + (seed % 1024) as f32 * 131.0;
    // Reduced mod 512 so that `corner * 53` below stays under 2²⁴.
    let base = index - (index * (1.0 / HASH_PERIOD)).floor() * HASH_PERIOD;
    let hash = |offset: f32| {
        let t = ((base + offset) * HASH_SCALE).fract();
        (t * (t + HASH_SHIFT)).fract()
    };
    let corner = |dx: f32, dy: f32, dz: f32| hash(dx + dy * 57.0 + dz * 113.0);
    let x00 = corner(0.0, 0.0, 0.0).mix(corner(1.0, 0.0, 0.0), u.x);
    let x10 = corner(0.0, 1.0, 0.0).mix(corner(1.0, 1.0, 0.0), u.x);
    let x01 = corner(0.0, 0.0, 1.0).mix(corner(1.0, 0.0, 1.0), u.x);
    let x11 = corner(0.0, 1.0, 1.0).mix(corner(1.0, 1.0, 1.0), u.x);
    let y0 = x00.mix(x10, u.y);
    let y1 = x01.mix(x11, u.y);
    y0.mix(y1, u.z) * 2.0 - 1.0
}

/// The distance bound of a deformation whose point map is at most
/// `a + b ρ'`-Lipschitz on a ball where the radius `ρ'` is at most `rho + D`:
/// the largest `D` with `D (a + b (rho + D)) <= |g|`, with `g`'s sign.
/// Solving the quadratic exactly makes this a true bound, not a first-order one.
fn growing_lipschitz_bound<'a>(g: E<'a>, rho: E<'a>, b: f32) -> E<'a> {
    let a = rho * b + 1.0;
    g * 2.0 / (a + (a.square() + g.abs() * (4.0 * b)).sqrt())
}

/// `Twist`: the child twisted around Y by `strength` radians per unit of
/// height (the point is rotated in XZ by `y * strength`, as ALICE-SDF). Bound:
/// the map stretches by at most `1 + |strength| ρ` at radius ρ from the axis,
/// and the value is the largest distance that stretch allows.
pub fn twist<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    strength: f32,
) -> Result<E<'a>, LowerError> {
    if strength == 0.0 {
        return cx.node(child, p);
    }
    let angle = p.y * strength;
    let (s, c) = (angle.sin(), angle.cos());
    let q = V3::new(p.x * c - p.z * s, p.y, p.x * s + p.z * c);
    let g = cx.node(child, q)?;
    Ok(growing_lipschitz_bound(g, p.xz().length(), strength.abs()))
}

/// `Bend`: the child bent in the XY plane: the point is rotated in XY by
/// `curvature * x`, as ALICE-SDF. Bound, as [`twist`] (radius taken in XY).
pub fn bend<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    curvature: f32,
) -> Result<E<'a>, LowerError> {
    if curvature == 0.0 {
        return cx.node(child, p);
    }
    let angle = p.x * curvature;
    let (s, c) = (angle.sin(), angle.cos());
    let q = V3::new(p.x * c - p.y * s, p.x * s + p.y * c, p.z);
    let g = cx.node(child, q)?;
    Ok(growing_lipschitz_bound(g, p.xy().length(), curvature.abs()))
}

/// One axis of a repetition: `v - spacing * cell` with `cell` the nearest
/// integer (halves up) of `v / spacing`, clamped to `±limit` when given.
fn repeat_axis<'a>(v: E<'a>, spacing: f32, limit: Option<f32>) -> E<'a> {
    if spacing.is_nan() || spacing < 1e-6 {
        // Validation refuses it; a zero spacing would divide by zero.
        return v;
    }
    let mut cell = (v * (1.0 / spacing)).round();
    if let Some(l) = limit {
        cell = cell.clamp(-l, l);
    }
    v - cell * spacing
}

/// `RepeatInfinite`: copies of the child on an infinite grid of `spacing`,
/// one of them at the origin. Exact when the child stays within its cell
/// (half a spacing each way); otherwise a neighbouring copy may be nearer than
/// the value says. One lowering of the child.
pub fn repeat_infinite<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    spacing: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let q = V3::new(
        repeat_axis(p.x, spacing[0], None),
        repeat_axis(p.y, spacing[1], None),
        repeat_axis(p.z, spacing[2], None),
    );
    cx.node(child, q)
}

/// `RepeatFinite`: as [`repeat_infinite`], but the cell index is clamped to
/// `±count/2` per axis, as ALICE-SDF (count 2 gives cells -1, 0, 1; an odd
/// count ends in a half-shifted copy, as there). Exact under the same
/// condition as [`repeat_infinite`].
pub fn repeat_finite<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    count: [u32; 3],
    spacing: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let lim = count.map(|c| c as f32 * 0.5);
    let q = V3::new(
        repeat_axis(p.x, spacing[0], Some(lim[0])),
        repeat_axis(p.y, spacing[1], Some(lim[1])),
        repeat_axis(p.z, spacing[2], Some(lim[2])),
    );
    cx.node(child, q)
}

/// `Noise`: the child's surface displaced by `amplitude * noise(p * frequency)`.
/// The noise is [`value_noise`] (smooth, in [-1, 1]), not ALICE-SDF's Perlin
/// gradient noise, so the bumps differ in detail but not in size or scale.
/// Bound: divided by `1 + |amplitude| frequency L` (L the noise's Lipschitz
/// constant), which keeps the surface.
pub fn noise<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    amplitude: f32,
    frequency: f32,
    seed: u32,
) -> Result<E<'a>, LowerError> {
    let d = cx.node(child, p)?;
    if amplitude == 0.0 {
        return Ok(d);
    }
    let n = value_noise(p * frequency, seed);
    let lip = 1.0 + amplitude.abs() * frequency.abs() * VALUE_NOISE_LIPSCHITZ;
    Ok((d + n * amplitude) * (1.0 / lip))
}

/// `Round`: the child grown by `radius`, `d - radius`. Exact outside the child
/// when the child is exact.
pub fn round<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    radius: f32,
) -> Result<E<'a>, LowerError> {
    Ok(cx.node(child, p)? - radius)
}

/// `Onion`: a shell of the given thickness around the child's surface,
/// `|d| - thickness`. Exact when the child is.
pub fn onion<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    thickness: f32,
) -> Result<E<'a>, LowerError> {
    Ok(cx.node(child, p)?.abs() - thickness)
}

/// `Elongate`: the child cut at the origin planes and stretched by `amount`
/// each way, `child(p - clamp(p, -amount, amount))`, as ALICE-SDF. Exact
/// outside; inside the stretched part a bound (0 at most).
pub fn elongate<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    amount: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let h = amount.map(f32::abs);
    let q = V3::new(
        p.x - p.x.clamp(-h[0], h[0]),
        p.y - p.y.clamp(-h[1], h[1]),
        p.z - p.z.clamp(-h[2], h[2]),
    );
    cx.node(child, q)
}

/// `Mirror`: the child's half on the positive side of each plane whose `axes`
/// component is non-zero, mirrored to the other side (`|p|` on those axes).
/// Bound (exact when the child lies on the positive side).
pub fn mirror<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    axes: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let m = |v: E<'a>, a: f32| if a != 0.0 { v.abs() } else { v };
    let q = V3::new(m(p.x, axes[0]), m(p.y, axes[1]), m(p.z, axes[2]));
    cx.node(child, q)
}

/// `Revolution`: the child's XY cross-section revolved around Y at `offset`
/// from the axis: `child(hypot(x, z) - offset, y, 0)`. Exact when that
/// cross-section is an exact 2-D distance; a bound otherwise.
pub fn revolution<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    offset: f32,
) -> Result<E<'a>, LowerError> {
    let b = p.x.builder();
    let q = V3::new(p.xz().length() - offset, p.y, b.c(0.0));
    cx.node(child, q)
}

/// `Extrude`: the child's cross-section at z = 0 extruded along Z to
/// `±half_height` (IQ's `opExtrusion`). Exact when the cross-section is an
/// exact 2-D distance; a bound otherwise.
pub fn extrude<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    half_height: f32,
) -> Result<E<'a>, LowerError> {
    let b = p.x.builder();
    let d = cx.node(child, V3::new(p.x, p.y, b.c(0.0)))?;
    let w = V2::new(d, p.z.abs() - half_height);
    Ok(w.x.max(w.y).min(0.0) + w.max_s(0.0).length())
}

/// Unsigned distance from `q` to the quadratic Bézier `p0 p1 p2` (Inigo
/// Quilez's closed form: the cubic for the nearest parameter, both of its
/// cases computed and selected). Exact.
pub fn bezier_distance<'a>(q: V2<'a>, p0: [f32; 2], p1: [f32; 2], p2: [f32; 2]) -> E<'a> {
    let b = q.builder();
    let a = [p1[0] - p0[0], p1[1] - p0[1]];
    let bb = [p0[0] - 2.0 * p1[0] + p2[0], p0[1] - 2.0 * p1[1] + p2[1]];
    let c = [a[0] * 2.0, a[1] * 2.0];
    let d = b.v2(p0) - q;
    let b2 = bb[0] * bb[0] + bb[1] * bb[1];
    if b2 < 1e-12 {
        // A straight segment: project onto it.
        let ac = [p2[0] - p0[0], p2[1] - p0[1]];
        let len2 = (ac[0] * ac[0] + ac[1] * ac[1]).max(1e-12);
        let t = ((d.x * ac[0] + d.y * ac[1]) * (-1.0 / len2)).clamp(0.0, 1.0);
        return V2::new(d.x + t * ac[0], d.y + t * ac[1]).length();
    }
    let kk = 1.0 / b2;
    let kx = kk * (a[0] * bb[0] + a[1] * bb[1]);
    let d_b = d.x * bb[0] + d.y * bb[1];
    let d_a = d.x * a[0] + d.y * a[1];
    let ky = (d_b + 2.0 * (a[0] * a[0] + a[1] * a[1])) * (kk / 3.0);
    let kz = d_a * kk;
    let pp = ky - kx * kx;
    let qq = kx * (2.0 * kx * kx) - ky * (3.0 * kx) + kz;
    let h = pp * pp * pp * 4.0 + qq * qq;
    let at = |t: E<'a>| {
        let e = V2::new(d.x + (c[0] + bb[0] * t) * t, d.y + (c[1] + bb[1] * t) * t);
        e.length_squared()
    };
    let cbrt = |v: E<'a>| v.sign() * v.abs().powf(1.0 / 3.0);
    // One real root.
    let hs = h.sqrt();
    let t1 = (cbrt((hs - qq) * 0.5) + cbrt((-hs - qq) * 0.5) - kx).clamp(0.0, 1.0);
    let one = at(t1);
    // Three real roots (pp < 0 there; the guards only matter in the unused case).
    let z = (-pp).max(1e-20).sqrt();
    let v = (qq / (pp * z * 2.0).min(-1e-30)).clamp(-1.0, 1.0).acos() * (1.0 / 3.0);
    let m = v.cos();
    let n = v.sin() * 1.732_050_8;
    let ta = ((m + m) * z - kx).clamp(0.0, 1.0);
    let tb = ((-n - m) * z - kx).clamp(0.0, 1.0);
    let three = at(ta).min(at(tb));
    h.ge(0.0).select(one, three).sqrt()
}

/// `SweepBezier`: the child's XY cross-section swept along the quadratic
/// Bézier `p0 p1 p2` in the XZ plane: `child(dist((x, z), curve), y, 0)`, as
/// ALICE-SDF. The cross-section's x is the unsigned distance from the curve,
/// so only its `x >= 0` half matters. Bound (exact for an exact cross-section
/// away from the curve's ends).
pub fn sweep_bezier<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    p0: [f32; 2],
    p1: [f32; 2],
    p2: [f32; 2],
) -> Result<E<'a>, LowerError> {
    let b = p.x.builder();
    let dist = bezier_distance(p.xz(), p0, p1, p2);
    cx.node(child, V3::new(dist, p.y, b.c(0.0)))
}

/// `Taper`: the child narrowed along Y, its XZ scaled by `1 - factor * y`
/// (the point is divided by it, kept at least 1e-6 from 0), as ALICE-SDF.
/// Bound: the stretch of the point map is bounded over the ball the value
/// claims (two refinement steps), and when `reach` (`[r_xz, r_y]`, the child's
/// extent) is known, the distance to the cone and slab that must contain the
/// shape is used where it is larger.
pub fn taper<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    factor: f32,
    reach: TaperReach,
) -> Result<E<'a>, LowerError> {
    if factor == 0.0 {
        return cx.node(child, p);
    }
    let den = 1.0 - p.y * factor;
    let den_abs = den.abs().max(1e-6);
    let den_signed = den.lt(0.0).select(-den_abs, den_abs);
    let s = den_signed.recip();
    let g = cx.node(child, V3::new(p.x * s, p.y, p.z * s))?;
    let fa = factor.abs();
    let rho = p.xz().length();
    let g_abs = g.abs();
    // The stretch at distance r from p: 1/den can grow to 1/(den - fa r).
    let stretch = |inv_den: E<'a>, radius: E<'a>| inv_den.max(1.0) + inv_den.square() * radius * fa;
    let s0 = den_abs.recip();
    let r0 = (g_abs / stretch(s0, rho)).min(den_abs * (0.5 / fa));
    let s1 = (den_abs - r0 * fa).max(1e-6).recip();
    let mag = (g_abs / stretch(s1, rho + r0)).min(r0);
    let inside = g.lt(0.0);
    let bounded = inside.select(-mag, mag);
    match reach {
        [Some(r_xz), Some(r_y)] if r_xz < 1e30 && r_y < 1e30 => {
            // Child points with |xz| <= r_xz land where |xz| <= r_xz |1 - f y|,
            // a double cone with its apex at y = 1/f.
            let k = r_xz * fa;
            let cone = (rho - (p.y - 1.0 / factor).abs() * k) * (1.0 / (k * k + 1.0).sqrt());
            let slab = p.y.abs() - r_y;
            Ok(inside.select(bounded, bounded.max(cone.max(slab))))
        }
        _ => Ok(bounded),
    }
}

/// `Displacement`: adds `strength * sin(5x) sin(5y) sin(5z)` to the child's
/// distance, as ALICE-SDF. Bound: divided by `1 + 5√3 |strength|` (the ripple's
/// Lipschitz constant plus one), which keeps the surface.
pub fn displacement<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    strength: f32,
) -> Result<E<'a>, LowerError> {
    sine_displacement(cx, child, p, strength, [5.0; 3])
}

/// `SineDisplacement`: adds `amplitude * sin(f.x x) sin(f.y y) sin(f.z z)` to
/// the child's distance, as ALICE-SDF. Bound: divided by
/// `1 + |amplitude| |f|`, which keeps the surface.
pub fn sine_displacement<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    amplitude: f32,
    frequency: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let d = cx.node(child, p)?;
    if amplitude == 0.0 {
        return Ok(d);
    }
    let [fx, fy, fz] = frequency;
    let ripple = (p.x * fx).sin() * (p.y * fy).sin() * (p.z * fz).sin();
    let lip = 1.0 + amplitude.abs() * (fx * fx + fy * fy + fz * fz).sqrt();
    Ok((d + ripple * amplitude) * (1.0 / lip))
}

/// `PolarRepeat`: `count` copies of the child around the Y axis, one centred on
/// +X: the angle in XZ is folded into the sector around 0, as ALICE-SDF. Exact
/// when the child stays inside its sector; otherwise the neighbouring copy may
/// be nearer than the value says. One lowering of the child.
pub fn polar_repeat<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    count: u32,
) -> Result<E<'a>, LowerError> {
    if count <= 1 {
        return cx.node(child, p);
    }
    let sector = TAU / count as f32;
    let angle = p.z.atan2(p.x);
    // The clamp changes no value (the fold is within half a sector up to
    // rounding) but tells the interval evaluator so: without it the fold's
    // interval spans several sectors wherever the angle wraps, and the shape
    // looks unbounded along -x.
    let folded =
        (angle - (angle * (1.0 / sector)).round() * sector).clamp(-0.5 * sector, 0.5 * sector);
    let r = p.xz().length();
    cx.node(child, V3::new(r * folded.cos(), p.y, r * folded.sin()))
}

/// `OctantMirror`: the 48-fold symmetry of the cube: `|p|` sorted so that
/// `x >= y >= z`, as ALICE-SDF. Bound (exact when the child lies in that wedge).
pub fn octant_mirror<'a>(cx: &Lower<'a>, child: &Node, p: V3<'a>) -> Result<E<'a>, LowerError> {
    let a = p.abs();
    let hi = a.x.max(a.y).max(a.z);
    let lo = a.x.min(a.y).min(a.z);
    let mid = a.x.min(a.y).max(a.x.max(a.y).min(a.z));
    cx.node(child, V3::new(hi, mid, lo))
}

/// `Shear`: the child sheared so that its y grows by `shear.x * x` and its z by
/// `shear.y * x + shear.z * y` (the point maps back by
/// `(x, y - sx x, z - sy x - sz y)`, as ALICE-SDF). Bound: divided by the
/// spectral norm of that linear map.
pub fn shear<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    shear: [f32; 3],
) -> Result<E<'a>, LowerError> {
    let [sx, sy, sz] = shear;
    let q = V3::new(p.x, p.y - p.x * sx, p.z - p.x * sy - p.y * sz);
    let lip = spectral_norm([[1.0, 0.0, 0.0], [-sx, 1.0, 0.0], [-sy, -sz, 1.0]]).max(1.0);
    Ok(cx.node(child, q)? * (1.0 / lip))
}

/// `Animated`: the child at time t = 0, i.e. unchanged, as ALICE-SDF's static
/// evaluation; `speed` and `amplitude` are kept for clients that animate.
/// Exact when the child is.
pub fn animated<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    _speed: f32,
    _amplitude: f32,
) -> Result<E<'a>, LowerError> {
    cx.node(child, p)
}

/// `WithMaterial`: the child's distance, unchanged (the material id is for
/// shading and export). Exact when the child is.
pub fn with_material<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    _material_id: u32,
) -> Result<E<'a>, LowerError> {
    cx.node(child, p)
}

/// Reflections of the icosahedral fold; enough to reach the fundamental domain
/// from any point (checked by the tests).
const ICOSA_FOLDS: usize = 6;

/// `IcosahedralSymmetry`: the child repeated by the 120 symmetries (rotations
/// and reflections) of the icosahedron with vertices at the cyclic permutations
/// of `(0, ±1, ±φ)`: the point is folded into one fundamental domain by
/// repeated reflections in the planes x = 0, y = 0 and the plane with normal
/// `(-φ, -1, 1/φ)/2`. Differs from ALICE-SDF 6.1, whose reflections never fire
/// (it only mirrors the octants). Bound (reflections are isometries), exact
/// when the child lies inside the fundamental domain.
pub fn icosahedral_symmetry<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
) -> Result<E<'a>, LowerError> {
    let phi = (1.0 + 5.0f32.sqrt()) * 0.5;
    let n = [-phi * 0.5, -0.5, 0.5 / phi];
    let mut q = p;
    for _ in 0..ICOSA_FOLDS {
        q.x = q.x.abs();
        q.y = q.y.abs();
        let t = (q.x * n[0] + q.y * n[1] + q.z * n[2]).min(0.0) * 2.0;
        q = V3::new(q.x - t * n[0], q.y - t * n[1], q.z - t * n[2]);
    }
    cx.node(child, q)
}

/// `IFS`: an iterated function system folded as ALICE-SDF does: `iterations`
/// times, the point moves by whichever of the affine maps in `transforms`
/// (column-major 4x4, last row ignored) brings it nearest the origin, or stays
/// if none does. The child's distance at the result is divided by the product
/// of the chosen maps' spectral norms (at least 1e-6). Differs from ALICE-SDF
/// 6.1, which divides by the length of each map's first column and so
/// overestimates for anisotropic maps. Bound within each region where the
/// same maps are chosen; the field may jump where the choice changes. Costs
/// about 30 operations per map per iteration.
pub fn ifs<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    transforms: &[[f32; 16]],
    iterations: u32,
) -> Result<E<'a>, LowerError> {
    let b = p.x.builder();
    let norms: Vec<f32> = transforms
        .iter()
        .map(|m| spectral_norm([[m[0], m[4], m[8]], [m[1], m[5], m[9]], [m[2], m[6], m[10]]]))
        .collect();
    let mut q = p;
    let mut scale = b.c(1.0);
    for _ in 0..iterations {
        let mut best = q;
        let mut best_d = q.length_squared();
        let mut best_s = b.c(1.0);
        for (m, &norm) in transforms.iter().zip(&norms) {
            let row = |r: usize| q.x * m[r] + q.y * m[4 + r] + q.z * m[8 + r] + m[12 + r];
            let cand = V3::new(row(0), row(1), row(2));
            let d = cand.length_squared();
            let take = d.lt(best_d);
            best = V3::select(take, cand, best);
            best_d = take.select(d, best_d);
            best_s = take.select(norm, best_s);
        }
        q = best;
        scale = scale * best_s;
    }
    Ok(cx.node(child, q)? / scale.max(1e-6))
}

/// `HeightmapDisplacement`: the child's distance minus `amplitude` times a
/// bilinearly interpolated heightmap (`width` samples per row, row-major,
/// missing samples 0), as ALICE-SDF: the map is projected along the dominant
/// axis of the point (YZ where |x| is largest, else XZ where |y| is, else XY),
/// the projected coordinates times `scale` span [-1, 1] over the map, and
/// beyond that the border value holds. Approximate: the projection switches
/// (and the field jumps) where the dominant axis changes. The interpolation is
/// a sum of hat functions, so the cost grows with `width * height`
/// (validation caps each at 64).
#[allow(clippy::too_many_arguments)]
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
    let d = cx.node(child, p)?;
    if width == 0 || height == 0 || amplitude == 0.0 {
        return Ok(d);
    }
    let (w, h) = (width as usize, height as usize);
    let a = p.abs();
    let x_major = a.x.gt(a.y) * a.x.gt(a.z);
    let y_major = a.y.gt(a.z);
    let u = x_major.select(p.y, p.x);
    let v = x_major.select(p.z, y_major.select(p.z, p.y));
    let grid = |t: E<'a>, n: usize| {
        let last = (n - 1) as f32;
        ((t * scale * 0.5 + 0.5) * last).clamp(0.0, last)
    };
    let (gu, gv) = (grid(u, w), grid(v, h));
    let hat = |t: E<'a>, i: usize| (1.0 - (t - i as f32).abs()).max(0.0);
    let hu: Vec<E<'a>> = (0..w).map(|i| hat(gu, i)).collect();
    let mut sum = p.x.builder().c(0.0);
    for j in 0..h {
        let mut row = p.x.builder().c(0.0);
        for (i, &hi) in hu.iter().enumerate() {
            let s = heightmap.get(j * w + i).copied().unwrap_or(0.0);
            if s != 0.0 {
                row = row + hi * s;
            }
        }
        if row.constant() != Some(0.0) {
            sum = sum + row * hat(gv, j);
        }
    }
    Ok(d - sum * amplitude)
}

/// `SurfaceRoughness`: adds `amplitude * fbm(p * frequency)` to the child's
/// distance, as ALICE-SDF: `octaves` layers of noise, each twice the frequency
/// and half the weight of the one before. The noise is [`value_noise`], not
/// ALICE-SDF's PCG-hashed value noise, so the detail differs but not its size.
/// Bound: divided by `1 + |amplitude| frequency octaves L`. About 90
/// operations per octave.
pub fn surface_roughness<'a>(
    cx: &Lower<'a>,
    child: &Node,
    p: V3<'a>,
    frequency: f32,
    amplitude: f32,
    octaves: u32,
) -> Result<E<'a>, LowerError> {
    let d = cx.node(child, p)?;
    let octaves = octaves.min(24);
    if amplitude == 0.0 || octaves == 0 {
        return Ok(d);
    }
    let mut fbm = p.x.builder().c(0.0);
    let mut weight = 1.0f32;
    let mut freq = frequency;
    for _ in 0..octaves {
        fbm = fbm + value_noise(p * freq, 42) * weight;
        weight *= 0.5;
        freq *= 2.0;
    }
    let lip = 1.0 + amplitude.abs() * frequency.abs() * octaves as f32 * VALUE_NOISE_LIPSCHITZ;
    Ok((d + fbm * amplitude) * (1.0 / lip))
}

#[cfg(test)]
mod tests {
    use crate::sdf::lower::testing::{Rng, at, finite, graph, lipschitz, sphere};
    use serde_json::{Value, json};

    fn boxed(h: [f32; 3]) -> Value {
        json!({"Box3d": {"half_extents": h}})
    }
    fn off(v: Value, o: [f32; 3]) -> Value {
        json!({"Translate": {"child": v, "offset": o}})
    }

    #[test]
    fn twist_and_bend_are_bounds() {
        let t = json!({"Twist": {"child": boxed([0.5, 1.0, 0.3]), "strength": 1.5}});
        let g = graph(&t);
        // On the axis the twist moves nothing; the bound stays below the true 1.
        let d = at(&g, [0.0, 2.0, 0.0]);
        assert!(d > 0.5 && d <= 1.0, "{d}");
        assert!(at(&g, [0.0, 0.5, 0.0]) < 0.0);
        lipschitz(&t, 3.0);
        let b = json!({"Bend": {"child": boxed([1.0, 0.2, 0.2]), "curvature": 0.8}});
        assert!(at(&graph(&b), [0.0, 0.0, 0.0]) < 0.0);
        lipschitz(&b, 3.0);
        lipschitz(
            &json!({"Twist": {"child": sphere(0.5), "strength": 0.0}}),
            2.0,
        );
    }

    #[test]
    fn repeats_fold_the_point() {
        let j = json!({"RepeatInfinite": {"child": sphere(0.4), "spacing": [2.0, 2.0, 2.0]}});
        let g = graph(&j);
        assert!((at(&g, [10.0, -4.0, 6.0]) + 0.4).abs() < 1e-5);
        assert!((at(&g, [11.0, 0.0, 0.0]) - 0.6).abs() < 1e-5);
        lipschitz(&j, 10.0);
        let f = json!({"RepeatFinite": {"child": sphere(0.4), "count": [2, 0, 0], "spacing": [2.0, 1.0, 1.0]}});
        let g = graph(&f);
        assert!(at(&g, [2.0, 0.0, 0.0]) < 0.0);
        assert!(at(&g, [-2.0, 0.0, 0.0]) < 0.0);
        assert!(at(&g, [4.0, 0.0, 0.0]) > 1.0);
        assert!(at(&g, [0.0, 1.0, 0.0]) > 0.5);
        lipschitz(&f, 6.0);
        let pr = json!({"PolarRepeat": {"child": off(sphere(0.3), [1.0, 0.0, 0.0]), "count": 6}});
        let g = graph(&pr);
        let a = TAU / 6.0 * 2.0;
        assert!((at(&g, [a.cos(), 0.0, a.sin()]) + 0.3).abs() < 1e-4);
        assert!(at(&g, [0.0, 0.0, 0.0]) > 0.0);
        lipschitz(&pr, 3.0);
    }

    use std::f32::consts::TAU;

    #[test]
    fn surface_modifiers() {
        let g = graph(&json!({"Round": {"child": boxed([0.5; 3]), "radius": 0.1}}));
        assert!((at(&g, [1.0, 0.0, 0.0]) - 0.4).abs() < 1e-6);
        let g = graph(&json!({"Onion": {"child": sphere(1.0), "thickness": 0.1}}));
        assert!((at(&g, [0.0, 0.0, 0.0]) - 0.9).abs() < 1e-6);
        assert!(at(&g, [1.0, 0.0, 0.0]) < 0.0);
        let e = json!({"Elongate": {"child": sphere(0.5), "amount": [1.0, 0.0, 0.0]}});
        assert!((at(&graph(&e), [1.2, 0.0, 0.0]) + 0.3).abs() < 1e-6);
        lipschitz(&e, 3.0);
        let m = json!({"Mirror": {"child": off(sphere(0.3), [1.0, 0.0, 0.0]), "axes": [1.0, 0.0, 0.0]}});
        assert!((at(&graph(&m), [-1.0, 0.0, 0.0]) + 0.3).abs() < 1e-6);
        lipschitz(&m, 3.0);
        let o = json!({"OctantMirror": {"child": off(sphere(0.3), [1.0, 0.5, 0.2])}});
        let g = graph(&o);
        assert!((at(&g, [-0.2, 1.0, -0.5]) + 0.3).abs() < 1e-5);
        lipschitz(&o, 3.0);
        for k in [
            json!({"Animated": {"child": sphere(1.0), "speed": 2.0, "amplitude": 0.5}}),
            json!({"WithMaterial": {"child": sphere(1.0), "material_id": 3}}),
        ] {
            assert!((at(&graph(&k), [2.0, 0.0, 0.0]) - 1.0).abs() < 1e-6);
            lipschitz(&k, 3.0);
        }
    }

    #[test]
    fn revolution_extrude_sweep() {
        // A disc of radius 0.25 revolved at 1: a torus.
        let r = json!({"Revolution": {"child": sphere(0.25), "offset": 1.0}});
        let g = graph(&r);
        assert!((at(&g, [0.0, 0.0, 1.0]) + 0.25).abs() < 1e-6);
        assert!((at(&g, [0.0, 0.0, 0.0]) - 0.75).abs() < 1e-6);
        lipschitz(&r, 3.0);
        let e = json!({"Extrude": {"child": sphere(0.5), "half_height": 1.0}});
        let g = graph(&e);
        assert!((at(&g, [0.0, 0.0, 2.0]) - 1.0).abs() < 1e-6);
        assert!((at(&g, [0.0, 0.0, 0.9]) + 0.1).abs() < 1e-6);
        lipschitz(&e, 3.0);
        let s = json!({"SweepBezier": {"child": sphere(0.1), "p0": [-1.0, 0.0], "p1": [0.0, 1.0], "p2": [1.0, 0.0]}});
        let g = graph(&s);
        // The curve's apex is at (0, 0.5) in XZ.
        assert!((at(&g, [0.0, 0.0, 0.5]) + 0.1).abs() < 1e-4);
        assert!((at(&g, [0.0, 0.0, 1.5]) - 0.9).abs() < 1e-4);
        assert!((at(&g, [-1.0, 0.0, 0.0]) + 0.1).abs() < 1e-4);
        lipschitz(&s, 3.0);
        // Brute-force the curve distance.
        let mut rng = Rng(7);
        for _ in 0..200 {
            let p = rng.point(2.0);
            let brute = (0..=2000)
                .map(|i| {
                    let t = i as f32 / 2000.0;
                    let (x, z) = (2.0 * t - 1.0, 2.0 * t * (1.0 - t));
                    ((p[0] - x).powi(2) + (p[2] - z).powi(2)).sqrt()
                })
                .fold(f32::MAX, f32::min);
            let want = (brute.powi(2) + p[1] * p[1]).sqrt() - 0.1;
            assert!((at(&g, p) - want).abs() < 2e-3, "{p:?}");
        }
        let line = json!({"SweepBezier": {"child": sphere(0.1), "p0": [-1.0, 0.0], "p1": [0.0, 0.0], "p2": [1.0, 0.0]}});
        assert!((at(&graph(&line), [0.0, 0.0, 0.5]) - 0.4).abs() < 1e-5);
        lipschitz(&line, 3.0);
    }

    #[test]
    fn taper_and_shear() {
        let t = json!({"Taper": {"child": boxed([0.5, 1.0, 0.5]), "factor": 0.4}});
        let g = graph(&t);
        // At y = 1 the section is 0.6 wide.
        assert!(at(&g, [0.55, 1.0, 0.0]) > 0.0);
        assert!(at(&g, [0.55, -0.5, 0.0]) < 0.0);
        lipschitz(&t, 3.0);
        let t = json!({"Taper": {"child": boxed([0.5, 1.0, 0.5]), "factor": 0.4, "reach": [0.71, 1.0]}});
        lipschitz(&t, 4.0);
        finite(
            &json!({"Taper": {"child": sphere(0.5), "factor": 2.0}}),
            3.0,
        );
        let s = json!({"Shear": {"child": sphere(0.5), "shear": [0.5, 0.2, -0.3]}});
        let g = graph(&s);
        assert!(at(&g, [1.0, 0.5, 0.2]) < 0.0 || at(&g, [0.0, 0.0, 0.0]) < 0.0);
        lipschitz(&s, 3.0);
    }

    #[test]
    fn displacements_are_bounds() {
        for j in [
            json!({"Noise": {"child": sphere(1.0), "amplitude": 0.1, "frequency": 3.0, "seed": 5}}),
            json!({"Displacement": {"child": sphere(1.0), "strength": 0.1}}),
            json!({"SineDisplacement": {"child": sphere(1.0), "amplitude": 0.1, "frequency": [2.0, 3.0, 4.0]}}),
            json!({"SurfaceRoughness": {"child": sphere(1.0), "frequency": 4.0, "amplitude": 0.05, "octaves": 3}}),
        ] {
            let g = graph(&j);
            assert!(at(&g, [0.0, 0.0, 0.0]) < 0.0, "{j}");
            assert!(at(&g, [2.0, 0.0, 0.0]) > 0.0, "{j}");
            lipschitz(&j, 2.0);
        }
    }

    #[test]
    fn value_noise_is_smooth_and_in_range() {
        let b = crate::sdf::expr::Builder::new();
        let n = super::value_noise(b.point(), 3).id();
        let g = b.finish(n);
        let mut r = Rng(99);
        let (mut lo, mut hi) = (f32::MAX, f32::MIN);
        for _ in 0..4000 {
            let p = r.point(20.0);
            let v = at(&g, p);
            assert!((-1.0..=1.0).contains(&v), "{v}");
            lo = lo.min(v);
            hi = hi.max(v);
            let o = r.point(0.01);
            let q = [p[0] + o[0], p[1] + o[1], p[2] + o[2]];
            let len = (o[0] * o[0] + o[1] * o[1] + o[2] * o[2]).sqrt();
            assert!((at(&g, q) - v).abs() <= len * super::VALUE_NOISE_LIPSCHITZ + 1e-4);
        }
        assert!(lo < -0.6 && hi > 0.6, "{lo} {hi}");
    }

    /// The claim that lets GPUs agree with the CPU: the value-noise hash gives
    /// the same bits however its operations are fused, reordered or
    /// distributed, for every reduced index and corner offset.
    #[test]
    fn value_noise_hash_is_exact_under_any_reordering() {
        use super::{HASH_PERIOD as P, HASH_SCALE as K, HASH_SHIFT as C};
        let fract = |x: f32| x - x.floor();
        for base in 0..P as u32 {
            let base = base as f32;
            for (dx, dy, dz) in (0..8).map(|k| (k & 1, k >> 1 & 1, k >> 2)) {
                let offset = (dx + dy * 57 + dz * 113) as f32;
                let t = fract((base + offset) * K);
                let plain = fract(t * (t + C));
                // Distributed and fused, as a shader compiler may.
                let t2 = fract(base.mul_add(K, offset * K));
                let fused = fract(t2.mul_add(t2, t2 * C));
                let t3 = fract(offset.mul_add(K, base * K));
                let reordered = fract(t3.mul_add(C, t3 * t3));
                assert_eq!(plain.to_bits(), fused.to_bits(), "{base} {offset}");
                assert_eq!(plain.to_bits(), reordered.to_bits(), "{base} {offset}");
                // Exact: the product is a whole number of 2⁻¹⁸ steps.
                let steps = t * (t + C) * (1u32 << 18) as f32;
                assert_eq!(steps, steps.round(), "{base} {offset}");
            }
        }
        // The reduction mod 512 is exact for lattice indices up to 2²⁴,
        // fused or not.
        let mut r = Rng(5);
        for _ in 0..10_000 {
            let index = (r.next() * 16_000_000.0).round();
            let reduced = index - (index * (1.0 / P)).floor() * P;
            let fused = (-(index * (1.0 / P)).floor()).mul_add(P, index);
            assert_eq!(reduced.to_bits(), fused.to_bits(), "{index}");
            assert_eq!(reduced, index.rem_euclid(P), "{index}");
        }
    }

    #[test]
    fn icosahedral_symmetry_is_invariant_under_its_mirrors() {
        let j = json!({"IcosahedralSymmetry": {"child": off(sphere(0.2), [0.3, 0.5, 0.9])}});
        let g = graph(&j);
        let phi = (1.0 + 5.0f32.sqrt()) * 0.5;
        let n = [-phi * 0.5, -0.5, 0.5 / phi];
        let reflect = |p: [f32; 3], n: [f32; 3]| {
            let d = 2.0 * (p[0] * n[0] + p[1] * n[1] + p[2] * n[2]);
            [p[0] - d * n[0], p[1] - d * n[1], p[2] - d * n[2]]
        };
        // The last mirror is another of the 15 (its normal is a 2-fold axis).
        let mut r = Rng(4242);
        for _ in 0..2000 {
            let p = r.point(2.0);
            let d = at(&g, p);
            for m in [
                [1.0, 0.0, 0.0],
                [0.0, 1.0, 0.0],
                [0.0, 0.0, 1.0],
                n,
                [0.5 / phi, phi * 0.5, 0.5],
            ] {
                let dm = at(&g, reflect(p, m));
                assert!((d - dm).abs() < 1e-4, "{p:?} mirror {m:?}: {d} vs {dm}");
            }
        }
        // A child inside the fundamental domain keeps its own place and gains
        // images, e.g. under a rotation made of two mirrors.
        let inside =
            graph(&json!({"IcosahedralSymmetry": {"child": off(sphere(0.1), [0.05, 0.05, 1.0])}}));
        assert!((at(&inside, [0.05, 0.05, 1.0]) + 0.1).abs() < 1e-5);
        assert!((at(&inside, [-0.05, 0.05, -1.0]) + 0.1).abs() < 1e-5);
        let turned = reflect(reflect([0.05, 0.05, 1.0], [1.0, 0.0, 0.0]), n);
        assert!((at(&inside, turned) + 0.1).abs() < 1e-5);
        lipschitz(&j, 2.0);
    }

    #[test]
    fn ifs_scales_distance_by_the_chosen_maps() {
        let half = [
            0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        let j = json!({"IFS": {"child": sphere(1.0), "transforms": [half], "iterations": 3}});
        let g = graph(&j);
        // Always the half map: child(p/8) * 8, a sphere of radius 8.
        assert!((at(&g, [10.0, 0.0, 0.0]) - 2.0).abs() < 1e-4);
        lipschitz(&j, 12.0);
        // An anisotropic map: never more than the true distance of what it draws.
        let aniso = [
            0.5, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.25, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        let j = json!({"IFS": {"child": sphere(1.0), "transforms": [aniso], "iterations": 1}});
        finite(&j, 5.0);
    }

    #[test]
    fn heightmap_displacement_samples_the_map() {
        let j = json!({"HeightmapDisplacement": {"child": sphere(1.0),
            "heightmap": [0.0, 0.0, 0.0, 0.2], "width": 2, "height": 2, "amplitude": 1.0, "scale": 1.0}});
        let g = graph(&j);
        // On +Y the map is projected on XZ: (x, z) = (1, 1) maps to sample (1, 1).
        let p: [f32; 3] = [0.99, 3.0, 0.99];
        let plain = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt() - 1.0;
        assert!((at(&g, p) - (plain - 0.2 * 0.995 * 0.995)).abs() < 1e-3);
        finite(&j, 3.0);
    }
}
