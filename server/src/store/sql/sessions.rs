//! Browser sign-in sessions (`SessionStore`), stored under the hash of their id.

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::store::{BrowserSession, SessionStore, StoreResult};

#[async_trait]
impl SessionStore for SqlStore {
    async fn create_session(&self, s: &BrowserSession) -> StoreResult<()> {
        sqlx::query("INSERT INTO browser_sessions (id_hash, user_id, auth_time, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(&s.id_hash)
            .bind(&s.user_id)
            .bind(s.auth_time)
            .bind(s.expires_at)
            .execute(self.writer())
            .await?;
        Ok(())
    }

    async fn get_session(&self, id_hash: &[u8], now: i64) -> StoreResult<Option<BrowserSession>> {
        let row = sqlx::query(
            "SELECT s.id_hash, s.user_id, s.auth_time, s.expires_at FROM browser_sessions s
             JOIN users u ON u.id = s.user_id
             WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(id_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(BrowserSession {
                id_hash: r.try_get("id_hash")?,
                user_id: r.try_get("user_id")?,
                auth_time: r.try_get("auth_time")?,
                expires_at: r.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()> {
        sqlx::query("DELETE FROM browser_sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
