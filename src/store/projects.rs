//! Projects and their version history (`projects` + `sdf_trees`).
//!
//! Invariants: every save is one transaction that bumps `projects.current_version`
//! with a compare-and-set on the caller's `base_version` and inserts the new
//! `sdf_trees` row; either both happen or neither, and two saves from the same
//! base cannot both win (the loser gets [`SaveOutcome::Stale`]). History rows are
//! never updated. Every query names the owner, so another user's project is
//! [`SaveOutcome::NotFound`] like a missing one. The per-plan project limit is
//! checked inside the creating transaction, after locking the owner's row, so
//! concurrent creates cannot overshoot it.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreResult, like_pattern, new_id, now_ms};

/// A project, without its tree.
#[derive(Clone, Debug, Serialize)]
pub struct Project {
    /// UUID.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The current version number (1 for a new project).
    pub version: i64,
    /// The template it was started from, if any.
    pub template_id: Option<String>,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms of the last save or rename.
    pub updated_at: i64,
    /// Unix ms it went to the trash; `None` when live.
    pub deleted_at: Option<i64>,
}

/// One saved version.
#[derive(Clone, Debug, Serialize)]
pub struct Version {
    /// 1, 2, 3…
    pub version: i64,
    /// The commit message, if one was given.
    pub message: Option<String>,
    /// Who saved it (`None` once that user is gone).
    pub author_id: Option<String>,
    /// Their email at read time.
    pub author_email: Option<String>,
    /// The version this one restored, for restores.
    pub restored_from: Option<i64>,
    /// The engine's content address of the tree.
    pub compiled_id: String,
    /// Nodes in the tree.
    pub node_count: i64,
    /// Unix ms.
    pub created_at: i64,
    /// The tree as saved (JSON text), when asked for.
    #[serde(skip)]
    pub tree: Option<String>,
}

/// A validated tree ready to store.
#[derive(Clone, Debug)]
pub struct NewTree {
    /// The document as JSON text.
    pub json: String,
    /// Its content address.
    pub compiled_id: String,
    /// Its node count.
    pub node_count: i64,
}

/// What a save changes.
#[derive(Clone, Debug, Default)]
pub struct Changes {
    /// A new name.
    pub name: Option<String>,
    /// A new tree (a new version).
    pub tree: Option<NewTree>,
    /// The version's message.
    pub message: Option<String>,
    /// For restores: the version restored.
    pub restored_from: Option<i64>,
}

/// How a create went.
#[derive(Debug)]
pub enum CreateOutcome {
    /// Made, at version 1.
    Created(Project),
    /// The owner's plan allows no more live projects.
    LimitReached {
        /// The plan's name.
        plan: String,
        /// Its `max_projects`.
        limit: i64,
    },
    /// The owner does not exist (deleted meanwhile).
    NoOwner,
}

/// How a save went.
#[derive(Debug)]
pub enum SaveOutcome {
    /// Saved; the project as it is now, and the new version when the tree changed.
    Saved(Project, Option<Version>),
    /// No such project for this owner.
    NotFound,
    /// The project is in the trash; restore it first.
    Trashed,
    /// `base_version` is not the current one; nothing was written.
    Stale(Project),
}

/// How a restore from the trash went.
#[derive(Debug)]
pub enum UntrashOutcome {
    /// Live again (or already was).
    Restored(Project),
    /// No such project for this owner.
    NotFound,
    /// Restoring would pass the plan's project limit.
    LimitReached {
        /// The plan's name.
        plan: String,
        /// Its `max_projects`.
        limit: i64,
    },
}

/// Which projects a listing shows.
#[derive(Clone, Debug)]
pub struct ListQuery {
    /// At most this many.
    pub limit: i64,
    /// After this `(updated_at, id)` in the order (most recently updated first).
    pub after: Option<(i64, String)>,
    /// Names containing this (case-insensitive).
    pub q: Option<String>,
    /// The trash instead of the live projects.
    pub trashed: bool,
}

const PROJECT_COLUMNS: &str =
    "p.id, p.name, p.current_version, p.template_slug, p.created_at, p.updated_at, p.deleted_at";

