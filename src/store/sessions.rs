//! Sessions (one row per login; the signed token names the row, so logout can
//! revoke it server-side) and revoked third-party tokens (a logged-out Supabase
//! token is remembered by hash until it would have expired anyway).

use super::users::{USER_COLUMNS, User, user_from};
use super::{Store, StoreResult, new_id, now_ms};

/// A session row.
#[derive(Clone, Debug)]
pub struct Session {
    /// UUID, carried in the token.
    pub id: String,
    /// Whose.
    pub user_id: String,
    /// Unix ms.
    pub expires_at: i64,
}

impl Store {
    /// Opens a session for `user_id` lasting `ttl_ms`.
    pub async fn create_session(
        &self,
        user_id: &str,
        ttl_ms: i64,
        user_agent: Option<&str>,
        ip: Option<&str>,
    ) -> StoreResult<Session> {
        let id = new_id();
        let now = now_ms();
        let expires_at = now.saturating_add(ttl_ms);
        sqlx::query(
            "INSERT INTO sessions (id, user_id, created_at, expires_at, revoked_at, user_agent, ip)
             VALUES ($1, $2, $3, $4, NULL, $5, $6)",
        )
        .bind(id.clone())
        .bind(user_id.to_string())
        .bind(now)
        .bind(expires_at)
        .bind(user_agent.map(|s| s.chars().take(256).collect::<String>()))
        .bind(ip.map(str::to_string))
        .execute(self.pool())
        .await?;
        Ok(Session {
            id,
            user_id: user_id.to_string(),
            expires_at,
        })
    }

    /// The user of a live (unrevoked, unexpired) session.
    pub async fn session_user(&self, session_id: &str) -> StoreResult<Option<User>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(session_id.to_string())
            .bind(now_ms())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// Revokes a session; true when it was live.
    pub async fn revoke_session(&self, session_id: &str) -> StoreResult<bool> {
        let done =
            sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now_ms())
                .bind(session_id.to_string())
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Remembers a third-party token (by hash) as logged out until `expires_at`.
    pub async fn revoke_token(&self, token_hash: &str, expires_at: i64) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO revoked_tokens (token_hash, expires_at) VALUES ($1, $2) ON CONFLICT (token_hash) DO NOTHING",
        )
        .bind(token_hash.to_string())
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Whether a third-party token was logged out.
    pub async fn is_token_revoked(&self, token_hash: &str) -> StoreResult<bool> {
        let row = sqlx::query("SELECT 1 AS one FROM revoked_tokens WHERE token_hash = $1")
            .bind(token_hash.to_string())
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Deletes expired sessions and revoked-token entries; returns how many rows went.
    pub async fn purge_expired_sessions(&self) -> StoreResult<u64> {
        let now = now_ms();
        let a = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        let b = sqlx::query("DELETE FROM revoked_tokens WHERE expires_at <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        Ok(a.rows_affected() + b.rows_affected())
    }
}
