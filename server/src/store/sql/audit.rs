//! The audit log (`AuditStore`), and the insert that `audited.rs` runs in each admin
//! change's own transaction.

use async_trait::async_trait;
use sqlx::{Executor, Row};

use super::SqlStore;
use crate::store::{AuditRecord, AuditRow, AuditStore, StoreResult};

pub(super) async fn insert_audit<'c, E>(exec: E, a: &AuditRecord) -> StoreResult<()>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, actor, action, client_id, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(a.at)
    .bind(&a.actor)
    .bind(a.action)
    .bind(a.client_id.as_deref())
    .bind(&a.detail)
    .execute(exec)
    .await?;
    Ok(())
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, a: &AuditRecord) -> StoreResult<()> {
        insert_audit(self.writer(), a).await
    }

    async fn list_audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, client_id, detail FROM audit_log
             WHERE id < $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(before.unwrap_or(i64::MAX))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.try_get("id")?,
                    at: r.try_get("at")?,
                    actor: r.try_get("actor")?,
                    action: r.try_get("action")?,
                    client_id: r.try_get("client_id")?,
                    detail: r.try_get("detail")?,
                })
            })
            .collect()
    }
}