fn project_from(row: &AnyRow) -> StoreResult<Project> {
    Ok(Project {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        version: row.try_get("current_version")?,
        template_id: row.try_get("template_slug")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        deleted_at: row.try_get("deleted_at")?,
    })
}

const VERSION_COLUMNS: &str = "t.version, t.message, t.author_id, u.email AS author_email, t.restored_from, t.compiled_id, t.node_count, t.created_at";

fn version_from(row: &AnyRow, with_tree: bool) -> StoreResult<Version> {
    Ok(Version {
        version: row.try_get("version")?,
        message: row.try_get("message")?,
        author_id: row.try_get("author_id")?,
        author_email: row.try_get("author_email")?,
        restored_from: row.try_get("restored_from")?,
        compiled_id: row.try_get("compiled_id")?,
        node_count: row.try_get("node_count")?,
        created_at: row.try_get("created_at")?,
        tree: if with_tree {
            Some(row.try_get("tree")?)
        } else {
            None
        },
    })
}

type Tx = sqlx::Transaction<'static, sqlx::Any>;

/// Locks the owner's row for the rest of the transaction (a no-op update takes
/// the row lock on Postgres; SQLite's `BEGIN IMMEDIATE` already serialises
/// writers) and reads their plan's project limit: `Ok(None)` when there is no
/// such user, `Some((plan, None))` when unlimited.
async fn lock_owner(tx: &mut Tx, owner: &str) -> StoreResult<Option<(String, Option<i64>)>> {
    sqlx::query("UPDATE users SET updated_at = updated_at WHERE id = $1")
        .bind(owner.to_string())
        .execute(&mut **tx)
        .await?;
    let row = sqlx::query(
        "SELECT p.plan, p.max_projects FROM users u JOIN plan_configs p ON p.plan = u.plan WHERE u.id = $1",
    )
    .bind(owner.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    match row {
        None => Ok(None),
        Some(r) => Ok(Some((r.try_get("plan")?, r.try_get("max_projects")?))),
    }
}

async fn live_count(tx: &mut Tx, owner: &str) -> StoreResult<i64> {
    let row = sqlx::query(
        "SELECT count(*) AS n FROM projects WHERE owner_id = $1 AND deleted_at IS NULL",
    )
    .bind(owner.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(row.try_get("n")?)
}

/// A version row about to be written.
struct NewVersion<'a> {
    tree: &'a NewTree,
    message: Option<&'a str>,
    author: &'a str,
    restored_from: Option<i64>,
}

async fn insert_version(
    tx: &mut Tx,
    project_id: &str,
    version: i64,
    v: NewVersion<'_>,
    now: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sdf_trees (project_id, version, tree, compiled_id, node_count, message, author_id, restored_from, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(project_id.to_string())
    .bind(version)
    .bind(v.tree.json.clone())
    .bind(v.tree.compiled_id.clone())
    .bind(v.tree.node_count)
    .bind(v.message.map(str::to_string))
    .bind(v.author.to_string())
    .bind(v.restored_from)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Creates a project at version 1 with `tree`, unless the owner's plan is full.
    pub async fn create_project(
        &self,
        owner: &str,
        name: &str,
        tree: &NewTree,
        message: Option<&str>,
        template: Option<&str>,
    ) -> StoreResult<CreateOutcome> {
        let mut tx = self.write().await?;
        let Some((plan, limit)) = lock_owner(&mut tx, owner).await? else {
            return Ok(CreateOutcome::NoOwner);
        };
        if let Some(limit) = limit
            && live_count(&mut tx, owner).await? >= limit
        {
            return Ok(CreateOutcome::LimitReached { plan, limit });
        }
        let now = now_ms();
        let project = Project {
            id: new_id(),
            name: name.to_string(),
            version: 1,
            template_id: template.map(str::to_string),
            created_at: now,
            updated_at: now,
            deleted_at: None,
        };
        sqlx::query(
            "INSERT INTO projects (id, owner_id, name, current_version, template_slug, created_at, updated_at, deleted_at)
             VALUES ($1, $2, $3, 1, $4, $5, $5, NULL)",
        )
        .bind(project.id.clone())
        .bind(owner.to_string())
        .bind(project.name.clone())
        .bind(project.template_id.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let v = NewVersion {
            tree,
            message,
            author: owner,
            restored_from: None,
        };
        insert_version(&mut tx, &project.id, 1, v, now).await?;
        tx.commit().await?;
        Ok(CreateOutcome::Created(project))
    }

    /// One of the owner's projects, live or trashed.
    pub async fn project(&self, owner: &str, id: &str) -> StoreResult<Option<Project>> {
        let sql =
            format!("SELECT {PROJECT_COLUMNS} FROM projects p WHERE p.id = $1 AND p.owner_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(project_from).transpose()
    }

    /// The owner's projects, most recently updated first.
    pub async fn list_projects(&self, owner: &str, query: &ListQuery) -> StoreResult<Vec<Project>> {
        let (after_t, after_id) = query.after.clone().unwrap_or((i64::MAX, String::new()));
        let trash = if query.trashed {
            "p.deleted_at IS NOT NULL"
        } else {
            "p.deleted_at IS NULL"
        };
        // With no cursor, the id bound is irrelevant: `updated_at < MAX` holds.
        let sql = format!(
            "SELECT {PROJECT_COLUMNS} FROM projects p
             WHERE p.owner_id = $1 AND {trash}
               AND (p.updated_at < $2 OR (p.updated_at = $2 AND p.id < $3))
               AND lower(p.name) LIKE $4 ESCAPE '\\'
             ORDER BY p.updated_at DESC, p.id DESC LIMIT $5"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(owner.to_string())
            .bind(after_t)
            .bind(after_id)
            .bind(like_pattern(query.q.as_deref().unwrap_or("")))
            .bind(query.limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(project_from).collect()
    }

    /// Saves `changes` over `base_version` (`None`: over whatever is current, for
    /// restores). A tree makes a new version; a name alone renames in place.
    pub async fn save_project(
        &self,
        owner: &str,
        id: &str,
        base_version: Option<i64>,
        changes: &Changes,
    ) -> StoreResult<SaveOutcome> {
        let mut tx = self.write().await?;
        let now = now_ms();
        let bump = if changes.tree.is_some() { 1 } else { 0 };
        let base_check = if base_version.is_some() {
            "AND current_version = $6"
        } else {
            ""
        };
        let sql = format!(
            "UPDATE projects SET current_version = current_version + $1, updated_at = $2,
                 name = COALESCE($3, name)
             WHERE id = $4 AND owner_id = $5 AND deleted_at IS NULL {base_check}
             RETURNING current_version"
        );
        let mut update = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(bump as i64)
            .bind(now)
            .bind(changes.name.clone())
            .bind(id.to_string())
            .bind(owner.to_string());
        if let Some(base) = base_version {
            update = update.bind(base);
        }
        let Some(row) = update.fetch_optional(&mut *tx).await? else {
            tx.rollback().await?;
            return Ok(match self.project(owner, id).await? {
                None => SaveOutcome::NotFound,
                Some(p) if p.deleted_at.is_some() => SaveOutcome::Trashed,
                Some(p) => SaveOutcome::Stale(p),
            });
        };
        let version: i64 = row.try_get("current_version")?;
        if let Some(tree) = &changes.tree {
            let v = NewVersion {
                tree,
                message: changes.message.as_deref(),
                author: owner,
                restored_from: changes.restored_from,
            };
            insert_version(&mut tx, id, version, v, now).await?;
        }
        tx.commit().await?;
        let project = self.project(owner, id).await?.ok_or_else(|| {
            super::StoreError::Corrupt(format!("project {id} vanished after a save"))
        })?;
        let saved = match changes.tree {
            Some(_) => self.version(owner, id, version).await?,
            None => None,
        };
        Ok(SaveOutcome::Saved(project, saved))
    }

    /// The owner's project's versions, newest first, older than `before`;
    /// `None` when the owner has no such project.
    pub async fn versions(
        &self,
        owner: &str,
        id: &str,
        limit: i64,
        before: Option<i64>,
    ) -> StoreResult<Option<Vec<Version>>> {
        if self.project(owner, id).await?.is_none() {
            return Ok(None);
        }
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM sdf_trees t
             JOIN projects p ON p.id = t.project_id
             LEFT JOIN users u ON u.id = t.author_id
             WHERE t.project_id = $1 AND p.owner_id = $2 AND t.version < $3
             ORDER BY t.version DESC LIMIT $4"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(before.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|r| version_from(r, false))
            .collect::<StoreResult<Vec<_>>>()
            .map(Some)
    }

    /// One version with its tree; `None` when the owner has no such project or version.
    pub async fn version(&self, owner: &str, id: &str, n: i64) -> StoreResult<Option<Version>> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS}, t.tree FROM sdf_trees t
             JOIN projects p ON p.id = t.project_id
             LEFT JOIN users u ON u.id = t.author_id
             WHERE t.project_id = $1 AND p.owner_id = $2 AND t.version = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(n)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| version_from(r, true)).transpose()
    }

    /// Moves a live project to the trash; false when the owner has no such live project.
    pub async fn trash_project(&self, owner: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE projects SET deleted_at = $1 WHERE id = $2 AND owner_id = $3 AND deleted_at IS NULL",
        )
        .bind(now_ms())
        .bind(id.to_string())
        .bind(owner.to_string())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Takes a project out of the trash, within the plan's project limit.
    pub async fn untrash_project(&self, owner: &str, id: &str) -> StoreResult<UntrashOutcome> {
        let mut tx = self.write().await?;
        let Some((plan, limit)) = lock_owner(&mut tx, owner).await? else {
            return Ok(UntrashOutcome::NotFound);
        };
        let sql =
            format!("SELECT {PROJECT_COLUMNS} FROM projects p WHERE p.id = $1 AND p.owner_id = $2");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        let Some(mut project) = row.as_ref().map(project_from).transpose()? else {
            return Ok(UntrashOutcome::NotFound);
        };
        if project.deleted_at.is_none() {
            return Ok(UntrashOutcome::Restored(project));
        }
        if let Some(limit) = limit
            && live_count(&mut tx, owner).await? >= limit
        {
            return Ok(UntrashOutcome::LimitReached { plan, limit });
        }
        let now = now_ms();
        sqlx::query("UPDATE projects SET deleted_at = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        project.deleted_at = None;
        project.updated_at = now;
        Ok(UntrashOutcome::Restored(project))
    }

    /// Deletes a trashed project and its history for good; false when the owner
    /// has no such project in the trash.
    pub async fn delete_project_forever(&self, owner: &str, id: &str) -> StoreResult<bool> {
        let mut tx = self.write().await?;
        // Children first: no reliance on ON DELETE CASCADE being enforced.
        let owned = sqlx::query(
            "SELECT 1 AS one FROM projects WHERE id = $1 AND owner_id = $2 AND deleted_at IS NOT NULL",
        )
        .bind(id.to_string())
        .bind(owner.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        if owned.is_none() {
            return Ok(false);
        }
        delete_rows(&mut tx, id).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Deletes every project trashed before `cutoff_ms`, with its history;
    /// returns how many went.
    pub async fn purge_trash(&self, cutoff_ms: i64) -> StoreResult<u64> {
        let rows =
            sqlx::query("SELECT id FROM projects WHERE deleted_at IS NOT NULL AND deleted_at < $1")
                .bind(cutoff_ms)
                .fetch_all(self.pool())
                .await?;
        let mut purged = 0;
        for row in rows {
            let id: String = row.try_get("id")?;
            let mut tx = self.write().await?;
            delete_rows(&mut tx, &id).await?;
            tx.commit().await?;
            purged += 1;
        }
        Ok(purged)
    }
}

async fn delete_rows(tx: &mut Tx, id: &str) -> StoreResult<()> {
    for sql in [
        "DELETE FROM sdf_trees WHERE project_id = $1",
        "DELETE FROM exports WHERE project_id = $1",
        "DELETE FROM collab_sessions WHERE project_id = $1",
        "DELETE FROM projects WHERE id = $1",
    ] {
        sqlx::query(sql)
            .bind(id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
