//! The server's own token signing keys (`SigningKeyStore`), published as the JWKS.

use async_trait::async_trait;
use sqlx::Row;

use super::{Change, SqlStore};
use crate::store::{SigningKeyRecord, SigningKeyStore, StoreResult};

#[async_trait]
impl SigningKeyStore for SqlStore {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>> {
        let rows = sqlx::query(
            "SELECT kid, alg, pkcs8, created_at, retired_at FROM signing_keys ORDER BY created_at, kid",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SigningKeyRecord {
                    kid: r.try_get("kid")?,
                    alg: r.try_get("alg")?,
                    pkcs8: r.try_get("pkcs8")?,
                    created_at: r.try_get("created_at")?,
                    retired_at: r.try_get("retired_at")?,
                })
            })
            .collect()
    }

    async fn rotate_signing_keys(&self, keys: &[SigningKeyRecord]) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        let now = keys.iter().map(|k| k.created_at).max().unwrap_or_default();
        sqlx::query("UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        for k in keys {
            insert_key(&mut tx, k).await?;
        }
        // Running copies switch to the new keys as this commits, not at their next reload.
        self.announce(&mut *tx, Change::SigningKeys).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insert_signing_key(&self, k: &SigningKeyRecord) -> StoreResult<()> {
        let mut tx = self.writer.begin().await?;
        insert_key(&mut tx, k).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn insert_key(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    k: &SigningKeyRecord,
) -> StoreResult<()> {
    sqlx::query("INSERT INTO signing_keys (kid, alg, pkcs8, created_at, retired_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(&k.kid)
        .bind(&k.alg)
        .bind(&k.pkcs8)
        .bind(k.created_at)
        .bind(k.retired_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
