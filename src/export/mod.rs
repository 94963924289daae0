//! Mesh export: writing a [`Mesh`] as one of 15 interchange file formats.
//!
//! Owns the [`Exporter`] trait, the one registry of formats ([`formats`],
//! looked up with [`by_name`] and [`by_extension`]), the per-format writers
//! (one module each) and what they share: a buffered text/binary sink with
//! shortest round-trip number formatting (`sink`), the binary vertex and
//! index payloads (`payload`), the zip container of 3MF (`zip`) and the
//! mesh checks and axis conversions below.
//!
//! Conventions. The service's meshes are in metres, +Y up, triangles
//! counter-clockwise seen from outside. Every file states its units and up
//! axis where the format has a place for it ([`FormatInfo::units`] and
//! [`FormatInfo::up_axis`] say what each one states). Two formats are
//! converted because their readers assume otherwise: 3MF (millimetres, +Z up:
//! the build platform of a printer) and DXF (+Z up, as CAD is). Both use the
//! same proper rotation `(x, y, z) -> (x, -z, y)`, which keeps the winding.
//!
//! Every writer first [`check`]s the mesh, so an index out of range or a
//! non-finite coordinate is an [`std::io::ErrorKind::InvalidInput`] error,
//! never a panic or a corrupt file. The empty mesh gives a valid file in
//! every format: a scene, document or model with no geometry in it.
#![warn(missing_docs)]

mod amf;
mod dae;
mod dxf;
mod fbx;
mod gltf;
mod obj;
mod off;
mod payload;
mod ply;
mod sink;
mod stl;
mod threemf;
mod usda;
mod x3d;
mod zip;

use std::io;

use crate::mesh::Mesh;

/// What a format is and what its files state, for the API's format list and
/// for the HTTP layer's `Content-Type` and file name.
#[derive(Debug)]
pub struct FormatInfo {
    /// Stable id used in the API (`"obj"`, `"stl"`, `"stl_ascii"`, ...).
    pub name: &'static str,
    /// File extension without the dot.
    pub extension: &'static str,
    /// MIME type: the registered one where there is one, else the common one.
    pub mime: &'static str,
    /// Whether the file is binary (not text).
    pub binary: bool,
    /// Whether the file carries the mesh's vertex normals.
    pub normals: bool,
    /// The length unit and whether the file states it.
    pub units: &'static str,
    /// The up axis and whether the file states it or only follows a convention.
    pub up_axis: &'static str,
    /// One line describing the format.
    pub description: &'static str,
}

/// A writer of one file format.
pub trait Exporter: Send + Sync {
    /// What the format is.
    fn info(&self) -> &'static FormatInfo;
    /// Writes the whole file. Must not panic on any mesh, including the empty one (0 vertices, 0 triangles) which must still give a valid file.
    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()>;
}

/// The one registry, in the API's order.
static FORMATS: [&dyn Exporter; 15] = [
    &obj::Obj,
    &stl::StlBinary,
    &stl::StlAscii,
    &ply::PlyBinary,
    &ply::PlyAscii,
    &gltf::Gltf,
    &gltf::Glb,
    &threemf::ThreeMf,
    &off::Off,
    &usda::Usda,
    &x3d::X3d,
    &dae::Dae,
    &dxf::Dxf,
    &fbx::Fbx,
    &amf::Amf,
];

/// Every format, in the API's order.
pub fn formats() -> &'static [&'static dyn Exporter] {
    &FORMATS
}

/// The format with this API name, ignoring case.
pub fn by_name(name: &str) -> Option<&'static dyn Exporter> {
    FORMATS
        .iter()
        .copied()
        .find(|e| e.info().name.eq_ignore_ascii_case(name))
}

/// The format files with this extension get, ignoring case and a leading dot.
/// Where two formats share an extension the binary one is meant (`stl`, `ply`):
/// it comes first in the registry.
pub fn by_extension(ext: &str) -> Option<&'static dyn Exporter> {
    let ext = ext.strip_prefix('.').unwrap_or(ext);
    FORMATS
        .iter()
        .copied()
        .find(|e| e.info().extension.eq_ignore_ascii_case(ext))
}

/// The API names of all formats, for error messages.
pub fn names() -> Vec<&'static str> {
    FORMATS.iter().map(|e| e.info().name).collect()
}

/// Refuses what no format could write faithfully: a triangle index past the
/// last vertex, or a non-finite position or normal. Writers call it first and
/// may index `positions` (and `normals`, when [`Mesh::has_normals`]) freely after.
fn check(mesh: &Mesh) -> io::Result<()> {
    let n = mesh.positions.len();
    if let Some(t) = mesh
        .triangles
        .iter()
        .find(|t| t.iter().any(|&i| i as usize >= n))
    {
        return Err(invalid(format!(
            "triangle {t:?} refers to a vertex past the last one ({n} vertices)"
        )));
    }
    if mesh.positions.iter().flatten().any(|v| !v.is_finite()) {
        return Err(invalid("a vertex position is not finite"));
    }
    if mesh.has_normals() && mesh.normals.iter().flatten().any(|v| !v.is_finite()) {
        return Err(invalid("a vertex normal is not finite"));
    }
    Ok(())
}

/// An [`io::ErrorKind::InvalidInput`] error: the mesh cannot be written in this format.
fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, msg.into())
}

/// Whether the normals are written: the mesh has one per vertex.
fn normals(mesh: &Mesh) -> Option<&[[f32; 3]]> {
    mesh.has_normals().then_some(mesh.normals.as_slice())
}

/// The rotation from the service's +Y up to +Z up (3MF, DXF): a quarter turn
/// about +X, so it keeps handedness and winding. Exact in floating point.
fn y_up_to_z_up(p: [f32; 3]) -> [f32; 3] {
    [p[0], -p[2], p[1]]
}

/// The unit normal of the triangle `a b c` (counter-clockwise), or zero for a
/// degenerate one.
fn face_normal(a: [f32; 3], b: [f32; 3], c: [f32; 3]) -> [f32; 3] {
    // f64 so slivers of a fine mesh still get a direction.
    let u = [0, 1, 2].map(|k| f64::from(b[k]) - f64::from(a[k]));
    let v = [0, 1, 2].map(|k| f64::from(c[k]) - f64::from(a[k]));
    let n = [
        u[1] * v[2] - u[2] * v[1],
        u[2] * v[0] - u[0] * v[2],
        u[0] * v[1] - u[1] * v[0],
    ];
    let len = (n[0] * n[0] + n[1] * n[1] + n[2] * n[2]).sqrt();
    if len > 0.0 && len.is_finite() {
        n.map(|x| (x / len) as f32)
    } else {
        [0.0; 3]
    }
}

/// The three corners of a triangle (after [`check`]).
fn corners(mesh: &Mesh, t: [u32; 3]) -> [[f32; 3]; 3] {
    t.map(|i| mesh.positions[i as usize])
}

/// Refuses a mesh whose indices a format stores as signed 32-bit integers (PLY's
/// `int`, FBX's `i` arrays) when the vertex count does not fit.
fn check_i32_indices(mesh: &Mesh, format: &str) -> io::Result<()> {
    if mesh.positions.len() > i32::MAX as usize {
        return Err(invalid(format!(
            "{} vertices: {format} stores vertex indices as signed 32-bit integers",
            mesh.positions.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
