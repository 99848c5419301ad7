//! Apps' public keys (`PublicKeyStore`) for `private_key_jwt` and the JWT-bearer grant
//! (RFC 7523).

use async_trait::async_trait;
use portico_proto::KeyAlg;
use sqlx::Row;

use super::audited::Lock;
use super::{corrupt, is_unique_violation, SqlStore};
use crate::store::{AuditRecord, PublicKeyRecord, PublicKeyStore, StoreError, StoreResult};

#[async_trait]
impl PublicKeyStore for SqlStore {
    async fn add_public_key(&self, key: &PublicKeyRecord, audit: &AuditRecord) -> StoreResult<()> {
        let mut tx = self
            .audited(Lock::App(&key.client_id, key.created_at), audit)
            .await?;
        let r = sqlx::query(
            "INSERT INTO app_public_keys (client_id, kid, alg, thumbprint, jwk, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&key.client_id)
        .bind(&key.kid)
        .bind(key.alg.as_str())
        .bind(&key.thumbprint)
        .bind(&key.jwk)
        .bind(key.created_at)
        .execute(&mut *tx)
        .await;
        match r {
            Err(e) if is_unique_violation(&e) => return Err(StoreError::Conflict),
            r => r?,
        };
        tx.commit().await
    }

    async fn list_public_keys(&self, client_id: &str) -> StoreResult<Vec<PublicKeyRecord>> {
        let rows = sqlx::query(
            "SELECT client_id, kid, alg, thumbprint, jwk, created_at
             FROM app_public_keys WHERE client_id = $1 ORDER BY created_at, kid",
        )
        .bind(client_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let alg: String = r.try_get("alg")?;
                Ok(PublicKeyRecord {
                    client_id: r.try_get("client_id")?,
                    kid: r.try_get("kid")?,
                    alg: KeyAlg::parse(&alg).ok_or_else(|| corrupt("key alg"))?,
                    thumbprint: r.try_get("thumbprint")?,
                    jwk: r.try_get("jwk")?,
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }

    async fn delete_public_key(
        &self,
        client_id: &str,
        kid: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let delete = "DELETE FROM app_public_keys WHERE client_id = $1 AND kid = $2";
        self.delete_app_row(delete, client_id, kid, audit).await
    }
}
