//! FBX, binary, version 7.4 (the version most FBX readers know; 32-bit record
//! offsets, so a file is at most 4 GiB, about 40 million triangles here).
//!
//! Records are nodes: end offset, property count, property bytes, name,
//! properties (typed: `I` i32, `L` i64, `D` f64, `S` string, `R` raw bytes,
//! `d`/`i` arrays, written uncompressed), child nodes, and a 13-byte null
//! record closing any node that has children or no properties. Every size is
//! known before writing (the arrays are views of the mesh), so the file
//! streams out front to back with no buffering of the geometry.
//!
//! Content: `FBXHeaderExtension`, the file id and creation time (the fixed
//! 1970 time and the matching id and footer code that other third-party
//! writers use, so the file depends only on the mesh), `GlobalSettings`
//! stating +Y up (`UpAxis` 1, +Z front, +X right) and metres
//! (`UnitScaleFactor` 100: FBX counts in centimetres), `Definitions`,
//! `Objects` with one `Geometry` (`Vertices`, `PolygonVertexIndex` with the
//! last corner of each triangle stored as its bitwise not, and a
//! `LayerElementNormal` mapped `ByVertice`/`Direct`) and one `Model`, and the
//! `Connections` geometry -> model -> scene root. The empty mesh has no
//! objects.

use std::borrow::Cow;
use std::io;

use super::payload::{encode, f64x3, u32x3};
use super::sink::Sink;
use super::{Exporter, FormatInfo, check, check_i32_indices, invalid, normals};
use crate::mesh::Mesh;

pub(super) struct Fbx;

static INFO: FormatInfo = FormatInfo {
    name: "fbx",
    extension: "fbx",
    // FBX has no registered MIME type.
    mime: "application/octet-stream",
    binary: true,
    normals: true,
    units: "metres (stated: UnitScaleFactor 100, FBX's unit being the centimetre)",
    up_axis: "Y (stated: UpAxis 1)",
    description: "binary FBX 7.4: a mesh model for Autodesk tools, Unity, Unreal and Blender",
};

const VERSION: u32 = 7400;
const MAGIC: &[u8; 23] = b"Kaydara FBX Binary  \0\x1a\0";
const CREATION_TIME: &str = "1970-01-01 10:00:00:000";
const FILE_ID: [u8; 16] = [
    0x28, 0xb3, 0x2a, 0xeb, 0xb6, 0x24, 0xcc, 0xc2, 0xbf, 0xc8, 0xb0, 0x2a, 0xa9, 0x2b, 0xfc, 0xf1,
];
pub(super) const FOOTER_ID: [u8; 16] = [
    0xfa, 0xbc, 0xab, 0x09, 0xd0, 0xc8, 0xd4, 0x66, 0xb1, 0x76, 0xfb, 0x83, 0x1c, 0xf7, 0x26, 0x7e,
];
pub(super) const FOOTER_MAGIC: [u8; 16] = [
    0xf8, 0x5a, 0x8c, 0x6a, 0xde, 0xf5, 0xd9, 0x7e, 0xec, 0xe9, 0x0c, 0xe3, 0x75, 0x8f, 0x29, 0x0b,
];
/// A 7.4 null record: end offset, property count, property bytes (u32 each), name length.
const NULL_RECORD: [u8; 13] = [0; 13];
const GEOMETRY_ID: i64 = 1_000_001;
const MODEL_ID: i64 = 1_000_002;

