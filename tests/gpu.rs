//! The GPU path on this machine's adapter (CI has Mesa's software rasteriser,
//! so these run everywhere): the compute kernels agree with the CPU evaluator,
//! a bad kernel is an `Err` and the chooser then finishes on the CPU, big jobs
//! are split into several dispatches, and `/health` reports the adapter.
//!
//! A missing adapter fails these tests with how to get one (`.ci/run` installs
//! Mesa's drivers), unless `AIM_SKIP_GPU=1`, which skips them with a loud line
//! on stderr.
#![cfg(feature = "gpu")]

mod common;

use std::sync::Arc;

use ai_modeler::config::Config;
use ai_modeler::gpu::{self, Gpu, GpuError, GpuMode, Kernel, Ran};
use ai_modeler::sdf::compile::{Compiled, compile};
use ai_modeler::sdf::eval::SimdWidth;
use ai_modeler::sdf::validate::Limits;
use serde_json::{Value, json};

/// The shared device, or `None` (after a loud line) when `AIM_SKIP_GPU=1` and
/// there is no adapter; panics with how to get one otherwise.
fn gpu_or_skip(test: &str) -> Option<Arc<Gpu>> {
    match gpu::shared() {
        Ok(g) => Some(g),
        Err(e) if std::env::var("AIM_SKIP_GPU").is_ok_and(|v| v == "1") => {
            let line = format!(
                "\n!!!!!!!! SKIPPED {test} (AIM_SKIP_GPU=1): no GPU adapter ({e}); its checks did NOT run\n\n"
            );
            std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes()).expect("stderr");
            None
        }
        Err(e) => panic!(
            "{test}: no GPU adapter: {e}\n(run .ci/run, which installs Mesa's drivers, or set AIM_SKIP_GPU=1 to skip the GPU tests)"
        ),
    }
}

fn compiled(tree: Value) -> Compiled {
    compile(&tree, &Limits::default()).expect("tree compiles")
}

fn demo() -> Compiled {
    compiled(serde_json::from_str(include_str!("data/alice-demo.asdf.json")).expect("demo JSON"))
}

/// Deterministic points in [-1.5, 1.5]³.
fn points(n: usize, seed: u64) -> Vec<[f32; 3]> {
    let mut s = seed | 1;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 40) as f32 / (1u64 << 24) as f32 * 3.0 - 1.5
    };
    (0..n).map(|_| [next(), next(), next()]).collect()
}

/// Within 1e-4 relative, or absolute near zero.
fn assert_close(gpu: &[f32], cpu: &[f32], what: &str) {
    assert_eq!(gpu.len(), cpu.len(), "{what}: lengths");
    for (i, (g, c)) in gpu.iter().zip(cpu).enumerate() {
        let tol = 1e-4 * c.abs().max(1.0);
        assert!(
            (g - c).abs() <= tol || (g.is_nan() && c.is_nan()),
            "{what}: value {i}: GPU {g} vs CPU {c}"
        );
    }
}

fn trees() -> Vec<(&'static str, Value)> {
    vec![
        ("sphere", json!({"Sphere": {"radius": 1.0}})),
        (
            "smooth union of box and torus, moved",
            json!({"SmoothUnion": {"k": 0.2,
                "a": {"Box3d": {"half_extents": [0.5, 0.4, 0.3]}},
                "b": {"Translate": {"offset": [0.3, 0.1, 0.0],
                      "child": {"Torus": {"major_radius": 0.6, "minor_radius": 0.15}}}}}}),
        ),
        (
            "rotated, twisted, subtracted",
            json!({"Subtraction": {
                "a": {"Rotate": {"rotation": [0.0, 0.3826834, 0.0, 0.9238795],
                      "child": {"Twist": {"strength": 1.5,
                            "child": {"Box3d": {"half_extents": [0.6, 0.6, 0.6]}}}}}},
                "b": {"Cylinder": {"radius": 0.3, "half_height": 2.0}}}}),
        ),
    ]
}

#[test]
fn adapter_reports_itself() {
    let Some(gpu) = gpu_or_skip("adapter_reports_itself") else {
        return;
    };
    let info = gpu.info();
    eprintln!("GPU adapter: {info:?}");
    assert!(!info.name.is_empty());
    assert!(!info.backend.is_empty());
}

