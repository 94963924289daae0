//! Periodic clean-up while the server runs: projects past the trash retention
//! (`TRASH_RETENTION_DAYS`) are purged with their history, and expired sessions
//! and revoked-token entries are dropped. Hourly, and once at start. Safe with
//! many replicas: each purge is idempotent.

use std::time::Duration;

use super::AppState;
use crate::store::now_ms;

/// How often the purges run.
const EVERY: Duration = Duration::from_secs(3600);

/// Runs the purges until the task is aborted.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(EVERY);
    loop {
        tick.tick().await;
        once(&state).await;
    }
}

/// One round of purges; failures are logged and retried next round.
pub async fn once(state: &AppState) {
    let retention_ms = (state.config.trash_retention_days as i64).saturating_mul(86_400_000);
    match state.store.purge_trash(now_ms() - retention_ms).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(projects = n, "purged projects past the trash retention"),
        Err(e) => tracing::warn!(error = %e, "trash purge failed"),
    }
    if let Err(e) = state.store.purge_expired_sessions().await {
        tracing::warn!(error = %e, "session purge failed");
    }
}
