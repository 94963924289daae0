//! Meshing: turning a compiled tape into a watertight triangle mesh.
//!
//! Owns the [`Mesh`] type every exporter reads, the sparse chunked mesher
//! ([`mesher`]) with its three methods, and the topology checks ([`check`]) that
//! tests and the API's `watertight` flag use.
//!
//! Conventions: positions are in the tree's units (metres by the service's
//! convention), Y is up, triangles wind counter-clockwise seen from outside
//! (right-hand rule gives the outward normal), normals are unit length.
#![warn(missing_docs)]

pub mod check;
pub mod cube;
pub mod mesher;

pub use mesher::{
    BulkSampler, MeshError, MeshOutput, MeshSettings, Method, Phases, Progress, mesh, mesh_with,
};

/// An indexed triangle mesh.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Mesh {
    /// Vertex positions.
    pub positions: Vec<[f32; 3]>,
    /// Unit outward normals, one per vertex, or empty when not computed.
    pub normals: Vec<[f32; 3]>,
    /// Triangles as indices into `positions`, counter-clockwise seen from outside.
    pub triangles: Vec<[u32; 3]>,
}

impl Mesh {
    /// A mesh with no vertices and no triangles (the mesh of an empty surface).
    pub fn empty() -> Self {
        Self::default()
    }

    /// Whether there are no triangles.
    pub fn is_empty(&self) -> bool {
        self.triangles.is_empty()
    }

    /// Number of vertices.
    pub fn vertex_count(&self) -> usize {
        self.positions.len()
    }

    /// Number of triangles.
    pub fn triangle_count(&self) -> usize {
        self.triangles.len()
    }

    /// Whether every vertex has a normal.
    pub fn has_normals(&self) -> bool {
        !self.positions.is_empty() && self.normals.len() == self.positions.len()
    }

    /// The axis-aligned box `(min, max)` of all vertices, `None` without vertices.
    pub fn bounds(&self) -> Option<([f32; 3], [f32; 3])> {
        let first = *self.positions.first()?;
        let (mut lo, mut hi) = (first, first);
        for p in &self.positions {
            for k in 0..3 {
                lo[k] = lo[k].min(p[k]);
                hi[k] = hi[k].max(p[k]);
            }
        }
        Some((lo, hi))
    }

    /// Approximate heap size in bytes (for cache accounting).
    pub fn byte_size(&self) -> usize {
        (self.positions.len() + self.normals.len()) * 12 + self.triangles.len() * 12
    }
}
