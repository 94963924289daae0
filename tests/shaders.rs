//! Shaders for every node kind, in every target and shape: naga validates the
//! WGSL, every back end writes its language, the Khronos reference tools
//! (`glslangValidator`, `spirv-val`) accept the GLSL, GLSL ES and SPIR-V, and
//! dynamic parameters, when moved, give the tree that has the moved value.
//! Then the HTTP route and its errors, against a real server.

mod common;

use std::path::Path;
use std::process::Command;

use ai_modeler::sdf::compile::compile;
use ai_modeler::sdf::expr::{Axis, Graph, Op};
use ai_modeler::sdf::node::{KINDS, Node};
use ai_modeler::sdf::validate::{Limits, validate};
use ai_modeler::shader::{self, Kind, Stage, params};
use common::kinds::{Rng, random_instance};
use common::{assert_problem, spawn_app};
use serde_json::{Value, json};

/// Every kind's example, plus random instances, that validate.
fn trees(per_kind: usize) -> Vec<(&'static str, Value)> {
    let limits = Limits::default();
    let mut rng = Rng(0x005E_ED0F_5AD3);
    let mut out = Vec::new();
    for kind in KINDS {
        out.push((kind.name, kind.example()));
        for _ in 0..per_kind {
            let t = random_instance(kind, &mut rng);
            if validate(&t, &limits).valid {
                out.push((kind.name, t));
            }
        }
    }
    out
}

