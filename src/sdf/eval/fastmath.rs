//! Branch-free approximations of the transcendental functions, written so that a
//! loop applying them element-wise vectorises (no calls, no data-dependent
//! branches: every `if` is a select between two already computed values).
//!
//! Accuracy (checked by the tests against libm): a few ulp (≲ 1e-6 relative, or
//! absolute near zero) for |x| ≲ 1e5 for the trigonometric functions, everywhere
//! else for the others. Range reductions: sin/cos/tan use `x - k·π/2` computed in
//! f64 (exact enough for any |x| < 2^22); exp uses `x - k·ln2` with ln2 split in
//! two; ln splits exponent and mantissa. The polynomials are the Taylor / atanh
//! series truncated where the remainder drops below f32 precision on the reduced
//! interval. Special values follow libm: NaN propagates, `exp(±inf)`, `ln(0)`,
//! `ln(x<0)`, `atan(±inf)` give the IEEE results. `exp` flushes results below the
//! smallest normal to 0 (libm returns subnormals there: absolute error < 1.2e-38).
#![warn(missing_docs)]

use std::f32::consts::{FRAC_PI_2, FRAC_PI_4, PI};

/// Round to nearest integer by the 1.5·2^23 trick (valid for |x| < 2^22), returning
/// the rounded value and the integer.
#[inline(always)]
fn round_int(x: f32) -> (f32, i32) {
    const MAGIC: f32 = 12_582_912.0; // 1.5 * 2^23
    let t = x + MAGIC;
    let k = t - MAGIC;
    let i = (t.to_bits() as i32).wrapping_sub(MAGIC.to_bits() as i32);
    (k, i)
}

/// `x = k·π/2 + r` with |r| ≤ π/4 (slightly more from rounding): returns (r, k).
#[inline(always)]
fn reduce_half_pi(x: f32) -> (f32, i32) {
    let ax = x.abs();
    // Beyond 2^22 the quadrant is meaningless at f32 precision; keep it finite.
    let xc = if ax < 4.0e6 { x } else { 0.0 };
    let (k, q) = round_int(xc * std::f32::consts::FRAC_2_PI);
    let r = (xc as f64 - k as f64 * std::f64::consts::FRAC_PI_2) as f32;
    (r, q)
}

#[inline(always)]
fn sin_poly(r: f32) -> f32 {
    let z = r * r;
    let p = -1.0 / 39_916_800.0;
    let p = p * z + 1.0 / 362_880.0;
    let p = p * z - 1.0 / 5040.0;
    let p = p * z + 1.0 / 120.0;
    let p = p * z - 1.0 / 6.0;
    r + r * z * p
}

#[inline(always)]
fn cos_poly(r: f32) -> f32 {
    let z = r * r;
    let p = -1.0 / 3_628_800.0;
    let p = p * z + 1.0 / 40_320.0;
    let p = p * z - 1.0 / 720.0;
    let p = p * z + 1.0 / 24.0;
    let p = p * z - 0.5;
    1.0 + z * p
}

/// Returns a NaN where `x` is ±inf or NaN, else `v`.
#[inline(always)]
fn nan_unless_finite(x: f32, v: f32) -> f32 {
    if x.abs() <= f32::MAX { v } else { f32::NAN }
}

/// `sin(x)`.
#[inline(always)]
pub fn sin(x: f32) -> f32 {
    let (r, q) = reduce_half_pi(x);
    sin_in_quadrant(x, r, q)
}

/// `cos(x)`.
#[inline(always)]
pub fn cos(x: f32) -> f32 {
    // cos(x) = sin(x + π/2): the same reduction, one quadrant on.
    let (r, q) = reduce_half_pi(x);
    sin_in_quadrant(x, r, q.wrapping_add(1))
}

/// `sin(q π/2 + r)` for a reduced `r` in [-π/4, π/4]; NaN unless `x` is finite.
#[inline(always)]
fn sin_in_quadrant(x: f32, r: f32, q: i32) -> f32 {
    let s = sin_poly(r);
    let c = cos_poly(r);
    let v = if q & 1 == 0 { s } else { c };
    let v = if q & 2 == 0 { v } else { -v };
    nan_unless_finite(x, v)
}

