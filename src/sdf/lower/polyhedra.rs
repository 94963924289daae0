//! Regular and truncated polyhedra, as intersections of face planes.
//!
//! ALICE-SDF 6.1 builds these from the "generalized distance function" families
//! of face normals, each plane at the same distance `radius` (or `size`) from the
//! centre; the same planes are used here so the shapes match. A plane family with
//! central symmetry (`n` and `-n`) reduces to positive dot products with `|p|`,
//! which keeps every kind under about 30 operations.
//!
//! All of them are bounds: the largest signed plane distance is the exact
//! distance inside a convex polytope and on the face regions outside it, and
//! underestimates near edges and vertices (by up to the factor between the
//! distance to a vertex and to its nearest face plane).

use crate::sdf::expr::{E, V3};

/// The golden ratio.
const PHI: f32 = 1.618_034;

/// `(1, φ) / |(1, φ)|`: the components of the icosahedral plane normals.
fn ico_ab() -> (f32, f32) {
    let l = (1.0 + PHI * PHI).sqrt();
    (1.0 / l, PHI / l)
}

/// Largest `|p·n|` over the octahedron family `(±1, ±1, ±1)/√3`, from `q = |p|`.
fn octa_family<'a>(q: V3<'a>) -> E<'a> {
    (q.x + q.y + q.z) * (1.0 / 3f32.sqrt())
}

/// Largest `|p·n|` over the family of the cyclic permutations of `(0, a, ±b)`.
fn cyclic_family<'a>(q: V3<'a>, a: f32, b: f32) -> E<'a> {
    (q.y * a + q.z * b)
        .max(q.x * a + q.y * b)
        .max(q.z * a + q.x * b)
}

/// `Tetrahedron`: a regular tetrahedron with inradius `size`, its faces facing
/// `(1,1,1)`, `(-1,-1,1)`, `(-1,1,-1)` and `(1,-1,-1)` (so a vertex points to
/// `(-1,-1,-1)`, at `3 size`). Bound: exact inside, underestimates near edges.
pub fn tetrahedron<'a>(p: V3<'a>, size: f32) -> E<'a> {
    let k = 1.0 / 3f32.sqrt();
    let (x, y, z) = (p.x, p.y, p.z);
    let front = (x + y + z).max(z - x - y);
    let back = (y - x - z).max(x - y - z);
    front.max(back) * k - size
}

/// `Dodecahedron`: a regular dodecahedron with inradius `radius`, face normals
/// the cyclic permutations of `(0, ±φ, ±1)`. Bound: exact inside, underestimates
/// near edges.
pub fn dodecahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    let (a, b) = ico_ab();
    cyclic_family(p.abs(), b, a) - radius
}

/// `Icosahedron`: the 20 planes ALICE-SDF uses at distance `radius`: the
/// octahedron's `(±1, ±1, ±1)` and the cyclic permutations of `(0, ±1, ±φ)`.
/// (A regular icosahedron would need `(0, ±1, ±φ²)`; this is ALICE-SDF's shape,
/// which is close to it.) Bound: exact inside, underestimates near edges.
pub fn icosahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    let (a, b) = ico_ab();
    let q = p.abs();
    octa_family(q).max(cyclic_family(q, a, b)) - radius
}

/// `TruncatedOctahedron`: the cube planes and the octahedron planes, all at
/// distance `radius` (ALICE-SDF's shape: the square faces are not at the
/// Archimedean solid's ratio). Bound: exact inside, underestimates near edges.
pub fn truncated_octahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    let q = p.abs();
    q.max_element().max(octa_family(q)) - radius
}

/// `TruncatedIcosahedron`: the octahedron planes and both icosahedral families
/// (cyclic permutations of `(0, ±1, ±φ)` and of `(0, ±φ, ±1)`), all at distance
/// `radius`: ALICE-SDF's football-like shape. Bound: exact inside, underestimates
/// near edges.
pub fn truncated_icosahedron<'a>(p: V3<'a>, radius: f32) -> E<'a> {
    let (a, b) = ico_ab();
    let q = p.abs();
    octa_family(q)
        .max(cyclic_family(q, a, b))
        .max(cyclic_family(q, b, a))
        - radius
}

#[cfg(test)]
mod tests {
    use crate::sdf::expr::{Graph, Op};
    use crate::sdf::lower::lower;
    use crate::sdf::node::Node;
    use serde_json::{Value, json};

