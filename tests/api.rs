//! The HTTP API end to end: the real server (same `run` as `main`) on
//! `127.0.0.1:0`, spoken to with a real HTTP client.
//!
//! Covers the DESIGN §5 smoke steps that exist so far (health, compile, eval), the
//! bulk binary eval, validation paths, every bad input of issue 2 (each a 4xx
//! problem+json with a stable code), and the request id on every response.

mod common;

use ai_modeler::config::Config;
use common::{assert_problem, spawn_app, spawn_app_with};
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

#[tokio::test]
async fn smoke_health_compile_eval() {
    let app = spawn_app().await;

    let res = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.headers().contains_key("x-request-id"));
    let health: Value = res.json().await.unwrap();
    assert_eq!(health["status"], "ok");
    assert_eq!(health["version"], env!("CARGO_PKG_VERSION"));
    assert!(health["uptime_s"].is_u64() && health["features"].is_array());

    let res = app
        .post_json(
            "/v1/engine/compile",
            &json!({"tree":{"Sphere":{"radius":1.0}}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let compiled: Value = res.json().await.unwrap();
    let id = compiled["compiled_id"].as_str().unwrap();
    assert_eq!(compiled["node_count"], 1);
    assert_eq!(compiled["depth"], 1);
    assert!(compiled["compile_time_ms"].is_number());
    let bounds = &compiled["bounds"];
    for axis in 0..3 {
        let (lo, hi) = (
            bounds[0][axis].as_f64().unwrap(),
            bounds[1][axis].as_f64().unwrap(),
        );
        assert!(
            (-1.1..=-0.99).contains(&lo) && (0.99..=1.1).contains(&hi),
            "{bounds}"
        );
    }

    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"compiled_id": id, "points": [[0,0,0],[2,0,0]]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.unwrap();
    assert_eq!(out["distances"], json!([-1.0, 1.0]));

    // Eval by tree compiles on the fly and caches under the same id.
    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"tree":{"Sphere":{"radius":1.0}}, "points": [[0,0,0]]}),
        )
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["distances"][0], -1.0);

    assert_eq!(
        app.client
            .get(app.url("/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let home = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("/v1/engine/nodes"));
}

#[tokio::test]
async fn request_id_is_echoed_or_made() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = app.client.get(app.url("/nope")).send().await.unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_problem(res, 404, "not_found").await;
}

#[tokio::test]
async fn binary_eval_of_a_million_points() {
    let app = spawn_app().await;
    let id = app.compile(json!({"Sphere":{"radius":1.0}})).await;
    let n = 1 << 20;
    let mut body = Vec::with_capacity(n * 12);
    for i in 0..n {
        let x = (i % 5) as f32; // distances 0-1, 1-1, 2-1…
        for v in [x, 0.0f32, 0.0] {
            body.extend_from_slice(&v.to_le_bytes());
        }
    }
    let res = app
        .client
        .post(app.url("/v1/engine/eval"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .header("x-compiled-id", &id)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "application/octet-stream");
    assert_eq!(res.headers()["x-compiled-id"].to_str().unwrap(), id);
    let bytes = res.bytes().await.unwrap();
    assert_eq!(bytes.len(), n * 4);
    for (i, c) in bytes.chunks_exact(4).enumerate().step_by(9973) {
        let d = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        assert!((d - ((i % 5) as f32 - 1.0)).abs() < 1e-6, "point {i}: {d}");
    }

    // Not a whole number of triples; no id; unknown id.
    let res = app
        .client
        .post(app.url("/v1/engine/eval"))
        .header(CONTENT_TYPE, "application/octet-stream")
        .header("x-compiled-id", &id)
        .body(vec![0u8; 13])
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "invalid_points").await;
    let res = app
        .post_raw("/v1/engine/eval", "application/octet-stream", vec![0u8; 12])
        .await;
    assert_problem(res, 400, "missing_compiled_id").await;
}

#[tokio::test]
async fn validate_names_the_json_path() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/engine/validate",
            &json!({"tree":{"Union":{"a":{"Sphere":{"radius":-1.0}},"b":{"Box3d":{"half_extents":[1,1,1]}}}}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"][0]["path"], "root.a.radius", "{v}");
    assert!(v["errors"][0]["message"].is_string());

    let ok: Value = app
        .post_json(
            "/v1/engine/validate",
            &json!({"tree":{"Sphere":{"radius":1.0}}}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        ok,
        json!({"valid": true, "node_count": 1, "depth": 1, "errors": []})
    );

    // compile of the same tree: 422 with the path and the list.
    let res = app
        .post_json(
            "/v1/engine/compile",
            &json!({"tree":{"Union":{"a":{"Sphere":{"radius":-1.0}},"b":{"Sphere":{"radius":1.0}}}}}),
        )
        .await;
    let p = assert_problem(res, 422, "invalid_tree").await;
    assert_eq!(p["path"], "root.a.radius");
    assert_eq!(p["errors"][0]["path"], "root.a.radius");
}

#[tokio::test]
async fn bad_inputs_get_problem_json() {
    let app = spawn_app().await;
    let compile = "/v1/engine/compile";

    let res = app
        .post_raw(compile, "application/json", b"{\"tree\": {".to_vec())
        .await;
    assert_problem(res, 400, "invalid_json").await;

    let res = app
        .post_json(compile, &json!({"tree":{"Blob":{"radius":1.0}}}))
        .await;
    assert_problem(res, 422, "invalid_tree").await;

    let res = app
        .post_json(compile, &json!({"tree":{"Sphere":{"radius":"big"}}}))
        .await;
    assert_problem(res, 422, "invalid_tree").await;

    let res = app
        .post_json(compile, &json!({"tree":{"Sphere":{"radius":-1.0}}}))
        .await;
    let p = assert_problem(res, 422, "invalid_tree").await;
    assert_eq!(p["path"], "root.radius");

    let huge = br#"{"tree":{"Sphere":{"radius":1e39}}}"#.to_vec();
    let res = app.post_raw(compile, "application/json", huge).await;
    assert_problem(res, 422, "invalid_tree").await;

    let res = app
        .post_json(compile, &json!({"shape":{"Sphere":{"radius":1.0}}}))
        .await;
    assert_problem(res, 422, "invalid_request").await;

    // 10,000-deep nesting: refused before anything recurses.
    let depth = 10_000;
    let mut deep = String::from("{\"tree\":");
    for _ in 0..depth {
        deep.push_str("{\"Translate\":{\"offset\":[0,0,0],\"child\":");
    }
    deep.push_str("{\"Sphere\":{\"radius\":1.0}}");
    for _ in 0..depth {
        deep.push_str("}}");
    }
    deep.push('}');
    let res = app
        .post_raw(compile, "application/json", deep.into_bytes())
        .await;
    assert_problem(res, 422, "tree_too_deep").await;

    // Deeper than MAX_TREE_DEPTH but within JSON limits: the validator's code.
    let mut tree = json!({"Sphere":{"radius":1.0}});
    for _ in 0..130 {
        tree = json!({"Translate":{"offset":[0,0,0],"child":tree}});
    }
    let res = app.post_json(compile, &json!({ "tree": tree })).await;
    assert_problem(res, 422, "tree_too_deep").await;

    let res = app.post_raw(compile, "text/plain", b"{}".to_vec()).await;
    assert_problem(res, 415, "unsupported_media_type").await;
    let res = app
        .post_raw("/v1/engine/eval", "text/plain", b"{}".to_vec())
        .await;
    assert_problem(res, 415, "unsupported_media_type").await;

    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"compiled_id":"sdf_nope","points":[[0,0,0]]}),
        )
        .await;
    let p = assert_problem(res, 404, "unknown_compiled_id").await;
    assert!(p["detail"].as_str().unwrap().contains("compile"));

    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"tree":{"Sphere":{"radius":1.0}},"points":[[1e39,0,0]]}),
        )
        .await;
    // serde_json refuses an f32 overflow while parsing.
    let p = assert_problem(res, 400, "invalid_json").await;
    assert!(
        p["detail"].as_str().unwrap().contains("out of range"),
        "{p}"
    );

    let res = app
        .client
        .get(app.url("/v1/engine/compile"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn a_50_mb_body_is_413() {
    let app = spawn_app().await;
    let body = vec![b' '; 50 * 1024 * 1024];
    let res = app
        .client
        .post(app.url("/v1/engine/compile"))
        .header(CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    // The server answers as soon as Content-Length is over the limit; the client
    // may still be sending, so a reset after the answer is also a refusal.
    match res {
        Ok(res) => {
            assert_problem(res, 413, "payload_too_large").await;
        }
        Err(e) => eprintln!("50 MB body: connection closed early: {e}"),
    }
}

#[tokio::test]
async fn too_many_points_names_the_limit() {
    let config = Config {
        max_eval_points: 10,
        ..Config::default()
    };
    let app = spawn_app_with(config).await;
    let points = vec![[0.0, 0.0, 0.0]; 11];
    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"tree":{"Sphere":{"radius":1.0}},"points":points}),
        )
        .await;
    let p = assert_problem(res, 413, "too_many_points").await;
    assert!(p["detail"].as_str().unwrap().contains("MAX_EVAL_POINTS"));
}

