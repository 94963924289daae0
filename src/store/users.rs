//! Users and their profile: email (unique, stored lower case), password hash
//! (argon2id PHC string, `None` for users known only through Supabase), plan.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreResult, like_pattern, new_id, now_ms};

/// A user as stored.
#[derive(Clone, Debug, Serialize)]
pub struct User {
    /// UUID.
    pub id: String,
    /// Lower-case email.
    pub email: String,
    /// Optional name to show.
    pub display_name: Option<String>,
    /// The plan's name (`plan_configs.plan`).
    pub plan: String,
    /// argon2id PHC string; never serialized.
    #[serde(skip)]
    pub password_hash: Option<String>,
    /// Supabase user id, for users that came with a Supabase token.
    #[serde(skip)]
    pub supabase_sub: Option<String>,
    /// Unix ms.
    pub created_at: i64,
}

/// What a new user is made of.
#[derive(Clone, Debug)]
pub struct NewUser {
    /// Lower-case, validated email.
    pub email: String,
    /// argon2id PHC string, if the user has a password.
    pub password_hash: Option<String>,
    /// Plan to start on (`DEFAULT_PLAN`).
    pub plan: String,
    /// Supabase user id, for users created from a Supabase token.
    pub supabase_sub: Option<String>,
}

pub(crate) const USER_COLUMNS: &str =
    "u.id, u.email, u.display_name, u.plan, u.password_hash, u.supabase_sub, u.created_at";

pub(crate) fn user_from(row: &AnyRow) -> StoreResult<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        display_name: row.try_get("display_name")?,
        plan: row.try_get("plan")?,
        password_hash: row.try_get("password_hash")?,
        supabase_sub: row.try_get("supabase_sub")?,
        created_at: row.try_get("created_at")?,
    })
}

impl Store {
    /// Creates a user. A taken email (or Supabase id) is a unique violation
    /// ([`super::StoreError::is_unique_violation`]).
    pub async fn create_user(&self, new: NewUser) -> StoreResult<User> {
        let id = new_id();
        let now = now_ms();
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, display_name, plan, supabase_sub, created_at, updated_at)
             VALUES ($1, $2, $3, NULL, $4, $5, $6, $6)",
        )
        .bind(id.clone())
        .bind(new.email.clone())
        .bind(new.password_hash.clone())
        .bind(new.plan.clone())
        .bind(new.supabase_sub.clone())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(User {
            id,
            email: new.email,
            display_name: None,
            plan: new.plan,
            password_hash: new.password_hash,
            supabase_sub: new.supabase_sub,
            created_at: now,
        })
    }

    async fn user_where(&self, clause: &str, value: &str) -> StoreResult<Option<User>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE {clause}");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(value.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// The user with this id.
    pub async fn user(&self, id: &str) -> StoreResult<Option<User>> {
        self.user_where("u.id = $1", id).await
    }

    /// The user with this (lower-case) email.
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<User>> {
        self.user_where("u.email = $1", email).await
    }

    /// The user linked to this Supabase user id.
    pub async fn user_by_supabase_sub(&self, sub: &str) -> StoreResult<Option<User>> {
        self.user_where("u.supabase_sub = $1", sub).await
    }

    /// Users by creation (oldest first), after the `(created_at, id)` cursor,
    /// optionally whose email contains `q`.
    pub async fn list_users(
        &self,
        limit: i64,
        after: Option<(i64, String)>,
        q: Option<&str>,
    ) -> StoreResult<Vec<User>> {
        let (after_t, after_id) = after.unwrap_or((i64::MIN, String::new()));
        let pattern = like_pattern(q.unwrap_or(""));
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users u
             WHERE (u.created_at > $1 OR (u.created_at = $1 AND u.id > $2))
               AND lower(u.email) LIKE $3 ESCAPE '\\'
             ORDER BY u.created_at, u.id LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(after_t)
            .bind(after_id)
            .bind(pattern)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(user_from).collect()
    }

    /// Moves a user to `plan` (which must exist: a foreign-key error otherwise).
    /// `None` when there is no such user.
    pub async fn set_user_plan(&self, user_id: &str, plan: &str) -> StoreResult<Option<User>> {
        let done = sqlx::query("UPDATE users SET plan = $1, updated_at = $2 WHERE id = $3")
            .bind(plan.to_string())
            .bind(now_ms())
            .bind(user_id.to_string())
            .execute(self.pool())
            .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.user(user_id).await
    }

    /// Live (not trashed) projects the user owns.
    pub async fn live_project_count(&self, user_id: &str) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT count(*) AS n FROM projects WHERE owner_id = $1 AND deleted_at IS NULL",
        )
        .bind(user_id.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(row.try_get("n")?)
    }
}
