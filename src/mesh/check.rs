//! Topology and geometry checks of a [`Mesh`]: closed 2-manifold, Euler
//! characteristic, signed volume. Used by the API's `watertight` flag and by tests.

use std::collections::HashMap;

use super::Mesh;

/// What [`topology`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Topology {
    /// Every undirected edge is used by exactly two triangles, once in each
    /// direction (closed, 2-manifold, consistently wound).
    pub closed_manifold: bool,
    /// Distinct undirected edges.
    pub edges: usize,
    /// Vertices used by at least one triangle.
    pub vertices: usize,
    /// V − E + F over the used vertices.
    pub euler: i64,
}

/// Edge-use census of `mesh`.
pub fn topology(mesh: &Mesh) -> Topology {
    // Directed edge (a, b) -> count; a closed consistently-wound mesh has each
    // directed edge exactly once and its reverse exactly once.
    let mut directed: HashMap<(u32, u32), u32> = HashMap::with_capacity(mesh.triangles.len() * 3);
    let mut used = vec![false; mesh.positions.len()];
    let mut degenerate = false;
    for t in &mesh.triangles {
        if t[0] == t[1] || t[1] == t[2] || t[0] == t[2] {
            degenerate = true;
        }
        for k in 0..3 {
            let (a, b) = (t[k], t[(k + 1) % 3]);
            *directed.entry((a, b)).or_default() += 1;
            if let Some(u) = used.get_mut(a as usize) {
                *u = true;
            }
        }
    }
    let mut ok = !degenerate;
    let mut edges = 0usize;
    for (&(a, b), &n) in &directed {
        let back = directed.get(&(b, a)).copied().unwrap_or(0);
        if n != 1 || back != 1 {
            ok = false;
        }
        if a < b || back == 0 {
            edges += 1;
        }
    }
    let vertices = used.iter().filter(|u| **u).count();
    Topology {
        closed_manifold: ok,
        edges,
        vertices,
        euler: vertices as i64 - edges as i64 + mesh.triangles.len() as i64,
    }
}

/// Signed volume enclosed by the mesh (positive when wound outward), by the
/// divergence theorem over the triangles, summed in f64.
pub fn signed_volume(mesh: &Mesh) -> f64 {
    let p = |i: u32| {
        let v = mesh.positions[i as usize];
        [v[0] as f64, v[1] as f64, v[2] as f64]
    };
    mesh.triangles
        .iter()
        .map(|t| {
            let (a, b, c) = (p(t[0]), p(t[1]), p(t[2]));
            (a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0]))
                / 6.0
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A unit right tetrahedron, wound outward.
    fn tetra() -> Mesh {
        Mesh {
            positions: vec![[0., 0., 0.], [1., 0., 0.], [0., 1., 0.], [0., 0., 1.]],
            normals: vec![],
            triangles: vec![[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]],
        }
    }

    #[test]
    fn tetrahedron_is_closed_with_euler_two() {
        let t = topology(&tetra());
        assert!(t.closed_manifold);
        assert_eq!((t.vertices, t.edges, t.euler), (4, 6, 2));
        assert!((signed_volume(&tetra()) - 1.0 / 6.0).abs() < 1e-12);
    }

    #[test]
    fn open_or_flipped_meshes_are_not_closed() {
        let mut open = tetra();
        open.triangles.pop();
        assert!(!topology(&open).closed_manifold);
        let mut flipped = tetra();
        flipped.triangles[0] = [0, 1, 2];
        assert!(!topology(&flipped).closed_manifold);
    }
}