#[test]
fn points_agree_with_the_cpu() {
    let Some(gpu) = gpu_or_skip("points_agree_with_the_cpu") else {
        return;
    };
    let pts = points(10_000, 7);
    for (name, tree) in trees() {
        let c = compiled(tree);
        let cpu = c.eval_points(&pts, SimdWidth::Scalar);
        let got = gpu
            .eval_points(&Kernel::for_compiled(&c), &pts)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_close(&got, &cpu, name);
    }
    let c = demo();
    let cpu = c.eval_points(&pts, SimdWidth::Scalar);
    let got = gpu.eval_points(&Kernel::for_compiled(&c), &pts).unwrap();
    assert_close(&got, &cpu, "ALICE demo");
}

#[test]
fn grid_agrees_with_the_cpu() {
    let Some(gpu) = gpu_or_skip("grid_agrees_with_the_cpu") else {
        return;
    };
    let c = demo();
    let (origin, step, dims) = (
        [-1.2f32, -1.0, -0.9],
        [0.05f32, 0.04, 0.07],
        [37u32, 21, 13],
    );
    let got = gpu
        .eval_grid(&Kernel::for_compiled(&c), origin, step, dims)
        .unwrap();
    let mut pts = Vec::new();
    for k in 0..dims[2] {
        for j in 0..dims[1] {
            for i in 0..dims[0] {
                pts.push([
                    origin[0] + i as f32 * step[0],
                    origin[1] + j as f32 * step[1],
                    origin[2] + k as f32 * step[2],
                ]);
            }
        }
    }
    assert_close(&got, &c.eval_points(&pts, SimdWidth::Scalar), "grid");
}

#[test]
fn hand_written_kernel_reads_its_parameters() {
    let Some(gpu) = gpu_or_skip("hand_written_kernel_reads_its_parameters") else {
        return;
    };
    // A sphere whose radius is parameter 5 (v[1][1]): the others are decoys.
    let kernel = Kernel::from_sdf_body(
        "    return length(p) - params.v[1][1];",
        vec![9.0, 9.0, 9.0, 9.0, 9.0, 0.75],
    );
    let pts = points(1000, 3);
    let got = gpu.eval_points(&kernel, &pts).unwrap();
    let want: Vec<f32> = pts
        .iter()
        .map(|p| (p[0] * p[0] + p[1] * p[1] + p[2] * p[2]).sqrt() - 0.75)
        .collect();
    assert_close(&got, &want, "parameter sphere");
}

#[test]
fn bad_kernels_are_errors_and_the_chooser_falls_back() {
    let Some(gpu) = gpu_or_skip("bad_kernels_are_errors_and_the_chooser_falls_back") else {
        return;
    };
    let pts = points(500, 11);
    let broken = Kernel::from_sdf_body("    return length(p) - ;", vec![]);
    match gpu.eval_points(&broken, &pts) {
        Err(GpuError::Shader(msg)) => assert!(!msg.is_empty()),
        other => panic!("expected a shader error, got {other:?}"),
    }
    // Valid WGSL without the interface: the pipelines do not build.
    let wrong = Kernel {
        wgsl: "@compute @workgroup_size(1) fn main() {}".into(),
        params: vec![],
    };
    assert!(matches!(
        gpu.eval_points(&wrong, &pts),
        Err(GpuError::Shader(_))
    ));
    // The device is still good afterwards.
    let c = compiled(json!({"Sphere": {"radius": 1.0}}));
    assert!(gpu.eval_points(&Kernel::for_compiled(&c), &pts).is_ok());
    // With `require`, the chooser tries the GPU, fails, and finishes on the CPU.
    let (d, ran) =
        gpu::eval_points_with(GpuMode::Require, &c, Some(&broken), &pts, SimdWidth::Auto);
    assert_eq!(ran, Ran::Fallback);
    assert_eq!(d, c.eval_points(&pts, SimdWidth::Auto));
}

#[test]
fn chooser_follows_the_mode() {
    let Some(gpu) = gpu_or_skip("chooser_follows_the_mode") else {
        return;
    };
    let c = demo();
    let pts = points(2000, 5);
    let cpu = c.eval_points(&pts, SimdWidth::Auto);
    let (d, ran) = gpu::eval_points(GpuMode::Off, &c, &pts, SimdWidth::Auto);
    assert_eq!((ran, &d), (Ran::Cpu, &cpu));
    // Small jobs stay on the CPU under auto.
    let (_, ran) = gpu::eval_points(GpuMode::Auto, &c, &pts, SimdWidth::Auto);
    assert_eq!(ran, Ran::Cpu);
    let (d, ran) = gpu::eval_points(GpuMode::Require, &c, &pts, SimdWidth::Auto);
    assert_eq!(ran, Ran::Gpu);
    assert_close(&d, &cpu, "require");
    // Large jobs: auto uses a hardware adapter, never a software one.
    let big = points(gpu::MIN_GPU_POINTS, 9);
    let (_, ran) = gpu::eval_points(GpuMode::Auto, &c, &big, SimdWidth::Auto);
    assert_eq!(
        ran,
        if gpu.is_software() {
            Ran::Cpu
        } else {
            Ran::Gpu
        }
    );
}

