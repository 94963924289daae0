//! Every export format, written from several meshes and opened by real
//! outside readers, which must report the triangle count and bounding box
//! that were written.
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
use std::f32::consts::PI;
use std::path::{Path, PathBuf};
use std::process::Command;

use ai_modeler::export;
use ai_modeler::mesh::Mesh;
use ai_modeler::mesh::check::{signed_volume, topology};
use serde_json::Value;

// replaced by meshes of real trees once the mesher lands
fn test_meshes() -> Vec<(&'static str, Mesh)> {
    vec![
        ("sphere", uv_sphere([0.1, 0.2, -0.3], 0.5, 24, 42)),
        ("torus", torus([0.05, -0.1, 0.2], 0.4, 0.15, 48, 24)),
        ("empty", Mesh::empty()),
    ]
}

/// A closed UV sphere: `stacks` latitude bands, `slices` longitude segments,
/// single pole vertices, outward counter-clockwise triangles, unit normals.
fn uv_sphere(centre: [f32; 3], radius: f32, stacks: u32, slices: u32) -> Mesh {
    let mut mesh = Mesh::empty();
    let mut push = |n: [f32; 3]| {
        mesh.positions
            .push([0, 1, 2].map(|k| centre[k] + radius * n[k]));
        mesh.normals.push(n);
    };
    push([0.0, 1.0, 0.0]);
    for i in 1..stacks {
        let phi = PI * i as f32 / stacks as f32;
        for j in 0..slices {
            let theta = 2.0 * PI * j as f32 / slices as f32;
            push([phi.sin() * theta.cos(), phi.cos(), phi.sin() * theta.sin()]);
        }
    }
    push([0.0, -1.0, 0.0]);
    let ring = |i: u32, j: u32| 1 + (i - 1) * slices + j % slices;
    let south = 1 + (stacks - 1) * slices;
    for j in 0..slices {
        mesh.triangles.push([0, ring(1, j + 1), ring(1, j)]);
        mesh.triangles
            .push([south, ring(stacks - 1, j), ring(stacks - 1, j + 1)]);
        for i in 1..stacks - 1 {
            let (a, b, c, d) = (
                ring(i, j),
                ring(i, j + 1),
                ring(i + 1, j),
                ring(i + 1, j + 1),
            );
            mesh.triangles.push([a, b, c]);
            mesh.triangles.push([b, d, c]);
        }
    }
    mesh
}

/// A closed torus about the Y axis (genus 1), outward counter-clockwise, unit normals.
fn torus(centre: [f32; 3], major: f32, minor: f32, around: u32, tube: u32) -> Mesh {
    let mut mesh = Mesh::empty();
    for i in 0..around {
        let theta = 2.0 * PI * i as f32 / around as f32;
        for j in 0..tube {
            let phi = 2.0 * PI * j as f32 / tube as f32;
            let n = [phi.cos() * theta.cos(), phi.sin(), phi.cos() * theta.sin()];
            let ring = [theta.cos(), 0.0, theta.sin()];
            mesh.positions
                .push([0, 1, 2].map(|k| centre[k] + major * ring[k] + minor * n[k]));
            mesh.normals.push(n);
        }
    }
    let at = |i: u32, j: u32| (i % around) * tube + j % tube;
    for i in 0..around {
        for j in 0..tube {
            let (a, b, c, d) = (at(i, j), at(i, j + 1), at(i + 1, j), at(i + 1, j + 1));
            mesh.triangles.push([a, b, c]);
            mesh.triangles.push([b, d, c]);
        }
    }
    mesh
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
