//! Meshing and export over HTTP, as a user would: the real server on
//! `127.0.0.1:0` (tests/common), a real client, files parsed as files.
//!
//! Covers the deployment smoke step (`POST /v1/mesh/generate` by compiled id),
//! downloads in several formats with their headers, content addressing and the
//! cache, the progress event stream, every bad input (a 4xx problem naming the
//! field), the empty surface, an unbounded plane with and without bounds,
//! concurrent identical exports leaving only complete files, unknown ids, the
//! ETag/304 exchange, re-meshing from a recipe, and the format/method lists.
//! Resolutions are small so the whole file runs in seconds in the test profile.

mod common;

use ai_modeler::config::Config;
use common::{TestApp, assert_problem, spawn_app, spawn_app_with};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};

const GENERATE: &str = "/v1/mesh/generate";

fn sphere() -> Value {
    json!({"Sphere": {"radius": 1.0}})
}

/// The intersection of two disjoint spheres: nothing at all.
fn nothing() -> Value {
    json!({"Intersection": {
        "a": {"Translate": {"offset": [-2.0, 0.0, 0.0], "child": {"Sphere": {"radius": 0.5}}}},
        "b": {"Translate": {"offset": [2.0, 0.0, 0.0], "child": {"Sphere": {"radius": 0.5}}}},
    }})
}

async fn generate(app: &TestApp, body: Value) -> Value {
    let res = app.post_json(GENERATE, &body).await;
    assert_eq!(res.status(), 200, "{body}");
    res.json().await.unwrap()
}

/// Triangles of a binary STL, checking that its size is 84 + 50 n.
fn stl_triangles(bytes: &[u8]) -> u64 {
    assert!(bytes.len() >= 84, "{} bytes", bytes.len());
    let n = u32::from_le_bytes([bytes[80], bytes[81], bytes[82], bytes[83]]) as u64;
    assert_eq!(bytes.len() as u64, 84 + 50 * n, "binary STL size");
    n
}

/// Checks a GLB container: magic, version 2, declared length, a JSON chunk.
fn check_glb(bytes: &[u8]) {
    assert_eq!(&bytes[..4], b"glTF");
    let word = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    assert_eq!(word(4), 2, "glTF version");
    assert_eq!(word(8) as usize, bytes.len(), "declared length");
    assert_eq!(&bytes[16..20], b"JSON");
}

/// Triangles of an OBJ: its `f` lines.
fn obj_faces(text: &str) -> usize {
    text.lines().filter(|l| l.starts_with("f ")).count()
}

#[tokio::test]
async fn smoke_step_generate_by_compiled_id() {
    let app = spawn_app().await;
    let id = app.compile(sphere()).await;
    let out = generate(
        &app,
        json!({"compiled_id": id, "method": "marching_cubes", "resolution": 32}),
    )
    .await;
    let mesh_id = out["mesh_id"].as_str().unwrap();
    assert!(mesh_id.starts_with("mesh_") && mesh_id.len() == 37, "{out}");
    assert_eq!(out["compiled_id"], id.as_str());
    assert_eq!(out["method"], "marching_cubes");
    assert_eq!(out["resolution"], 32);
    assert_eq!(out["empty"], false);
    assert_eq!(out["watertight"], true);
    assert!(out["vertex_count"].as_u64().unwrap() > 100);
    assert!(out["triangle_count"].as_u64().unwrap() > 100);
    for k in 0..3 {
        let (lo, hi) = (
            out["bounds"]["min"][k].as_f64().unwrap(),
            out["bounds"]["max"][k].as_f64().unwrap(),
        );
        assert!((lo + 1.0).abs() < 0.05 && (hi - 1.0).abs() < 0.05, "{out}");
        assert!(out["domain"]["min"][k].as_f64().unwrap() <= lo);
    }
    assert!(out["cell_size"].as_f64().unwrap() > 0.0);
    assert!(out["chunks_meshed"].as_u64().unwrap() <= out["chunks_total"].as_u64().unwrap());
    assert!(out["time_ms"].is_number() && out["mesh_time_ms"].is_number());
    assert_eq!(out["cached"], false);
}

