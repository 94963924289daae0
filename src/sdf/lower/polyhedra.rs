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
    use crate::sdf::lower::testing::{Pairs, at, cost, graph, lipschitz_pairs, unit_gradient};
    use serde_json::{Value, json};

    fn along(n: [f32; 3], t: f32) -> [f32; 3] {
        let l = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
        n.map(|c| c / l * t)
    }

    /// Face values, (b) Lipschitz, unit gradient inside (exact there), (d) no NaN, cost.
    fn check(v: Value, r: f32, faces: &[[f32; 3]]) {
        let g = graph(&v);
        assert!(cost(&g) <= 40, "{v}");
        assert!((at(&g, [0.0; 3]) + r).abs() < 1e-5, "{v}");
        for &n in faces {
            for t in [0.5 * r, r, 1.3 * r] {
                let got = at(&g, along(n, t));
                assert!((got - (t - r)).abs() < 1e-4, "{v} along {n:?}: {got}");
            }
        }
        let samples = lipschitz_pairs(&g, &v, Pairs::within(2.0 * r));
        let inside: Vec<_> = samples.iter().filter(|s| s.d < -1e-2).collect();
        let unit = inside.iter().filter(|s| unit_gradient(&g, s.p)).count();
        assert!(
            inside.len() > 50 && unit * 100 >= inside.len() * 95,
            "{v}: {unit}/{}",
            inside.len()
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
        assert!(at(&graph(&v), along([-1.0, -1.0, -1.0], 1.2)).abs() < 1e-5);
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
