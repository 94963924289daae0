//! glTF 2.0, as `.gltf` (JSON with the buffer embedded as a base64 `data:`
//! URI) and as `.glb` (the binary container: a JSON chunk padded with spaces
//! and a BIN chunk padded with zeros, both to 4 bytes).
//!
//! One scene, one node, one mesh with one triangle primitive: `POSITION`
//! (with the exact `min`/`max` the spec requires), `NORMAL` when the mesh has
//! usable normals, and `UNSIGNED_INT` indices, all in one buffer laid out
//! positions, normals, indices (every view 4-byte aligned, since each record
//! is 12 bytes). glTF fixes metres and +Y up, the service's own convention,
//! so nothing is converted; `asset.extras` repeats it for people reading the
//! JSON. The empty mesh (or one without triangles) is a scene with no nodes and
//! no buffers, which the Khronos validator accepts without any issue; an
//! empty node would be reported, and an accessor must have at least one element.

use std::io;

use base64::engine::general_purpose::STANDARD;

use super::payload::{encode, f32x3, u32x3};
use super::sink::Sink;
use super::{Exporter, FormatInfo, check, invalid};
use crate::mesh::Mesh;

pub(super) struct Gltf;
pub(super) struct Glb;

static GLTF: FormatInfo = FormatInfo {
    name: "gltf",
    extension: "gltf",
    mime: "model/gltf+json",
    binary: false,
    normals: true,
    units: "metres (fixed by the glTF spec)",
    up_axis: "Y (fixed by the glTF spec)",
    description: "glTF 2.0 JSON with the buffer embedded as a base64 data: URI, one self-contained file",
};

static GLB: FormatInfo = FormatInfo {
    name: "glb",
    extension: "glb",
    mime: "model/gltf-binary",
    binary: true,
    normals: true,
    units: "metres (fixed by the glTF spec)",
    up_axis: "Y (fixed by the glTF spec)",
    description: "glTF 2.0 binary (GLB): the web's and game engines' mesh format, compact and fast to load",
};

/// The buffer's layout. `None` from [`Layout::of`] means no geometry.
struct Layout {
    vertices: usize,
    triangles: usize,
    normals: bool,
}

impl Layout {
    fn of(mesh: &Mesh) -> Option<Self> {
        if mesh.triangles.is_empty() {
            return None;
        }
        // The validator requires unit normals: they are renormalised on the way
        // out, and dropped altogether if one has no direction to renormalise.
        let normals = mesh.has_normals() && mesh.normals.iter().all(|&n| unit(n).is_some());
        Some(Self {
            vertices: mesh.positions.len(),
            triangles: mesh.triangles.len(),
            normals,
        })
    }

    fn vec3_bytes(&self) -> usize {
        self.vertices * 12
    }

    fn index_bytes(&self) -> usize {
        self.triangles * 12
    }

    fn buffer_bytes(&self) -> usize {
        self.vec3_bytes() * if self.normals { 2 } else { 1 } + self.index_bytes()
    }
}

/// `n` scaled to unit length (in `f64`, so the `f32` result is unit to rounding).
fn unit(n: [f32; 3]) -> Option<[f32; 3]> {
    let d = n.map(f64::from);
    let len = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
    (len > 1e-20).then(|| d.map(|x| (x / len) as f32))
}

