//! SQL of the purge (see `store/purge.rs`). `DELETE … WHERE key IN (SELECT key … LIMIT n)`
//! bounds each statement on both databases (neither accepts `DELETE … LIMIT` portably);
//! composite keys compare as row values. Each inner SELECT runs on an expiry index
//! (migration 0004).

use async_trait::async_trait;

use super::SqlStore;
use crate::store::{PurgeStore, PurgeTable, StoreResult};

fn statement(table: PurgeTable) -> &'static str {
    match table {
        PurgeTable::Interactions => {
            "DELETE FROM interactions WHERE id IN
             (SELECT id FROM interactions WHERE expires_at < $1 LIMIT $2)"
        }
        PurgeTable::AuthorizationCodes => {
            "DELETE FROM authorization_codes WHERE code_hash IN
             (SELECT code_hash FROM authorization_codes WHERE expires_at < $1 LIMIT $2)"
        }
        PurgeTable::BrowserSessions => {
            "DELETE FROM browser_sessions WHERE id_hash IN
             (SELECT id_hash FROM browser_sessions WHERE expires_at < $1 LIMIT $2)"
        }
        PurgeTable::RevokedAccessTokens => {
            "DELETE FROM revoked_access_tokens WHERE jti IN
             (SELECT jti FROM revoked_access_tokens WHERE expires_at < $1 LIMIT $2)"
        }
        PurgeTable::UsedAssertions => {
            "DELETE FROM used_assertions WHERE (client_id, jti) IN
             (SELECT client_id, jti FROM used_assertions WHERE expires_at < $1 LIMIT $2)"
        }
        PurgeTable::RefreshTokensOfRevokedGrants => {
            "DELETE FROM refresh_tokens WHERE token_hash IN
             (SELECT r.token_hash FROM grants g JOIN refresh_tokens r ON r.grant_id = g.id
              WHERE g.revoked_at < $1 LIMIT $2)"
        }
        PurgeTable::RetiredRefreshTokens => {
            "DELETE FROM refresh_tokens WHERE token_hash IN
             (SELECT token_hash FROM refresh_tokens WHERE rotated_at < $1 LIMIT $2)"
        }
    }
}

#[async_trait]
impl PurgeStore for SqlStore {
    async fn purge_batch(&self, table: PurgeTable, cutoff: i64, limit: u32) -> StoreResult<u64> {
        let r = sqlx::query(statement(table))
            .bind(cutoff)
            .bind(i64::from(limit))
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected())
    }
}
