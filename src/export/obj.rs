//! Wavefront OBJ: `v` positions, `vn` normals, `f` triangles (1-based,
//! `v//vn` with normals). OBJ has no unit or axis fields, so comment lines
//! state the service's metres and +Y up (also the common OBJ convention).

use std::io;

use super::sink::Sink;
use super::{Exporter, FormatInfo, check, normals};
use crate::mesh::Mesh;

pub(super) struct Obj;

static INFO: FormatInfo = FormatInfo {
    name: "obj",
    extension: "obj",
    mime: "model/obj",
    binary: false,
    normals: true,
    units: "metres (stated in a comment; OBJ has no unit field)",
    up_axis: "Y (stated in a comment; the common OBJ convention)",
    description: "Wavefront OBJ: text, positions, vertex normals and triangles, read by nearly every 3D tool",
};

impl Exporter for Obj {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let normals = normals(mesh);
        let mut s = Sink::new(out);
        s.s("# ai-modeler mesh (Wavefront OBJ)\n");
        s.s("# units: metres; up axis: +Y; triangles counter-clockwise seen from outside\n");
        s.s("# vertices: ")
            .i(mesh.positions.len())
            .s(", triangles: ")
            .i(mesh.triangles.len());
        s.s("\no mesh\n");
        s.records(&mesh.positions, |t, _, &p| {
            t.s("v ").f3(p, " ").s("\n");
        })?;
        s.records(normals.unwrap_or_default(), |t, _, &n| {
            t.s("vn ").f3(n, " ").s("\n");
        })?;
        let with_normals = normals.is_some();
        s.records(&mesh.triangles, |x, _, t| {
            x.s("f");
            for i in t.map(|i| u64::from(i) + 1) {
                x.s(" ");
                if with_normals {
                    x.i_twice(i, "//");
                } else {
                    x.i(i);
                }
            }
            x.s("\n");
        })?;
        s.finish()
    }
}
