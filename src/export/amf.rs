//! AMF (Additive Manufacturing File Format, ISO/ASTM 52915), uncompressed
//! XML: `<amf unit="meter">`, one object whose mesh lists vertices and one
//! volume of triangles. Values stay in metres, +Y up (AMF has a unit
//! attribute but no axis; a comment states the axis). Normals are left out on
//! purpose: in AMF a vertex normal shapes curved triangles, which a reader
//! would then subdivide. The empty mesh is a document with no object.

use std::io;

use super::sink::Sink;
use super::{Exporter, FormatInfo, check};
use crate::mesh::Mesh;

pub(super) struct Amf;

static INFO: FormatInfo = FormatInfo {
    name: "amf",
    extension: "amf",
    // AMF has no registered MIME type; this is the one in common use.
    mime: "application/x-amf",
    binary: false,
    normals: false,
    units: "metres (stated: unit=\"meter\")",
    up_axis: "Y (stated in a comment; AMF has no axis field)",
    description: "AMF 1.1 XML: the ISO/ASTM additive-manufacturing format, vertices and a triangle volume",
};

impl Exporter for Amf {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.s("<!-- ai-modeler mesh; units: metres; up axis: +Y; triangles counter-clockwise seen from outside -->\n");
        s.s("<amf unit=\"meter\" version=\"1.1\">\n<metadata type=\"name\">ai-modeler mesh</metadata>\n");
        if !mesh.triangles.is_empty() {
            s.s("<object id=\"0\">\n<mesh>\n<vertices>\n");
            s.records(&mesh.positions, |t, _, &[x, y, z]| {
                t.s("<vertex><coordinates><x>")
                    .f(x)
                    .s("</x><y>")
                    .f(y)
                    .s("</y><z>")
                    .f(z);
                t.s("</z></coordinates></vertex>\n");
            })?;
            s.s("</vertices>\n<volume>\n");
            s.records(&mesh.triangles, |x, _, t| {
                x.s("<triangle><v1>")
                    .i(t[0])
                    .s("</v1><v2>")
                    .i(t[1])
                    .s("</v2><v3>")
                    .i(t[2]);
                x.s("</v3></triangle>\n");
            })?;
            s.s("</volume>\n</mesh>\n</object>\n");
        }
        s.s("</amf>\n");
        s.finish()
    }
}
