//! 3MF (3D Manufacturing Format, core spec 2015/02): an OPC zip package with
//! `[Content_Types].xml`, `_rels/.rels` and the model part
//! `3D/3dmodel.model` holding one `type="model"` object with the mesh and a
//! build item placing it.
//!
//! 3MF is for printers: its build platform is the XY plane with +Z up, and
//! slicers take millimetres. So positions are rotated from the service's +Y up
//! to +Z up with `(x, y, z) -> (x, -z, y)` (a proper rotation: the winding
//! stays counter-clockwise from outside, as 3MF requires) and scaled x1000,
//! and the model states `unit="millimeter"`. Nothing is translated: a mesh
//! that reaches below y = 0 reaches below the platform, and slicers drop it
//! onto the bed themselves. Normals are not part of 3MF.
//!
//! 3MF forbids a triangle that names a vertex twice (lib3mf refuses the whole
//! file), so such triangles, which have no area, are left out.
//!
//! The empty mesh is a model with no object and an empty build: 3MF requires
//! an object's mesh to have triangles.

use std::io::{self, Write};

use super::sink::Sink;
use super::zip::{Part, Zip};
use super::{Exporter, FormatInfo, check, invalid, y_up_to_z_up};
use crate::mesh::Mesh;

pub(super) struct ThreeMf;

static INFO: FormatInfo = FormatInfo {
    name: "3mf",
    extension: "3mf",
    mime: "model/3mf",
    binary: true,
    normals: false,
    units: "millimetres, scaled x1000 (stated: unit=\"millimeter\")",
    up_axis: "Z (converted from Y: (x, y, z) -> (x, -z, y); Z is up on 3MF's build platform)",
    description: "3MF: the 3D-printing package (zipped XML), in millimetres with Z up as slicers expect",
};

const CONTENT_TYPES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    "\n",
    r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
    r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
    r#"<Default Extension="model" ContentType="application/vnd.ms-package.3dmanufacturing-3dmodel+xml"/>"#,
    "</Types>\n"
);

const RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8"?>"#,
    "\n",
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Target="/3D/3dmodel.model" Id="rel0" "#,
    r#"Type="http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel"/>"#,
    "</Relationships>\n"
);

/// Millimetres per metre.
const MM: f32 = 1000.0;

impl Exporter for ThreeMf {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut zip = Zip::new(out);
        let mut types = Part::new();
        types.write_all(CONTENT_TYPES.as_bytes())?;
        zip.add("[Content_Types].xml", types)?;
        let mut rels = Part::new();
        rels.write_all(RELS.as_bytes())?;
        zip.add("_rels/.rels", rels)?;
        let mut model = Part::new();
        write_model(mesh, &mut model)?;
        zip.add("3D/3dmodel.model", model)?;
        zip.finish()
    }
}

fn write_model(mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
    let mut s = Sink::new(out);
    s.s("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    s.s("<model unit=\"millimeter\" xml:lang=\"en-US\" xmlns=\"http://schemas.microsoft.com/3dmanufacturing/core/2015/02\">\n");
    s.s("<metadata name=\"Application\">ai-modeler</metadata>\n");
    s.s("<metadata name=\"Description\">Converted from metres, +Y up: (x, y, z) m -> (x, -z, y) mm, +Z up</metadata>\n");
    if !mesh.triangles.iter().any(distinct) {
        s.s("<resources/>\n<build/>\n</model>\n");
        return s.finish();
    }
    s.s("<resources>\n<object id=\"1\" type=\"model\" name=\"mesh\">\n<mesh>\n<vertices>\n");
    for &p in &mesh.positions {
        let [x, y, z] = y_up_to_z_up(p).map(|v| v * MM);
        if !(x.is_finite() && y.is_finite() && z.is_finite()) {
            return Err(invalid(
                "a vertex is too far out to state in millimetres as a 32-bit float",
            ));
        }
        s.s("<vertex x=\"")
            .f(x)
            .s("\" y=\"")
            .f(y)
            .s("\" z=\"")
            .f(z)
            .s("\"/>\n");
        s.flush_if_full()?;
    }
    s.s("</vertices>\n<triangles>\n");
    for t in mesh.triangles.iter().filter(|t| distinct(t)) {
        s.s("<triangle v1=\"")
            .i(t[0])
            .s("\" v2=\"")
            .i(t[1])
            .s("\" v3=\"")
            .i(t[2])
            .s("\"/>\n");
        s.flush_if_full()?;
    }
    s.s("</triangles>\n</mesh>\n</object>\n</resources>\n<build>\n<item objectid=\"1\"/>\n</build>\n</model>\n");
    s.finish()
}

/// Whether a triangle names three different vertices.
fn distinct(t: &[u32; 3]) -> bool {
    t[0] != t[1] && t[1] != t[2] && t[0] != t[2]
}
