//! The template gallery: `templates/*.json` embedded in the binary (rust-embed),
//! each `{"name", "tags", "description", "tree"}` with the file stem as its slug,
//! validated by the engine and upserted into `templates` at every start.
//!
//! Invariants: a file that does not parse or whose tree the engine refuses is
//! skipped with a warning (it never stops the server; a test keeps the folder
//! clean); builtin rows whose file is gone are deleted, so the gallery is what
//! the binary ships. Tags are stored lower case.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreResult, like_pattern, now_ms};
use crate::sdf::compile;
use crate::sdf::validate::{self, Limits};

#[derive(rust_embed::Embed)]
#[folder = "templates/"]
struct Builtin;

/// A template file's contents.
#[derive(Clone, Debug, Deserialize)]
pub struct TemplateFile {
    /// Display name.
    pub name: String,
    /// Tags to filter by.
    pub tags: Vec<String>,
    /// A sentence or two for the gallery.
    pub description: String,
    /// The SDF tree (bare node or ALICE wrapper).
    pub tree: Value,
}

/// A template checked by the engine, ready to store.
#[derive(Clone, Debug)]
pub struct CheckedTemplate {
    /// The file stem.
    pub slug: String,
    /// The parsed file, tags normalised.
    pub file: TemplateFile,
    /// The tree's content address.
    pub compiled_id: String,
    /// Its node count.
    pub node_count: i64,
}

/// A gallery entry.
#[derive(Clone, Debug, Serialize)]
pub struct Template {
    /// The slug (`template_id` when creating a project).
    pub id: String,
    /// Display name.
    pub name: String,
    /// What it is.
    pub description: String,
    /// Lower-case tags.
    pub tags: Vec<String>,
    /// Nodes in the tree.
    pub node_count: i64,
    /// The tree's content address (`/v1/engine/*` accept it once compiled).
    pub compiled_id: String,
    /// The tree, in single-template answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree: Option<Value>,
}

/// What a start-up sync did.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// Templates inserted or updated.
    pub upserted: usize,
    /// Builtin templates deleted because the binary no longer has them.
    pub removed: usize,
    /// Files skipped, with why.
    pub invalid: Vec<(String, String)>,
}

/// Whether a slug is lower-case letters, digits and dashes.
pub fn valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 64
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses and checks one template file's bytes.
pub fn check_template(
    slug: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<CheckedTemplate, String> {
    if !valid_slug(slug) {
        return Err("the file name must be lower-case letters, digits and dashes".into());
    }
    let mut file: TemplateFile =
        serde_json::from_slice(bytes).map_err(|e| format!("not a template file: {e}"))?;
    if file.name.trim().is_empty() {
        return Err("`name` is empty".into());
    }
    let tags: BTreeSet<String> = file
        .tags
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    file.tags = tags.into_iter().collect();
    let report = validate::validate(&file.tree, limits);
    let prepared = compile::prepare(&file.tree, limits).map_err(|e| e.to_string())?;
    Ok(CheckedTemplate {
        slug: slug.to_string(),
        file,
        compiled_id: prepared.id,
        node_count: report.node_count as i64,
    })
}

/// Every template file in the binary, checked: `(slug, result)` in slug order.
pub fn builtin(limits: &Limits) -> Vec<(String, Result<CheckedTemplate, String>)> {
    let mut names: Vec<String> = Builtin::iter().map(|n| n.into_owned()).collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|name| {
            let slug = name.strip_suffix(".json")?.to_string();
            let file = Builtin::get(&name)?;
            let checked = check_template(&slug, &file.data, limits);
            Some((slug, checked))
        })
        .collect()
}

fn template_from(row: &AnyRow, with_tree: bool) -> StoreResult<Template> {
    let tags: String = row.try_get("tags")?;
    let tree = if with_tree {
        let text: String = row.try_get("tree")?;
        Some(
            serde_json::from_str(&text)
                .map_err(|e| super::StoreError::Corrupt(format!("templates.tree: {e}")))?,
        )
    } else {
        None
    };
    Ok(Template {
        id: row.try_get("slug")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        tags: serde_json::from_str(&tags)
            .map_err(|e| super::StoreError::Corrupt(format!("templates.tags: {e}")))?,
        node_count: row.try_get("node_count")?,
        compiled_id: row.try_get("compiled_id")?,
        tree,
    })
}

