//! `ai-modeler migrate` and `ai-modeler backup PATH`: database chores an
//! operator runs next to (or instead of) the server's start-up migration.
//! Both print one JSON line on success and one `error:` line otherwise.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde_json::json;

use super::fail;
use crate::config::Config;
use crate::store::Store;

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// `ai-modeler migrate`: applies what is pending, prints what was applied.
pub fn migrate(config: &Config) -> ExitCode {
    let run = || -> anyhow::Result<()> {
        runtime()?.block_on(async {
            let store = Store::connect(config.database_url.expose(), 1)
                .await
                .context("opening the database (DATABASE_URL)")?;
            let applied = store.migrate().await?;
            let total = store.migrations().len();
            store.close().await;
            println!(
                "{}",
                json!({
                    "backend": store.backend().name(),
                    "applied": applied.iter().map(|m| m.name).collect::<Vec<_>>(),
                    "migrations": total,
                })
            );
            Ok(())
        })
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// `ai-modeler backup PATH`: a consistent copy of the SQLite file.
pub fn backup(config: &Config, path: &Path) -> ExitCode {
    let run = || -> anyhow::Result<()> {
        runtime()?.block_on(async {
            let store = Store::connect(config.database_url.expose(), 1)
                .await
                .context("opening the database (DATABASE_URL)")?;
            let bytes = store
                .backup(path)
                .await
                .with_context(|| format!("backing up to {}", path.display()))?;
            store.close().await;
            println!(
                "{}",
                json!({ "backup": path.display().to_string(), "bytes": bytes })
            );
            Ok(())
        })
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}
