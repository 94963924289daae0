//! USD, text form (`.usda`): a layer stating `metersPerUnit = 1` and
//! `upAxis = "Y"`, whose default prim `/root` (an Xform) holds a `Mesh` prim
//! with `points`, `faceVertexCounts` (all 3), `faceVertexIndices`,
//! `normals` with `vertex` interpolation, the `extent` every boundable prim
//! should author, `orientation = "rightHanded"` (counter-clockwise front
//! faces) and `subdivisionScheme = "none"`, without which USD renders the
//! triangles as a Catmull-Clark cage. The empty mesh is a `Mesh` prim with
//! empty arrays and no extent.

use std::io;

use super::sink::Sink;
use super::{Exporter, FormatInfo, check, normals};
use crate::mesh::Mesh;

pub(super) struct Usda;

static INFO: FormatInfo = FormatInfo {
    name: "usda",
    extension: "usda",
    mime: "model/vnd.usda",
    binary: false,
    normals: true,
    units: "metres (stated: metersPerUnit = 1)",
    up_axis: "Y (stated: upAxis = \"Y\")",
    description: "USD text layer (USDA): a Mesh prim for Pixar USD pipelines, Omniverse, Houdini, Blender",
};

impl Exporter for Usda {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        s.s("#usda 1.0\n(\n    defaultPrim = \"root\"\n    doc = \"ai-modeler mesh\"\n");
        s.s("    metersPerUnit = 1\n    upAxis = \"Y\"\n)\n\n");
        s.s("def Xform \"root\"\n{\n    def Mesh \"mesh\"\n    {\n");
        if let Some((min, max)) = mesh.bounds() {
            s.s("        float3[] extent = [(")
                .f3(min, ", ")
                .s("), (")
                .f3(max, ", ")
                .s(")]\n");
        }
        s.s("        int[] faceVertexCounts = [");
        for k in 0..mesh.triangles.len() {
            s.s(if k == 0 { "3" } else { ", 3" });
            s.flush_if_full()?;
        }
        s.s("]\n        int[] faceVertexIndices = [");
        s.index_list(&mesh.triangles, ", ")?;
        s.s("]\n");
        if let Some(normals) = normals(mesh) {
            s.s("        normal3f[] normals = [");
            s.vec3_list(normals, ", ", ["(", ", ", ")"])?;
            s.s("] (\n            interpolation = \"vertex\"\n        )\n");
        }
        s.s("        uniform token orientation = \"rightHanded\"\n");
        s.s("        point3f[] points = [");
        s.vec3_list(&mesh.positions, ", ", ["(", ", ", ")"])?;
        s.s("]\n        uniform token subdivisionScheme = \"none\"\n    }\n}\n");
        s.finish()
    }
}