#[test]
fn every_kind_in_every_target_and_shape() {
    let limits = Limits::default();
    let mut failures = Vec::new();
    let mut written = 0;
    for (name, tree) in trees(1) {
        let compiled = compile(&tree, &limits).unwrap();
        for target in shader::targets() {
            for kind in Kind::ALL {
                for dynamic in [false, true] {
                    match shader::generate(&compiled, target.name(), kind, dynamic, limits.max_ops)
                    {
                        Ok(s) => {
                            written += 1;
                            assert!(s.source_size_bytes > 0);
                            assert_eq!(s.source.len(), s.source_size_bytes);
                        }
                        Err(shader::ShaderError::Target(shader::TargetError::Unsupported {
                            ..
                        })) if target.name() == "glsl-es" && kind == Kind::ComputeEval => {}
                        Err(e) => failures.push(format!(
                            "{name} {} {} dynamic={dynamic}: {e}\n{tree}",
                            target.name(),
                            kind.name()
                        )),
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(written > KINDS.len() * 30, "{written}");
}

/// The reference tools must be installed (`.ci/run` does it) unless the run
/// says it does without them.
fn tool(name: &str) -> Option<&str> {
    if std::env::var_os("AIM_SKIP_SHADER_TOOLS").is_some() {
        eprintln!("SKIPPED: {name} checks (AIM_SKIP_SHADER_TOOLS is set)");
        return None;
    }
    let found = Command::new(name).arg("--version").output().is_ok();
    assert!(
        found,
        "{name} is not installed: install Debian's glslang-tools and spirv-tools (.ci/run does), \
         or set AIM_SKIP_SHADER_TOOLS=1"
    );
    Some(name)
}

#[test]
fn khronos_tools_accept_glsl_glsl_es_and_spirv_for_every_kind() {
    let (Some(glslang), Some(spirv_val)) = (tool("glslangValidator"), tool("spirv-val")) else {
        return;
    };
    let limits = Limits::default();
    let dir = tempfile::tempdir().unwrap();
    let mut glsl_files = Vec::new();
    let mut spirv_files = Vec::new();
    for (i, (name, tree)) in trees(0).into_iter().enumerate() {
        let compiled = compile(&tree, &limits).unwrap();
        for kind in Kind::ALL {
            // Dynamic mode is the richer one: uniform blocks on top of constants.
            let dynamic = i % 2 == 0 || kind == Kind::FragmentRaymarch;
            for target in ["glsl", "glsl-es"] {
                let Ok(s) = shader::generate(&compiled, target, kind, dynamic, limits.max_ops)
                else {
                    assert!(target == "glsl-es" && kind == Kind::ComputeEval);
                    continue;
                };
                for e in &s.entry_points {
                    let ext = match e.stage {
                        Stage::Vertex => "vert",
                        Stage::Fragment => "frag",
                        Stage::Compute => "comp",
                    };
                    let path = dir.path().join(format!(
                        "{name}.{}.{target}.{}.{ext}",
                        kind.name(),
                        e.name
                    ));
                    std::fs::write(&path, e.source.as_deref().unwrap()).unwrap();
                    glsl_files.push(path);
                }
            }
            let s = shader::generate(&compiled, "spirv", kind, dynamic, limits.max_ops).unwrap();
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(&s.source)
                .unwrap();
            let path = dir.path().join(format!("{name}.{}.spv", kind.name()));
            std::fs::write(&path, bytes).unwrap();
            spirv_files.push(path);
        }
    }
    let mut failures = Vec::new();
    for batch in glsl_files.chunks(64) {
        let out = Command::new(glslang).args(batch).output().unwrap();
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stdout).into_owned());
        }
    }
    for file in &spirv_files {
        let out = Command::new(spirv_val).arg(file).output().unwrap();
        if !out.status.success() {
            failures.push(format!(
                "{}: {}",
                file.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} GLSL files and {} SPIR-V modules checked; failures:\n{}",
        glsl_files.len(),
        spirv_files.len(),
        failures.join("\n")
    );
    assert!(glsl_files.len() >= KINDS.len() * 7, "{}", glsl_files.len());
}

/// Evaluates a graph at `p` with some constants replaced (what the shader does
/// when a parameter's buffer slot holds a new value).
fn eval_with(graph: &Graph, overrides: &std::collections::HashMap<u32, f32>, p: [f32; 3]) -> f32 {
    let mut v = vec![0.0f32; graph.len()];
    for (i, op) in graph.ops().iter().enumerate() {
        v[i] = match *op {
            Op::Input(Axis::X) => p[0],
            Op::Input(Axis::Y) => p[1],
            Op::Input(Axis::Z) => p[2],
            Op::Const(bits) => overrides
                .get(&(i as u32))
                .copied()
                .unwrap_or(f32::from_bits(bits)),
            Op::Unary(u, a) => u.apply(v[a as usize]),
            Op::Binary(b, a, c) => b.apply(v[a as usize], v[c as usize]),
            Op::Select(c, a, b) => {
                if v[c as usize] != 0.0 {
                    v[a as usize]
                } else {
                    v[b as usize]
                }
            }
        };
    }
    v[graph.root() as usize]
}

/// Sets component `index` of `field` of the node at `path` in a canonical tree.
fn set_number(tree: &mut Value, path: &str, field: &str, index: u32, value: f32) {
    let pointer = format!("{path}/{field}");
    let target = tree.pointer_mut(&pointer).unwrap();
    let slot = match target {
        Value::Array(items) => {
            // Flattened index into nested arrays (vec3 lists, matrices).
            let mut flat: Vec<&mut Value> = Vec::new();
            fn walk<'a>(v: &'a mut Value, out: &mut Vec<&'a mut Value>) {
                match v {
                    Value::Array(items) => items.iter_mut().for_each(|i| walk(i, out)),
                    other => out.push(other),
                }
            }
            items.iter_mut().for_each(|i| walk(i, &mut flat));
            flat.swap_remove(index as usize)
        }
        other => other,
    };
    *slot = json!(value);
}

#[test]
fn moving_a_dynamic_parameter_gives_the_tree_with_that_value() {
    let limits = Limits::default();
    let mut rng = Rng(0x0D17_AA1C);
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, tree) in trees(0) {
        let compiled = compile(&tree, &limits).unwrap();
        let node: &Node = compiled.tree.as_ref().unwrap();
        let d = params::discover(node, limits.max_ops * 4).unwrap();
        let canonical = serde_json::to_value(node).unwrap();
        for (slot, p) in d.parameters.iter().enumerate() {
            // A 5 % edit, the size of a slider nudge.
            let moved = p.value + (p.value.abs() * 0.05).max(0.01);
            let overrides = d
                .slots
                .iter()
                .filter(|&(_, &s)| s as usize == slot)
                .map(|(&id, _)| (id, moved))
                .collect();
            let mut edited = canonical.clone();
            set_number(&mut edited, &p.node_path, p.field, p.index, moved);
            let Ok(reference) = compile(&edited, &limits) else {
                continue; // the edit broke a rule (e.g. r1 < r2): not a fair probe
            };
            checked += 1;
            for _ in 0..40 {
                let q = [
                    rng.range(-2.0, 2.0),
                    rng.range(-2.0, 2.0),
                    rng.range(-2.0, 2.0),
                ];
                let live = eval_with(&d.graph, &overrides, q);
                let want = reference.graph.eval_point(reference.graph.root(), q);
                let tol = 1e-4 * want.abs().max(1.0);
                if !((live - want).abs() <= tol || (live.is_nan() && want.is_nan())) {
                    failures.push(format!(
                        "{name}: {}.{}[{}] moved to {moved}: {live} vs {want} at {q:?}",
                        p.node_path, p.field, p.index
                    ));
                    break;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 100, "only {checked} parameters checked");
}

#[test]
fn transpiling_a_1000_node_tree_stays_well_formed() {
    // A union of 499 translated spheres: 999 nodes, under MAX_TREE_NODES.
    let children: Vec<Value> = (0..499)
        .map(|i| {
            let a = i as f32 * 0.1;
            json!({"Translate": {"child": {"Sphere": {"radius": 0.05 + (i % 7) as f32 * 0.01}},
                                 "offset": [a.cos(), a.sin(), (i as f32) * 0.002]}})
        })
        .collect();
    let tree = json!({"Union": {"children": children}});
    let limits = Limits::default();
    let compiled = compile(&tree, &limits).unwrap();
    let s = shader::generate(&compiled, "wgsl", Kind::SdfFunction, true, limits.max_ops).unwrap();
    // Every radius and offset is live: 499 * 4 numbers.
    assert_eq!(s.parameters.len(), 1996);
    assert_eq!(s.parameter_buffer_bytes, 7984);
    assert!(s.baked.is_empty(), "{:?}", &s.baked[..3.min(s.baked.len())]);
}

#[tokio::test]
async fn the_shader_route_answers_and_refuses_clearly() {
    let app = spawn_app().await;
    let id = app.compile(json!({"Sphere": {"radius": 1.0}})).await;
    // The deployment smoke step.
    let res = app
        .post_json("/v1/shader/wgsl", &json!({"compiled_id": id}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body["source_size_bytes"].as_u64().unwrap() > 50);
    assert!(
        body["source"]
            .as_str()
            .unwrap()
            .contains("fn sdf(p: vec3<f32>) -> f32")
    );

    let res = app
        .post_json(
            "/v1/shader/glsl-es",
            &json!({"tree": {"Sphere": {"radius": 1.5}}, "kind": "fragment_raymarch", "dynamic": true}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["parameters"][0]["node_path"], "/Sphere");
    assert_eq!(body["parameters"][0]["field"], "radius");
    assert_eq!(body["parameters"][0]["offset"], 0);
    assert_eq!(body["parameter_buffer_bytes"], 16);
    let stages: Vec<&str> = body["entry_points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["vertex", "fragment"]);
    assert!(
        body["source"]
            .as_str()
            .unwrap()
            .starts_with("#version 300 es")
    );
    // The same request again is answered from the shader cache: the very same
    // answer, generation time included.
    let again: Value = app
        .post_json(
            "/v1/shader/glsl-es",
            &json!({"tree": {"Sphere": {"radius": 1.5}}, "kind": "fragment_raymarch", "dynamic": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again, body);

    let res = app
        .post_json(
            "/v1/shader/spirv",
            &json!({"compiled_id": id, "kind": "compute_eval"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body["source"].as_str().unwrap())
        .unwrap();
    assert_eq!(&bytes[..4], &0x0723_0203u32.to_le_bytes(), "SPIR-V magic");

    let problem = assert_problem(
        app.post_json("/v1/shader/cobol", &json!({"compiled_id": id}))
            .await,
        422,
        "invalid_target",
    )
    .await;
    assert_eq!(problem["field"], "target");
    for name in shader::names() {
        assert!(problem["detail"].as_str().unwrap().contains(name));
    }
    let problem = assert_problem(
        app.post_json(
            "/v1/shader/glsl",
            &json!({"compiled_id": id, "kind": "mesh"}),
        )
        .await,
        422,
        "invalid_kind",
    )
    .await;
    assert_eq!(problem["field"], "kind");
    let problem = assert_problem(
        app.post_json(
            "/v1/shader/glsl-es",
            &json!({"compiled_id": id, "kind": "compute_eval"}),
        )
        .await,
        422,
        "unsupported_kind",
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("WebGL2"));
    let problem = assert_problem(
        app.post_json(
            "/v1/shader/wgsl",
            &json!({"compiled_id": id, "dynamic": "yes"}),
        )
        .await,
        422,
        "invalid_dynamic",
    )
    .await;
    assert_eq!(problem["field"], "dynamic");
    assert_problem(
        app.post_json("/v1/shader/wgsl", &json!({"compiled_id": "sdf_0000"}))
            .await,
        404,
        "unknown_compiled_id",
    )
    .await;
    assert_problem(
        app.post_json(
            "/v1/shader/wgsl",
            &json!({"tree": {"Sphere": {"radius": -1}}}),
        )
        .await,
        422,
        "invalid_tree",
    )
    .await;

    let res = app.get("/v1/shader/targets").await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let names: Vec<&str> = body["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["wgsl", "glsl", "glsl-es", "hlsl", "msl", "spirv"]);
    assert_eq!(
        body["targets"][2]["kinds"],
        json!(["sdf_function", "fragment_raymarch"])
    );
}

#[test]
fn the_cli_writes_a_webgl2_raymarcher() {
    let exe = env!("CARGO_BIN_EXE_ai-modeler");
    let tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/alice-demo.asdf.json");
    let out = Command::new(exe)
        .args(["shader"])
        .arg(&tree)
        .args(["--target", "glsl-es", "--kind", "fragment_raymarch"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("#version 300 es"), "{}", &text[..80]);
    assert!(text.contains("float sdf(vec3 p)"));
    let out = Command::new(exe)
        .args(["shader"])
        .arg(&tree)
        .args(["--target", "glsl-es", "--kind", "compute_eval"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("WebGL2"));
}
