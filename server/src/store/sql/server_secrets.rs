//! Secrets every server copy must share (`ServerSecretStore`), such as the HMAC key.

use async_trait::async_trait;
use sqlx::Row;

use super::SqlStore;
use crate::store::{ServerSecretStore, StoreResult};

#[async_trait]
impl ServerSecretStore for SqlStore {
    async fn server_secret(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>> {
        // Two copies starting at once both try; the key wins once, and both read it back.
        let _ = sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(now)
        .execute(&self.writer)
        .await?;
        Ok(
            sqlx::query("SELECT value FROM server_secrets WHERE name = $1")
                .bind(name)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?,
        )
    }
}