/// `tan(x)`.
#[inline(always)]
pub fn tan(x: f32) -> f32 {
    let (r, q) = reduce_half_pi(x);
    let s = sin_poly(r);
    let c = cos_poly(r);
    let v = if q & 1 == 0 { s / c } else { -c / s };
    nan_unless_finite(x, v)
}

/// atan on [0, 1], by reduction to |u| ≤ tan(π/8) and the odd series.
#[inline(always)]
fn atan01(t: f32) -> f32 {
    const TAN_PI_8: f32 = 0.414_213_57;
    let big = t > TAN_PI_8;
    let u = if big { (t - 1.0) / (t + 1.0) } else { t };
    let z = u * u;
    let p = 1.0 / 17.0;
    let p = p * z - 1.0 / 15.0;
    let p = p * z + 1.0 / 13.0;
    let p = p * z - 1.0 / 11.0;
    let p = p * z + 1.0 / 9.0;
    let p = p * z - 1.0 / 7.0;
    let p = p * z + 1.0 / 5.0;
    let p = p * z - 1.0 / 3.0;
    let v = u + u * z * p;
    if big { FRAC_PI_4 + v } else { v }
}

/// `atan(x)`.
#[inline(always)]
pub fn atan(x: f32) -> f32 {
    let ax = x.abs();
    let inv = ax > 1.0;
    let t = if inv { 1.0 / ax } else { ax };
    let r = atan01(t);
    let r = if inv { FRAC_PI_2 - r } else { r };
    r.copysign(x)
}

/// `atan2(y, x)`: the angle of the vector `(x, y)`.
#[inline(always)]
pub fn atan2(y: f32, x: f32) -> f32 {
    let ax = x.abs();
    let ay = y.abs();
    let swap = ay > ax;
    let mx = if swap { ay } else { ax };
    let mn = if swap { ax } else { ay };
    let t = mn / mx;
    // 0/0 (origin) and inf/inf (diagonal at infinity) as libm resolves them.
    let t = if mx == 0.0 {
        0.0
    } else if ax == ay {
        1.0
    } else {
        t
    };
    let r = atan01(t);
    let r = if swap { FRAC_PI_2 - r } else { r };
    let r = if x.is_sign_negative() { PI - r } else { r };
    let r = r.copysign(y);
    // NaN in, NaN out (the selects above would otherwise hide it).
    if x.is_nan() || y.is_nan() {
        f32::NAN
    } else {
        r
    }
}

/// `asin(clamp(x, -1, 1))`.
#[inline(always)]
pub fn asin(x: f32) -> f32 {
    let x = x.clamp(-1.0, 1.0);
    atan2(x, ((1.0 - x) * (1.0 + x)).sqrt())
}

/// `acos(clamp(x, -1, 1))`.
#[inline(always)]
pub fn acos(x: f32) -> f32 {
    let x = x.clamp(-1.0, 1.0);
    atan2(((1.0 - x) * (1.0 + x)).sqrt(), x)
}

/// `e^x`.
#[inline(always)]
pub fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4; // exact in few bits, so k·LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    let xc = x.clamp(-88.0, 88.8);
    let (k, ki) = round_int(xc * std::f32::consts::LOG2_E);
    let r = xc - k * LN2_HI - k * LN2_LO;
    let p = 1.0 / 5040.0;
    let p = p * r + 1.0 / 720.0;
    let p = p * r + 1.0 / 120.0;
    let p = p * r + 1.0 / 24.0;
    let p = p * r + 1.0 / 6.0;
    let p = p * r + 0.5;
    let p = p * r + 1.0;
    let p = p * r + 1.0;
    // 2^k in two halves, so k = 128 or -126 never leaves the exponent range.
    let k1 = ki >> 1;
    let k2 = ki - k1;
    let s1 = f32::from_bits(((k1 + 127) as u32) << 23);
    let s2 = f32::from_bits(((k2 + 127) as u32) << 23);
    let v = p * s1 * s2;
    if x > 88.722_83 {
        f32::INFINITY
    } else if x < -87.336_55 {
        0.0
    } else if x.is_nan() {
        f32::NAN
    } else {
        v
    }
}

