//! COLLADA 1.4.1 (`.dae`): the asset states `<unit meter="1" name="meter"/>`
//! and `<up_axis>Y_UP</up_axis>`; one geometry whose `<vertices>` gathers
//! the `POSITION` source and, when the mesh has normals, the `NORMAL` source
//! (so normals are per vertex and one index per corner suffices in `<p>`);
//! a visual scene with one node instancing it. The dates are fixed so the
//! file depends only on the mesh. The empty mesh is a scene with one empty node
//! and no geometry (a COLLADA mesh needs a source with data).

use std::io;

use super::sink::Sink;
use super::{Exporter, FormatInfo, check, normals};
use crate::mesh::Mesh;

pub(super) struct Dae;

static INFO: FormatInfo = FormatInfo {
    name: "dae",
    extension: "dae",
    mime: "model/vnd.collada+xml",
    binary: false,
    normals: true,
    units: "metres (stated: <unit meter=\"1\" name=\"meter\"/>)",
    up_axis: "Y (stated: <up_axis>Y_UP</up_axis>)",
    description: "COLLADA 1.4.1 XML: positions, vertex normals and triangles, read by most DCC tools",
};

impl Exporter for Dae {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        s.s("<COLLADA xmlns=\"http://www.collada.org/2005/11/COLLADASchema\" version=\"1.4.1\">\n");
        s.s("<asset>\n<contributor><authoring_tool>ai-modeler</authoring_tool></contributor>\n");
        s.s("<created>1970-01-01T00:00:00Z</created>\n<modified>1970-01-01T00:00:00Z</modified>\n");
        s.s("<unit meter=\"1\" name=\"meter\"/>\n<up_axis>Y_UP</up_axis>\n</asset>\n");
        let geometry = !mesh.triangles.is_empty();
        if geometry {
            s.s("<library_geometries>\n<geometry id=\"mesh\" name=\"mesh\">\n<mesh>\n");
            source(&mut s, "positions", &mesh.positions)?;
            let normals = normals(mesh);
            if let Some(normals) = normals {
                source(&mut s, "normals", normals)?;
            }
            s.s("<vertices id=\"mesh-vertices\">\n<input semantic=\"POSITION\" source=\"#mesh-positions\"/>\n");
            if normals.is_some() {
                s.s("<input semantic=\"NORMAL\" source=\"#mesh-normals\"/>\n");
            }
            s.s("</vertices>\n<triangles count=\"")
                .i(mesh.triangles.len());
            s.s("\">\n<input semantic=\"VERTEX\" source=\"#mesh-vertices\" offset=\"0\"/>\n<p>");
            s.index_list(&mesh.triangles, " ")?;
            s.s("</p>\n</triangles>\n</mesh>\n</geometry>\n</library_geometries>\n");
        }
        s.s("<library_visual_scenes>\n<visual_scene id=\"scene\" name=\"scene\">\n<node id=\"mesh-node\" name=\"mesh\">");
        if geometry {
            s.s("<instance_geometry url=\"#mesh\"/>");
        }
        s.s("</node>\n</visual_scene>\n</library_visual_scenes>\n");
        s.s("<scene><instance_visual_scene url=\"#scene\"/></scene>\n</COLLADA>\n");
        s.finish()
    }
}

/// A `<source>` of 3-float vectors with id `mesh-{name}`.
fn source(s: &mut Sink<'_>, name: &str, items: &[[f32; 3]]) -> io::Result<()> {
    s.s("<source id=\"mesh-")
        .s(name)
        .s("\">\n<float_array id=\"mesh-")
        .s(name);
    s.s("-array\" count=\"").i(items.len() * 3).s("\">");
    s.vec3_list(items, " ", ["", " ", ""])?;
    s.s("</float_array>\n<technique_common>\n<accessor source=\"#mesh-")
        .s(name);
    s.s("-array\" count=\"")
        .i(items.len())
        .s("\" stride=\"3\">\n");
    s.s("<param name=\"X\" type=\"float\"/>\n<param name=\"Y\" type=\"float\"/>\n<param name=\"Z\" type=\"float\"/>\n");
    s.s("</accessor>\n</technique_common>\n</source>\n");
    Ok(())
}