/// Writes the JSON up to the buffer's `byteLength` value; the caller closes
/// the buffer object (adding the `data:` URI for `.gltf`) and the document.
fn json_head(s: &mut Sink<'_>, mesh: &Mesh, layout: &Layout) {
    s.s(r#"{"asset":{"version":"2.0","generator":"ai-modeler","extras":{"units":"metres","upAxis":"+Y"}},"#);
    s.s(r#""scene":0,"scenes":[{"name":"ai-modeler","nodes":[0]}],"nodes":[{"name":"mesh","mesh":0}],"#);
    s.s(r#""meshes":[{"name":"mesh","primitives":[{"attributes":{"POSITION":0"#);
    if layout.normals {
        s.s(r#","NORMAL":1"#);
    }
    let views = if layout.normals { 3 } else { 2 };
    s.s(r#"},"indices":"#)
        .i(views - 1)
        .s(r#","mode":4}]}],"accessors":["#);
    let (min, max) = mesh.bounds().unwrap_or_default();
    s.s(r#"{"bufferView":0,"componentType":5126,"count":"#)
        .i(layout.vertices);
    s.s(r#","type":"VEC3","min":["#)
        .f3(min, ",")
        .s(r#"],"max":["#)
        .f3(max, ",")
        .s("]},");
    if layout.normals {
        s.s(r#"{"bufferView":1,"componentType":5126,"count":"#)
            .i(layout.vertices);
        s.s(r#","type":"VEC3"},"#);
    }
    s.s(r#"{"bufferView":"#)
        .i(views - 1)
        .s(r#","componentType":5125,"count":"#)
        .i(layout.triangles * 3);
    s.s(r#","type":"SCALAR"}],"bufferViews":["#);
    let mut offset = 0;
    for k in 0..views {
        let (len, target) = if k + 1 == views {
            (layout.index_bytes(), 34963)
        } else {
            (layout.vec3_bytes(), 34962)
        };
        if k > 0 {
            s.s(",");
        }
        s.s(r#"{"buffer":0,"byteOffset":"#)
            .i(offset)
            .s(r#","byteLength":"#)
            .i(len);
        s.s(r#","target":"#).i(target).s("}");
        offset += len;
    }
    s.s(r#"],"buffers":[{"byteLength":"#)
        .i(layout.buffer_bytes());
}

/// The JSON of a document with no geometry.
const EMPTY_JSON: &str = r#"{"asset":{"version":"2.0","generator":"ai-modeler","extras":{"units":"metres","upAxis":"+Y"}},"scene":0,"scenes":[{"name":"ai-modeler"}]}"#;

/// Writes the buffer: positions, normals, indices.
fn payload(mesh: &Mesh, layout: &Layout, w: &mut dyn io::Write) -> io::Result<()> {
    encode(w, mesh.positions.iter().copied(), f32x3)?;
    if layout.normals {
        encode(w, mesh.normals.iter().copied(), |n| {
            f32x3(unit(n).unwrap_or_default())
        })?;
    }
    encode(w, mesh.triangles.iter().copied(), u32x3)
}

impl Exporter for Gltf {
    fn info(&self) -> &'static FormatInfo {
        &GLTF
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let mut s = Sink::new(out);
        let Some(layout) = Layout::of(mesh) else {
            s.s(EMPTY_JSON);
            return s.finish();
        };
        json_head(&mut s, mesh, &layout);
        s.s(r#","uri":"data:application/octet-stream;base64,"#);
        let mut base64 = base64::write::EncoderWriter::new(&mut s, &STANDARD);
        payload(mesh, &layout, &mut base64)?;
        base64.finish()?;
        drop(base64);
        s.s(r#""}]}"#);
        s.finish()
    }
}

impl Exporter for Glb {
    fn info(&self) -> &'static FormatInfo {
        &GLB
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        let layout = Layout::of(mesh);
        let mut json = Vec::new();
        {
            let mut s = Sink::new(&mut json);
            match &layout {
                Some(layout) => {
                    json_head(&mut s, mesh, layout);
                    s.s("}]}");
                }
                None => {
                    s.s(EMPTY_JSON);
                }
            }
            s.finish()?;
        }
        json.resize(json.len().next_multiple_of(4), b' ');
        let bin = layout.as_ref().map_or(0, Layout::buffer_bytes);
        // Every buffer record is 12 bytes, so the BIN chunk needs no padding.
        debug_assert_eq!(bin % 4, 0);
        let total = 12 + 8 + json.len() + if bin > 0 { 8 + bin } else { 0 };
        let too_big = || invalid("a GLB file is limited to 4 GiB");
        let total = u32::try_from(total).map_err(|_| too_big())?;
        let json_len = u32::try_from(json.len()).map_err(|_| too_big())?;
        let mut s = Sink::new(out);
        s.b(b"glTF").b(&2u32.to_le_bytes()).b(&total.to_le_bytes());
        s.b(&json_len.to_le_bytes()).b(b"JSON").b(&json);
        if let Some(layout) = &layout {
            let bin = u32::try_from(bin).map_err(|_| too_big())?;
            s.b(&bin.to_le_bytes()).b(b"BIN\0");
            payload(mesh, layout, &mut s)?;
        }
        s.finish()
    }
}