/// `ln(x)`.
#[inline(always)]
pub fn ln(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Subnormals: scale into the normal range first.
    let sub = x < f32::MIN_POSITIVE;
    let xs = if sub { x * 8_388_608.0 } else { x };
    let bits = xs.to_bits();
    let e = ((bits >> 23) & 0xff) as i32 - 127 - if sub { 23 } else { 0 };
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let hi = m > std::f32::consts::SQRT_2;
    let m = if hi { m * 0.5 } else { m };
    let e = if hi { e + 1 } else { e } as f32;
    let s = (m - 1.0) / (m + 1.0);
    let z = s * s;
    let p = 1.0 / 11.0;
    let p = p * z + 1.0 / 9.0;
    let p = p * z + 1.0 / 7.0;
    let p = p * z + 1.0 / 5.0;
    let p = p * z + 1.0 / 3.0;
    let lnm = 2.0 * s + 2.0 * s * z * p;
    let v = e * LN2_HI + (e * LN2_LO + lnm);
    if x == 0.0 {
        f32::NEG_INFINITY
    } else if x < 0.0 || x.is_nan() {
        f32::NAN
    } else if x == f32::INFINITY {
        f32::INFINITY
    } else {
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, f: impl Fn(f32) -> f32, g: impl Fn(f32) -> f32, lo: f32, hi: f32) {
        let n = 200_000;
        let mut worst = 0.0f32;
        for i in 0..=n {
            let x = lo + (hi - lo) * i as f32 / n as f32;
            let (a, b) = (f(x), g(x));
            if b.is_nan() {
                assert!(a.is_nan(), "{name}({x}) = {a}, want NaN");
                continue;
            }
            let err = (a - b).abs() / b.abs().max(1.0);
            worst = worst.max(err);
            assert!(err < 1e-6, "{name}({x}) = {a}, want {b}");
        }
        eprintln!("{name}: worst {worst:e}");
    }

    #[test]
    fn transcendentals_match_libm() {
        check("sin", sin, f32::sin, -100.0, 100.0);
        check("cos", cos, f32::cos, -100.0, 100.0);
        check("sin_far", sin, f32::sin, 1.0e4, 1.0e4 + 50.0);
        check("tan", tan, f32::tan, -1.5, 1.5);
        check("atan", atan, f32::atan, -50.0, 50.0);
        check("asin", asin, |x| x.clamp(-1.0, 1.0).asin(), -1.2, 1.2);
        check("acos", acos, |x| x.clamp(-1.0, 1.0).acos(), -1.2, 1.2);
        check("exp", exp, f32::exp, -87.0, 88.7);
        check("ln", ln, f32::ln, -1.0, 100.0);
        check("ln_small", ln, f32::ln, 1e-30, 1e-20);
        for y in [-3.0f32, -1.0, -0.0, 0.0, 0.5, 2.0] {
            check("atan2", |x| atan2(y, x), |x| y.atan2(x), -4.0, 4.0);
        }
    }

    #[test]
    fn special_values() {
        assert_eq!(exp(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp(f32::NEG_INFINITY), 0.0);
        assert!(exp(f32::NAN).is_nan());
        assert_eq!(ln(0.0), f32::NEG_INFINITY);
        assert_eq!(ln(f32::INFINITY), f32::INFINITY);
        assert!(ln(-1.0).is_nan());
        assert!(sin(f32::INFINITY).is_nan());
        assert_eq!(atan(f32::INFINITY), FRAC_PI_2);
        assert_eq!(atan2(0.0, 0.0), 0.0);
        assert!((ln(1e-40) - 1e-40f32.ln()).abs() < 1e-5);
    }
}
