//! Grants (`GrantStore`) and what hangs from them: authorization codes (RFC 6749 §4.1.2),
//! refresh tokens (§6, RFC 9700 §4.14.2), assertion `jti`s (RFC 7523 §3) and access
//! tokens revoked one by one (RFC 7009).

use async_trait::async_trait;

use super::{AuditRecord, StoreResult, UserRecord};

#[derive(Debug, Clone)]
pub struct GrantRecord {
    pub id: String,
    pub user_id: Option<String>,
    pub client_id: String,
    pub scope: String,
    /// When the user signed in: absolute refresh expiry counts from here.
    pub auth_time: i64,
    pub created_at: i64,
    pub last_used_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct CodeRecord {
    pub code_hash: Vec<u8>,
    pub client_id: String,
    pub user_id: String,
    pub redirect_uri: String,
    pub scope: String,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub auth_time: i64,
    pub expires_at: i64,
}

#[derive(Debug, Clone)]
pub struct RefreshRecord {
    pub token_hash: Vec<u8>,
    pub grant_id: String,
    pub client_id: String,
    pub scope: String,
    pub created_at: i64,
    pub last_used_at: i64,
    pub rotated_at: Option<i64>,
}

/// What revoking an app for all its users ended (`GrantStore::revoke_grants_of_app`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppRevocation {
    /// Consents withdrawn: one per user who had allowed the app.
    pub consents: u64,
    /// Live grants revoked, with every refresh and access token issued under them.
    pub grants: u64,
}

/// What a code exchange found and did (`GrantStore::exchange_code`).
#[derive(Debug, Clone)]
// Short-lived return value; boxing the common case would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum CodeExchange {
    /// First use: the code is now burnt. `user` is the code's user as stored now (enabled
    /// or not); `granted` says whether the decision accepted the code, in which case its
    /// grant (and refresh token) were stored in the same write.
    Fresh {
        code: CodeRecord,
        user: Option<UserRecord>,
        granted: bool,
    },
    /// Used before, and that use issued a grant: the grant, with every token under it, has
    /// now been revoked.
    Replayed,
    /// Used before by an exchange that was refused (a wrong `redirect_uri` or PKCE verifier,
    /// an expired code, …): it issued nothing, so there was nothing to revoke.
    SpentByRefusal,
    Unknown,
}

/// Decides, from a code just burnt and its user, what grant the exchange records: `None`
/// records nothing (the code stays burnt). It runs inside the store's write, so it must be
/// quick and must not wait on anything.
pub type GrantDecision = Box<
    dyn FnOnce(&CodeRecord, Option<&UserRecord>) -> Option<(GrantRecord, Option<RefreshRecord>)>
        + Send,
>;

/// What `GrantStore::rotate_refresh` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// The presented token is retired and its successor stored.
    Rotated,
    /// The presented token had been rotated within the reuse grace: its new token is
    /// stored beside the first successor, in the same family.
    Sibling,
    /// The presented token had been rotated, outside the grace (or the family is gone):
    /// nothing was stored.
    Lost,
}

/// What presenting a refresh token found.
#[derive(Debug, Clone)]
// Short-lived return value; boxing the common case would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum RefreshLookup {
    /// A live token, its grant, and the grant's user when it still exists (enabled or not).
    Active(RefreshRecord, GrantRecord, Option<UserRecord>),
    /// A token already rotated away came back (RFC 9700 §4.14.2), with its live grant and
    /// user: the caller decides whether this is a use within the app's reuse grace (then it
    /// gets a sibling token), a use after it (then it revokes the grant), or only a look
    /// (introspection, revocation).
    Rotated(RefreshRecord, GrantRecord, Option<UserRecord>),
    /// Unknown, or its grant was revoked.
    Invalid,
}

#[async_trait]
pub trait GrantStore: Send + Sync {
    async fn create_code(&self, c: &CodeRecord) -> StoreResult<()>;
    /// RFC 6749 §4.1.2: burns the code on first use and, in the same write, stores the
    /// grant `decide` returns for it, so a code is exchanged with one commit and a replay
    /// (a second use, which revokes what the first issued) always finds the grant.
    async fn exchange_code(
        &self,
        code_hash: &[u8],
        now: i64,
        decide: GrantDecision,
    ) -> StoreResult<CodeExchange>;
    async fn create_grant(
        &self,
        grant: &GrantRecord,
        refresh: Option<&RefreshRecord>,
    ) -> StoreResult<()>;
    async fn get_grant(&self, id: &str) -> StoreResult<Option<GrantRecord>>;
    async fn revoke_grant(&self, id: &str, now: i64) -> StoreResult<()>;
    /// "Revoke for all users": withdraws every consent given to the app and revokes its
    /// every live grant (so every refresh and access token under them), its pending codes
    /// too, in one audited write whose entry ends with what it ended (`audit.at` is the
    /// time). The app, its secrets and keys stay.
    async fn revoke_grants_of_app(
        &self,
        client_id: &str,
        audit: &AuditRecord,
    ) -> StoreResult<AppRevocation>;
    /// Revokes every live grant of a user (optionally only for one app).
    async fn revoke_grants_of_user(
        &self,
        user_id: &str,
        client_id: Option<&str>,
        now: i64,
    ) -> StoreResult<()>;
    /// Live grants of a user, newest first.
    async fn list_user_grants(&self, user_id: &str) -> StoreResult<Vec<GrantRecord>>;

    async fn find_refresh(&self, token_hash: &[u8]) -> StoreResult<RefreshLookup>;
    /// Rotation, in one write: stores `new` and retires `old` (`Rotated`). When `old` was
    /// rotated already — by another request a moment ago, or earlier — and that rotation
    /// is less than `grace` seconds before `now`, `new` is kept as a sibling head of the
    /// same family (`Sibling`); otherwise `new` is not kept (`Lost`). `touch_grant` also
    /// records the use on the grant (its "last used" time).
    async fn rotate_refresh(
        &self,
        old_hash: &[u8],
        new: &RefreshRecord,
        now: i64,
        touch_grant: bool,
        grace: u64,
    ) -> StoreResult<Rotation>;
    /// Without rotation: records a use (for inactivity expiry).
    async fn touch_refresh(&self, token_hash: &[u8], grant_id: &str, now: i64) -> StoreResult<()>;

    /// RFC 7523 §3: `true` the first time `(client_id, jti)` is seen.
    async fn use_assertion_jti(
        &self,
        client_id: &str,
        jti: &str,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<bool>;
    async fn revoke_access_token(&self, jti: &str, expires_at: i64) -> StoreResult<()>;
    async fn is_access_token_revoked(&self, jti: &str) -> StoreResult<bool>;

    /// A number that changes after anything through this store may have ended a live
    /// access token (a grant revoked, an access token revoked, a user disabled or deleted,
    /// an app deleted), so that what was read about a token before can be trusted only
    /// while it is unchanged. It does not see changes made by other processes.
    fn revocation_epoch(&self) -> u64;
}
