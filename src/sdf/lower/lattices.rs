//! Triply periodic minimal surfaces (TPMS) as shells, and terrain.
//!
//! A TPMS kind is the level set `f(scale p) = 0` of a trigonometric polynomial,
//! thickened to the shell `|f(scale p)| / scale <= thickness` exactly as in
//! ALICE-SDF 6.1 (same formula, same zero set and inside). `f` is not a distance:
//! ALICE-SDF returns `|f| / scale - thickness`, which overestimates the distance
//! wherever `|∇f| > 1`. Here the same expression is divided by `G`, the largest
//! gradient norm of `f` over a period, so the value is 1-Lipschitz and never more
//! than the true distance: every TPMS kind is a bound (approximate as a distance,
//! exact in its zero set). `G` was found by sampling `|∇f|` on a 200³ grid of one
//! period (analytic where noted) and rounded up.
//!
//! `sin` and `cos` of each scaled coordinate are computed once; double angles come
//! from the identities `sin 2a = 2 sin a cos a`, `cos 2a = 2 cos² a - 1`.

use crate::sdf::expr::{E, V3};

/// `sin` and `cos` of the three scaled coordinates, shared by every term.
struct Trig<'a> {
    s: [E<'a>; 3],
    c: [E<'a>; 3],
}

impl<'a> Trig<'a> {
    fn new(p: V3<'a>, scale: f32) -> Self {
        let q = p * scale;
        Trig {
            s: [q.x.sin(), q.y.sin(), q.z.sin()],
            c: [q.x.cos(), q.y.cos(), q.z.cos()],
        }
    }
    /// `sin 2a` per axis.
    fn s2(&self) -> [E<'a>; 3] {
        [0, 1, 2].map(|i| self.s[i] * self.c[i] * 2.0)
    }
    /// `cos 2a` per axis.
    fn c2(&self) -> [E<'a>; 3] {
        [0, 1, 2].map(|i| self.c[i].square() * 2.0 - 1.0)
    }
}

/// The shell `|f| <= thickness scale`, as a bound: `(|f| - t s) / (s G)`.
fn shell<'a>(f: E<'a>, scale: f32, thickness: f32, grad_max: f32) -> E<'a> {
    (f.abs() - thickness * scale) * (1.0 / (scale * grad_max))
}

/// `Gyroid`: `sin x cos y + sin y cos z + sin z cos x = 0` at `scale p`, as a shell
/// of half-thickness `thickness`. Bound (`G = √3`, analytic).
pub fn gyroid<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let t = Trig::new(p, scale);
    let f = t.s[2] * t.c[0] + t.s[0] * t.c[1] + t.s[1] * t.c[2];
    shell(f, scale, thickness, 3f32.sqrt())
}

/// `SchwarzP`: `cos x + cos y + cos z = 0` at `scale p`, as a shell of
/// half-thickness `thickness`. Bound (`G = √3`, analytic).
pub fn schwarz_p<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let q = p * scale;
    let f = q.x.cos() + q.y.cos() + q.z.cos();
    shell(f, scale, thickness, 3f32.sqrt())
}

/// `DiamondSurface`: Schwarz D, `sin x sin y sin z + sin x cos y cos z +
/// cos x sin y cos z + cos x cos y sin z = 0` at `scale p`, as a shell of
/// half-thickness `thickness`. Bound (`G = 1.741`).
pub fn diamond_surface<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let Trig { s, c } = Trig::new(p, scale);
    let f = s[0] * (s[1] * s[2] + c[1] * c[2]) + c[0] * (s[1] * c[2] + c[1] * s[2]);
    shell(f, scale, thickness, 1.741)
}

/// `Neovius`: `3 (cos x + cos y + cos z) + 4 cos x cos y cos z = 0` at `scale p`,
/// as a shell of half-thickness `thickness`. Bound (`G = 7.05`).
pub fn neovius<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let q = p * scale;
    let (cx, cy, cz) = (q.x.cos(), q.y.cos(), q.z.cos());
    let f = (cx + cy + cz) * 3.0 + cx * cy * cz * 4.0;
    shell(f, scale, thickness, 7.05)
}

/// `Lidinoid`: `½ (sin 2x cos y sin z + sin 2y cos z sin x + sin 2z cos x sin y)
/// - ½ (cos 2x cos 2y + cos 2y cos 2z + cos 2z cos 2x) + 0.15 = 0` at `scale p`,
/// as a shell of half-thickness `thickness`. Bound (`G = 2.61`).
pub fn lidinoid<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let t = Trig::new(p, scale);
    let (s, c, s2, c2) = (t.s, t.c, t.s2(), t.c2());
    let odd = c[0] * s[1] * s2[2] + s2[0] * c[1] * s[2] + s[0] * s2[1] * c[2];
    let even = c2[0] * c2[1] + c2[1] * c2[2] + c2[2] * c2[0];
    let f = (odd - even) * 0.5 + 0.15;
    shell(f, scale, thickness, 2.61)
}

