//! Every export format, written from meshes of real trees (made by the
//! mesher, see [`test_meshes`]) and opened by real outside readers, which must
//! report the triangle count and bounding box that were written.
//!
//! Readers (installed by `.ci/run`; scripts in `tests/readers/`):
//! - assimp (`assimp info`, Debian package `assimp-utils`): every format but USDA;
//! - trimesh (PyPI): OBJ, STL (both), PLY (both), OFF, glTF, GLB. Not 3MF (it
//!   needs lxml), COLLADA (pycollada), DXF (read as 2-D paths), X3D, FBX, AMF
//!   and USDA, which it does not read;
//! - lib3mf (PyPI), strict mode: 3MF, and that it states millimetres;
//! - usd-core (PyPI, `pxr`): USDA, and that it states +Y up and metres;
//! - the Khronos glTF-Validator (npm `gltf-validator`, in `$AIM_READERS_DIR`):
//!   glTF and GLB, zero errors and zero warnings.
//!
//! The empty mesh must give a file every reader opens with no triangles,
//! with these exceptions, all assimp's: its post-processing refuses any
//! scene without a mesh ("No materials remaining" and the like), so assimp
//! opens empty files with `-r` (the importer alone); even so its STL, PLY,
//! OFF and DXF importers refuse a file with no geometry (listed with their
//! words in [`EMPTY_REFUSED`]), and its COLLADA importer stands a skeleton
//! placeholder mesh (a few triangles at the origin) in for a scene without
//! meshes ([`EMPTY_PLACEHOLDER`]). Every other reader opens every empty file
//! and finds nothing in it.
//!
//! A missing reader fails the test with how to install it, unless
//! `AIM_SKIP_OUTSIDE_READERS=1`, which skips that reader's checks with a loud
//! line on stderr. `AIM_EXPORT_KEEP=<dir>` keeps the written files there.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use ai_modeler::export;
use ai_modeler::mesh::check::{signed_volume, topology};
use ai_modeler::mesh::{Mesh, MeshSettings, Method, mesh};
use ai_modeler::sdf::compile::compile;
use ai_modeler::sdf::validate::Limits;
use serde_json::Value;

/// Cells along the longest side: fine enough for curved, thin and sharp
/// features, coarse enough that the whole test stays quick.
const RESOLUTION: u32 = 48;

/// Meshes of real trees, made by the mesher the service uses, one method each
/// so all three reach the readers: a sphere, the ALICE-SDF demo tree (smooth
/// blends, a carved box, rotations), a torus (genus 1), and an empty result
/// (the intersection of two disjoint spheres).
fn test_meshes() -> Vec<(&'static str, Mesh)> {
    let demo: Value =
        serde_json::from_str(include_str!("data/alice-demo.asdf.json")).expect("demo tree JSON");
    let disjoint = serde_json::json!({"Intersection": {
        "a": {"Translate": {"offset": [-2.0, 0.0, 0.0], "child": {"Sphere": {"radius": 0.5}}}},
        "b": {"Translate": {"offset": [2.0, 0.0, 0.0], "child": {"Sphere": {"radius": 0.5}}}},
    }});
    vec![
        (
            "sphere",
            mesh_of(
                serde_json::json!({"Sphere": {"radius": 1.0}}),
                Method::MarchingCubes,
            ),
        ),
        ("alice-demo", mesh_of(demo, Method::SurfaceNets)),
        (
            "torus",
            mesh_of(
                serde_json::json!({"Torus": {"major_radius": 1.0, "minor_radius": 0.3}}),
                Method::DualContouring,
            ),
        ),
        ("empty", mesh_of(disjoint, Method::SurfaceNets)),
    ]
}

/// The mesh of `tree` at [`RESOLUTION`] with normals, over its own bounds.
fn mesh_of(tree: Value, method: Method) -> Mesh {
    let compiled = compile(&tree, &Limits::default()).expect("test tree compiles");
    let settings = MeshSettings {
        method,
        resolution: RESOLUTION,
        ..MeshSettings::default()
    };
    mesh(&compiled.tape, compiled.bounds, &settings, &|_| {})
        .expect("test tree meshes")
        .mesh
}

/// How the coordinates a reader reports relate to the mesh's.
#[derive(Clone, Copy, Debug)]
enum Frame {
    /// As written: metres, +Y up.
    Same,
    /// Millimetres, +Z up: `(x, y, z) m -> (1000x, -1000z, 1000y)` (3MF).
    MillimetresZUp,
}

