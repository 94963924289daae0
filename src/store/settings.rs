//! Instance-wide values the server generates once and every replica then shares
//! (the session signing secret when `SESSION_SECRET` is unset).
//!
//! Invariant: [`Store::setting_or_insert`] is first-writer-wins (`ON CONFLICT DO
//! NOTHING`, then read back), so replicas starting together agree on one value.

use sqlx::Row;

use super::{Store, StoreResult, now_ms};

impl Store {
    /// The value stored under `key`, storing `make()` first when there is none.
    pub async fn setting_or_insert(
        &self,
        key: &str,
        make: impl FnOnce() -> String,
    ) -> StoreResult<String> {
        sqlx::query(
            "INSERT INTO settings (key, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key.to_string())
        .bind(make())
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key.to_string())
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get("value")?)
    }
}
