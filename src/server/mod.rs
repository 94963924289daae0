//! The HTTP service: state, router, and the serve loop.
//!
//! [`run`] takes a listener that is already bound and a shutdown future, so `main`
//! binds `HOST:PORT` and waits for SIGTERM/ctrl-c while tests bind `127.0.0.1:0`
//! and drop a channel; both go through the same [`app`].
//!
//! Layout: [`error`] (the one `ApiError` → problem+json), [`extract`] (body
//! extractors with problem rejections), [`middleware`] (request id, tracing,
//! timeout, panics, fallbacks), [`compute`] (engine handle, CPU jobs),
//! [`meshes`] (mesh ids, mesh cache, recipes, meshing jobs), [`exports`] (the
//! export file cache on disk, atomic writes), [`lru`] (their eviction),
//! [`stream`] (channel-fed bodies: SSE, files), [`routes`] (one module per route
//! group, each with a `router()`).

pub mod auth;
pub mod compute;
pub mod error;
pub mod exports;
pub mod extract;
pub mod housekeeping;
pub mod lru;
pub mod meshes;
pub mod middleware;
pub mod routes;
pub mod stream;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::Router;
use tokio::net::TcpListener;

use crate::config::Config;
use compute::Engine;
use exports::ExportStore;
use meshes::Meshes;

/// Everything a handler may reach: cheap to clone (`Arc`s inside).
#[derive(Clone)]
pub struct AppState {
    /// The validated configuration.
    pub config: Arc<Config>,
    /// Engine limits, cache and CPU jobs.
    pub engine: Arc<Engine>,
    /// Mesh cache, recipes and meshing jobs.
    pub meshes: Arc<Meshes>,
    /// Export files on disk.
    pub exports: Arc<ExportStore>,
    /// When the server started, for `uptime_s`.
    pub started: Instant,
    /// False once shutdown has begun (`/ready` then answers 503).
    pub ready: Arc<AtomicBool>,
    /// Accounts, projects, templates: SQLite or Postgres.
    pub store: crate::store::Store,
    /// Keys, tokens and login throttling.
    pub auth: Arc<auth::Auth>,
}

impl AppState {
    /// State for a server configured by `config`. Opens the export directory
    /// (or its fallback under the OS temp dir); fails only when neither is usable.
    pub fn new(
        config: Config,
        store: crate::store::Store,
        auth: auth::Auth,
    ) -> std::io::Result<Self> {
        let exports = ExportStore::open(
            std::path::Path::new(&config.export_storage_path),
            config.export_storage_max_bytes(),
        )?;
        Ok(Self {
            store,
            auth: Arc::new(auth),
            engine: Arc::new(Engine::new(&config)),
            meshes: Arc::new(Meshes::new(compute::cache_budgets(&config).1)),
            exports: Arc::new(exports),
            config: Arc::new(config),
            started: Instant::now(),
            ready: Arc::new(AtomicBool::new(true)),
        })
    }

    /// What this build can do, for `/health`. Later issues append (llm…).
    pub fn features(&self) -> Vec<&'static str> {
        let mut f = vec!["engine", "mesh", "export", "accounts"];
        if cfg!(feature = "gpu") {
            f.push("gpu");
        }
        f
    }
}

/// The whole application: every route group, with the service's layers.
pub fn app(state: AppState) -> Router {
    let routes = Router::new()
        .merge(routes::home::router())
        .merge(routes::health::router())
        .merge(routes::engine::router())
        .merge(routes::mesh::router())
        .merge(routes::export::router())
        .merge(routes::shader::router())
        .merge(routes::accounts::router())
        .merge(routes::api_keys::router())
        .merge(routes::admin::router())
        .merge(routes::projects::router())
        .merge(routes::templates::router());
    middleware::apply(routes, state)
}

/// Opens and migrates the database, syncs the template gallery, loads the
/// session secret: the state [`serve`] needs. Fails with a message naming what
/// to fix (`DATABASE_URL`, `DEFAULT_PLAN`…).
pub async fn build(config: Config) -> anyhow::Result<AppState> {
    use anyhow::Context;
    let store = crate::store::Store::open(
        config.database_url.expose(),
        config.database_max_connections,
    )
    .await
    .context("opening the database (DATABASE_URL)")?;
    if store.plan(config.default_plan.trim()).await?.is_none() {
        anyhow::bail!(
            "DEFAULT_PLAN `{}` is not a plan in plan_configs",
            config.default_plan
        );
    }
    let limits = compute::limits(&config);
    let report = store
        .sync_templates(&limits)
        .await
        .context("loading the template gallery")?;
    tracing::info!(
        upserted = report.upserted,
        removed = report.removed,
        invalid = report.invalid.len(),
        backend = store.backend().name(),
        "database ready"
    );
    let auth = auth::Auth::new(&config, &store).await?;
    Ok(AppState::new(config, store, auth)?)
}

/// Serves `config`'s application on `listener` until `shutdown` completes, then
/// lets in-flight requests finish for up to `SHUTDOWN_GRACE_SEC`.
pub async fn run(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = build(config).await?;
    Ok(serve(listener, state, shutdown).await?)
}

/// Serves a built state on `listener` (see [`run`]).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    open_gpu(state.config.gpu_mode).await?;
    let housekeeping = tokio::spawn(housekeeping::run(state.clone()));
    let grace = Duration::from_secs(state.config.shutdown_grace_sec);
    let ready = state.ready.clone();
    let (began_tx, began_rx) = tokio::sync::oneshot::channel::<()>();
    let signal = async move {
        shutdown.await;
        ready.store(false, Ordering::Relaxed);
        tracing::info!("shutdown signal received; draining in-flight requests");
        let _ = began_tx.send(());
    };
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, version = env!("CARGO_PKG_VERSION"), "listening");
    }
    let server = axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    let deadline = async move {
        if began_rx.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let result = tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(grace_s = grace.as_secs(), "grace period over; closing remaining connections");
            Ok(())
        }
    };
    housekeeping.abort();
    result
}

/// Opens the GPU adapter on a blocking thread, so no request pays for it and the
/// async workers never wait on the driver. `require` waits for it and fails
/// start-up without one; `auto` lets the server answer meanwhile (`/health`
/// says `"adapter": "none"` until it is open); `off` opens nothing.
async fn open_gpu(mode: crate::gpu::GpuMode) -> std::io::Result<()> {
    use crate::gpu::GpuMode;
    let open = tokio::task::spawn_blocking(move || crate::gpu::open(mode));
    match mode {
        GpuMode::Off => {}
        GpuMode::Auto => drop(open),
        GpuMode::Require => {
            let adapter = open
                .await
                .map_err(std::io::Error::other)?
                .map_err(|e| std::io::Error::other(format!("GPU_MODE=require: {e}")))?;
            if let Some(info) = adapter {
                tracing::info!(adapter = %info.name, backend = %info.backend, "GPU required and ready");
            }
        }
    }
    Ok(())
}

/// Completes on SIGTERM or ctrl-c: the production shutdown future for [`run`].
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
