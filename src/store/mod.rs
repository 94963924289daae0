//! Persistent storage: one sqlx pool over SQLite (the embedded default) or
//! Postgres (`DATABASE_URL=postgres://…`), migrations, and one file per aggregate
//! ([`users`], [`sessions`], [`api_keys`], [`plans`], [`projects`],
//! [`templates`], [`settings`]).
//!
//! Why sqlx's `Any` driver rather than an enum over `SqlitePool`/`PgPool`: every
//! query here is written once, in the subset both databases share (`$1`
//! placeholders, `RETURNING`, `ON CONFLICT`, `BIGINT`/`TEXT` columns), so an enum
//! would only repeat each call twice. The dialects differ in the migrations alone,
//! which live in `migrations/sqlite/` and `migrations/postgres/` and are embedded
//! in the binary. The price is `Any`'s small type set, which this module keeps to
//! by storing times as Unix milliseconds (`i64`), ids as text and trees as JSON
//! text.
//!
//! Invariants: each write that touches more than one row runs in one transaction
//! from [`Store::write`] (`BEGIN IMMEDIATE` on SQLite, so concurrent writers queue
//! on the busy timeout instead of failing on a lock upgrade). Ownership is part of
//! every query's `WHERE` clause: a row of another user is indistinguishable from a
//! missing one. This module never imports `server`.

pub mod api_keys;
pub mod migrate;
pub mod plans;
pub mod projects;
pub mod sessions;
pub mod settings;
pub mod templates;
pub mod users;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode};
use sqlx::{Any, AnyPool, ConnectOptions, Connection, Transaction};

/// Which database the pool talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// A local SQLite file (WAL).
    Sqlite,
    /// A Postgres server (Supabase included).
    Postgres,
}

impl Backend {
    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// Why a storage call failed. Domain outcomes (not found, stale version…) are
/// return values of the calls, not errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// `DATABASE_URL` is not a database this build can open.
    #[error("DATABASE_URL: {0}")]
    BadUrl(String),
    /// The database refused or failed a statement.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration could not be applied, or the applied ones differ from the binary's.
    #[error("migration {version} ({name}): {message}")]
    Migration {
        /// Its number.
        version: i64,
        /// Its file name.
        name: String,
        /// What went wrong.
        message: String,
    },
    /// A stored value does not parse (a bug or a hand-edited row).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A file operation (backup, data directory) failed.
    #[error("{0}")]
    Io(String),
    /// The operation exists for one backend only.
    #[error("{0}")]
    Unsupported(&'static str),
}

impl StoreError {
    /// Whether this is a unique-constraint violation (a duplicate key).
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// Shorthand for storage results.
pub type StoreResult<T> = Result<T, StoreError>;

/// The pool and its backend: cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The SQLite file, for `backup`.
    sqlite_path: Option<PathBuf>,
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Unix milliseconds as RFC 3339 UTC (`2025-01-31T12:00:00.000Z`): how the API
/// shows times.
pub fn timestamp(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// A fresh random id (UUID v4, text).
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// The SQLite file a `sqlite:` URL names, or `None` for another scheme.
///
/// Accepts `sqlite://relative/path.db`, `sqlite:relative.db`, `sqlite:///abs.db`;
/// query parameters are ignored (the store sets its own pragmas).
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    Some(PathBuf::from(path))
}

impl Store {
    /// Opens the database `url` names (creating a SQLite file and its directory
    /// on first start) without migrating it.
    pub async fn connect(url: &str, max_connections: u32) -> StoreResult<Store> {
        sqlx::any::install_default_drivers();
        let url = url.trim();
        if let Some(path) = sqlite_path(url) {
            return Self::connect_sqlite(&path, max_connections).await;
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options: AnyConnectOptions = url
                .parse()
                .map_err(|e: sqlx::Error| StoreError::BadUrl(e.to_string()))?;
            let options = options.log_statements(tracing::log::LevelFilter::Trace);
            let pool = AnyPoolOptions::new()
                .max_connections(max_connections)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            return Ok(Store {
                pool,
                backend: Backend::Postgres,
                sqlite_path: None,
            });
        }
        Err(StoreError::BadUrl(
            "expected sqlite://PATH or postgres://USER@HOST/DB".into(),
        ))
    }