#[tokio::test]
async fn generated_mesh_downloads_in_several_formats() {
    let app = spawn_app().await;
    let out = generate(&app, json!({"tree": sphere(), "resolution": 24})).await;
    let id = out["mesh_id"].as_str().unwrap();
    let triangles = out["triangle_count"].as_u64().unwrap();
    let prefix = &id[..17];

    // Default format: GLB.
    let res = app.get(&format!("/v1/mesh/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "model/gltf-binary");
    assert_eq!(
        res.headers()[CONTENT_DISPOSITION].to_str().unwrap(),
        format!("attachment; filename=\"{prefix}.glb\"")
    );
    let length: usize = res.headers()[CONTENT_LENGTH]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let etag = res.headers()[ETAG].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && etag.contains(id),
        "strong, content-addressed: {etag}"
    );
    assert_eq!(res.headers()["x-mesh-id"], id);
    let glb = res.bytes().await.unwrap();
    assert_eq!(glb.len(), length);
    check_glb(&glb);

    let res = app.get(&format!("/v1/mesh/{id}?format=stl")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[CONTENT_TYPE], "model/stl");
    assert_ne!(
        res.headers()[ETAG].to_str().unwrap(),
        etag,
        "a tag per format"
    );
    assert_eq!(stl_triangles(&res.bytes().await.unwrap()), triangles);

    let res = app.get(&format!("/v1/mesh/{id}?format=obj")).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "model/obj");
    assert!(
        res.headers()[CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .ends_with(".obj\"")
    );
    assert_eq!(obj_faces(&res.text().await.unwrap()) as u64, triangles);

    let res = app.get(&format!("/v1/mesh/{id}?format=3mf")).await;
    assert_eq!(res.headers()[CONTENT_TYPE], "model/3mf");
    assert_eq!(&res.bytes().await.unwrap()[..2], b"PK");

    // Shared extension, distinct file: ASCII STL.
    let res = app.get(&format!("/v1/mesh/{id}?format=stl_ascii")).await;
    let text = res.text().await.unwrap();
    assert!(text.starts_with("solid"));
    assert_eq!(text.matches("endfacet").count() as u64, triangles);

    // The client holds the file: 304, no body, same tag. Weak form and lists too.
    for header in [
        etag.clone(),
        format!("W/{etag}"),
        format!("\"x\", {etag}"),
        "*".into(),
    ] {
        let res = app
            .client
            .get(app.url(&format!("/v1/mesh/{id}")))
            .header(IF_NONE_MATCH, &header)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304, "If-None-Match: {header}");
        assert_eq!(res.headers()[ETAG].to_str().unwrap(), etag);
        assert!(res.bytes().await.unwrap().is_empty());
    }
    let res = app
        .client
        .get(app.url(&format!("/v1/mesh/{id}")))
        .header(IF_NONE_MATCH, "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // POST /v1/export of the same tree and settings is the same mesh and file.
    let res = app
        .post_json(
            "/v1/export",
            &json!({"tree": sphere(), "resolution": 24, "format": "glb"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-mesh-id"], id);
    assert_eq!(res.headers()[ETAG].to_str().unwrap(), etag);
    assert_eq!(res.bytes().await.unwrap(), glb);
    // …and by mesh_id.
    let res = app
        .post_json("/v1/export", &json!({"mesh_id": id, "format": "stl"}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(stl_triangles(&res.bytes().await.unwrap()), triangles);
}

#[tokio::test]
async fn same_request_same_id_and_the_second_comes_from_the_cache() {
    let app = spawn_app().await;
    let body = json!({"tree": sphere(), "method": "dual_contouring", "resolution": 20});
    let first = generate(&app, body.clone()).await;
    let second = generate(&app, body).await;
    assert_eq!(first["mesh_id"], second["mesh_id"]);
    assert_eq!(first["cached"], false);
    assert_eq!(second["cached"], true);
    assert_eq!(first["triangle_count"], second["triangle_count"]);

    // By compiled id, and with the bounds spelled out as the default: the
    // same tree and settings; explicit bounds are a different request.
    let id = app.compile(sphere()).await;
    let third = generate(
        &app,
        json!({"compiled_id": id, "method": "dual_contouring", "resolution": 20, "normals": true}),
    )
    .await;
    assert_eq!(third["mesh_id"], first["mesh_id"]);
    let boxed = generate(
        &app,
        json!({"compiled_id": id, "method": "dual_contouring", "resolution": 20,
               "bounds": {"min": [-2, -2, -2], "max": [2, 2, 2]}}),
    )
    .await;
    assert_ne!(boxed["mesh_id"], first["mesh_id"]);
    let other = generate(&app, json!({"compiled_id": id, "resolution": 21})).await;
    assert_ne!(other["mesh_id"], first["mesh_id"]);

    let health: Value = app.get("/health").await.json().await.unwrap();
    assert!(
        health["mesh_cache"]["meshes"].as_u64().unwrap() >= 3,
        "{health}"
    );
    assert!(
        health["features"]
            .as_array()
            .unwrap()
            .contains(&json!("mesh"))
    );
    assert_eq!(
        health["export_storage"]["path"],
        app.exports.path().to_string_lossy().as_ref()
    );
    assert_eq!(health["export_storage"]["fallback"], false);
}

/// `(event, data)` pairs of a complete SSE body (keep-alive comments skipped).
fn parse_events(text: &str) -> Vec<(String, Value)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut event = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(e) = line.strip_prefix("event:") {
                    event = Some(e.trim().to_string());
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push_str(d.trim_start());
                }
            }
            Some((event?, serde_json::from_str(&data).unwrap()))
        })
        .collect()
}

#[tokio::test]
async fn event_stream_reports_progress_then_done() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url(GENERATE))
        .header("accept", "text/event-stream")
        .json(&json!({"tree": {"Torus": {"major_radius": 1.0, "minor_radius": 0.3}}, "resolution": 48}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()[CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let events = parse_events(&res.text().await.unwrap());
    let (last, rest) = events.split_last().expect("some events");
    assert_eq!(last.0, "done", "{events:?}");
    assert!(last.1["mesh_id"].as_str().unwrap().starts_with("mesh_"));
    assert!(last.1["triangle_count"].as_u64().unwrap() > 0);
    assert!(!rest.is_empty(), "at least the final progress event");
    let mut before = 0;
    for (name, data) in rest {
        assert_eq!(name, "progress", "{events:?}");
        let (done, total) = (
            data["done"].as_u64().unwrap(),
            data["total"].as_u64().unwrap(),
        );
        assert!(done <= total && done >= before, "{events:?}");
        before = done;
    }
    let final_progress = &rest.last().unwrap().1;
    assert_eq!(final_progress["done"], final_progress["total"]);

    // Asked again: cached, still progress then done.
    let res = app
        .client
        .post(app.url(GENERATE))
        .header("accept", "text/event-stream")
        .json(&json!({"tree": {"Torus": {"major_radius": 1.0, "minor_radius": 0.3}}, "resolution": 48}))
        .send()
        .await
        .unwrap();
    let again = parse_events(&res.text().await.unwrap());
    assert_eq!(again.last().unwrap().0, "done");
    assert_eq!(again.last().unwrap().1["mesh_id"], last.1["mesh_id"]);
    assert_eq!(again.last().unwrap().1["cached"], true);

    // Bad input is a plain problem even when events were asked for.
    let res = app
        .client
        .post(app.url(GENERATE))
        .header("accept", "text/event-stream")
        .json(&json!({"tree": sphere(), "resolution": 0}))
        .send()
        .await
        .unwrap();
    let p = assert_problem(res, 422, "invalid_resolution").await;
    assert_eq!(p["field"], "resolution");
}

#[tokio::test]
async fn bad_inputs_are_problems_naming_the_field() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"tree": sphere(), "resolution": 0}),
            "invalid_resolution",
            "resolution",
        ),
        (
            json!({"tree": sphere(), "resolution": 513}),
            "invalid_resolution",
            "resolution",
        ),
        (
            json!({"tree": sphere(), "resolution": -4}),
            "invalid_resolution",
            "resolution",
        ),
        (
            json!({"tree": sphere(), "resolution": 2.5}),
            "invalid_resolution",
            "resolution",
        ),
        (
            json!({"tree": sphere(), "resolution": "high"}),
            "invalid_resolution",
            "resolution",
        ),
        (
            json!({"tree": sphere(), "method": "voxels"}),
            "invalid_method",
            "method",
        ),
        (
            json!({"tree": sphere(), "method": 3}),
            "invalid_method",
            "method",
        ),
        (
            json!({"tree": sphere(), "bounds": {"min": [1, 1, 1], "max": [0, 0, 0]}}),
            "invalid_bounds",
            "bounds",
        ),
        (
            json!({"tree": sphere(), "bounds": {"min": [0, 0], "max": [1, 1, 1]}}),
            "invalid_bounds",
            "bounds",
        ),
        (
            json!({"tree": sphere(), "bounds": {"lo": [0, 0, 0], "max": [1, 1, 1]}}),
            "invalid_bounds",
            "bounds",
        ),
        (
            json!({"tree": sphere(), "bounds": [[0, 0, 0]]}),
            "invalid_bounds",
            "bounds",
        ),
        (
            json!({"tree": sphere(), "bounds": [[-1e39, 0, 0], [1, 1, 1]]}),
            "invalid_bounds",
            "bounds",
        ),
        (
            json!({"tree": sphere(), "bounds": "everywhere"}),
            "invalid_bounds",
            "bounds",
        ),
        (
            json!({"tree": sphere(), "normals": "yes"}),
            "invalid_normals",
            "normals",
        ),
    ];
    for (body, code, field) in cases {
        let res = app.post_json(GENERATE, &body).await;
        let p = assert_problem(res, 422, code).await;
        assert_eq!(p["field"], field, "{body}: {p}");
    }
    // The limit and its value are named; the methods are listed.
    let p = assert_problem(
        app.post_json(GENERATE, &json!({"tree": sphere(), "resolution": 513}))
            .await,
        422,
        "invalid_resolution",
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.contains("MAX_MESH_RESOLUTION") && detail.contains("512"),
        "{detail}"
    );
    let p = assert_problem(
        app.post_json(GENERATE, &json!({"tree": sphere(), "method": "voxels"}))
            .await,
        422,
        "invalid_method",
    )
    .await;
    let detail = p["detail"].as_str().unwrap();
    for m in ["surface_nets", "marching_cubes", "dual_contouring"] {
        assert!(detail.contains(m), "{detail}");
    }

    // Sources: neither, two, an unknown field, an unknown compiled id, a bad tree.
    for body in [
        json!({"resolution": 16}),
        json!({"tree": sphere(), "vm": "_0 var-x"}),
        json!({"tree": sphere(), "resolutoin": 16}),
    ] {
        assert_problem(app.post_json(GENERATE, &body).await, 422, "invalid_request").await;
    }
    assert_problem(
        app.post_json(GENERATE, &json!({"compiled_id": "sdf_nope"}))
            .await,
        404,
        "unknown_compiled_id",
    )
    .await;
    let p = assert_problem(
        app.post_json(GENERATE, &json!({"tree": {"Sphere": {"radius": -1}}}))
            .await,
        422,
        "invalid_tree",
    )
    .await;
    assert_eq!(p["path"], "root.radius");

    // Export: unknown or missing format (listing them), settings next to a mesh_id.
    let p = assert_problem(
        app.post_json("/v1/export", &json!({"tree": sphere(), "format": "blend"}))
            .await,
        422,
        "invalid_format",
    )
    .await;
    assert_eq!(p["field"], "format");
    assert!(p["detail"].as_str().unwrap().contains("glb"), "{p}");
    let p = assert_problem(
        app.post_json("/v1/export", &json!({"tree": sphere()}))
            .await,
        422,
        "invalid_format",
    )
    .await;
    assert_eq!(p["field"], "format");
    let mesh_id =
        generate(&app, json!({"tree": sphere(), "resolution": 8})).await["mesh_id"].clone();
    let p = assert_problem(
        app.post_json(
            "/v1/export",
            &json!({"mesh_id": mesh_id, "format": "obj", "resolution": 64}),
        )
        .await,
        422,
        "invalid_request",
    )
    .await;
    assert_eq!(p["field"], "resolution");
    assert_problem(
        app.post_json(
            "/v1/export",
            &json!({"mesh_id": mesh_id, "tree": sphere(), "format": "obj"}),
        )
        .await,
        422,
        "invalid_request",
    )
    .await;
    assert_problem(
        app.post_json("/v1/export", &json!({"format": "obj"})).await,
        422,
        "invalid_request",
    )
    .await;
    let p = assert_problem(
        app.get(&format!(
            "/v1/mesh/{}?format=blend",
            mesh_id.as_str().unwrap()
        ))
        .await,
        422,
        "invalid_format",
    )
    .await;
    assert_eq!(p["field"], "format");
    assert_problem(
        app.get(&format!(
            "/v1/mesh/{}?fromat=obj",
            mesh_id.as_str().unwrap()
        ))
        .await,
        422,
        "invalid_request",
    )
    .await;
}

