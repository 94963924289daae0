//! What the HTTP integration tests share: the real server (same `build` and
//! `serve` as `main`) on `127.0.0.1:0` with its export directory and database in
//! fresh places, a client for it, and the problem+json assertion.
//!
//! Storage: [`Db::Sqlite`] is a temp file; [`Db::Postgres`] is a fresh schema on
//! `AIM_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`),
//! dropped afterwards, so tests run in parallel without clashing.
//! [`both_backends!`] runs one test body on each. Set
//! `AIM_TEST_DATABASE_URL=skip` to run without a Postgres server (CI never does).
//!
//! Each test crate uses a different subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod kinds;

use std::sync::atomic::{AtomicU64, Ordering};

use ai_modeler::config::Config;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    /// A SQLite file in a temp dir.
    Sqlite,
    /// A fresh schema on the test Postgres server.
    Postgres,
}

/// The Postgres server tests use, or `None` when told to skip it.
pub fn postgres_base_url() -> Option<String> {
    let url = std::env::var("AIM_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".into());
    (url != "skip").then_some(url)
}

/// A database for one test: removed (file) or dropped (schema) on drop.
pub struct TestDb {
    pub url: String,
    pub dir: Option<tempfile::TempDir>,
    schema: Option<(String, String)>,
}

static SCHEMAS: AtomicU64 = AtomicU64::new(0);

impl TestDb {
    /// A fresh, empty database of this kind.
    pub async fn new(db: Db) -> TestDb {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("aim.db").display());
                TestDb {
                    url,
                    dir: Some(dir),
                    schema: None,
                }
            }
            Db::Postgres => {
                let base = postgres_base_url().expect("Postgres tests are skipped");
                let schema = format!(
                    "t_{}_{}_{}",
                    std::process::id(),
                    SCHEMAS.fetch_add(1, Ordering::Relaxed),
                    uuid_like()
                );
                admin_sql(&base, &format!("CREATE SCHEMA {schema}")).await;
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-c%20search_path%3D{schema}");
                TestDb {
                    url,
                    dir: None,
                    schema: Some((base, schema)),
                }
            }
        }
    }
}

fn uuid_like() -> String {
    format!(
        "{:x}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            & 0xffff_ffff
    )
}

async fn admin_sql(base: &str, sql: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(base)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test Postgres at {base} ({e}); start it, point AIM_TEST_DATABASE_URL at one, or set AIM_TEST_DATABASE_URL=skip"));
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((base, schema)) = self.schema.take() {
            // Its own thread and runtime: Drop may run inside (or outside) a runtime.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(admin_sql(
                        &base,
                        &format!("DROP SCHEMA IF EXISTS {schema} CASCADE"),
                    ));
                }
            })
            .join();
        }
    }
}

/// A running server and a client for it.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    /// The server's export directory (removed when the app drops).
    pub exports: tempfile::TempDir,
    /// The server's state (store included), for checks behind the API.
    pub state: ai_modeler::server::AppState,
    pub db: TestDb,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Starts a server with `config` on a fresh database of kind `db`, its
/// `export_storage_path` replaced by a temp dir.
pub async fn spawn_app_on(db: Db, mut config: Config) -> TestApp {
    let exports = tempfile::tempdir().unwrap();
    config.export_storage_path = exports.path().to_string_lossy().into_owned();
    let db = TestDb::new(db).await;
    config.database_url = ai_modeler::config::Secret::new(db.url.clone());
    config.database_max_connections = 5;
    let state = ai_modeler::server::build(config).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(ai_modeler::server::serve(
        listener,
        state.clone(),
        async move {
            let _ = stopped.await;
        },
    ));
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        exports,
        state,
        db,
        _stop: stop,
    }
}

/// Starts a server with `config` on a fresh SQLite file.
pub async fn spawn_app_with(config: Config) -> TestApp {
    spawn_app_on(Db::Sqlite, config).await
}

/// Runs each named `async fn name(db: Db)` once per backend, as
/// `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Db::Sqlite).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::common::postgres_base_url().is_none() {
                    eprintln!("skipped: AIM_TEST_DATABASE_URL=skip");
                    return;
                }
                super::$name($crate::common::Db::Postgres).await;
            }
        }
    )*};
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