/// `/health` from a server started in `mode`.
async fn health(mode: GpuMode) -> Value {
    let app = common::spawn_app_with(Config {
        gpu_mode: mode,
        ..Config::default()
    })
    .await;
    app.get("/health").await.json().await.unwrap()
}

#[tokio::test]
async fn health_reports_the_adapter_and_the_mode() {
    if gpu_or_skip("health_reports_the_adapter_and_the_mode").is_none() {
        return;
    }
    let gpu = health(GpuMode::Require).await["gpu"].clone();
    assert_eq!(gpu["mode"], "require");
    let adapter = &gpu["adapter"];
    assert!(adapter["name"].is_string(), "{gpu}");
    assert!(adapter["backend"].is_string(), "{gpu}");
    assert!(adapter["device_type"].is_string(), "{gpu}");

    // `auto` reports only a hardware adapter, the only kind it uses: none
    // where the machine has just a software rasteriser.
    let gpu = health(GpuMode::Auto).await["gpu"].clone();
    assert_eq!(gpu["mode"], "auto");
    let adapter = &gpu["adapter"];
    assert!(
        adapter == "none" || adapter["device_type"] != "cpu",
        "auto reported a software adapter: {gpu}"
    );
}

#[test]
fn big_jobs_split_into_dispatches() {
    let Some(gpu) = gpu_or_skip("big_jobs_split_into_dispatches") else {
        return;
    };
    let c = demo();
    let kernel = Kernel::for_compiled(&c);
    // 5 chunks of 1000 and a short one, two in flight at a time.
    let pts = points(5_321, 13);
    let whole = gpu.eval_points(&kernel, &pts).unwrap();
    let split = gpu.eval_points_in_chunks(&kernel, &pts, 1000).unwrap();
    assert_eq!(whole, split);
    assert_close(
        &split,
        &c.eval_points(&pts, SimdWidth::Scalar),
        "split points",
    );
    // A grid in slabs of 3 layers (the last one short), against one dispatch.
    let (origin, step, dims) = ([-1.0f32; 3], [0.1f32; 3], [9u32, 7, 11]);
    let whole = gpu.eval_grid(&kernel, origin, step, dims).unwrap();
    let split = gpu
        .eval_grid_in_chunks(&kernel, origin, step, dims, 9 * 7 * 3)
        .unwrap();
    assert_close(&split, &whole, "split grid");
    // Empty jobs are empty.
    assert!(gpu.eval_points(&kernel, &[]).unwrap().is_empty());
    assert!(
        gpu.eval_grid(&kernel, origin, step, [0, 4, 4])
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn off_opens_nothing_and_health_says_none() {
    let body = health(GpuMode::Off).await;
    assert_eq!(body["gpu"], json!({"mode": "off", "adapter": "none"}));
    assert!(body["features"].as_array().unwrap().contains(&json!("gpu")));
}

/// The binary with only the given environment, in a scratch directory.
fn binary(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_ai-modeler"));
    c.env_clear().current_dir(dir).envs(env.iter().copied());
    c
}

#[test]
fn require_without_an_adapter_refuses_to_start() {
    // No Metal on Linux: with only that backend allowed there is no adapter.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.json"), r#"{"Sphere":{"radius":1.0}}"#).unwrap();
    std::fs::write(dir.path().join("p.txt"), "0 0 0\n").unwrap();
    let none = [("GPU_MODE", "require"), ("WGPU_BACKEND", "metal")];
    let out = binary(dir.path(), &none)
        .args(["eval", "t.json", "--points", "p.txt"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("GPU_MODE=require") && err.contains("no GPU adapter"),
        "{err}"
    );
    let out = binary(dir.path(), &[none[0], none[1], ("PORT", "0")])
        .arg("serve")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("GPU_MODE=require"), "{err}");
    // `off` needs no adapter at all, and `auto` without one runs on the CPU.
    for mode in ["off", "auto"] {
        let out = binary(dir.path(), &[("GPU_MODE", mode), none[1]])
            .args(["eval", "t.json", "--points", "p.txt"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{mode}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            r#"{"distances":[-1.0]}"#
        );
    }
}

#[test]
fn require_evaluates_on_the_gpu_from_the_command_line() {
    if gpu_or_skip("require_evaluates_on_the_gpu_from_the_command_line").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.json"), r#"{"Sphere":{"radius":1.0}}"#).unwrap();
    std::fs::write(dir.path().join("p.txt"), "0 0 0\n2 0 0\n").unwrap();
    let out = binary(
        dir.path(),
        &[("GPU_MODE", "require"), ("LOG_LEVEL", "debug")],
    )
    .args(["eval", "t.json", "--points", "p.txt"])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"distances":[-1.0,1.0]}"#
    );
}

#[test]
fn meshes_sampled_on_the_gpu_are_closed() {
    if gpu_or_skip("meshes_sampled_on_the_gpu_are_closed").is_none() {
        return;
    }
    use ai_modeler::mesh::check::{signed_volume, topology};
    use ai_modeler::mesh::{MeshSettings, Method, mesh};
    let c = demo();
    for method in Method::ALL {
        let settings = MeshSettings {
            method,
            resolution: 64,
            ..MeshSettings::default()
        };
        assert!(gpu::mesh_sampler(GpuMode::Require, &c).is_some());
        let on_gpu = gpu::mesh(GpuMode::Require, &c, &settings, &|_| {}).unwrap();
        let cpu = mesh(&c.tape, c.bounds, &settings, &|_| {}).unwrap();
        let t = topology(&on_gpu.mesh);
        assert!(on_gpu.watertight && t.closed_manifold, "{method}");
        assert_eq!(t.euler, topology(&cpu.mesh).euler, "{method}");
        let (a, b) = (signed_volume(&on_gpu.mesh), signed_volume(&cpu.mesh));
        assert!(
            (a - b).abs() <= 1e-3 * b.abs(),
            "{method}: volume {a} vs {b}"
        );
        // The GPU evaluated every corner of the surviving chunks.
        assert!(on_gpu.samples > cpu.samples, "{method}");
    }
    // `auto` meshes on the CPU, which outran an H200's sampler (see `mesh_sampler`).
    assert!(gpu::mesh_sampler(GpuMode::Auto, &c).is_none());
    assert!(gpu::mesh_sampler(GpuMode::Off, &c).is_none());
}

#[tokio::test]
async fn bulk_eval_route_runs_on_the_gpu_under_require() {
    if gpu_or_skip("bulk_eval_route_runs_on_the_gpu_under_require").is_none() {
        return;
    }
    let app = common::spawn_app_with(Config {
        gpu_mode: GpuMode::Require,
        ..Config::default()
    })
    .await;
    let tree: Value =
        serde_json::from_str(include_str!("data/alice-demo.asdf.json")).expect("demo JSON");
    let id = app.compile(tree).await;
    let pts = points(20_000, 17);
    let body: Vec<u8> = pts.iter().flatten().flat_map(|v| v.to_le_bytes()).collect();
    let res = app
        .client
        .post(app.url("/v1/engine/eval"))
        .header("content-type", "application/octet-stream")
        .header("x-compiled-id", &id)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let got: Vec<f32> = bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    assert_close(&got, &demo().eval_points(&pts, SimdWidth::Scalar), "route");
    // Small JSON batches under require go through the GPU too.
    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"compiled_id": id, "points": [[0.0, 0.0, 0.0]]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    let d = v["distances"][0].as_f64().unwrap() as f32;
    assert_close(
        &[d],
        &demo().eval_points(&[[0.0; 3]], SimdWidth::Scalar),
        "one point",
    );
}

/// How far the CPU's value moves when the point moves by a few ULPs along
/// any axis (2⁻²⁰ of its size, at least 2⁻²⁰): the error a GPU's own rounding
/// upstream of an ill-conditioned operation may show (`Tan` near a pole, where
/// its slope is 3.5e5, differed by 1.4e-4 relative on an H200), which a fixed
/// relative tolerance would call a mismatch.
fn input_spread(c: &Compiled, pts: &[[f32; 3]], cpu: &[f32]) -> Vec<f32> {
    let mut spread = vec![0.0f32; pts.len()];
    for axis in 0..3 {
        for sign in [-1.0f32, 1.0] {
            let moved: Vec<[f32; 3]> = pts
                .iter()
                .map(|p| {
                    let mut q = *p;
                    q[axis] += sign * p[axis].abs().max(1.0) * (1.0 / (1 << 20) as f32);
                    q
                })
                .collect();
            let values = c.eval_points(&moved, SimdWidth::Auto);
            for ((s, v), c) in spread.iter_mut().zip(&values).zip(cpu) {
                let d = (v - c).abs();
                if d.is_finite() {
                    *s = s.max(d);
                }
            }
        }
    }
    spread
}

/// Every node kind, as the transpiler writes it, run by the GPU: the example
/// and two random instances of each, in both shader modes (constants baked in,
/// and dynamic parameters read from the uniform), against the CPU evaluator.
#[test]
fn every_kind_agrees_with_the_cpu_in_both_modes() {
    use ai_modeler::sdf::node::KINDS;
    use ai_modeler::shader::{self, Kind};
    use common::kinds::{Rng, random_instance};
    let Some(gpu) = gpu_or_skip("every_kind_agrees_with_the_cpu_in_both_modes") else {
        return;
    };
    let limits = Limits::default();
    let mut rng = Rng(0x00C0_FFEE_D00D);
    let pts = points(2_000, 11);
    let mut failures = Vec::new();
    let mut checked = 0;
    for kind in KINDS {
        for trial in 0..3 {
            let tree = if trial == 0 {
                kind.example()
            } else {
                random_instance(kind, &mut rng)
            };
            let Ok(c) = compile(&tree, &limits) else {
                continue; // a random draw that breaks a cross-field rule
            };
            let cpu = c.eval_points(&pts, SimdWidth::Auto);
            let spread = input_spread(&c, &pts, &cpu);
            for dynamic in [false, true] {
                let s = shader::generate(&c, "wgsl", Kind::ComputeEval, dynamic, limits.max_ops)
                    .expect("compute_eval WGSL");
                let kernel = Kernel {
                    wgsl: s.source.clone(),
                    params: s.parameter_values(),
                };
                let got = match gpu.eval_points(&kernel, &pts) {
                    Ok(d) => d,
                    Err(e) => {
                        failures.push(format!("{} dynamic={dynamic}: {e}", kind.name));
                        continue;
                    }
                };
                checked += 1;
                let bad = got.iter().zip(&cpu).enumerate().find(|&(i, (g, c))| {
                    let tol = 1e-4 * c.abs().max(1.0) + spread[i];
                    !((*g - *c).abs() <= tol || (g.is_nan() && c.is_nan()))
                });
                if let Some((i, (g, cv))) = bad {
                    failures.push(format!(
                        "{} dynamic={dynamic}: GPU {g} vs CPU {cv} at {:?} for {tree}",
                        kind.name, pts[i]
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} runs disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= KINDS.len() * 4, "{checked}");
}

/// The `fragment_raymarch` shader, rendered offscreen at 256x256, draws the
/// silhouette a CPU sphere tracer with the engine's evaluator draws.
#[test]
fn raymarched_silhouette_matches_the_cpu() {
    use ai_modeler::gpu::render::{Camera, cpu_silhouette};
    use ai_modeler::shader::{self, Kind};
    let Some(gpu) = gpu_or_skip("raymarched_silhouette_matches_the_cpu") else {
        return;
    };
    let limits = Limits::default();
    let (w, h) = (256, 256);
    let mut scenes: Vec<(&str, Value)> = trees();
    scenes.push((
        "ALICE demo",
        serde_json::from_str(include_str!("data/alice-demo.asdf.json")).unwrap(),
    ));
    for (name, tree) in scenes {
        let c = compile(&tree, &limits).unwrap();
        let camera = Camera::look_at([2.2, 1.6, 2.8], [0.0, 0.0, 0.0], 0.8, w, h);
        for dynamic in [false, true] {
            let s = shader::generate(&c, "wgsl", Kind::FragmentRaymarch, dynamic, limits.max_ops)
                .unwrap();
            let image = gpu
                .render(&s.source, &s.parameter_values(), &camera, w, h)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            let gpu_mask: Vec<bool> = image.chunks_exact(4).map(|px| px[3] > 127).collect();
            let cpu_mask = cpu_silhouette(&c, &camera, w, h);
            let both = gpu_mask
                .iter()
                .zip(&cpu_mask)
                .filter(|(a, b)| **a && **b)
                .count();
            let either = gpu_mask
                .iter()
                .zip(&cpu_mask)
                .filter(|(a, b)| **a || **b)
                .count();
            let iou = both as f64 / either.max(1) as f64;
            eprintln!("{name} dynamic={dynamic}: IoU {iou:.4} ({either} pixels covered)");
            assert!(
                either > 2_000,
                "{name}: the shape should fill part of the frame"
            );
            assert!(
                iou >= 0.98,
                "{name} dynamic={dynamic}: mask IoU {iou:.4} < 0.98"
            );
        }
    }
}