#[tokio::test]
async fn a_lower_resolution_cap_is_enforced_and_named() {
    let app = spawn_app_with(Config {
        max_mesh_resolution: 16,
        ..Config::default()
    })
    .await;
    let p = assert_problem(
        app.post_json(GENERATE, &json!({"tree": sphere(), "resolution": 17}))
            .await,
        422,
        "invalid_resolution",
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("MAX_MESH_RESOLUTION (16)"),
        "{p}"
    );
    // No resolution: the default, capped.
    let out = generate(&app, json!({"tree": sphere()})).await;
    assert_eq!(out["resolution"], 16);
}

#[tokio::test]
async fn an_empty_surface_is_a_valid_empty_mesh_in_every_format() {
    let app = spawn_app().await;
    let out = generate(&app, json!({"tree": nothing(), "resolution": 16})).await;
    assert_eq!(out["empty"], true);
    assert_eq!(out["triangle_count"], 0);
    assert_eq!(out["vertex_count"], 0);
    assert_eq!(out["bounds"], Value::Null);
    let id = out["mesh_id"].as_str().unwrap();
    let formats: Value = app.get("/v1/export/formats").await.json().await.unwrap();
    for f in formats["formats"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let res = app.get(&format!("/v1/mesh/{id}?format={name}")).await;
        assert_eq!(res.status(), 200, "{name}");
        assert_eq!(res.headers()[CONTENT_TYPE], f["mime"].as_str().unwrap());
        let bytes = res.bytes().await.unwrap();
        assert!(
            !bytes.is_empty(),
            "{name}: an empty file is not a valid one"
        );
        match name {
            "stl" => assert_eq!(stl_triangles(&bytes), 0),
            "glb" => check_glb(&bytes),
            "3mf" => assert_eq!(&bytes[..2], b"PK"),
            "obj" => assert_eq!(obj_faces(&String::from_utf8_lossy(&bytes)), 0),
            "gltf" => {
                let v: Value = serde_json::from_slice(&bytes).unwrap();
                assert_eq!(v["asset"]["version"], "2.0");
            }
            _ => {}
        }
    }
    let res = app
        .post_json(
            "/v1/export",
            &json!({"tree": nothing(), "resolution": 16, "format": "stl"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(stl_triangles(&res.bytes().await.unwrap()), 0);
}

#[tokio::test]
async fn an_unbounded_plane_needs_bounds() {
    let app = spawn_app().await;
    let plane = json!({"Plane": {"normal": [0.0, 1.0, 0.0], "distance": 0.0}});
    let p = assert_problem(
        app.post_json(GENERATE, &json!({"tree": plane, "resolution": 16}))
            .await,
        422,
        "unbounded_shape",
    )
    .await;
    assert_eq!(p["field"], "bounds");
    assert!(p["detail"].as_str().unwrap().contains("pass bounds"), "{p}");

    let out = generate(
        &app,
        json!({"tree": plane, "resolution": 16, "bounds": {"min": [-1, -1, -1], "max": [1, 1, 1]}}),
    )
    .await;
    assert_eq!(out["watertight"], true);
    assert_eq!(out["empty"], false);
    assert!(out["triangle_count"].as_u64().unwrap() > 0);
    // The slab below y = 0, closed by caps on the box's faces.
    assert!(
        out["bounds"]["max"][1].as_f64().unwrap().abs() < 0.01,
        "{out}"
    );
    assert!(out["bounds"]["min"][1].as_f64().unwrap() < -0.9, "{out}");
    // The array spelling is the same request.
    let same = generate(
        &app,
        json!({"tree": plane, "resolution": 16, "bounds": [[-1, -1, -1], [1, 1, 1]]}),
    )
    .await;
    assert_eq!(same["mesh_id"], out["mesh_id"]);
}

#[tokio::test]
async fn concurrent_identical_exports_leave_only_complete_files() {
    let app = spawn_app().await;
    let body = json!({"tree": {"Box3d": {"half_extents": [0.5, 0.3, 0.2]}}, "resolution": 24, "format": "stl"});
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = app.client.clone();
        let url = app.url("/v1/export");
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let res = client.post(url).json(&body).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.bytes().await.unwrap()
        }));
    }
    let mut files = Vec::new();
    for t in tasks {
        files.push(t.await.unwrap());
    }
    let n = stl_triangles(&files[0]);
    assert!(n > 0);
    assert!(
        files.iter().all(|f| *f == files[0]),
        "every answer is the same file"
    );

    let names: Vec<String> = std::fs::read_dir(app.exports.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "one file, no temp files: {names:?}");
    assert!(
        names[0].starts_with("mesh_") && names[0].ends_with(".stl"),
        "{names:?}"
    );
    let on_disk = std::fs::read(app.exports.path().join(&names[0])).unwrap();
    assert_eq!(on_disk, files[0]);
}

