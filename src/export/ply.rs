//! PLY (Stanford polygon format), binary little-endian and ASCII: a `vertex`
//! element with `x y z` (and `nx ny nz` when the mesh has normals) as
//! `float`, and a `face` element with `list uchar int vertex_indices`, the
//! property names and types nearly every PLY reader knows. PLY has no unit
//! or axis fields: `comment` lines in the header state metres and +Y up.

use std::io;

use super::payload::{encode, f32x3, join, u32x3};
use super::sink::Sink;
use super::{Exporter, FormatInfo, check, check_i32_indices, normals};
use crate::mesh::Mesh;

pub(super) struct PlyBinary;
pub(super) struct PlyAscii;

static BINARY: FormatInfo = FormatInfo {
    name: "ply",
    extension: "ply",
    // PLY has no registered MIME type.
    mime: "application/octet-stream",
    binary: true,
    normals: true,
    units: "none (PLY has no unit; values are metres, stated in a header comment)",
    up_axis: "Y (stated in a header comment)",
    description: "binary little-endian PLY: float positions and vertex normals, int triangle indices",
};

static ASCII: FormatInfo = FormatInfo {
    name: "ply_ascii",
    extension: "ply",
    // PLY has no registered MIME type.
    mime: "text/plain",
    binary: false,
    normals: true,
    units: "none (PLY has no unit; values are metres, stated in a header comment)",
    up_axis: "Y (stated in a header comment)",
    description: "ASCII PLY: the text form of PLY, positions, vertex normals and triangles",
};

/// The header, the same for both encodings but for the `format` line.
fn header(s: &mut Sink<'_>, mesh: &Mesh, format: &str) {
    s.s("ply\nformat ").s(format).s(" 1.0\n");
    s.s("comment ai-modeler mesh\n");
    s.s("comment units: metres; up axis: +Y; faces counter-clockwise seen from outside\n");
    s.s("element vertex ").i(mesh.positions.len()).s("\n");
    s.s("property float x\nproperty float y\nproperty float z\n");
    if normals(mesh).is_some() {
        s.s("property float nx\nproperty float ny\nproperty float nz\n");
    }
    s.s("element face ").i(mesh.triangles.len()).s("\n");
    s.s("property list uchar int vertex_indices\nend_header\n");
}

impl Exporter for PlyBinary {
    fn info(&self) -> &'static FormatInfo {
        &BINARY
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        check_i32_indices(mesh, "PLY")?;
        let mut s = Sink::new(out);
        header(&mut s, mesh, "binary_little_endian");
        match normals(mesh) {
            Some(normals) => {
                let vertices = mesh.positions.iter().zip(normals);
                encode(&mut s, vertices, |(&p, &n)| {
                    join::<24>(&[&f32x3(p), &f32x3(n)])
                })?;
            }
            None => encode(&mut s, mesh.positions.iter().copied(), f32x3)?,
        }
        // The indices fit in i32 (checked), so their u32 bytes are the i32 bytes.
        encode(&mut s, mesh.triangles.iter().copied(), |t| {
            join::<13>(&[&[3], &u32x3(t)])
        })?;
        s.finish()
    }
}

impl Exporter for PlyAscii {
    fn info(&self) -> &'static FormatInfo {
        &ASCII
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        check_i32_indices(mesh, "PLY")?;
        let mut s = Sink::new(out);
        header(&mut s, mesh, "ascii");
        let normals = normals(mesh);
        s.records(&mesh.positions, |t, k, &p| {
            t.f3(p, " ");
            if let Some(normals) = normals {
                t.s(" ").f3(normals[k], " ");
            }
            t.s("\n");
        })?;
        s.records(&mesh.triangles, |x, _, t| {
            x.s("3 ").i(t[0]).s(" ").i(t[1]).s(" ").i(t[2]).s("\n");
        })?;
        s.finish()
    }
}