/// `IWP`: Schoen I-WP, `2 (cos x cos y + cos y cos z + cos z cos x) - (cos 2x +
/// cos 2y + cos 2z) = 0` at `scale p`, as a shell of half-thickness `thickness`.
/// Bound (`G = 5.21`).
pub fn iwp<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let q = p * scale;
    let (cx, cy, cz) = (q.x.cos(), q.y.cos(), q.z.cos());
    // cos 2a = 2 cos² a - 1, so the constant terms add up to +3.
    let f =
        (cx * cy + cy * cz + cz * cx) * 2.0 - (cx.square() + cy.square() + cz.square()) * 2.0 + 3.0;
    shell(f, scale, thickness, 5.21)
}

/// The Fischer-Koch S polynomial `cos 2x sin y cos z + cos 2y sin z cos x +
/// cos 2z sin x cos y`, whose gradient norm is at most 2.46.
fn fischer_koch<'a>(p: V3<'a>, scale: f32) -> E<'a> {
    let t = Trig::new(p, scale);
    let (s, c, c2) = (t.s, t.c, t.c2());
    s[0] * c[1] * c2[2] + c2[0] * s[1] * c[2] + c[0] * c2[1] * s[2]
}

/// `FRD`: ALICE-SDF 6.1's "F-RD" is the Fischer-Koch S polynomial with no offset
/// (Schoen's F-RD would be `4 cos x cos y cos z - Σ cos 2x cos 2y`); its shape is
/// kept: that level set at `scale p`, as a shell of half-thickness `thickness`.
/// Bound (`G = 2.46`).
pub fn frd<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    shell(fischer_koch(p, scale), scale, thickness, 2.46)
}

/// `FischerKochS`: `cos 2x sin y cos z + cos 2y sin z cos x + cos 2z sin x cos y
/// = 0.4` at `scale p`, as a shell of half-thickness `thickness`. Bound
/// (`G = 2.46`).
pub fn fischer_koch_s<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    shell(fischer_koch(p, scale) - 0.4, scale, thickness, 2.46)
}

/// `PMY`: `2 cos x cos y cos z + sin 2x sin y + sin 2y sin z + sin 2z sin x = 0`
/// at `scale p`, as a shell of half-thickness `thickness`. Bound (`G = 4.14`).
pub fn pmy<'a>(p: V3<'a>, scale: f32, thickness: f32) -> E<'a> {
    let t = Trig::new(p, scale);
    let (s, c, s2) = (t.s, t.c, t.s2());
    let f = c[0] * c[1] * c[2] * 2.0 + s2[0] * s[1] + s2[1] * s[2] + s2[2] * s[0];
    shell(f, scale, thickness, 4.14)
}

/// Octave gains of the terrain (ALICE-SDF's: 0.5, then times 0.48 per octave).
const TERRAIN_GAINS: [f32; 3] = [0.5, 0.24, 0.1152];
/// Frequency ratio between octaves (ALICE-SDF's).
const TERRAIN_LACUNARITY: f32 = 2.1;
/// Phases that keep the octaves from all vanishing along the same lines.
const TERRAIN_PHASES: [[f32; 2]; 3] = [[0.37, 1.21], [2.03, 0.59], [1.47, 2.71]];

/// `Terrain`: the ground below the height field `y = amplitude h(x, z)` with
/// `h` a three-octave fractal sum in `[-0.86, 0.86]`; inside is below.
///
/// Approximate as a shape: ALICE-SDF's `h` is value noise whose lattice hash is
/// built from integer bit operations the expression graph does not have, so the
/// hills here are not ALICE-SDF's hills. They share its structure: three octaves
/// at `scale (x, z)` with gains 0.5, 0.24, 0.1152, frequency ratio 2.1 and the
/// same 0.8/0.6 rotation between octaves; each octave is a product of two sines
/// instead of a lattice noise. Bound: `y - amplitude h` is divided by
/// `sqrt(1 + L²)`, `L` being the largest slope of the height field.
pub fn terrain<'a>(p: V3<'a>, scale: f32, amplitude: f32) -> E<'a> {
    let b = p.builder();
    let mut h = b.c(0.0);
    let mut slope = 0.0;
    // Rows of the octave's frequency matrix: scale, then rotated and multiplied by 2.1.
    let (mut ru, mut rw) = ([scale, 0.0], [0.0, scale]);
    for (gain, phase) in TERRAIN_GAINS.iter().zip(TERRAIN_PHASES) {
        let u = p.x * ru[0] + p.z * ru[1] + phase[0];
        let w = p.x * rw[0] + p.z * rw[1] + phase[1];
        h = h + u.sin() * w.sin() * *gain;
        // |∇(sin u sin w)| <= |∇u| when ∇u ⟂ ∇w and |∇u| = |∇w|.
        slope += gain * (ru[0] * ru[0] + ru[1] * ru[1]).sqrt();
        let k = TERRAIN_LACUNARITY;
        let nu = [
            k * (0.8 * ru[0] + 0.6 * rw[0]),
            k * (0.8 * ru[1] + 0.6 * rw[1]),
        ];
        let nw = [
            k * (0.8 * rw[0] - 0.6 * ru[0]),
            k * (0.8 * rw[1] - 0.6 * ru[1]),
        ];
        (ru, rw) = (nu, nw);
    }
    let l = amplitude.abs() * slope;
    (p.y - h * amplitude) * (1.0 / (1.0 + l * l).sqrt())
}

