//! Client secrets (`SecretStore`, RFC 6749 §2.3.1), stored only as hashes.

use async_trait::async_trait;
use sqlx::{Executor, Row};

use super::audited::Lock;
use super::{one_row, SqlStore};
use crate::store::{AuditRecord, SecretRecord, SecretStore, StoreError, StoreResult};

pub(super) async fn insert_secret<'c, E>(exec: E, s: &SecretRecord) -> StoreResult<()>
where
    E: Executor<'c, Database = sqlx::Any>,
{
    sqlx::query(
        "INSERT INTO client_secrets (id, client_id, secret_hash, hint, created_at, last_used_at, note)
         VALUES ($1, $2, $3, $4, $5, NULL, $6)",
    )
    .bind(&s.id)
    .bind(&s.client_id)
    .bind(&s.secret_hash)
    .bind(&s.hint)
    .bind(s.created_at)
    .bind(&s.note)
    .execute(exec)
    .await?;
    Ok(())
}

#[async_trait]
impl SecretStore for SqlStore {
    async fn add_secret(
        &self,
        secret: &SecretRecord,
        max: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let mut tx = self
            .audited(Lock::App(&secret.client_id, secret.created_at), audit)
            .await?;
        let count: i64 = sqlx::query("SELECT COUNT(*) FROM client_secrets WHERE client_id = $1")
            .bind(&secret.client_id)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if count >= i64::from(max) {
            return Err(StoreError::LimitReached(max));
        }
        insert_secret(&mut *tx, secret).await?;
        tx.commit().await
    }

    async fn list_secrets(&self, client_id: &str) -> StoreResult<Vec<SecretRecord>> {
        let rows = sqlx::query(
            "SELECT id, client_id, secret_hash, hint, created_at, last_used_at, note
             FROM client_secrets WHERE client_id = $1 ORDER BY created_at, id",
        )
        .bind(client_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SecretRecord {
                    id: r.try_get("id")?,
                    client_id: r.try_get("client_id")?,
                    secret_hash: r.try_get("secret_hash")?,
                    hint: r.try_get("hint")?,
                    created_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                    note: r.try_get("note")?,
                })
            })
            .collect()
    }

    async fn delete_secret(
        &self,
        client_id: &str,
        id: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let delete = "DELETE FROM client_secrets WHERE client_id = $1 AND id = $2";
        self.delete_app_row(delete, client_id, id, audit).await
    }

    async fn set_secret_note(
        &self,
        client_id: &str,
        id: &str,
        note: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        // Under the app's lock like every secret change, so the audit entry and the
        // announcement to other copies (their client caches hold the secret records)
        // commit with it.
        let mut tx = self.audited(Lock::App(client_id, audit.at), audit).await?;
        let r = sqlx::query("UPDATE client_secrets SET note = $1 WHERE client_id = $2 AND id = $3")
            .bind(note)
            .bind(client_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        tx.commit().await
    }

    async fn touch_secret(&self, id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE client_secrets SET last_used_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&self.writer)
            .await?;
        Ok(())
    }
}