/// (format, reader, frame the reader reports in). Assimp turns DXF's +Z up
/// back into +Y up itself (its DXF importer rotates the scene root), so DXF
/// reads back in the mesh's frame.
const CHECKS: &[(&str, &str, Frame)] = &[
    ("obj", "assimp", Frame::Same),
    ("obj", "trimesh", Frame::Same),
    ("stl", "assimp", Frame::Same),
    ("stl", "trimesh", Frame::Same),
    ("stl_ascii", "assimp", Frame::Same),
    ("stl_ascii", "trimesh", Frame::Same),
    ("ply", "assimp", Frame::Same),
    ("ply", "trimesh", Frame::Same),
    ("ply_ascii", "assimp", Frame::Same),
    ("ply_ascii", "trimesh", Frame::Same),
    ("gltf", "gltf-validator", Frame::Same),
    ("gltf", "assimp", Frame::Same),
    ("gltf", "trimesh", Frame::Same),
    ("glb", "gltf-validator", Frame::Same),
    ("glb", "assimp", Frame::Same),
    ("glb", "trimesh", Frame::Same),
    ("3mf", "lib3mf", Frame::MillimetresZUp),
    ("3mf", "assimp", Frame::MillimetresZUp),
    ("off", "assimp", Frame::Same),
    ("off", "trimesh", Frame::Same),
    ("usda", "usd", Frame::Same),
    ("x3d", "assimp", Frame::Same),
    ("dae", "assimp", Frame::Same),
    ("dxf", "assimp", Frame::Same),
    ("fbx", "assimp", Frame::Same),
    ("amf", "assimp", Frame::Same),
];

/// (format, reader) that refuse an empty file, and the words of the refusal.
const EMPTY_REFUSED: &[(&str, &str, &str)] = &[
    ("stl", "assimp", "There are no facets defined"),
    ("ply", "assimp", "Unable to extract mesh data"),
    ("ply_ascii", "assimp", "Unable to extract mesh data"),
    ("off", "assimp", "There are no valid vertices"),
    ("dxf", "assimp", "this file contains no 3d data"),
];

/// (format, reader) that show a scene without meshes with a stand-in mesh
/// collapsed to the origin.
const EMPTY_PLACEHOLDER: &[(&str, &str)] = &[("dae", "assimp")];

/// Relative tolerance on the bounding box (assimp prints six decimals).
const TOLERANCE: f64 = 1e-4;

fn readers_dir() -> PathBuf {
    std::env::var_os("AIM_READERS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME is set");
            Path::new(&home).join(".cache/ai-modeler/readers")
        })
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/readers")
        .join(name)
}

/// The command that runs `reader` on files.
fn reader_command(reader: &str) -> Command {
    if reader == "gltf-validator" {
        let mut c = Command::new(std::env::var("AIM_NODE").unwrap_or_else(|_| "node".into()));
        c.arg(script("validate_gltf.js"))
            .env("AIM_READERS_DIR", readers_dir());
        c
    } else {
        let mut c = Command::new(std::env::var("AIM_PYTHON").unwrap_or_else(|_| "python3".into()));
        c.arg(script("read_mesh.py")).arg(reader);
        c
    }
}

/// `None` when the reader runs, else why not.
fn probe(reader: &str) -> Option<String> {
    let mut c = reader_command(reader);
    match c.arg("--probe").output() {
        Ok(out) if out.status.success() => None,
        Ok(out) => Some(String::from_utf8_lossy(&out.stderr).trim().to_string()),
        Err(e) => Some(format!("could not start {:?}: {e}", c.get_program())),
    }
}

/// Runs `reader` on `files`; its report per file.
fn read_all(reader: &str, files: &[PathBuf]) -> HashMap<PathBuf, Value> {
    let out = reader_command(reader)
        .args(files)
        .output()
        .expect("start reader");
    assert!(
        out.status.success(),
        "{reader} failed as a whole: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{reader} printed {line:?}: {e}"));
            (PathBuf::from(v["file"].as_str().expect("file")), v)
        })
        .collect()
}

/// The box of the mesh's positions in `frame`, computed as the writers do (f32).
fn expected_box(mesh: &Mesh, frame: Frame) -> Option<([f64; 3], [f64; 3])> {
    let map = |p: [f32; 3]| match frame {
        Frame::Same => p,
        Frame::MillimetresZUp => [p[0] * 1000.0, -p[2] * 1000.0, p[1] * 1000.0],
    };
    let moved = Mesh {
        positions: mesh.positions.iter().copied().map(map).collect(),
        ..Mesh::empty()
    };
    moved
        .bounds()
        .map(|(lo, hi)| (lo.map(f64::from), hi.map(f64::from)))
}

