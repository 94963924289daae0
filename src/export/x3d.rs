//! X3D 3.3, XML encoding: a `Shape` with an `IndexedTriangleSet`
//! (`ccw="true"`, `solid="true"`: counter-clockwise front faces, closed
//! surface) holding `Coordinate` points and, when the mesh has them, per-vertex
//! `Normal` vectors. X3D's length unit is the metre and +Y is up by the spec;
//! the head also states both with a `unit` statement (X3D 3.3) and a `meta`.
//! The empty mesh is a scene with no shape.

use std::io;

use super::sink::Sink;
use super::{Exporter, FormatInfo, check, normals};
use crate::mesh::Mesh;

pub(super) struct X3d;

static INFO: FormatInfo = FormatInfo {
    name: "x3d",
    extension: "x3d",
    mime: "model/x3d+xml",
    binary: false,
    normals: true,
    units: "metres (X3D's length unit; stated in a unit statement and a meta)",
    up_axis: "Y (X3D's convention; stated in a meta)",
    description: "X3D 3.3 XML: an IndexedTriangleSet, the ISO web-3D scene format",
};

impl Exporter for X3d {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        s.s("<!DOCTYPE X3D PUBLIC \"ISO//Web3D//DTD X3D 3.3//EN\" \"http://www.web3d.org/specifications/x3d-3.3.dtd\">\n");
        s.s("<X3D profile=\"Interchange\" version=\"3.3\">\n<head>\n");
        s.s("<unit category=\"length\" name=\"metre\" conversionFactor=\"1\"/>\n");
        s.s("<meta name=\"generator\" content=\"ai-modeler\"/>\n");
        s.s("<meta name=\"description\" content=\"units: metres; up axis: +Y\"/>\n");
        s.s("</head>\n<Scene>\n");
        if !mesh.triangles.is_empty() {
            s.s("<Shape>\n<IndexedTriangleSet ccw=\"true\" solid=\"true\" normalPerVertex=\"true\" index=\"");
            s.index_list(&mesh.triangles, " ")?;
            s.s("\">\n<Coordinate point=\"");
            s.vec3_list(&mesh.positions, ", ", ["", " ", ""])?;
            s.s("\"/>\n");
            if let Some(normals) = normals(mesh) {
                s.s("<Normal vector=\"");
                s.vec3_list(normals, ", ", ["", " ", ""])?;
                s.s("\"/>\n");
            }
            s.s("</IndexedTriangleSet>\n</Shape>\n");
        }
        s.s("</Scene>\n</X3D>\n");
        s.finish()
    }
}
