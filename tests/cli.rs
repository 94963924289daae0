//! The binary itself: start-up refuses bad configuration naming the variable,
//! `check-config` redacts secrets and works from any directory (embedded
//! defaults), the offline commands (`eval`, `slice`, `bench`, `mesh`, `export`)
//! need no server, and `serve` answers the `healthcheck` probe, falls back to a
//! temp directory when `EXPORT_STORAGE_PATH` cannot be created, passes the
//! deployment smoke steps (health, compile, eval, mesh, shader, `GET /`) on a random
//! port, and stops cleanly on SIGTERM.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_ai-modeler");

/// The binary with a clean environment (the caller's PORT etc. must not leak in),
/// run from a scratch directory so nothing is read from the repo's config/.
fn cmd(dir: &std::path::Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear().current_dir(dir);
    c
}

fn run(c: &mut Command) -> Output {
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn bad_environment_stops_startup_naming_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("PORT", "abc"),
        ("PORT", "70000"),
        ("MAX_TREE_NODES", "0"),
        ("SIMD_WIDTH", "3"),
        ("LOG_FORMAT", "xml"),
        ("MAX_BODY_MB", "-1"),
    ] {
        let out = run(cmd(dir.path()).arg("serve").env(var, value));
        assert_eq!(out.status.code(), Some(2), "{var}={value}");
        let err = text(&out.stderr);
        assert!(err.contains(var), "{var}={value}: {err}");
    }
    let out = run(cmd(dir.path()).env("AIM_ENV", "nowhere"));
    assert!(text(&out.stderr).contains("AIM_ENV"));
}

#[test]
fn check_config_redacts_and_reads_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(cmd(dir.path())
        .args(["check-config", "--format", "json"])
        .env("LICENSE_MODE", "commercial")
        .env("LICENSE_KEY", "sk-very-secret")
        .env("PORT", "8123")
        .env("SIMD_WIDTH", "8"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(!stdout.contains("sk-very-secret"));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["license_key"], "[redacted]");
    assert_eq!(v["port"], 8123);
    assert_eq!(v["simd_width"], "8");
    assert_eq!(v["max_tree_nodes"], 1000);

    let out = run(cmd(dir.path()).arg("check-config"));
    assert!(text(&out.stdout).contains("port = 3000"));
}

