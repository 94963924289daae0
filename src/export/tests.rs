//! Unit tests of the registry and of each format's structure, read back by
//! small parsers here. `tests/export_readers.rs` checks the files with real
//! outside readers.

use std::io::Read;

use super::*;

/// A closed tetrahedron, outward counter-clockwise, with unit normals.
fn tetra() -> Mesh {
    let positions = vec![
        [0.0, 0.0, 0.0],
        [1.0, 0.0, 0.0],
        [0.0, 2.0, 0.0],
        [0.0, 0.0, 3.5],
    ];
    let normals = positions
        .iter()
        .map(|p: &[f32; 3]| {
            let c = [0.25, 0.5, 0.875];
            let d = [0, 1, 2].map(|k| p[k] - c[k]);
            let len = (d[0] * d[0] + d[1] * d[1] + d[2] * d[2]).sqrt();
            d.map(|x| x / len)
        })
        .collect();
    Mesh {
        positions,
        normals,
        triangles: vec![[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]],
    }
}

/// The same without normals, and with awkward numbers (shortest forms with
/// exponents, negative zero, a tiny value).
fn tetra_bare() -> Mesh {
    let mut m = tetra();
    m.normals.clear();
    m.positions[0] = [-0.0, 1e-7, 0.1];
    m.positions[3] = [123456.79, -3.5e-12, 1e20];
    m
}

fn write(name: &str, mesh: &Mesh) -> Vec<u8> {
    let mut out = Vec::new();
    by_name(name)
        .expect("format")
        .write(mesh, &mut out)
        .expect("write");
    out
}

fn text(name: &str, mesh: &Mesh) -> String {
    String::from_utf8(write(name, mesh)).expect("UTF-8")
}

fn le_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn le_u16(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().expect("2 bytes"))
}

fn le_f32(b: &[u8], at: usize) -> f32 {
    f32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn floats(words: &[&str]) -> Vec<f32> {
    words.iter().map(|w| w.parse().expect("float")).collect()
}

#[test]
fn registry_lists_fifteen_formats_in_api_order() {
    let expected = [
        "obj",
        "stl",
        "stl_ascii",
        "ply",
        "ply_ascii",
        "gltf",
        "glb",
        "3mf",
        "off",
        "usda",
        "x3d",
        "dae",
        "dxf",
        "fbx",
        "amf",
    ];
    assert_eq!(names(), expected);
    let extensions: Vec<_> = formats().iter().map(|e| e.info().extension).collect();
    assert_eq!(
        extensions,
        [
            "obj", "stl", "stl", "ply", "ply", "gltf", "glb", "3mf", "off", "usda", "x3d", "dae",
            "dxf", "fbx", "amf"
        ]
    );
    for e in formats() {
        let i = e.info();
        assert!(i.mime.contains('/'), "{}", i.name);
        for s in [i.units, i.up_axis, i.description] {
            assert!(!s.is_empty() && !s.contains('\n'), "{}", i.name);
        }
    }
}

#[test]
fn lookups_ignore_case_and_prefer_binary() {
    assert_eq!(by_name("GLB").map(|e| e.info().name), Some("glb"));
    assert_eq!(
        by_name("Stl_Ascii").map(|e| e.info().name),
        Some("stl_ascii")
    );
    assert!(by_name("stp").is_none());
    assert_eq!(by_extension("STL").map(|e| e.info().name), Some("stl"));
    assert_eq!(by_extension(".ply").map(|e| e.info().name), Some("ply"));
    assert_eq!(by_extension(".3MF").map(|e| e.info().name), Some("3mf"));
    assert!(by_extension("..obj").is_none());
    assert!(by_extension("").is_none());
}

#[test]
fn every_format_writes_every_mesh_deterministically() {
    let odd_normals = Mesh {
        normals: vec![[0.0, 1.0, 0.0]],
        ..tetra()
    };
    let zero_normal = Mesh {
        normals: vec![[0.0; 3]; 4],
        ..tetra()
    };
    let loose_vertices = Mesh {
        positions: vec![[1.0, 2.0, 3.0]],
        ..Mesh::empty()
    };
    let meshes = [
        Mesh::empty(),
        tetra(),
        tetra_bare(),
        odd_normals,
        zero_normal,
        loose_vertices,
    ];
    for e in formats() {
        for (k, mesh) in meshes.iter().enumerate() {
            let mut a = Vec::new();
            let mut b = Vec::new();
            e.write(mesh, &mut a)
                .unwrap_or_else(|err| panic!("{} mesh {k}: {err}", e.info().name));
            e.write(mesh, &mut b).expect("second write");
            assert!(!a.is_empty(), "{} mesh {k}", e.info().name);
            assert_eq!(a, b, "{} mesh {k} is not deterministic", e.info().name);
            if !e.info().binary {
                assert!(
                    std::str::from_utf8(&a).is_ok(),
                    "{} mesh {k}",
                    e.info().name
                );
            }
        }
    }
}

#[test]
fn every_format_refuses_broken_meshes_without_panicking() {
    let out_of_range = Mesh {
        triangles: vec![[0, 1, 4]],
        ..tetra()
    };
    let mut nan = tetra();
    nan.positions[2][1] = f32::NAN;
    let mut infinite_normal = tetra();
    infinite_normal.normals[1][0] = f32::INFINITY;
    for e in formats() {
        for (k, mesh) in [&out_of_range, &nan, &infinite_normal]
            .into_iter()
            .enumerate()
        {
            let err = e.write(mesh, &mut Vec::new()).expect_err(e.info().name);
            assert_eq!(
                err.kind(),
                io::ErrorKind::InvalidInput,
                "{} case {k}",
                e.info().name
            );
        }
    }
    let far = Mesh {
        positions: vec![[3e38, 0.0, 0.0]; 3],
        normals: vec![],
        triangles: vec![[0, 1, 2]],
    };
    let err = by_name("3mf")
        .expect("3mf")
        .write(&far, &mut Vec::new())
        .expect_err("past f32 in mm");
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
}

#[test]
fn face_normals_follow_the_right_hand_rule() {
    assert_eq!(
        face_normal([0.0; 3], [2.0, 0.0, 0.0], [0.0, 3.0, 0.0]),
        [0.0, 0.0, 1.0]
    );
    assert_eq!(
        face_normal([0.0; 3], [0.0, 3.0, 0.0], [2.0, 0.0, 0.0]),
        [0.0, 0.0, -1.0]
    );
    assert_eq!(face_normal([1.0; 3], [1.0; 3], [2.0, 0.0, 0.0]), [0.0; 3]);
    // The axis change is a rotation: it keeps the right-hand rule.
    let (a, b, c) = ([0.0; 3], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]);
    let n = face_normal(y_up_to_z_up(a), y_up_to_z_up(b), y_up_to_z_up(c));
    assert_eq!(n, y_up_to_z_up(face_normal(a, b, c)));
}

