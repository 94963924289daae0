//! API keys: only the SHA-256 of a key is stored, with a short prefix to show in
//! lists. Deleting a row revokes the key at once (every request looks it up).

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::users::{USER_COLUMNS, User, user_from};
use super::{Store, StoreResult, new_id, now_ms};

/// `last_used_at` is written at most this often per key, so a busy script does
/// not turn every read into a write.
const TOUCH_EVERY_MS: i64 = 60_000;

/// An API key as listed (never the key itself).
#[derive(Clone, Debug, Serialize)]
pub struct ApiKey {
    /// UUID.
    pub id: String,
    /// The owner's label.
    pub name: String,
    /// The key's first characters (`aim_AbCd…`), to recognise it.
    pub prefix: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms, to the minute; `None` when never used.
    pub last_used_at: Option<i64>,
}

fn key_from(row: &AnyRow) -> StoreResult<ApiKey> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        prefix: row.try_get("prefix")?,
        created_at: row.try_get("created_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl Store {
    /// Stores a new key's hash for `user_id`.
    pub async fn create_api_key(
        &self,
        user_id: &str,
        name: &str,
        prefix: &str,
        key_hash: &str,
    ) -> StoreResult<ApiKey> {
        let key = ApiKey {
            id: new_id(),
            name: name.to_string(),
            prefix: prefix.to_string(),
            created_at: now_ms(),
            last_used_at: None,
        };
        sqlx::query(
            "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, last_used_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(key.id.clone())
        .bind(user_id.to_string())
        .bind(key.name.clone())
        .bind(key.prefix.clone())
        .bind(key_hash.to_string())
        .bind(key.created_at)
        .execute(self.pool())
        .await?;
        Ok(key)
    }

    /// The user's keys, newest first.
    pub async fn api_keys(&self, user_id: &str) -> StoreResult<Vec<ApiKey>> {
        let rows = sqlx::query(
            "SELECT id, name, prefix, created_at, last_used_at FROM api_keys
             WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
        )
        .bind(user_id.to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(key_from).collect()
    }

    /// Deletes one of the user's keys; false when the user has no such key.
    pub async fn delete_api_key(&self, user_id: &str, key_id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM api_keys WHERE id = $1 AND user_id = $2")
            .bind(key_id.to_string())
            .bind(user_id.to_string())
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// The owner of the key with this hash (and the key's id), noting the use.
    pub async fn api_key_user(&self, key_hash: &str) -> StoreResult<Option<(String, User)>> {
        let sql = format!(
            "SELECT k.id AS key_id, k.last_used_at, {USER_COLUMNS}
             FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key_hash.to_string())
            .fetch_optional(self.pool())
            .await?
        else {
            return Ok(None);
        };
        let key_id: String = row.try_get("key_id")?;
        let last: Option<i64> = row.try_get("last_used_at")?;
        let now = now_ms();
        if last.is_none_or(|t| now - t >= TOUCH_EVERY_MS) {
            sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
                .bind(now)
                .bind(key_id.clone())
                .execute(self.pool())
                .await?;
        }
        Ok(Some((key_id, user_from(&row)?)))
    }
}
