//! `GET /`: a small honest page until the editor lands (a later issue embeds the UI
//! here). It says what works today and links the machine-readable routes.

use axum::Router;
use axum::response::Html;
use axum::routing::get;

use crate::server::AppState;

/// `GET /`.
pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}

async fn home() -> Html<&'static str> {
    Html(PAGE)
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>ai-modeler</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}code{background:#eee;padding:0 .2em}</style>
</head>
<body>
<h1>ai-modeler</h1>
<p>The SDF engine and its HTTP API are running. The web editor is coming in a later
release; until then, talk to the API directly.</p>
<ul>
<li><a href="/v1/engine/nodes"><code>GET /v1/engine/nodes</code></a> — every node kind, its fields and an example</li>
<li><a href="/health"><code>GET /health</code></a> — status, version, uptime</li>
<li><code>POST /v1/engine/compile</code>, <code>/eval</code>, <code>/validate</code>, <code>/slice</code> — see the README</li>
<li><code>POST /v1/mesh/generate</code>, <code>GET /v1/mesh/{mesh_id}?format=glb</code>, <code>POST /v1/export</code> — meshes and files; <a href="/v1/export/formats"><code>GET /v1/export/formats</code></a>, <a href="/v1/mesh/methods"><code>GET /v1/mesh/methods</code></a></li>
</ul>
<pre>curl -s localhost:3000/v1/engine/compile -H 'content-type: application/json' \
  -d '{"tree":{"Sphere":{"radius":1.0}}}'</pre>
</body>
</html>
"#;