    async fn connect_sqlite(path: &Path, max_connections: u32) -> StoreResult<Store> {
        if path.as_os_str().is_empty() {
            return Err(StoreError::BadUrl("the SQLite path is empty".into()));
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Io(format!(
                    "creating the data directory {}: {e}",
                    dir.display()
                ))
            })?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // WAL is a property of the file: set it once with a plain connection, and
        // every pooled connection opened afterwards uses it. (The Any driver's
        // options come from a URL, which cannot carry a journal mode.)
        let first = options
            .clone()
            .journal_mode(SqliteJournalMode::Wal)
            .connect()
            .await?;
        first.close().await?;
        let any = AnyConnectOptions::from_url(&options.to_url_lossy())?
            .log_statements(tracing::log::LevelFilter::Trace);
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections.max(1))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(any)
            .await?;
        Ok(Store {
            pool,
            backend: Backend::Sqlite,
            sqlite_path: Some(path.to_path_buf()),
        })
    }

    /// Opens and migrates: what the server and most commands want.
    pub async fn open(url: &str, max_connections: u32) -> StoreResult<Store> {
        let store = Self::connect(url, max_connections).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Which database this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The pool, for reads.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so concurrent writers queue on the busy timeout
    /// instead of failing when a read lock would have to be upgraded.
    pub(crate) async fn write(&self) -> StoreResult<Transaction<'static, Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Whether the database answers (for `/ready`).
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (tests and commands, before their files go).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Writes a consistent copy of the SQLite database to `dest`, atomically: a
    /// `VACUUM INTO` a temporary file beside it, flushed, then renamed over
    /// `dest`, so `dest` is either the old file or the whole new copy.
    pub async fn backup(&self, dest: &Path) -> StoreResult<u64> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "backup copies the SQLite file; for Postgres use pg_dump (or your provider's backups)",
            ));
        }
        let dir = match dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            Some(d) => d.to_path_buf(),
            None => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir)
            .map_err(|e| StoreError::Io(format!("creating {}: {e}", dir.display())))?;
        let name = dest
            .file_name()
            .ok_or_else(|| StoreError::Io(format!("{} is not a file path", dest.display())))?;
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            name.to_string_lossy(),
            uuid::Uuid::new_v4().simple()
        ));
        let tmp_text = tmp
            .to_str()
            .ok_or_else(|| StoreError::Io(format!("{} is not UTF-8", tmp.display())))?
            .to_string();
        let result = async {
            sqlx::query("VACUUM INTO $1")
                .bind(tmp_text)
                .execute(&self.pool)
                .await?;
            let file = std::fs::File::open(&tmp)
                .map_err(|e| StoreError::Io(format!("reopening {}: {e}", tmp.display())))?;
            file.sync_all()
                .map_err(|e| StoreError::Io(format!("flushing {}: {e}", tmp.display())))?;
            let bytes = file.metadata().map(|m| m.len()).unwrap_or(0);
            std::fs::rename(&tmp, dest)
                .map_err(|e| StoreError::Io(format!("renaming onto {}: {e}", dest.display())))?;
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
            Ok(bytes)
        }
        .await;
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    /// The SQLite file, when that is the backend.
    pub fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_path.as_deref()
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_pattern(needle: &str) -> String {
    let mut out = String::with_capacity(needle.len() + 2);
    out.push('%');
    // Control characters never match a stored name (and Postgres text cannot hold NUL).
    for c in needle.to_lowercase().chars().filter(|c| !c.is_control()) {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(timestamp(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(timestamp(1_767_225_599_999), "2025-12-31T23:59:59.999Z");
    }

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_path("sqlite://data/a.db"),
            Some(PathBuf::from("data/a.db"))
        );
        assert_eq!(
            sqlite_path("sqlite:///abs/a.db?mode=rwc"),
            Some(PathBuf::from("/abs/a.db"))
        );
        assert_eq!(sqlite_path("sqlite:a.db"), Some(PathBuf::from("a.db")));
        assert_eq!(sqlite_path("postgres://x/y"), None);
        assert_eq!(like_pattern("50%_a\\B"), "%50\\%\\_a\\\\b%");
    }
}