#[tokio::test]
async fn unknown_mesh_ids_are_404_saying_to_generate_again() {
    let app = spawn_app().await;
    let unknown = format!("mesh_{}", "0".repeat(32));
    for path in [
        format!("/v1/mesh/{unknown}"),
        format!("/v1/mesh/{unknown}?format=obj"),
        "/v1/mesh/not-an-id".to_string(),
        "/v1/mesh/mesh_..%2F..%2Fetc".to_string(),
    ] {
        let p = assert_problem(app.get(&path).await, 404, "unknown_mesh_id").await;
        assert!(
            p["detail"].as_str().unwrap().contains("/v1/mesh/generate"),
            "{p}"
        );
    }
    assert_problem(
        app.post_json("/v1/export", &json!({"mesh_id": unknown, "format": "glb"}))
            .await,
        404,
        "unknown_mesh_id",
    )
    .await;
}

#[tokio::test]
async fn a_mesh_that_left_the_cache_is_made_again_from_its_recipe() {
    // 1 MiB in all: 768 KiB for meshes, less than this sphere's mesh (about
    // 1.6 MB), so it is never kept and every download has to mesh it again.
    let app = spawn_app_with(Config {
        mesh_cache_size_mb: 1,
        ..Config::default()
    })
    .await;
    let body = json!({"tree": sphere(), "resolution": 128, "normals": false});
    let out = generate(&app, body.clone()).await;
    assert_eq!(
        generate(&app, body).await["cached"],
        false,
        "too big to keep"
    );
    let id = out["mesh_id"].as_str().unwrap();
    let res = app.get(&format!("/v1/mesh/{id}?format=stl")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        stl_triangles(&res.bytes().await.unwrap()),
        out["triangle_count"].as_u64().unwrap()
    );
}

#[tokio::test]
async fn formats_and_methods_are_listed() {
    let app = spawn_app().await;
    let v: Value = app.get("/v1/export/formats").await.json().await.unwrap();
    let formats = v["formats"].as_array().unwrap();
    assert_eq!(formats.len(), ai_modeler::export::formats().len());
    for f in formats {
        for key in [
            "name",
            "extension",
            "mime",
            "units",
            "up_axis",
            "description",
        ] {
            assert!(f[key].is_string(), "{key} of {f}");
        }
        assert!(f["binary"].is_boolean() && f["normals"].is_boolean());
    }
    let names: Vec<&str> = formats
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for n in [
        "obj",
        "stl",
        "stl_ascii",
        "ply",
        "gltf",
        "glb",
        "3mf",
        "usda",
        "fbx",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let v: Value = app.get("/v1/mesh/methods").await.json().await.unwrap();
    assert_eq!(v["default"], "surface_nets");
    assert_eq!(v["max_resolution"], 512);
    assert_eq!(v["methods"].as_array().unwrap().len(), 3);
}
