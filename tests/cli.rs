//! The binary itself: start-up refuses bad configuration naming the variable,
//! `check-config` redacts secrets and works from any directory (embedded
//! defaults), the offline commands need no server, and `serve` answers the
//! `healthcheck` probe, passes the deployment smoke steps (health, compile,
//! eval, `GET /`) on a random port, and stops cleanly on SIGTERM.

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
    let mut server = cmd(dir.path())
        .env("PORT", &port)
        .env("HOST", "127.0.0.1")
        .env("LOG_FORMAT", "json")
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
    smoke_test(&format!("http://127.0.0.1:{port}"));
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
    let probe = run(cmd(dir.path()).arg("healthcheck").env("PORT", &port));
    assert!(!probe.status.success());
}

/// The deployment spec's smoke steps that exist so far, against the real binary.
fn smoke_test(base: &str) {
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
        let compiled: serde_json::Value = client
            .post(format!("{base}/v1/engine/compile"))
            .json(&serde_json::json!({"tree": {"Sphere": {"radius": 1.0}}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = compiled["compiled_id"].as_str().unwrap();
        let out: serde_json::Value = client
            .post(format!("{base}/v1/engine/eval"))
            .json(&serde_json::json!({"compiled_id": id, "points": [[0, 0, 0]]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(out["distances"][0], -1.0);
        let home = client.get(format!("{base}/")).send().await.unwrap();
        assert_eq!(home.status(), 200);
    });
}
