//! The audit log (`AuditStore`), and the insert that `audited.rs` runs in each admin
//! change's own transaction.

use async_trait::async_trait;
use portico_proto::app::AppSettings;
use portico_proto::AuditKind;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use super::SqlStore;
use crate::store::{AuditFilter, AuditRecord, AuditRow, AuditStore, StoreError, StoreResult};

pub(super) async fn insert_audit<'c, E>(exec: E, a: &AuditRecord) -> StoreResult<()>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO audit_log (at, kind, actor, action, client_id, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(a.at)
    .bind(a.action.kind().as_str())
    .bind(&a.actor)
    .bind(a.action.as_str())
    .bind(a.client_id.as_deref())
    .bind(&a.detail)
    .execute(exec)
    .await?;
    Ok(())
}

/// The SELECT for `filter`: the id range (`$1`, `$2`), one `$N` per filter given, numbered
/// in order of appearance (as SQLite numbers them), then the limit. The app is joined as it
/// is now: no row means it was deleted. With `after` the rows nearest to it come first
/// (oldest first); `list_audit` turns them newest first.
fn list_statement(filter: &AuditFilter) -> String {
    let mut sql = String::from(
        "SELECT l.id, l.at, l.kind, l.actor, l.action, l.client_id, l.detail,
                a.settings AS app_settings, a.builtin AS app_builtin
         FROM audit_log l LEFT JOIN apps a ON a.client_id = l.client_id
         WHERE l.id < $1 AND l.id > $2",
    );
    let mut n = 2;
    let mut and = |column: &str| {
        n += 1;
        sql.push_str(&format!(" AND l.{column} = ${n}"));
    };
    if filter.client_id.is_some() {
        and("client_id");
    }
    if filter.actor.is_some() {
        and("actor");
    }
    if filter.action.is_some() {
        and("action");
    }
    if filter.kind.is_some() {
        and("kind");
    }
    let order = if filter.after.is_some() {
        "ASC"
    } else {
        "DESC"
    };
    sql.push_str(&format!(" ORDER BY l.id {order} LIMIT ${}", n + 1));
    sql
}

fn row_to_entry(r: &AnyRow) -> StoreResult<AuditRow> {
    let kind: String = r.try_get("kind")?;
    let client_id: Option<String> = r.try_get("client_id")?;
    let settings: Option<String> = r.try_get("app_settings")?;
    let app_name = match &settings {
        Some(s) => Some(
            serde_json::from_str::<AppSettings>(s)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?
                .name,
        ),
        None => None,
    };
    Ok(AuditRow {
        id: r.try_get("id")?,
        at: r.try_get("at")?,
        kind: AuditKind::parse(&kind)
            .ok_or_else(|| StoreError::Corrupt(format!("audit kind {kind:?}")))?,
        actor: r.try_get("actor")?,
        action: r.try_get("action")?,
        app_deleted: client_id.is_some() && settings.is_none(),
        app_builtin: r.try_get::<Option<i64>, _>("app_builtin")?.unwrap_or(0) != 0,
        app_name,
        client_id,
        detail: r.try_get("detail")?,
    })
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, a: &AuditRecord) -> StoreResult<()> {
        insert_audit(self.writer(), a).await
    }

    async fn list_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRow>> {
        let sql = list_statement(filter);
        let mut q = sqlx::query(&sql)
            .bind(filter.before.unwrap_or(i64::MAX))
            .bind(filter.after.unwrap_or(i64::MIN));
        if let Some(c) = &filter.client_id {
            q = q.bind(c.as_str());
        }
        if let Some(a) = &filter.actor {
            q = q.bind(a.as_str());
        }
        if let Some(a) = filter.action {
            q = q.bind(a.as_str());
        }
        if let Some(k) = filter.kind {
            q = q.bind(k.as_str());
        }
        let rows = q.bind(i64::from(limit)).fetch_all(&self.pool).await?;
        let mut entries = rows
            .iter()
            .map(row_to_entry)
            .collect::<StoreResult<Vec<_>>>()?;
        if filter.after.is_some() {
            entries.reverse();
        }
        Ok(entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portico_proto::AuditAction;

    #[test]
    fn parameters_are_numbered_in_order() {
        let all = AuditFilter {
            before: None,
            after: None,
            client_id: Some("c".into()),
            actor: Some("a".into()),
            action: Some(AuditAction::AppCreate),
            kind: Some(AuditKind::Admin),
        };
        let sql = list_statement(&all);
        assert!(sql.contains("l.client_id = $3 AND l.actor = $4 AND l.action = $5 AND l.kind = $6 ORDER BY l.id DESC LIMIT $7"), "{sql}");
        let some = AuditFilter {
            kind: Some(AuditKind::User),
            ..AuditFilter::default()
        };
        assert!(list_statement(&some).ends_with("l.kind = $3 ORDER BY l.id DESC LIMIT $4"));
        let newer = AuditFilter {
            after: Some(7),
            ..AuditFilter::default()
        };
        assert!(list_statement(&newer)
            .ends_with("WHERE l.id < $1 AND l.id > $2 ORDER BY l.id ASC LIMIT $3"));
    }
}