    /// Small deterministic xorshift generator: uniform in `[-1, 1)`.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        }
        fn point(&mut self, half: f32) -> [f32; 3] {
            [self.next() * half, self.next() * half, self.next() * half]
        }
    }

    fn graph(v: Value) -> Graph {
        lower(&serde_json::from_value::<Node>(v).unwrap(), 100_000).unwrap()
    }

    fn d(g: &Graph, p: [f32; 3]) -> f32 {
        g.eval_point(g.root(), p)
    }

    fn along(n: [f32; 3], t: f32) -> [f32; 3] {
        let l = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
        n.map(|c| c / l * t)
    }

    /// Face values, (b) Lipschitz, unit gradient inside (exact there), (d) no NaN, cost.
    fn check(v: Value, r: f32, faces: &[[f32; 3]]) {
        let g = graph(v.clone());
        let ops = g
            .ops()
            .iter()
            .filter(|o| !matches!(o, Op::Const(_) | Op::Input(_)));
        assert!(ops.count() <= 40, "{v}");
        assert!((d(&g, [0.0; 3]) + r).abs() < 1e-5, "{v}");
        for &n in faces {
            for t in [0.5 * r, r, 1.3 * r] {
                let got = d(&g, along(n, t));
                assert!((got - (t - r)).abs() < 1e-4, "{v} along {n:?}: {got}");
            }
        }
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut unit, mut inside) = (0, 0);
        for _ in 0..2000 {
            let p = rng.point(2.0 * r);
            let o = rng.point(0.05);
            let q = [p[0] + o[0], p[1] + o[1], p[2] + o[2]];
            let (dp, dq) = (d(&g, p), d(&g, q));
            assert!(dp.is_finite() && dq.is_finite(), "{v}: NaN at {p:?}");
            let dist = (o[0] * o[0] + o[1] * o[1] + o[2] * o[2]).sqrt();
            assert!((dp - dq).abs() <= dist * 1.001 + 1e-5, "{v}: {p:?} {q:?}");
            if dp < -1e-2 {
                let h = 1e-3;
                let len = (0..3)
                    .map(|i| {
                        let (mut a, mut b) = (p, p);
                        a[i] += h;
                        b[i] -= h;
                        ((d(&g, a) - d(&g, b)) / (2.0 * h)).powi(2)
                    })
                    .sum::<f32>()
                    .sqrt();
                inside += 1;
                unit += usize::from((len - 1.0).abs() < 0.02);
            }
        }
        assert!(
            inside > 50 && unit * 100 >= inside * 95,
            "{v}: {unit}/{inside}"
        );
    }

    const PHI: f32 = 1.618_034;

    #[test]
    fn tetrahedron() {
        let v = json!({"Tetrahedron": {"size": 0.4}});
        check(
            v.clone(),
            0.4,
            &[[1.0, 1.0, 1.0], [-1.0, -1.0, 1.0], [1.0, -1.0, -1.0]],
        );
        // A vertex lies at three times the inradius, opposite a face.
        assert!(d(&graph(v), along([-1.0, -1.0, -1.0], 1.2)).abs() < 1e-5);
    }

    #[test]
    fn dodecahedron() {
        let v = json!({"Dodecahedron": {"radius": 0.5}});
        check(
            v,
            0.5,
            &[[0.0, PHI, 1.0], [PHI, -1.0, 0.0], [-1.0, 0.0, PHI]],
        );
    }

    #[test]
    fn icosahedron() {
        let v = json!({"Icosahedron": {"radius": 0.5}});
        check(
            v,
            0.5,
            &[[1.0, 1.0, -1.0], [0.0, 1.0, PHI], [PHI, 0.0, -1.0]],
        );
    }

    #[test]
    fn truncated_octahedron() {
        let v = json!({"TruncatedOctahedron": {"radius": 0.5}});
        check(
            v,
            0.5,
            &[[1.0, 0.0, 0.0], [0.0, -1.0, 0.0], [1.0, -1.0, 1.0]],
        );
    }

    #[test]
    fn truncated_icosahedron() {
        let v = json!({"TruncatedIcosahedron": {"radius": 0.5}});
        check(
            v,
            0.5,
            &[[1.0, 1.0, 1.0], [0.0, 1.0, PHI], [0.0, PHI, -1.0]],
        );
    }
}
