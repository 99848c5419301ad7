//! Bounded storage: the rows the background purge (`crate::purge`) may remove. Which rows
//! are dead, and from when, is decided by the caller through the cutoff; the store only
//! deletes in bounded batches.

use async_trait::async_trait;

use super::StoreResult;

/// A kind of row that outlives its use, and the time column compared to the cutoff.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PurgeTable {
    /// Pending authorization requests, by `expires_at`.
    Interactions,
    /// Authorization codes, by `expires_at`.
    AuthorizationCodes,
    /// Browser sign-in sessions, by `expires_at`.
    BrowserSessions,
    /// Access tokens revoked one by one, by `expires_at`.
    RevokedAccessTokens,
    /// Assertion `jti`s seen (RFC 7523 §3), by `expires_at`.
    UsedAssertions,
    /// Refresh tokens whose grant was revoked, by the grant's `revoked_at`.
    RefreshTokensOfRevokedGrants,
    /// Refresh tokens rotated away, by `rotated_at`.
    RetiredRefreshTokens,
    /// Abuse-limit windows (PostgreSQL), by `window_start`.
    AttemptWindows,
    /// Audit entries of end users and of the server's protection (kinds `user` and
    /// `security`), by `at`: their number follows traffic, not administrators.
    AuditEvents,
}

impl PurgeTable {
    pub const ALL: [PurgeTable; 9] = [
        PurgeTable::Interactions,
        PurgeTable::AuthorizationCodes,
        PurgeTable::BrowserSessions,
        PurgeTable::RevokedAccessTokens,
        PurgeTable::UsedAssertions,
        PurgeTable::RefreshTokensOfRevokedGrants,
        PurgeTable::RetiredRefreshTokens,
        PurgeTable::AttemptWindows,
        PurgeTable::AuditEvents,
    ];

    /// A short name for logs.
    pub fn name(self) -> &'static str {
        match self {
            PurgeTable::Interactions => "interactions",
            PurgeTable::AuthorizationCodes => "authorization_codes",
            PurgeTable::BrowserSessions => "browser_sessions",
            PurgeTable::RevokedAccessTokens => "revoked_access_tokens",
            PurgeTable::UsedAssertions => "used_assertions",
            PurgeTable::RefreshTokensOfRevokedGrants => "refresh_tokens_of_revoked_grants",
            PurgeTable::RetiredRefreshTokens => "retired_refresh_tokens",
            PurgeTable::AttemptWindows => "attempt_windows",
            PurgeTable::AuditEvents => "audit_events",
        }
    }
}

#[async_trait]
pub trait PurgeStore: Send + Sync {
    /// Deletes at most `limit` rows of `table` whose time column is before `cutoff`
    /// (Unix seconds) and returns how many it deleted: one short statement, so that a
    /// large backlog never holds the (SQLite: single) writer for long.
    async fn purge_batch(&self, table: PurgeTable, cutoff: i64, limit: u32) -> StoreResult<u64>;
}
