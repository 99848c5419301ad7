//! Consents (`ConsentStore`): the scopes a user agreed to give an app.

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::store::{AppUserRecord, AppUsers, ConsentRecord, ConsentStore, StoreResult};

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

    async fn list_app_users(
        &self,
        client_id: &str,
        offset: u64,
        limit: u32,
    ) -> StoreResult<AppUsers> {
        // A consent is a user's "allow"; the join drops a user deleted since. Last use is
        // the grants' (the app's sign-ins and refreshes for that user), revoked or not.
        let rows = sqlx::query(
            "SELECT c.user_id, u.username, c.scope, c.created_at,
                    (SELECT MAX(g.last_used_at) FROM grants g
                     WHERE g.user_id = c.user_id AND g.client_id = c.client_id) AS last_used_at
             FROM consents c JOIN users u ON u.id = c.user_id
             WHERE c.client_id = $1
             ORDER BY c.created_at DESC, c.user_id
             LIMIT $2 OFFSET $3",
        )
        .bind(client_id)
        .bind(i64::from(limit))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(self.pool())
        .await?;
        let users = rows
            .iter()
            .map(|r| {
                Ok(AppUserRecord {
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    scope: r.try_get("scope")?,
                    granted_at: r.try_get("created_at")?,
                    last_used_at: r.try_get("last_used_at")?,
                })
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM consents c JOIN users u ON u.id = c.user_id
                     WHERE c.client_id = $1) AS total,
                    (SELECT MAX(last_used_at) FROM grants
                     WHERE client_id = $1 AND user_id IS NOT NULL) AS last_used_at",
        )
        .bind(client_id)
        .fetch_one(self.pool())
        .await?;
        Ok(AppUsers {
            users,
            total: u64::try_from(row.try_get::<i64, _>("total")?).unwrap_or_default(),
            last_used_at: row.try_get("last_used_at")?,
        })
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