#[test]
fn obj_reads_back_exactly() {
    for mesh in [tetra(), tetra_bare()] {
        let t = text("obj", &mesh);
        assert!(t.contains("units: metres; up axis: +Y"));
        let (mut v, mut vn, mut f) = (vec![], vec![], vec![]);
        for line in t.lines() {
            let w: Vec<&str> = line.split_whitespace().collect();
            match w.first() {
                Some(&"v") => v.push(floats(&w[1..])),
                Some(&"vn") => vn.push(floats(&w[1..])),
                Some(&"f") => f.push(
                    w[1..]
                        .iter()
                        .map(|c| {
                            let (a, b) = c.split_once("//").unwrap_or((c, c));
                            assert_eq!(a, b, "vertex and normal indices agree");
                            a.parse::<u32>().expect("index") - 1
                        })
                        .collect::<Vec<_>>(),
                ),
                _ => {}
            }
        }
        assert_eq!(
            v,
            mesh.positions
                .iter()
                .map(|p| p.to_vec())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            vn,
            mesh.normals.iter().map(|p| p.to_vec()).collect::<Vec<_>>()
        );
        assert_eq!(
            f,
            mesh.triangles
                .iter()
                .map(|t| t.to_vec())
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn off_reads_back_exactly() {
    let mesh = tetra_bare();
    let t = text("off", &mesh);
    let mut lines = t.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(lines.next(), Some("OFF"));
    assert_eq!(lines.next(), Some("4 4 0"));
    for p in &mesh.positions {
        let w: Vec<&str> = lines.next().expect("vertex").split(' ').collect();
        assert_eq!(floats(&w), p.to_vec());
    }
    for tri in &mesh.triangles {
        assert_eq!(
            lines.next(),
            Some(format!("3 {} {} {}", tri[0], tri[1], tri[2]).as_str())
        );
    }
    assert_eq!(lines.next(), None);
}

#[test]
fn ply_ascii_reads_back_exactly() {
    let mesh = tetra();
    let t = text("ply_ascii", &mesh);
    let (header, body) = t.split_once("end_header\n").expect("header");
    assert!(header.starts_with("ply\nformat ascii 1.0\n"));
    assert!(header.contains("element vertex 4\n") && header.contains("property float nz\n"));
    assert!(header.contains("element face 4\nproperty list uchar int vertex_indices\n"));
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 8);
    for (k, p) in mesh.positions.iter().enumerate() {
        let w: Vec<&str> = lines[k].split(' ').collect();
        assert_eq!(floats(&w[..3]), p.to_vec());
        assert_eq!(floats(&w[3..]), mesh.normals[k].to_vec());
    }
    assert_eq!(lines[4], "3 0 2 1");
}

#[test]
fn ply_binary_has_the_sizes_its_header_states() {
    for (mesh, stride) in [(tetra(), 24), (tetra_bare(), 12)] {
        let b = write("ply", &mesh);
        let end = b
            .windows(11)
            .position(|w| w == b"end_header\n")
            .expect("header end")
            + 11;
        assert_eq!(b.len(), end + 4 * stride + 4 * 13);
        assert_eq!(le_f32(&b, end + stride * 3 + 8), mesh.positions[3][2]);
        let faces = end + 4 * stride;
        assert_eq!(b[faces], 3);
        assert_eq!(
            [
                le_u32(&b, faces + 1),
                le_u32(&b, faces + 5),
                le_u32(&b, faces + 9)
            ],
            [0, 2, 1]
        );
    }
}

#[test]
fn binary_stl_is_84_plus_50_per_triangle() {
    let mesh = tetra();
    let b = write("stl", &mesh);
    assert_eq!(b.len(), 84 + 50 * 4);
    assert!(!b.starts_with(b"solid"));
    assert!(b[..80].starts_with(b"ai-modeler binary STL; units: metres; up axis: +Y"));
    assert_eq!(le_u32(&b, 80), 4);
    // Facet 0 is (0, 2, 1) in the z = 0 plane, facing -z.
    let f = 84;
    assert_eq!(
        [le_f32(&b, f), le_f32(&b, f + 4), le_f32(&b, f + 8)],
        [0.0, 0.0, -1.0]
    );
    assert_eq!(
        [le_f32(&b, f + 12 + 12), le_f32(&b, f + 12 + 16)],
        [0.0, 2.0]
    );
    assert_eq!(le_u16(&b, f + 48), 0);
    assert_eq!(write("stl", &Mesh::empty()).len(), 84);
}

#[test]
fn ascii_stl_has_a_facet_per_triangle() {
    let t = text("stl_ascii", &tetra());
    assert!(t.starts_with("solid ai-modeler_units=metres_up=+Y\n"));
    assert!(t.ends_with("endsolid ai-modeler_units=metres_up=+Y\n"));
    assert_eq!(t.matches("facet normal").count(), 4);
    assert_eq!(t.matches("vertex ").count(), 12);
    assert!(t.contains("facet normal 0.0 0.0 -1.0\n"));
}

/// The JSON and BIN chunks of a GLB, checking the container on the way.
fn glb_chunks(b: &[u8]) -> (serde_json::Value, Option<&[u8]>) {
    assert_eq!(&b[..4], b"glTF");
    assert_eq!(le_u32(b, 4), 2);
    assert_eq!(le_u32(b, 8) as usize, b.len());
    let json_len = le_u32(b, 12) as usize;
    assert_eq!(&b[16..20], b"JSON");
    assert_eq!(json_len % 4, 0);
    let json = &b[20..20 + json_len];
    let doc: serde_json::Value = serde_json::from_slice(json).expect("JSON chunk");
    assert!(json.iter().rev().take_while(|&&c| c == b' ').count() < 4);
    let rest = &b[20 + json_len..];
    if rest.is_empty() {
        return (doc, None);
    }
    let bin_len = le_u32(rest, 0) as usize;
    assert_eq!(&rest[4..8], b"BIN\0");
    assert_eq!(bin_len % 4, 0);
    assert_eq!(rest.len(), 8 + bin_len);
    (doc, Some(&rest[8..]))
}

/// Positions and triangles from a glTF document and its buffer.
fn gltf_geometry(doc: &serde_json::Value, buffer: &[u8]) -> (Vec<[f32; 3]>, Vec<[u32; 3]>) {
    assert_eq!(doc["asset"]["version"], "2.0");
    assert_eq!(
        doc["buffers"][0]["byteLength"].as_u64(),
        Some(buffer.len() as u64)
    );
    let prim = &doc["meshes"][0]["primitives"][0];
    let view = |accessor: &serde_json::Value| {
        let v = &doc["bufferViews"][accessor["bufferView"].as_u64().expect("view") as usize];
        let (at, len) = (
            v["byteOffset"].as_u64().expect("offset") as usize,
            v["byteLength"].as_u64().expect("len"),
        );
        assert_eq!(at % 4, 0);
        &buffer[at..at + len as usize]
    };
    let pos =
        &doc["accessors"][prim["attributes"]["POSITION"].as_u64().expect("POSITION") as usize];
    let positions: Vec<[f32; 3]> = view(pos)
        .chunks(12)
        .map(|c| [le_f32(c, 0), le_f32(c, 4), le_f32(c, 8)])
        .collect();
    let min: Vec<f32> = pos["min"]
        .as_array()
        .expect("min")
        .iter()
        .map(|v| v.as_f64().expect("f") as f32)
        .collect();
    let bounds = Mesh {
        positions: positions.clone(),
        ..Mesh::empty()
    }
    .bounds()
    .expect("bounds");
    assert_eq!(min, bounds.0.to_vec());
    let idx = &doc["accessors"][prim["indices"].as_u64().expect("indices") as usize];
    assert_eq!(idx["componentType"], 5125);
    let triangles = view(idx)
        .chunks(12)
        .map(|c| [le_u32(c, 0), le_u32(c, 4), le_u32(c, 8)])
        .collect();
    (positions, triangles)
}

#[test]
fn glb_chunks_are_aligned_and_hold_the_mesh() {
    let mesh = tetra_bare();
    let b = write("glb", &mesh);
    let (doc, bin) = glb_chunks(&b);
    let (positions, triangles) = gltf_geometry(&doc, bin.expect("BIN chunk"));
    assert_eq!(
        (positions, triangles),
        (mesh.positions.clone(), mesh.triangles.clone())
    );
    assert!(
        doc["meshes"][0]["primitives"][0]["attributes"]
            .get("NORMAL")
            .is_none()
    );

    let with_normals = write("glb", &tetra());
    let (doc, bin) = glb_chunks(&with_normals);
    assert_eq!(doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"], 1);
    assert!(bin.is_some());

    let empty = write("glb", &Mesh::empty());
    let (doc, bin) = glb_chunks(&empty);
    assert!(bin.is_none() && doc.get("buffers").is_none() && doc.get("meshes").is_none());
    assert_eq!(doc["scenes"][0]["nodes"], serde_json::Value::Null);
}

#[test]
fn gltf_embeds_its_buffer_as_a_data_uri() {
    use base64::Engine;
    let mesh = tetra();
    let doc: serde_json::Value = serde_json::from_slice(&write("gltf", &mesh)).expect("JSON");
    let uri = doc["buffers"][0]["uri"].as_str().expect("uri");
    let data = uri
        .strip_prefix("data:application/octet-stream;base64,")
        .expect("data URI");
    let buffer = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    let (positions, triangles) = gltf_geometry(&doc, &buffer);
    assert_eq!(
        (positions, triangles),
        (mesh.positions.clone(), mesh.triangles.clone())
    );
    // Normals come out unit length even when they went in slightly off.
    let mut off = tetra();
    off.normals[0] = [0.0, 0.0, 2.0];
    let doc: serde_json::Value = serde_json::from_slice(&write("gltf", &off)).expect("JSON");
    let data = doc["buffers"][0]["uri"]
        .as_str()
        .expect("uri")
        .split_once(',')
        .expect(",")
        .1;
    let buffer = base64::engine::general_purpose::STANDARD
        .decode(data)
        .expect("base64");
    assert_eq!(
        [
            le_f32(&buffer, 48),
            le_f32(&buffer, 52),
            le_f32(&buffer, 56)
        ],
        [0.0, 0.0, 1.0]
    );
    // A normal with no direction drops them all rather than fail validation.
    let zero = Mesh {
        normals: vec![[0.0; 3]; 4],
        ..tetra()
    };
    let doc: serde_json::Value = serde_json::from_slice(&write("gltf", &zero)).expect("JSON");
    assert!(
        doc["meshes"][0]["primitives"][0]["attributes"]
            .get("NORMAL")
            .is_none()
    );
}

/// The parts of a zip archive, checking headers, sizes and CRCs.
fn unzip(b: &[u8]) -> Vec<(String, Vec<u8>)> {
    let eocd = b.len() - 22;
    assert_eq!(le_u32(b, eocd), 0x0605_4b50);
    let count = le_u16(b, eocd + 10) as usize;
    let mut at = le_u32(b, eocd + 16) as usize;
    assert_eq!(at + le_u32(b, eocd + 12) as usize, eocd);
    let mut parts = vec![];
    for _ in 0..count {
        assert_eq!(le_u32(b, at), 0x0201_4b50);
        let (crc, csize, size) = (
            le_u32(b, at + 16),
            le_u32(b, at + 20) as usize,
            le_u32(b, at + 24) as usize,
        );
        let name_len = le_u16(b, at + 28) as usize;
        let name = String::from_utf8(b[at + 46..at + 46 + name_len].to_vec()).expect("name");
        let local = le_u32(b, at + 42) as usize;
        assert_eq!(le_u32(b, local), 0x0403_4b50);
        assert_eq!(
            &b[local + 14..local + 26],
            &b[at + 16..at + 28],
            "local and central sizes agree"
        );
        let data = local + 30 + le_u16(b, local + 26) as usize;
        let mut out = Vec::new();
        flate2::read::DeflateDecoder::new(&b[data..data + csize])
            .read_to_end(&mut out)
            .expect("inflate");
        assert_eq!(out.len(), size);
        assert_eq!(crc32fast::hash(&out), crc);
        parts.push((name, out));
        at += 46 + name_len;
    }
    parts
}

#[test]
fn threemf_is_a_zip_of_the_three_parts_in_millimetres_z_up() {
    let parts = unzip(&write("3mf", &tetra()));
    let names: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        names,
        ["[Content_Types].xml", "_rels/.rels", "3D/3dmodel.model"]
    );
    let model = String::from_utf8(parts[2].1.clone()).expect("UTF-8");
    assert!(model.contains(r#"unit="millimeter""#));
    assert!(model.contains("http://schemas.microsoft.com/3dmanufacturing/core/2015/02"));
    // (0, 0, 3.5) m -> (0, -3500, 0) mm; (0, 2, 0) m -> (0, 0, 2000) mm.
    assert!(model.contains(r#"<vertex x="0.0" y="-3500.0" z="0.0"/>"#));
    assert!(model.contains(r#"<vertex x="0.0" y="-0.0" z="2000.0"/>"#));
    assert_eq!(model.matches("<triangle ").count(), 4);
    assert!(model.contains(r#"<item objectid="1"/>"#));

    // A triangle naming a vertex twice is left out (3MF forbids it); with
    // only such triangles the model is empty.
    let mut degenerate = tetra();
    degenerate.triangles.push([1, 1, 2]);
    let parts = unzip(&write("3mf", &degenerate));
    assert_eq!(
        String::from_utf8_lossy(&parts[2].1)
            .matches("<triangle ")
            .count(),
        4
    );
    let only_degenerate = Mesh {
        triangles: vec![[0, 0, 1]],
        ..tetra()
    };
    let parts = unzip(&write("3mf", &only_degenerate));
    assert!(String::from_utf8_lossy(&parts[2].1).contains("<build/>"));

    let empty = unzip(&write("3mf", &Mesh::empty()));
    let model = String::from_utf8(empty[2].1.clone()).expect("UTF-8");
    assert!(model.contains("<resources/>") && model.contains("<build/>"));
}

#[test]
fn dxf_has_a_3dface_per_triangle_in_metres_z_up() {
    let t = text("dxf", &tetra());
    assert!(t.contains("$INSUNITS\n70\n6\n"));
    assert_eq!(t.matches("\n3DFACE\n").count(), 4);
    assert!(t.ends_with("0\nEOF\n"));
    // The extents of the rotated box: y' = -z in [-3.5, 0], z' = y in [0, 2].
    assert!(t.contains("$EXTMIN\n10\n0.0\n20\n-3.5\n30\n0.0\n"));
    assert!(t.contains("$EXTMAX\n10\n1.0\n20\n-0.0\n30\n2.0\n"));
    // Every group code is followed by its value: pairs of lines.
    assert_eq!(t.lines().count() % 2, 0);
}

#[test]
fn usda_states_metres_and_y_up() {
    let t = text("usda", &tetra());
    assert!(t.starts_with("#usda 1.0\n"));
    for s in [
        "metersPerUnit = 1",
        "upAxis = \"Y\"",
        "int[] faceVertexCounts = [3, 3, 3, 3]",
        "interpolation = \"vertex\"",
    ] {
        assert!(t.contains(s), "{s}");
    }
    assert!(t.contains("int[] faceVertexIndices = [0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]"));
    assert!(t.contains("float3[] extent = [(0.0, 0.0, 0.0), (1.0, 2.0, 3.5)]"));
}

#[test]
fn xml_formats_state_units_and_axis() {
    let mesh = tetra();
    let x3d = text("x3d", &mesh);
    assert!(x3d.contains(r#"index="0 2 1 0 1 3 0 3 2 1 2 3""#) && x3d.contains("<Normal vector="));
    let dae = text("dae", &mesh);
    assert!(
        dae.contains(r#"<unit meter="1" name="meter"/>"#)
            && dae.contains("<up_axis>Y_UP</up_axis>")
    );
    assert!(
        dae.contains(r#"<triangles count="4">"#)
            && dae.contains(r#"<float_array id="mesh-positions-array" count="12">"#)
    );
    let amf = text("amf", &mesh);
    assert!(amf.contains(r#"<amf unit="meter""#));
    assert_eq!(amf.matches("<triangle>").count(), 4);
    assert_eq!(amf.matches("<vertex>").count(), 4);
}

/// Walks FBX node records from `at` to the null record closing the list,
/// checking every end offset; returns the names seen and where the list ends.
fn fbx_nodes(b: &[u8], mut at: usize, names: &mut Vec<String>) -> usize {
    loop {
        let end = le_u32(b, at) as usize;
        let (props, props_len, name_len) = (
            le_u32(b, at + 4),
            le_u32(b, at + 8) as usize,
            b[at + 12] as usize,
        );
        if end == 0 {
            assert_eq!(
                (props, props_len, name_len),
                (0, 0, 0),
                "null record at {at}"
            );
            return at + 13;
        }
        names.push(String::from_utf8(b[at + 13..at + 13 + name_len].to_vec()).expect("name"));
        let children = at + 13 + name_len + props_len;
        if children < end {
            assert_eq!(
                fbx_nodes(b, children, names),
                end,
                "children of {}",
                names.last().expect("name")
            );
        } else {
            assert_eq!(children, end);
        }
        at = end;
    }
}

#[test]
fn fbx_records_chain_and_the_footer_aligns() {
    for mesh in [tetra(), Mesh::empty()] {
        let b = write("fbx", &mesh);
        assert_eq!(&b[..23], b"Kaydara FBX Binary  \0\x1a\0");
        assert_eq!(le_u32(&b, 23), 7400);
        let mut names = vec![];
        let end = fbx_nodes(&b, 27, &mut names);
        assert_eq!(b.len() % 16, 0);
        assert_eq!(le_u32(&b, b.len() - 140), 7400);
        assert_eq!(&b[b.len() - 16..], &fbx::FOOTER_MAGIC);
        assert_eq!(&b[end..end + 16], &fbx::FOOTER_ID);
        for n in [
            "FBXHeaderExtension",
            "GlobalSettings",
            "Definitions",
            "Objects",
            "Connections",
            "UpAxis",
        ] {
            let want = if n == "UpAxis" { "P" } else { n };
            assert!(names.iter().any(|x| x == want), "{n}");
        }
        let has = |n: &str| names.iter().any(|x| x == n);
        assert_eq!(has("Geometry"), !mesh.is_empty());
        assert_eq!(has("LayerElementNormal"), !mesh.is_empty());
    }
    // The polygon indices: the last corner of each triangle as its bitwise not.
    let b = write("fbx", &tetra());
    let at = b
        .windows(18)
        .position(|w| w == b"PolygonVertexIndex")
        .expect("PolygonVertexIndex")
        + 18;
    assert_eq!(b[at], b'i');
    assert_eq!(le_u32(&b, at + 1), 12);
    let first: Vec<i32> = (0..3).map(|k| le_u32(&b, at + 13 + 4 * k) as i32).collect();
    assert_eq!(first, [0, 2, -2]);
}
