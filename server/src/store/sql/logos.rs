//! App logos (`LogoStore`), shown on the consent page.

use async_trait::async_trait;
use sqlx::Row;

use super::audited::Lock;
use super::{one_row, SqlStore};
use crate::store::{AuditRecord, Logo, LogoStore, StoreResult};

#[async_trait]
impl LogoStore for SqlStore {
    async fn set_logo(&self, client_id: &str, logo: &Logo, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self
            .audited(Lock::App(client_id, logo.updated_at), audit)
            .await?;
        sqlx::query("DELETE FROM app_logos WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO app_logos (client_id, content_type, bytes, updated_at) VALUES ($1, $2, $3, $4)")
            .bind(client_id)
            .bind(&logo.content_type)
            .bind(&logo.bytes)
            .bind(logo.updated_at)
            .execute(&mut *tx)
            .await?;
        // The version only grows, so a new logo is never hidden behind a cached old one.
        sqlx::query(
            "UPDATE apps SET logo_version = COALESCE(logo_version, 0) + 1 WHERE client_id = $1",
        )
        .bind(client_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    async fn delete_logo(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self.audited(Lock::App(client_id, audit.at), audit).await?;
        let r = sqlx::query("DELETE FROM app_logos WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        one_row(r)?;
        sqlx::query("UPDATE apps SET logo_version = NULL WHERE client_id = $1")
            .bind(client_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await
    }

    async fn get_logo(&self, client_id: &str) -> StoreResult<Option<Logo>> {
        let row = sqlx::query(
            "SELECT content_type, bytes, updated_at FROM app_logos WHERE client_id = $1",
        )
        .bind(client_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(Logo {
                content_type: r.try_get("content_type")?,
                bytes: r.try_get("bytes")?,
                updated_at: r.try_get("updated_at")?,
            })
        })
        .transpose()
    }
}
