//! Access tokens revoked one by one (RFC 7009 §2), kept until they would have expired.

use super::{is_unique_violation, SqlStore};
use crate::store::StoreResult;

pub(super) async fn revoke(store: &SqlStore, jti: &str, expires_at: i64) -> StoreResult<()> {
    let mut tx = store.writer().begin().await?;
    let r = sqlx::query("INSERT INTO revoked_access_tokens (jti, expires_at) VALUES ($1, $2)")
        .bind(jti)
        .bind(expires_at)
        .execute(&mut *tx)
        .await;
    match r {
        Ok(_) => store.commit_revocation(tx).await,
        // Revoked before: nothing new to announce.
        Err(e) if is_unique_violation(&e) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn is_revoked(store: &SqlStore, jti: &str) -> StoreResult<bool> {
    Ok(
        sqlx::query("SELECT 1 FROM revoked_access_tokens WHERE jti = $1")
            .bind(jti)
            .fetch_optional(store.pool())
            .await?
            .is_some(),
    )
}
