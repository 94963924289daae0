//! Schema migrations: numbered SQL files per backend (`migrations/sqlite/`,
//! `migrations/postgres/`), embedded in the binary and applied in order at
//! start-up and by `ai-modeler migrate`.
//!
//! Invariants: each migration runs in its own transaction together with its row
//! in `_aim_migrations`, so a crash leaves it either applied or not. An applied
//! migration whose text has changed since is refused (checksum), never re-run. On
//! Postgres a session advisory lock serialises replicas that start together.

use sha2::{Digest, Sha256};
use sqlx::{Acquire, AssertSqlSafe, Row};

use super::{Backend, Store, StoreError, StoreResult, now_ms};

/// One embedded migration.
#[derive(Clone, Copy, Debug)]
pub struct Migration {
    /// Its number (the file's leading digits).
    pub version: i64,
    /// The file name.
    pub name: &'static str,
    /// The SQL, possibly several statements.
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($version:literal => $file:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            name: $file,
            sql: include_str!(concat!("../../migrations/", $dir, "/", $file)),
        }),*]
    };
}

/// The SQLite migrations, in order.
pub const SQLITE: &[Migration] = migrations!("sqlite":
    1 => "0001_initial.sql",
);

/// The Postgres migrations, in order (the same numbers and meaning as SQLite's).
pub const POSTGRES: &[Migration] = migrations!("postgres":
    1 => "0001_initial.sql",
);

/// An arbitrary constant: the advisory lock key migrations hold on Postgres.
const PG_LOCK_KEY: i64 = 0x6169_6d6f_6465_6c72;

fn checksum(sql: &str) -> String {
    let digest = Sha256::digest(sql.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Store {
    /// The migrations this build carries for this backend.
    pub fn migrations(&self) -> &'static [Migration] {
        match self.backend {
            Backend::Sqlite => SQLITE,
            Backend::Postgres => POSTGRES,
        }
    }

    /// Applies every migration not applied yet; returns the ones applied now.
    pub async fn migrate(&self) -> StoreResult<Vec<Migration>> {
        let mut conn = self.pool.acquire().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_lock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await?;
        }
        let result = self.migrate_on(&mut conn).await;
        if self.backend == Backend::Postgres {
            // Released even when a migration failed; a lost connection releases it too.
            let _ = sqlx::query("SELECT pg_advisory_unlock($1)")
                .bind(PG_LOCK_KEY)
                .execute(&mut *conn)
                .await;
        }
        result
    }

    async fn migrate_on(&self, conn: &mut sqlx::AnyConnection) -> StoreResult<Vec<Migration>> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS _aim_migrations (
                version BIGINT PRIMARY KEY,
                name TEXT NOT NULL,
                checksum TEXT NOT NULL,
                applied_at BIGINT NOT NULL
            )",
        )
        .execute(&mut *conn)
        .await?;
        let rows = sqlx::query("SELECT version, name, checksum FROM _aim_migrations")
            .fetch_all(&mut *conn)
            .await?;
        let mut applied = Vec::new();
        for row in &rows {
            applied.push((
                row.try_get::<i64, _>("version")?,
                row.try_get::<String, _>("checksum")?,
            ));
        }
        let known = self.migrations();
        if let Some((version, _)) = applied
            .iter()
            .find(|(v, _)| !known.iter().any(|m| m.version == *v))
        {
            return Err(StoreError::Migration {
                version: *version,
                name: "?".into(),
                message: "applied to this database but unknown to this binary (is it older than the database?)".into(),
            });
        }
        let mut done = Vec::new();
        for m in known {
            if let Some((_, sum)) = applied.iter().find(|(v, _)| *v == m.version) {
                if *sum != checksum(m.sql) {
                    return Err(StoreError::Migration {
                        version: m.version,
                        name: m.name.into(),
                        message:
                            "its text changed after it was applied; add a new migration instead"
                                .into(),
                    });
                }
                continue;
            }
            let fail = |e: sqlx::Error| StoreError::Migration {
                version: m.version,
                name: m.name.into(),
                message: e.to_string(),
            };
            let mut tx = conn.begin().await.map_err(fail)?;
            sqlx::raw_sql(AssertSqlSafe(m.sql))
                .execute(&mut *tx)
                .await
                .map_err(fail)?;
            sqlx::query(
                "INSERT INTO _aim_migrations (version, name, checksum, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(checksum(m.sql))
            .bind(now_ms())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            tracing::info!(
                version = m.version,
                name = m.name,
                backend = self.backend.name(),
                "migration applied"
            );
            done.push(*m);
        }
        Ok(done)
    }
}
