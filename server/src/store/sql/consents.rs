//! Consents (`ConsentStore`): the scopes a user agreed to give an app.

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::store::{ConsentRecord, ConsentStore, StoreResult};

#[async_trait]
impl ConsentStore for SqlStore {
    async fn get_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<ConsentRecord>> {
        let row = sqlx::query(
            "SELECT scope, created_at FROM consents WHERE user_id = $1 AND client_id = $2",
        )
        .bind(user_id)
        .bind(client_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(ConsentRecord {
                user_id: user_id.to_owned(),
                client_id: client_id.to_owned(),
                scope: r.try_get("scope")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .transpose()
    }

    async fn put_consent(&self, c: &ConsentRecord) -> StoreResult<()> {
        let mut tx = self.writer().begin().await?;
        sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(&c.user_id)
            .bind(&c.client_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO consents (user_id, client_id, scope, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&c.user_id)
        .bind(&c.client_id)
        .bind(&c.scope)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM consents WHERE user_id = $1 AND client_id = $2")
            .bind(user_id)
            .bind(client_id)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
