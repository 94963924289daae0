//! What the HTTP integration tests share: the real server (same `run` as
//! `main`) on `127.0.0.1:0` with its export directory in a fresh temp dir, a
//! client for it, and the problem+json assertion.
//!
//! Each test crate uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod kinds;

use ai_modeler::config::Config;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

/// A running server and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The server's export directory (removed when the app drops).
    pub exports: tempfile::TempDir,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts a server with `config`, its `export_storage_path` replaced by a temp dir.
pub async fn spawn_app_with(mut config: Config) -> TestApp {
    let exports = tempfile::tempdir().unwrap();
    config.export_storage_path = exports.path().to_string_lossy().into_owned();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(ai_modeler::server::run(listener, config, async move {
        let _ = stopped.await;
    }));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        exports,
        _stop: stop,
    }
}

/// A server with the embedded defaults.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Config::default()).await
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .header(CONTENT_TYPE, content_type)
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn compile(&self, tree: Value) -> String {
        let res = self
            .post_json("/v1/engine/compile", &json!({ "tree": tree }))
            .await;
        assert_eq!(res.status(), 200);
        let body: Value = res.json().await.unwrap();
        body["compiled_id"].as_str().unwrap().to_string()
    }
}

/// Asserts a problem+json answer with this status and code; returns the body.
pub async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status(), status, "status for expected code {code}");
    assert!(res.headers().contains_key("x-request-id"));
    assert_eq!(
        res.headers()[CONTENT_TYPE].to_str().unwrap(),
        "application/problem+json"
    );
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status);
    assert!(body["title"].is_string() && body["detail"].is_string() && body["type"].is_string());
    body
}