#[tokio::test]
async fn slice_is_a_png_and_nodes_is_the_catalog() {
    let app = spawn_app().await;
    let res = app
        .post_json(
            "/v1/engine/slice",
            &json!({"tree":{"Sphere":{"radius":0.5}}, "size": 64, "z": 0.0}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "image/png");
    let png = res.bytes().await.unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let res = app
        .post_json(
            "/v1/engine/slice",
            &json!({"tree":{"Sphere":{"radius":0.5}}, "size": 100000}),
        )
        .await;
    assert_problem(res, 422, "invalid_size").await;

    let nodes: Value = app
        .client
        .get(app.url("/v1/engine/nodes"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds = nodes["kinds"].as_array().unwrap();
    assert!(kinds.len() >= 130, "{} kinds", kinds.len());
    let sphere = kinds.iter().find(|k| k["name"] == "Sphere").unwrap();
    assert_eq!(sphere["example"], json!({"Sphere":{"radius":0.5}}));
    assert!(sphere["category"].is_string() && sphere["fields"].is_array());
}

#[tokio::test]
async fn fidget_vm_files_load_unchanged() {
    let app = spawn_app().await;
    let text = include_str!("data/prospero.vm");
    let res = app
        .post_json("/v1/engine/compile", &json!({ "vm": text }))
        .await;
    assert_eq!(res.status(), 200);
    let compiled: Value = res.json().await.unwrap();
    let id = compiled["compiled_id"].as_str().unwrap();
    assert!(compiled["node_count"].as_u64().unwrap() > 5000);
    // A point inside a letter stroke and one in the empty margin.
    let res = app
        .post_json(
            "/v1/engine/eval",
            &json!({"compiled_id": id, "points": [[0.0, 0.0, 0.0], [0.99, 0.99, 0.0]]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let out: Value = res.json().await.unwrap();
    assert!(out["distances"][1].as_f64().unwrap() > 0.0, "{out}");
    let res = app
        .post_json("/v1/engine/slice", &json!({"compiled_id": id, "size": 128}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    let res = app
        .post_json(
            "/v1/engine/compile",
            &json!({ "vm": "_0 const 1\n_1 frob _0" }),
        )
        .await;
    let problem = assert_problem(res, 422, "invalid_vm").await;
    assert!(
        problem["detail"].as_str().unwrap().contains("line 2"),
        "{problem}"
    );
    let res = app
        .post_json(
            "/v1/engine/compile",
            &json!({ "vm": text, "tree": {"Sphere": {"radius": 1.0}} }),
        )
        .await;
    assert_problem(res, 422, "invalid_request").await;
}
