//! Plan limits (`plan_configs`, seeded from DESIGN §6 by the first migration and
//! editable by the operator). `None` in a limit means unlimited.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Store, StoreError, StoreResult};

/// One plan's limits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Its name (`free`, `pro`, `enterprise`…).
    pub plan: String,
    /// Live (not trashed) projects a user may have; `None` = unlimited.
    pub max_projects: Option<i64>,
    /// Largest mesh resolution.
    pub max_resolution: i64,
    /// API calls per hour; `None` = unlimited.
    pub api_calls_per_hour: Option<i64>,
    /// Text-to-3D generations per day; `None` = unlimited.
    pub text_to_3d_per_day: Option<i64>,
    /// Collaborators per project.
    pub max_collaborators: i64,
    /// Export formats allowed (`["*"]` = all).
    pub formats: Vec<String>,
}

const COLUMNS: &str = "plan, max_projects, max_resolution, api_calls_per_hour, text_to_3d_per_day, max_collaborators, formats";

fn plan_from(row: &AnyRow) -> StoreResult<Plan> {
    let formats: String = row.try_get("formats")?;
    Ok(Plan {
        plan: row.try_get("plan")?,
        max_projects: row.try_get("max_projects")?,
        max_resolution: row.try_get("max_resolution")?,
        api_calls_per_hour: row.try_get("api_calls_per_hour")?,
        text_to_3d_per_day: row.try_get("text_to_3d_per_day")?,
        max_collaborators: row.try_get("max_collaborators")?,
        formats: serde_json::from_str(&formats)
            .map_err(|e| StoreError::Corrupt(format!("plan_configs.formats: {e}")))?,
    })
}

impl Store {
    /// Every plan, by name.
    pub async fn plans(&self) -> StoreResult<Vec<Plan>> {
        let sql = format!("SELECT {COLUMNS} FROM plan_configs ORDER BY plan");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(plan_from).collect()
    }

    /// One plan, or `None` when no such plan exists.
    pub async fn plan(&self, name: &str) -> StoreResult<Option<Plan>> {
        let sql = format!("SELECT {COLUMNS} FROM plan_configs WHERE plan = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.to_string())
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(plan_from).transpose()
    }
}