const TEMPLATE_COLUMNS: &str = "t.slug, t.name, t.description, t.tags, t.node_count, t.compiled_id";

impl Store {
    /// Upserts the binary's templates and deletes builtin ones it no longer has.
    pub async fn sync_templates(&self, limits: &Limits) -> StoreResult<SyncReport> {
        let mut report = SyncReport::default();
        let mut keep = Vec::new();
        let mut tx = self.write().await?;
        let now = now_ms();
        for (slug, checked) in builtin(limits) {
            let t = match checked {
                Ok(t) => t,
                Err(why) => {
                    tracing::warn!(template = %slug, error = %why, "template skipped");
                    report.invalid.push((slug, why));
                    continue;
                }
            };
            let tags = serde_json::to_string(&t.file.tags).unwrap_or_else(|_| "[]".into());
            let tree = serde_json::to_string(&t.file.tree).unwrap_or_else(|_| "null".into());
            sqlx::query(
                "INSERT INTO templates (slug, name, description, tags, tree, compiled_id, node_count, source, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'builtin', $8, $8)
                 ON CONFLICT (slug) DO UPDATE SET name = excluded.name, description = excluded.description,
                     tags = excluded.tags, tree = excluded.tree, compiled_id = excluded.compiled_id,
                     node_count = excluded.node_count, source = 'builtin', updated_at = excluded.updated_at",
            )
            .bind(t.slug.clone())
            .bind(t.file.name.clone())
            .bind(t.file.description.clone())
            .bind(tags)
            .bind(tree)
            .bind(t.compiled_id.clone())
            .bind(t.node_count)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM template_tags WHERE slug = $1")
                .bind(t.slug.clone())
                .execute(&mut *tx)
                .await?;
            for tag in &t.file.tags {
                sqlx::query("INSERT INTO template_tags (slug, tag) VALUES ($1, $2)")
                    .bind(t.slug.clone())
                    .bind(tag.clone())
                    .execute(&mut *tx)
                    .await?;
            }
            report.upserted += 1;
            keep.push(t.slug);
        }
        let existing = sqlx::query("SELECT slug FROM templates WHERE source = 'builtin'")
            .fetch_all(&mut *tx)
            .await?;
        for row in existing {
            let slug: String = row.try_get("slug")?;
            if !keep.contains(&slug) {
                sqlx::query("DELETE FROM template_tags WHERE slug = $1")
                    .bind(slug.clone())
                    .execute(&mut *tx)
                    .await?;
                sqlx::query("DELETE FROM templates WHERE slug = $1")
                    .bind(slug)
                    .execute(&mut *tx)
                    .await?;
                report.removed += 1;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    /// Gallery entries (no trees), by name, filtered by tag and by a text in the
    /// name, description or tags.
    pub async fn templates(
        &self,
        tag: Option<&str>,
        q: Option<&str>,
    ) -> StoreResult<Vec<Template>> {
        let tag: String = tag
            .map(|t| t.trim().to_lowercase())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let sql = format!(
            "SELECT {TEMPLATE_COLUMNS} FROM templates t
             WHERE ($1 = '' OR EXISTS (SELECT 1 FROM template_tags g WHERE g.slug = t.slug AND g.tag = $1))
               AND (lower(t.name) LIKE $2 ESCAPE '\\' OR lower(t.description) LIKE $2 ESCAPE '\\'
                    OR lower(t.tags) LIKE $2 ESCAPE '\\')
             ORDER BY t.name, t.slug"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(tag)
            .bind(like_pattern(q.unwrap_or("").trim()))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| template_from(r, false)).collect()
    }

    /// Every tag with its number of templates, by tag.
    pub async fn template_tags(&self) -> StoreResult<Vec<(String, i64)>> {
        let rows =
            sqlx::query("SELECT tag, count(*) AS n FROM template_tags GROUP BY tag ORDER BY tag")
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("tag")?, r.try_get("n")?)))
            .collect()
    }

    /// One template with its tree.
    pub async fn template(&self, slug: &str) -> StoreResult<Option<Template>> {
        let sql = format!("SELECT {TEMPLATE_COLUMNS}, t.tree FROM templates t WHERE t.slug = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(slug.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(|r| template_from(r, true)).transpose()
    }
}