/// A node property.
enum Prop<'a> {
    I32(i32),
    I64(i64),
    F64(f64),
    Str(Cow<'a, str>),
    Raw(&'a [u8]),
    /// A `d` array: the vectors' components as f64.
    Vec3s(&'a [[f32; 3]]),
    /// An `i` array: the corners, each triangle's last one as its bitwise not.
    Polygons(&'a [[u32; 3]]),
}

impl Prop<'_> {
    fn size(&self) -> u64 {
        1 + match self {
            Prop::I32(_) => 4,
            Prop::I64(_) | Prop::F64(_) => 8,
            Prop::Str(s) => 4 + s.len() as u64,
            Prop::Raw(b) => 4 + b.len() as u64,
            Prop::Vec3s(v) => 12 + 24 * v.len() as u64,
            Prop::Polygons(t) => 12 + 12 * t.len() as u64,
        }
    }

    fn write(&self, s: &mut Sink<'_>) -> io::Result<()> {
        // Lengths fit in u32: the whole file was checked to.
        match self {
            Prop::I32(v) => s.b(b"I").b(&v.to_le_bytes()),
            Prop::I64(v) => s.b(b"L").b(&v.to_le_bytes()),
            Prop::F64(v) => s.b(b"D").b(&v.to_le_bytes()),
            Prop::Str(v) => s.b(b"S").b(&(v.len() as u32).to_le_bytes()).b(v.as_bytes()),
            Prop::Raw(v) => s.b(b"R").b(&(v.len() as u32).to_le_bytes()).b(v),
            Prop::Vec3s(v) => {
                array_header(s, b'd', v.len(), 24);
                return encode(s, v.iter().copied(), f64x3);
            }
            Prop::Polygons(t) => {
                array_header(s, b'i', t.len(), 12);
                // Indices fit in i32 (checked), so the u32 bits are the i32
                // bits, and `!c` has the bits of the i32 `-(c + 1)`.
                return encode(s, t.iter().copied(), |[a, b, c]| u32x3([a, b, !c]));
            }
        };
        Ok(())
    }
}

/// Type code, element count, encoding 0 (uncompressed), byte length, for
/// `items` triples of `triple_bytes` bytes.
fn array_header(s: &mut Sink<'_>, code: u8, items: usize, triple_bytes: usize) {
    let count = (items * 3) as u32;
    s.b(&[code])
        .b(&count.to_le_bytes())
        .b(&0u32.to_le_bytes())
        .b(&((items * triple_bytes) as u32).to_le_bytes());
}

struct Node<'a> {
    name: &'static str,
    props: Vec<Prop<'a>>,
    children: Vec<Node<'a>>,
}

fn node<'a>(name: &'static str, props: Vec<Prop<'a>>, children: Vec<Node<'a>>) -> Node<'a> {
    Node {
        name,
        props,
        children,
    }
}

fn leaf<'a>(name: &'static str, prop: Prop<'a>) -> Node<'a> {
    node(name, vec![prop], vec![])
}

fn text(s: &str) -> Prop<'_> {
    Prop::Str(Cow::Borrowed(s))
}

/// A `P` entry of a `Properties70` table.
fn p<'a>(name: &'a str, kind: &'a str, label: &'a str, value: Prop<'a>) -> Node<'a> {
    node(
        "P",
        vec![text(name), text(kind), text(label), text(""), value],
        vec![],
    )
}

impl Node<'_> {
    fn closes_with_null(&self) -> bool {
        !self.children.is_empty() || self.props.is_empty()
    }

    fn size(&self) -> u64 {
        13 + self.name.len() as u64
            + self.props.iter().map(Prop::size).sum::<u64>()
            + self.children.iter().map(Node::size).sum::<u64>()
            + if self.closes_with_null() { 13 } else { 0 }
    }

    /// Writes the node starting at file offset `at`.
    fn write(&self, s: &mut Sink<'_>, at: u64) -> io::Result<()> {
        let end = at + self.size();
        let props: u64 = self.props.iter().map(Prop::size).sum();
        s.b(&(end as u32).to_le_bytes())
            .b(&(self.props.len() as u32).to_le_bytes());
        s.b(&(props as u32).to_le_bytes())
            .b(&[self.name.len() as u8])
            .s(self.name);
        for prop in &self.props {
            prop.write(s)?;
        }
        let mut child_at = at + 13 + self.name.len() as u64 + props;
        for child in &self.children {
            child.write(s, child_at)?;
            child_at += child.size();
            s.flush_if_full()?;
        }
        if self.closes_with_null() {
            s.b(&NULL_RECORD);
        }
        Ok(())
    }
}

