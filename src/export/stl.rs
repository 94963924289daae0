//! STL, binary and ASCII: one record per triangle with a facet normal
//! computed from the triangle's corners (STL has no vertex normals, and the
//! facet normal is what STL readers expect: the right-hand rule direction).
//! STL has no unit field; the binary header and the ASCII `solid` name state
//! metres and +Y up. Slicers usually take STL numbers as millimetres: the
//! 3MF export is the one to print from.

use std::io;

use super::payload::{encode, join};
use super::sink::Sink;
use super::{Exporter, FormatInfo, check, corners, face_normal, invalid};
use crate::mesh::Mesh;

pub(super) struct StlBinary;
pub(super) struct StlAscii;

static BINARY: FormatInfo = FormatInfo {
    name: "stl",
    extension: "stl",
    mime: "model/stl",
    binary: true,
    normals: false,
    units: "none (STL has no unit; values are metres, stated in the header)",
    up_axis: "Y (stated in the header)",
    description: "binary STL: 50 bytes per triangle with its facet normal, the usual input of printing tools",
};

static ASCII: FormatInfo = FormatInfo {
    name: "stl_ascii",
    extension: "stl",
    mime: "model/stl",
    binary: false,
    normals: false,
    units: "none (STL has no unit; values are metres, stated in the solid name)",
    up_axis: "Y (stated in the solid name)",
    description: "ASCII STL: the text form of STL, facet normals and three vertices per triangle",
};

/// The binary header: 80 bytes that must not begin with `solid` (readers would
/// take the file for ASCII STL).
const HEADER: &[u8] = b"ai-modeler binary STL; units: metres; up axis: +Y";

/// The ASCII solid's name, which is the only place ASCII STL has for a statement.
const SOLID: &str = "ai-modeler_units=metres_up=+Y";

impl Exporter for StlBinary {
    fn info(&self) -> &'static FormatInfo {
        &BINARY
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let count = u32::try_from(mesh.triangles.len())
            .map_err(|_| invalid("binary STL counts triangles in 32 bits"))?;
        let mut s = Sink::new(out);
        let mut header = [b' '; 80];
        header[..HEADER.len()].copy_from_slice(HEADER);
        s.b(&header).b(&count.to_le_bytes());
        encode(&mut s, mesh.triangles.iter().copied(), |t| {
            let [a, b, c] = corners(mesh, t);
            let f = |v: [f32; 3]| v.map(f32::to_le_bytes);
            let (n, a, b, c) = (f(face_normal(a, b, c)), f(a), f(b), f(c));
            join::<50>(&[
                &n[0],
                &n[1],
                &n[2],
                &a[0],
                &a[1],
                &a[2],
                &b[0],
                &b[1],
                &b[2],
                &c[0],
                &c[1],
                &c[2],
                &[0, 0],
            ])
        })?;
        s.finish()
    }
}

impl Exporter for StlAscii {
    fn info(&self) -> &'static FormatInfo {
        &ASCII
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("solid ").s(SOLID).s("\n");
        s.records(&mesh.triangles, |x, _, &t| {
            let [a, b, c] = corners(mesh, t);
            x.s("facet normal ")
                .f3(face_normal(a, b, c), " ")
                .s("\nouter loop\n");
            for v in [a, b, c] {
                x.s("vertex ").f3(v, " ").s("\n");
            }
            x.s("endloop\nendfacet\n");
        })?;
        s.s("endsolid ").s(SOLID).s("\n");
        s.finish()
    }
}