fn vec3(v: &Value) -> Option<[f64; 3]> {
    let a = v.as_array()?;
    Some([
        a.first()?.as_f64()?,
        a.get(1)?.as_f64()?,
        a.get(2)?.as_f64()?,
    ])
}

/// What is wrong with `report` for `mesh` written as `format`, read by `reader`.
fn problems(format: &str, reader: &str, frame: Frame, mesh: &Mesh, report: &Value) -> Vec<String> {
    let mut bad = vec![];
    if report["ok"] != Value::Bool(true) {
        let error = report["error"].as_str().unwrap_or("?");
        let refused = EMPTY_REFUSED
            .iter()
            .any(|&(f, r, words)| f == format && r == reader && error.contains(words));
        if !(mesh.is_empty() && refused) {
            bad.push(format!("did not open: {error}"));
        }
        return bad;
    }
    let triangles = report["triangles"].as_u64();
    if mesh.is_empty() && EMPTY_PLACEHOLDER.contains(&(format, reader)) {
        if report["min"] != serde_json::json!([0.0, 0.0, 0.0]) || report["max"] != report["min"] {
            bad.push(format!(
                "stand-in for an empty scene is not at the origin: {report}"
            ));
        }
        return bad;
    }
    // 3MF leaves out triangles that name a vertex twice (3MF forbids them).
    let written = if format == "3mf" {
        mesh.triangles
            .iter()
            .filter(|t| t[0] != t[1] && t[1] != t[2] && t[0] != t[2])
            .count()
    } else {
        mesh.triangle_count()
    };
    if triangles != Some(written as u64) {
        bad.push(format!(
            "{} triangles read, {written} written",
            report["triangles"]
        ));
    }
    if reader == "gltf-validator" {
        for key in ["errors", "warnings"] {
            if report[key].as_u64() != Some(0) {
                bad.push(format!("{} {key}: {}", report[key], report["messages"]));
            }
        }
        return bad;
    }
    let expected = expected_box(mesh, frame).filter(|_| !mesh.is_empty());
    let read = vec3(&report["min"]).zip(vec3(&report["max"]));
    match (expected, read) {
        (None, None) => {}
        (Some((lo, hi)), Some((rlo, rhi))) => {
            let size = (0..3).map(|k| hi[k] - lo[k]).fold(0.0, f64::max);
            let tol = TOLERANCE * size.max(1e-9);
            for k in 0..3 {
                if (rlo[k] - lo[k]).abs() > tol || (rhi[k] - hi[k]).abs() > tol {
                    bad.push(format!(
                        "box read {rlo:?}..{rhi:?}, written {lo:?}..{hi:?} (axis {k})"
                    ));
                    break;
                }
            }
        }
        (e, r) => bad.push(format!("box read {r:?}, written {e:?}")),
    }
    match reader {
        // Assimp turns triangles that name a vertex twice into lines or points.
        "assimp"
            if !mesh.is_empty()
                && !report["primitive_types"]
                    .as_str()
                    .is_some_and(|t| t.contains("triangles")) =>
        {
            bad.push(format!("primitive types {}", report["primitive_types"]));
        }
        "usd" => {
            if report["up_axis"] != "Y" || report["meters_per_unit"].as_f64() != Some(1.0) {
                bad.push(format!(
                    "upAxis {} metersPerUnit {}",
                    report["up_axis"], report["meters_per_unit"]
                ));
            }
            if report["has_authored_meters_per_unit"] != Value::Bool(true)
                || report["default_prim"] != "/root"
            {
                bad.push("metersPerUnit not authored or default prim not /root".into());
            }
            let extents = report["extents"].as_array().cloned().unwrap_or_default();
            let authored = extents.first().and_then(|e| vec3(&e[0]).zip(vec3(&e[1])));
            if authored.is_some() == mesh.is_empty()
                || authored.zip(read).is_some_and(|(e, r)| e != r)
            {
                bad.push(format!("extent {extents:?} is not the points' box"));
            }
        }
        "lib3mf" => {
            if report["unit"] != "MilliMeter" {
                bad.push(format!("unit {}", report["unit"]));
            }
            if report["warnings"].as_array().is_some_and(|w| !w.is_empty()) {
                bad.push(format!("warnings {}", report["warnings"]));
            }
            let objects = u64::from(!mesh.is_empty());
            if report["objects"].as_u64() != Some(objects)
                || report["build_items"].as_u64() != Some(objects)
            {
                bad.push(format!(
                    "{} objects, {} build items",
                    report["objects"], report["build_items"]
                ));
            }
        }
        _ => {}
    }
    bad
}

