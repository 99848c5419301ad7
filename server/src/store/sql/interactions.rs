//! Pending authorization requests (`InteractionStore`) waiting for sign-in and consent.

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::store::{InteractionRecord, InteractionStore, StoreError, StoreResult};

#[async_trait]
impl InteractionStore for SqlStore {
    async fn create_interaction(&self, i: &InteractionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO interactions (id, browser_hash, client_id, request, user_id, auth_time, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&i.id)
        .bind(&i.browser_hash)
        .bind(&i.client_id)
        .bind(&i.request)
        .bind(i.user_id.as_deref())
        .bind(i.auth_time)
        .bind(i.created_at)
        .bind(i.expires_at)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    async fn get_interaction(&self, id: &str, now: i64) -> StoreResult<Option<InteractionRecord>> {
        let row = sqlx::query(
            "SELECT id, browser_hash, client_id, request, user_id, auth_time, created_at, expires_at
             FROM interactions WHERE id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(InteractionRecord {
                id: r.try_get("id")?,
                browser_hash: r.try_get("browser_hash")?,
                client_id: r.try_get("client_id")?,
                request: r.try_get("request")?,
                user_id: r.try_get("user_id")?,
                auth_time: r.try_get("auth_time")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn set_interaction_user(
        &self,
        id: &str,
        user_id: &str,
        auth_time: i64,
    ) -> StoreResult<()> {
        let r = sqlx::query("UPDATE interactions SET user_id = $1, auth_time = $2 WHERE id = $3")
            .bind(user_id)
            .bind(auth_time)
            .bind(id)
            .execute(self.writer())
            .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    async fn take_interaction(&self, id: &str) -> StoreResult<bool> {
        let r = sqlx::query("DELETE FROM interactions WHERE id = $1")
            .bind(id)
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected() == 1)
    }

    async fn delete_browser_interactions(&self, browser_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM interactions WHERE browser_hash = $1")
            .bind(browser_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
