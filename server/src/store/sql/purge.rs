//! SQL of the purge (see `store/purge.rs`). `DELETE … WHERE key IN (SELECT key … LIMIT n)`
//! bounds each statement on both databases (neither accepts `DELETE … LIMIT` portably);
//! composite keys compare as row values. Each inner SELECT runs on an expiry index
//! (migration 0004).

use async_trait::async_trait;

use super::SqlStore;
use crate::store::{PurgeStore, PurgeTable, StoreResult};

/// The table a purge batch deletes from, its key, and the query for the keys of its dead
/// rows (`$1` the cutoff).
fn dead_rows(table: PurgeTable) -> (&'static str, &'static str, &'static str) {
    match table {
        PurgeTable::Interactions => (
            "interactions",
            "id",
            "SELECT id FROM interactions WHERE expires_at < $1",
        ),
        PurgeTable::AuthorizationCodes => (
            "authorization_codes",
            "code_hash",
            "SELECT code_hash FROM authorization_codes WHERE expires_at < $1",
        ),
        PurgeTable::BrowserSessions => (
            "browser_sessions",
            "id_hash",
            "SELECT id_hash FROM browser_sessions WHERE expires_at < $1",
        ),
        PurgeTable::RevokedAccessTokens => (
            "revoked_access_tokens",
            "jti",
            "SELECT jti FROM revoked_access_tokens WHERE expires_at < $1",
        ),
        PurgeTable::UsedAssertions => (
            "used_assertions",
            "(client_id, jti)",
            "SELECT client_id, jti FROM used_assertions WHERE expires_at < $1",
        ),
        PurgeTable::RefreshTokensOfRevokedGrants => (
            "refresh_tokens",
            "token_hash",
            "SELECT r.token_hash FROM grants g JOIN refresh_tokens r ON r.grant_id = g.id
             WHERE g.revoked_at < $1",
        ),
        PurgeTable::RetiredRefreshTokens => (
            "refresh_tokens",
            "token_hash",
            "SELECT token_hash FROM refresh_tokens WHERE rotated_at < $1",
        ),
        PurgeTable::AttemptWindows => (
            "attempt_windows",
            "(limiter, attempt_key)",
            "SELECT limiter, attempt_key FROM attempt_windows WHERE window_start < $1",
        ),
        // On the index (kind, at) of migration 0008; admin changes are kept.
        PurgeTable::AuditEvents => (
            "audit_log",
            "id",
            "SELECT id FROM audit_log WHERE kind IN ('user', 'security') AND at < $1",
        ),
    }
}

/// One bounded batch: at most `$2` of the dead rows.
fn statement(table: PurgeTable) -> String {
    let (from, key, dead) = dead_rows(table);
    format!("DELETE FROM {from} WHERE {key} IN ({dead} LIMIT $2)")
}

#[async_trait]
impl PurgeStore for SqlStore {
    async fn purge_batch(&self, table: PurgeTable, cutoff: i64, limit: u32) -> StoreResult<u64> {
        let r = sqlx::query(&statement(table))
            .bind(cutoff)
            .bind(i64::from(limit))
            .execute(self.writer())
            .await?;
        Ok(r.rows_affected())
    }
}
