//! Loopback latency of `POST /v1/engine/eval` with 1,000 points on a cached
//! `compiled_id` (issue target: p99 < 5 ms). Starts the real server on
//! 127.0.0.1:0, warms up, then sends a bounded number of sequential requests
//! and prints the latency percentiles as JSON.
//!
//! `cargo bench --bench http_eval`

use std::time::{Duration, Instant};

use ai_modeler::config::Config;
use serde_json::{Value, json};

// Shared bench code; here for the shipped allocator it sets.
mod common;

const WARMUP: usize = 200;
const REQUESTS: usize = 2000;

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let base = format!("http://{}", listener.local_addr().expect("local addr"));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        // The server opens its export directory at start; keep it out of
        // /data/exports (this bench exports nothing).
        let exports = tempfile::tempdir().expect("temp dir");
        let config = Config {
            export_storage_path: exports.path().to_string_lossy().into_owned(),
            database_url: ai_modeler::config::Secret::new(format!(
                "sqlite://{}",
                exports.path().join("bench.db").display()
            )),
            ..Config::default()
        };
        let server = tokio::spawn(ai_modeler::server::run(listener, config, async move {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::new();
        let tree =
            serde_json::from_str::<Value>(include_str!("../tests/data/alice-demo.asdf.json"))
                .expect("demo tree is JSON");
        let compiled: Value = client
            .post(format!("{base}/v1/engine/compile"))
            .json(&json!({ "tree": tree }))
            .send()
            .await
            .expect("compile request")
            .json()
            .await
            .expect("compile response");
        let id = compiled["compiled_id"]
            .as_str()
            .expect("compiled_id")
            .to_string();
        let points: Vec<[f32; 3]> = (0..1000)
            .map(|i| {
                let t = i as f32 * 0.001;
                [
                    (t * 37.0).sin() * 1.5,
                    (t * 11.0).cos() * 1.5,
                    t * 3.0 - 1.5,
                ]
            })
            .collect();
        let body =
            serde_json::to_vec(&json!({ "compiled_id": id, "points": points })).expect("body");
        let mut times = Vec::with_capacity(REQUESTS);
        for i in 0..WARMUP + REQUESTS {
            let t = Instant::now();
            let resp = client
                .post(format!("{base}/v1/engine/eval"))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await
                .expect("eval request");
            assert!(resp.status().is_success(), "eval failed: {}", resp.status());
            let bytes = resp.bytes().await.expect("eval body");
            assert!(bytes.len() > 1000);
            if i >= WARMUP {
                times.push(t.elapsed());
            }
        }
        times.sort();
        let pct = |p: f64| -> f64 {
            let i = ((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1;
            ms(times[i])
        };
        println!(
            "{}",
            json!({
                "requests": REQUESTS,
                "points_per_request": 1000,
                "p50_ms": pct(0.50),
                "p90_ms": pct(0.90),
                "p99_ms": pct(0.99),
                "max_ms": ms(times[times.len() - 1]),
            })
        );
        let _ = stop.send(());
        let _ = server.await;
    });
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}