#[test]
fn every_format_reads_back_in_outside_readers() {
    let meshes = test_meshes();
    assert!(
        meshes
            .iter()
            .any(|(name, m)| *name == "empty" && m.is_empty()),
        "the disjoint intersection must mesh to nothing"
    );
    for (name, mesh) in &meshes {
        if !mesh.is_empty() {
            let t = topology(mesh);
            assert!(
                t.closed_manifold && signed_volume(mesh) > 0.0,
                "test mesh {name} is not closed and outward"
            );
        }
    }
    for e in export::formats() {
        let name = e.info().name;
        assert!(
            CHECKS.iter().any(|c| c.0 == name),
            "format {name} has no outside reader in CHECKS"
        );
    }

    let keep = std::env::var_os("AIM_EXPORT_KEEP").map(PathBuf::from);
    let temp = tempfile::tempdir().expect("temp dir");
    let dir = keep.clone().unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&dir).expect("output dir");

    // Write every format from every mesh.
    let mut files: HashMap<(&str, &str), PathBuf> = HashMap::new();
    for (mesh_name, mesh) in &meshes {
        for e in export::formats() {
            let info = e.info();
            let path = dir.join(format!("{mesh_name}.{}.{}", info.name, info.extension));
            let mut file = std::fs::File::create(&path).expect("create");
            e.write(mesh, &mut file)
                .unwrap_or_else(|err| panic!("{} of {mesh_name}: {err}", info.name));
            files.insert((mesh_name, info.name), path);
        }
    }

    // Which readers run here.
    let skip = std::env::var("AIM_SKIP_OUTSIDE_READERS").is_ok_and(|v| v == "1");
    let mut readers: Vec<&str> = CHECKS.iter().map(|c| c.1).collect();
    readers.sort();
    readers.dedup();
    let mut missing = vec![];
    for r in &readers {
        if let Some(why) = probe(r) {
            missing.push((*r, why));
        }
    }
    if !missing.is_empty() {
        let list: Vec<String> = missing
            .iter()
            .map(|(r, why)| format!("  {r}: {why}"))
            .collect();
        if skip {
            // Straight to stderr: the test harness hides eprintln! of a passing test.
            let line = format!(
                "\n!!!!!!!! SKIPPED outside readers (AIM_SKIP_OUTSIDE_READERS=1): their checks did NOT run:\n{}\n\n",
                list.join("\n")
            );
            std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).expect("stderr");
        } else {
            panic!(
                "outside readers missing (run .ci/run, which installs them, or set AIM_SKIP_OUTSIDE_READERS=1 to skip them):\n{}",
                list.join("\n")
            );
        }
    }

    // Read every file with every reader of its format, one process per reader.
    let mut failures = vec![];
    let mut checked = 0;
    for reader in readers
        .iter()
        .filter(|r| !missing.iter().any(|m| m.0 == **r))
    {
        let mut jobs = vec![];
        for &(format, r, frame) in CHECKS.iter().filter(|c| c.1 == *reader) {
            for (mesh_name, mesh) in &meshes {
                // Assimp's post-processing refuses scenes without meshes.
                let run_as = if *reader == "assimp" && mesh.is_empty() {
                    "assimp-raw"
                } else {
                    r
                };
                jobs.push((
                    run_as,
                    format,
                    frame,
                    *mesh_name,
                    mesh,
                    files[&(*mesh_name, format)].clone(),
                ));
            }
        }
        let mut by_runner: HashMap<&str, Vec<PathBuf>> = HashMap::new();
        for j in &jobs {
            by_runner.entry(j.0).or_default().push(j.5.clone());
        }
        let mut reports = HashMap::new();
        for (runner, paths) in &by_runner {
            reports.extend(read_all(runner, paths));
        }
        for (run_as, format, frame, mesh_name, mesh, path) in jobs {
            let report = reports.get(&path).cloned().unwrap_or(Value::Null);
            for p in problems(format, reader, frame, mesh, &report) {
                failures.push(format!("{format} of {mesh_name}, read by {run_as}: {p}"));
            }
            checked += 1;
        }
    }
    eprintln!(
        "{checked} (file, reader) pairs checked in {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
