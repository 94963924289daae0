//! DXF (AutoCAD drawing exchange, ASCII): a `HEADER` section stating
//! `$INSUNITS` 6 (metres), `$MEASUREMENT` 1 (metric) and the extents, and an
//! `ENTITIES` section with one `3DFACE` per triangle, its fourth corner equal
//! to its third (how DXF spells a triangle). CAD is +Z up, so positions are
//! rotated from the service's +Y up with `(x, y, z) -> (x, -z, y)`, a proper
//! rotation that keeps the corner order. A `999` comment says so. No
//! `TABLES` or handles: this is the minimal entities-only drawing every DXF
//! reader accepts. The empty mesh is a drawing with no entities.

use std::io;

use super::sink::{Sink, Text};
use super::{Exporter, FormatInfo, check, corners, y_up_to_z_up};
use crate::mesh::Mesh;

pub(super) struct Dxf;

static INFO: FormatInfo = FormatInfo {
    name: "dxf",
    extension: "dxf",
    mime: "image/vnd.dxf",
    binary: false,
    normals: false,
    units: "metres (stated: $INSUNITS 6)",
    up_axis: "Z (converted from Y: (x, y, z) -> (x, -z, y); CAD's convention, stated in a comment)",
    description: "DXF: one 3DFACE per triangle, in metres with Z up, for CAD programs",
};

impl Exporter for Dxf {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("999\nai-modeler mesh; units: metres ($INSUNITS 6); up axis: +Z, ");
        s.s("converted from the service's +Y up by (x, y, z) -> (x, -z, y)\n");
        s.s("0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1009\n");
        s.s("9\n$INSUNITS\n70\n6\n9\n$MEASUREMENT\n70\n1\n");
        if let Some((min, max)) = mesh.bounds() {
            // The rotation maps the box's corners to the rotated box's corners,
            // with y's bounds swapped because it is negated.
            let (lo, hi) = (y_up_to_z_up(min), y_up_to_z_up(max));
            let (lo, hi) = ([lo[0], hi[1], lo[2]], [hi[0], lo[1], hi[2]]);
            s.s("9\n$EXTMIN\n");
            point(&mut s, 0, lo);
            s.s("9\n$EXTMAX\n");
            point(&mut s, 0, hi);
        }
        s.s("0\nENDSEC\n0\nSECTION\n2\nENTITIES\n");
        s.records(&mesh.triangles, |x, _, &t| {
            let [a, b, c] = corners(mesh, t).map(y_up_to_z_up);
            x.s("0\n3DFACE\n8\n0\n");
            for (k, v) in [a, b, c, c].into_iter().enumerate() {
                point(x, k, v);
            }
        })?;
        s.s("0\nENDSEC\n0\nEOF\n");
        s.finish()
    }
}

/// A point as group codes `1k`, `2k`, `3k` (k = the corner's number).
fn point(s: &mut Text, k: usize, v: [f32; 3]) {
    for (axis, x) in v.into_iter().enumerate() {
        s.i(10 * (axis + 1) + k).s("\n").f(x).s("\n");
    }
}
