//! OFF (Object File Format, Geomview): `OFF`, the counts line, positions,
//! then `3 a b c` per triangle. Plain OFF carries no normals (the `NOFF`
//! variant is not read by every OFF reader). OFF has no unit or axis fields:
//! a `#` comment line states metres and +Y up.

use std::io;

use super::sink::Sink;
use super::{Exporter, FormatInfo, check};
use crate::mesh::Mesh;

pub(super) struct Off;

static INFO: FormatInfo = FormatInfo {
    name: "off",
    extension: "off",
    // OFF has no registered MIME type; it is plain text.
    mime: "text/plain",
    binary: false,
    normals: false,
    units: "none (OFF has no unit; values are metres, stated in a comment)",
    up_axis: "Y (stated in a comment)",
    description: "OFF (Geomview Object File Format): text, positions and triangles, common in geometry processing",
};

impl Exporter for Off {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("OFF\n");
        s.s("# ai-modeler mesh; units: metres; up axis: +Y; faces counter-clockwise seen from outside\n");
        s.i(mesh.positions.len())
            .s(" ")
            .i(mesh.triangles.len())
            .s(" 0\n");
        s.records(&mesh.positions, |t, _, &p| {
            t.f3(p, " ").s("\n");
        })?;
        s.records(&mesh.triangles, |x, _, t| {
            x.s("3 ").i(t[0]).s(" ").i(t[1]).s(" ").i(t[2]).s("\n");
        })?;
        s.finish()
    }
}