#[test]
fn offline_eval_slice_and_bench() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("sphere.json");
    std::fs::write(&tree, r#"{"Sphere":{"radius":1.0}}"#).unwrap();

    let mut child = cmd(dir.path())
        .arg("eval")
        .arg(&tree)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"0 0 0\n2 0 0\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["distances"], serde_json::json!([-1.0, 1.0]));

    let points = dir.path().join("points.json");
    std::fs::write(&points, "[[0,0,0.5]]").unwrap();
    let out = run(cmd(dir.path())
        .arg("eval")
        .arg(&tree)
        .arg("--points")
        .arg(&points));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["distances"][0], -0.5);

    let png = dir.path().join("cut.png");
    let out = run(cmd(dir.path())
        .arg("slice")
        .arg(&tree)
        .args(["--size", "32", "--z", "-0.5", "--region", "-2,-2,2,2", "-o"])
        .arg(&png));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(&std::fs::read(&png).unwrap()[..4], b"\x89PNG");

    let out = run(cmd(dir.path()).arg("bench").arg(&tree).args([
        "--points",
        "1000",
        "--threads",
        "1",
        "--repeat",
        "1",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["points"], 1000);
    assert_eq!(v["threads"], 1);
    assert!(v["ms"].is_number() && v["mpts_per_s"].is_number());

    // Meshing, over the tree's padded bounds and over a given box: a wider
    // box at the same resolution has coarser cells, so fewer triangles.
    let bench_mesh = |extra: &[&str]| {
        let out = run(cmd(dir.path())
            .arg("bench")
            .arg(&tree)
            .args(["--mesh", "32", "--threads", "1", "--repeat", "1"])
            .args(extra));
        assert!(out.status.success(), "{}", text(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let tight = bench_mesh(&[]);
    let wide = bench_mesh(&["--bounds", "-2,-2,-2,2,2,2"]);
    assert_eq!(
        wide["domain"],
        serde_json::json!([[-2.0, -2.0, -2.0], [2.0, 2.0, 2.0]])
    );
    assert!(wide["ms"].is_number() && wide["phases_median_ms"]["first_pass"].is_number());
    let triangles = |v: &serde_json::Value| v["triangles"].as_u64().unwrap();
    assert!(0 < triangles(&wide) && triangles(&wide) < triangles(&tight));
    let out = run(cmd(dir.path())
        .arg("bench")
        .arg(&tree)
        .args(["--bounds", "-2,-2,-2,2,2,2"]));
    assert_eq!(out.status.code(), Some(2), "--bounds needs --mesh");
    let out = run(cmd(dir.path()).arg("bench").arg(&tree).args([
        "--mesh",
        "32",
        "--bounds",
        "1,1,1,0,0,0",
    ]));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("bounds"),
        "{}",
        text(&out.stderr)
    );

    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"Sphere":{"radius":-1}}"#).unwrap();
    let out = run(cmd(dir.path()).arg("bench").arg(&bad));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("root.radius"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn serve_answers_healthcheck_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // A free port: bind, note it, release it (a small race, fine for a test).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    // An export path that cannot be created (under a plain file), as
    // /data/exports is for a normal user: the server must start anyway, on a
    // directory under the temp dir (TMPDIR, here inside the test's dir).
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"").unwrap();
    let configured = blocker.join("exports");
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let mut server = cmd(dir.path())
        .env("PORT", &port)
        .env("HOST", "127.0.0.1")
        .env("LOG_FORMAT", "json")
        .env("EXPORT_STORAGE_PATH", &configured)
        .env("TMPDIR", &tmp)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        let probe = run(cmd(dir.path()).arg("healthcheck").env("PORT", &port));
        if probe.status.success() {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "server never became healthy"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let health = smoke_test(&format!("http://127.0.0.1:{port}"));
    let storage = &health["export_storage"];
    assert_eq!(storage["fallback"], true, "{health}");
    assert_eq!(
        storage["configured_path"],
        configured.to_string_lossy().as_ref()
    );
    let fallback = tmp.join("ai-modeler-exports");
    assert_eq!(storage["path"], fallback.to_string_lossy().as_ref());
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no clean stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success());
    let logs = text(&server.wait_with_output().unwrap().stderr);
    assert!(
        logs.contains("\"request_id\""),
        "JSON logs carry the request id: {logs}"
    );
    let warning = logs
        .lines()
        .find(|l| l.contains("EXPORT_STORAGE_PATH") && l.contains("WARN"))
        .unwrap_or_else(|| panic!("a warning about the export path: {logs}"));
    assert!(
        warning.contains(&*configured.to_string_lossy())
            && warning.contains(&*fallback.to_string_lossy()),
        "the warning names both paths: {warning}"
    );
    let probe = run(cmd(dir.path()).arg("healthcheck").env("PORT", &port));
    assert!(!probe.status.success());
}

/// The deployment spec's smoke steps that exist so far, against the real
/// binary; returns the `/health` answer.
fn smoke_test(base: &str) -> serde_json::Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let health: serde_json::Value = client
            .get(format!("{base}/health"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["status"], "ok");
        // POST a JSON body, answer the JSON reply.
        let post = |path: &'static str, body: serde_json::Value| {
            let request = client.post(format!("{base}{path}")).json(&body);
            async move {
                let reply = request.send().await.unwrap();
                reply.json::<serde_json::Value>().await.unwrap()
            }
        };
        let compiled = post(
            "/v1/engine/compile",
            serde_json::json!({"tree": {"Sphere": {"radius": 1.0}}}),
        )
        .await;
        let id = compiled["compiled_id"].as_str().unwrap();
        let out = post(
            "/v1/engine/eval",
            serde_json::json!({"compiled_id": id, "points": [[0, 0, 0]]}),
        )
        .await;
        assert_eq!(out["distances"][0], -1.0);
        let mesh = post(
            "/v1/mesh/generate",
            serde_json::json!({"compiled_id": id, "method": "marching_cubes", "resolution": 32}),
        )
        .await;
        let mesh_id = mesh["mesh_id"].as_str().unwrap();
        assert!(mesh_id.starts_with("mesh_"), "{mesh}");
        let glb = client
            .get(format!("{base}/v1/mesh/{mesh_id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(glb.status(), 200);
        assert_eq!(&glb.bytes().await.unwrap()[..4], b"glTF");
        let shader = post("/v1/shader/wgsl", serde_json::json!({"compiled_id": id})).await;
        assert!(
            shader["source_size_bytes"].as_u64().unwrap() > 0,
            "{shader}"
        );
        let home = client.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
        health
    })
}

#[test]
fn offline_mesh_and_export_write_valid_files() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("sphere.json");
    std::fs::write(&tree, r#"{"Sphere":{"radius":1.0}}"#).unwrap();

    // mesh -> .glb: a summary line on stdout, the file, no progress bar when piped.
    let glb = dir.path().join("out.glb");
    let out = run(cmd(dir.path())
        .arg("mesh")
        .arg(&tree)
        .args(["--resolution", "24", "--method", "surface_nets", "-o"])
        .arg(&glb)
        .env("RAYON_NUM_THREADS", "1"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains('\r') && !stderr.contains("meshing ["),
        "no progress bar when stderr is not a terminal: {stderr:?}"
    );
    let stdout = text(&out.stdout);
    assert_eq!(stdout.lines().count(), 1, "one summary line: {stdout}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let bytes = std::fs::read(&glb).unwrap();
    assert_eq!(&bytes[..4], b"glTF");
    assert_eq!(v["bytes"], bytes.len() as u64);
    assert_eq!(v["output"], glb.to_string_lossy().as_ref());
    assert_eq!(v["format"], "glb");
    assert_eq!(v["watertight"], true);
    assert!(v["triangle_count"].as_u64().unwrap() > 0);
    assert!(v["mesh_id"].as_str().unwrap().starts_with("mesh_"));
    assert!(v["time_ms"].is_number());

    // Without -o it only meshes.
    let out = run(cmd(dir.path())
        .arg("mesh")
        .arg(&tree)
        .args(["--resolution", "8"]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["output"], serde_json::Value::Null);

    // export -> .stl: 84 + 50 n bytes; --format overrides; -o - writes to stdout.
    let stl = dir.path().join("out.stl");
    let out = run(cmd(dir.path())
        .arg("export")
        .arg(&tree)
        .args(["--resolution", "16", "--method", "marching_cubes", "-o"])
        .arg(&stl));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let bytes = std::fs::read(&stl).unwrap();
    let n = u32::from_le_bytes([bytes[80], bytes[81], bytes[82], bytes[83]]) as usize;
    assert!(n > 0);
    assert_eq!(bytes.len(), 84 + 50 * n);
    let out = run(cmd(dir.path()).arg("export").arg(&tree).args([
        "--resolution",
        "16",
        "--format",
        "obj",
        "-o",
        "-",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let obj = text(&out.stdout);
    assert!(obj.lines().filter(|l| l.starts_with("f ")).count() > 0);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names.iter().any(|n| n.ends_with(".partial")),
        "no temp files left: {names:?}"
    );

    let out = run(cmd(dir.path()).args(["export", "--list-formats"]));
    assert!(out.status.success());
    let table = text(&out.stdout);
    assert_eq!(
        table.lines().count(),
        16,
        "a header and 15 formats: {table}"
    );
    assert!(table.contains("model/gltf-binary") && table.contains("stl_ascii"));

    // Bad input: exit 2 with a message saying what would be right.
    let bad: [(&[&str], &str); 6] = [
        (&["mesh", "--resolution", "0"], "4096"),
        (&["mesh", "--resolution", "5000"], "4096"),
        (&["export", "-o", "out.xyz"], "glb"),
        (
            &["export", "-o", "out.stl", "--format", "blend"],
            "stl_ascii",
        ),
        (&["export", "-o", "-"], "--format"),
        (&["mesh", "--bounds", "1,1,1,0,0,0"], "bounds"),
    ];
    for (args, says) in bad {
        let out = run(cmd(dir.path()).args(&args[..1]).arg(&tree).args(&args[1..]));
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(err.contains(says), "{args:?} should mention {says}: {err}");
    }
    let plane = dir.path().join("plane.json");
    std::fs::write(&plane, r#"{"Plane":{"normal":[0,1,0],"distance":0}}"#).unwrap();
    let out = run(cmd(dir.path())
        .arg("mesh")
        .arg(&plane)
        .args(["--resolution", "8"]));
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--bounds"));
    let out = run(cmd(dir.path()).arg("mesh").arg(&plane).args([
        "--resolution",
        "8",
        "--bounds",
        "-1,-1,-1,1,1,1",
    ]));
    assert!(out.status.success(), "{}", text(&out.stderr));
}