#[cfg(test)]
mod tests {
    use crate::sdf::lower::testing::{Pairs, Rng, at, cost, graph, lipschitz_pairs};
    use serde_json::{Value, json};

    /// (b) Lipschitz (these are bounds), (d) no NaN, the cost, and that the
    /// gradient bound is not loose by more than `slack`: the steepest sampled
    /// slope reaches `1 / slack`.
    fn check(v: Value, half: f32, slack: f32) {
        let g = graph(&v);
        assert!(cost(&g) <= 60, "{v}");
        assert!(at(&g, [0.0; 3]).is_finite(), "{v}");
        let pairs = Pairs {
            spacing: 0.02,
            ..Pairs::within(half)
        };
        let steepest = lipschitz_pairs(&g, &v, pairs)
            .iter()
            .fold(0.0f32, |m, s| m.max(s.slope));
        assert!(steepest * slack > 1.0, "{v}: steepest slope {steepest}");
    }

    #[test]
    fn tpms_values_at_the_origin() {
        // (|f(0)| - thickness scale) / (scale G)
        let g3 = 3f32.sqrt();
        let cases = [
            ("Gyroid", 0.0, g3),
            ("SchwarzP", 3.0, g3),
            ("DiamondSurface", 0.0, 1.741),
            ("Neovius", 13.0, 7.05),
            ("Lidinoid", 1.35, 2.61),
            ("IWP", 3.0, 5.21),
            ("FRD", 0.0, 2.46),
            ("FischerKochS", 0.4, 2.46),
            ("PMY", 2.0, 4.14),
        ];
        for (kind, f0, grad) in cases {
            let g = graph(&json!({ kind: {"scale": 2.0, "thickness": 0.1} }));
            let want = (f0 - 0.2) / (2.0 * grad);
            let got = at(&g, [0.0; 3]);
            assert!((got - want).abs() < 1e-5, "{kind}: {got} vs {want}");
        }
    }

    #[test]
    fn tpms_are_bounds() {
        for kind in [
            "Gyroid",
            "SchwarzP",
            "DiamondSurface",
            "Neovius",
            "Lidinoid",
            "IWP",
            "FRD",
            "FischerKochS",
            "PMY",
        ] {
            check(json!({ kind: {"scale": 3.0, "thickness": 0.05} }), 3.0, 1.6);
            check(json!({ kind: {"scale": 0.5, "thickness": 0.0} }), 10.0, 1.6);
        }
    }

    #[test]
    fn gyroid_shell_matches_alice_zero_set() {
        // ALICE-SDF's value is |f| / scale - thickness; ours has the same sign.
        let g = graph(&json!({"Gyroid": {"scale": 4.0, "thickness": 0.05}}));
        let mut rng = Rng(5);
        for _ in 0..1000 {
            let p = rng.point(2.0);
            let s = p.map(|c| c * 4.0);
            let f = s[2].sin() * s[0].cos() + s[0].sin() * s[1].cos() + s[1].sin() * s[2].cos();
            let alice = f.abs() / 4.0 - 0.05;
            if alice.abs() > 1e-4 {
                assert_eq!(at(&g, p) < 0.0, alice < 0.0, "{p:?}");
            }
        }
    }

    #[test]
    fn terrain() {
        let v = json!({"Terrain": {"scale": 1.0, "amplitude": 0.3}});
        let g = graph(&v);
        // Heights stay within amplitude times the sum of the gains.
        for x in [-3.0, 0.0, 1.7] {
            assert!(at(&g, [x, 0.3, 0.5]) > 0.0 && at(&g, [x, -0.3, 0.5]) < 0.0);
            // Far above, the value grows like the height.
            let (a, b) = (at(&g, [x, 10.0, 0.0]), at(&g, [x, 11.0, 0.0]));
            assert!(b - a > 0.5 && b - a <= 1.0);
        }
        check(v, 3.0, 1.5);
        check(
            json!({"Terrain": {"scale": 4.0, "amplitude": -2.0}}),
            3.0,
            3.0,
        );
        let flat = graph(&json!({"Terrain": {"scale": 1.0, "amplitude": 0.0}}));
        assert_eq!(at(&flat, [0.4, 0.25, -7.0]), 0.25);
    }
}