/// The document's top-level nodes.
fn document(mesh: &Mesh) -> Vec<Node<'_>> {
    let int = |name, v| leaf(name, Prop::I32(v));
    let stamp = [
        ("Version", 1000),
        ("Year", 1970),
        ("Month", 1),
        ("Day", 1),
        ("Hour", 10),
    ]
    .into_iter()
    .chain([("Minute", 0), ("Second", 0), ("Millisecond", 0)])
    .map(|(n, v)| int(n, v))
    .collect();
    let header = node(
        "FBXHeaderExtension",
        vec![],
        vec![
            int("FBXHeaderVersion", 1003),
            int("FBXVersion", VERSION as i32),
            int("EncryptionType", 0),
            node("CreationTimeStamp", vec![], stamp),
            leaf("Creator", text("ai-modeler")),
        ],
    );
    let axes = [
        ("UpAxis", 1),
        ("UpAxisSign", 1),
        ("FrontAxis", 2),
        ("FrontAxisSign", 1),
    ]
    .into_iter()
    .chain([
        ("CoordAxis", 0),
        ("CoordAxisSign", 1),
        ("OriginalUpAxis", 1),
        ("OriginalUpAxisSign", 1),
    ])
    .map(|(n, v)| p(n, "int", "Integer", Prop::I32(v)));
    let units = ["UnitScaleFactor", "OriginalUnitScaleFactor"]
        .map(|n| p(n, "double", "Number", Prop::F64(100.0)));
    let globals = node(
        "GlobalSettings",
        vec![],
        vec![
            int("Version", 1000),
            node("Properties70", vec![], axes.chain(units).collect()),
        ],
    );
    let geometry = !mesh.triangles.is_empty();
    let mut definitions = vec![
        int("Version", 100),
        int("Count", if geometry { 3 } else { 1 }),
    ];
    let mut objects = vec![];
    let mut connections = vec![];
    definitions.push(node(
        "ObjectType",
        vec![text("GlobalSettings")],
        vec![int("Count", 1)],
    ));
    if geometry {
        definitions.push(node(
            "ObjectType",
            vec![text("Model")],
            vec![int("Count", 1)],
        ));
        definitions.push(node(
            "ObjectType",
            vec![text("Geometry")],
            vec![int("Count", 1)],
        ));
        let mut layer_elements = vec![];
        let mut parts = vec![
            leaf("Vertices", Prop::Vec3s(&mesh.positions)),
            leaf("PolygonVertexIndex", Prop::Polygons(&mesh.triangles)),
            int("GeometryVersion", 124),
        ];
        if let Some(normals) = normals(mesh) {
            parts.push(node(
                "LayerElementNormal",
                vec![Prop::I32(0)],
                vec![
                    int("Version", 101),
                    leaf("Name", text("")),
                    leaf("MappingInformationType", text("ByVertice")),
                    leaf("ReferenceInformationType", text("Direct")),
                    leaf("Normals", Prop::Vec3s(normals)),
                ],
            ));
            layer_elements.push(node(
                "LayerElement",
                vec![],
                vec![
                    leaf("Type", text("LayerElementNormal")),
                    int("TypedIndex", 0),
                ],
            ));
        }
        let mut layer = vec![int("Version", 100)];
        layer.extend(layer_elements);
        parts.push(node("Layer", vec![Prop::I32(0)], layer));
        let name = |class: &str| Prop::Str(Cow::Owned(format!("mesh\0\x01{class}")));
        objects.push(node(
            "Geometry",
            vec![Prop::I64(GEOMETRY_ID), name("Geometry"), text("Mesh")],
            parts,
        ));
        objects.push(node(
            "Model",
            vec![Prop::I64(MODEL_ID), name("Model"), text("Mesh")],
            vec![
                int("Version", 232),
                node("Properties70", vec![], vec![]),
                leaf("Culling", text("CullingOff")),
            ],
        ));
        let link = |from, to| {
            node(
                "C",
                vec![text("OO"), Prop::I64(from), Prop::I64(to)],
                vec![],
            )
        };
        connections.push(link(GEOMETRY_ID, MODEL_ID));
        connections.push(link(MODEL_ID, 0));
    }
    vec![
        header,
        leaf("FileId", Prop::Raw(&FILE_ID)),
        leaf("CreationTime", text(CREATION_TIME)),
        leaf("Creator", text("ai-modeler")),
        globals,
        node("Definitions", vec![], definitions),
        node("Objects", vec![], objects),
        node("Connections", vec![], connections),
    ]
}

impl Exporter for Fbx {
    fn info(&self) -> &'static FormatInfo {
        &INFO
    }

    fn write(&self, mesh: &Mesh, out: &mut dyn io::Write) -> io::Result<()> {
        check(mesh)?;
        check_i32_indices(mesh, "FBX")?;
        let nodes = document(mesh);
        let body: u64 = nodes.iter().map(Node::size).sum();
        let end_of_nodes = MAGIC.len() as u64 + 4 + body + NULL_RECORD.len() as u64;
        // The footer: id, zeros to a 16-byte boundary, 4 zeros, version, 120 zeros, magic.
        let after_id = end_of_nodes + 16;
        let padding = (16 - after_id % 16) % 16;
        let total = after_id + padding + 4 + 4 + 120 + 16;
        if total > u64::from(u32::MAX) {
            return Err(invalid(
                "binary FBX 7.4 is limited to 4 GiB (32-bit record offsets)",
            ));
        }
        let mut s = Sink::new(out);
        s.b(MAGIC).b(&VERSION.to_le_bytes());
        let mut at = MAGIC.len() as u64 + 4;
        for n in &nodes {
            n.write(&mut s, at)?;
            at += n.size();
        }
        s.b(&NULL_RECORD)
            .b(&FOOTER_ID)
            .b(&[0; 16][..padding as usize])
            .b(&[0; 4]);
        s.b(&VERSION.to_le_bytes()).b(&[0; 120]).b(&FOOTER_MAGIC);
        debug_assert_eq!(at + 13 + 16 + padding + 4 + 4 + 120 + 16, total);
        s.finish()
    }
}
