//! Storage, split into small traits per capability. One SQL implementation
//! (`sql::SqlStore`) serves SQLite and PostgreSQL through sqlx's `Any` driver; the
//! dialect differences stay inside `store/`, never in handlers.

mod oauth;
mod purge;
mod sql;

pub use oauth::*;
pub use purge::*;
pub use sql::{connect, sqlite_file, SqlStore};

use std::sync::Arc;

use async_trait::async_trait;
use portico_proto::app::AppSettings;
use portico_proto::{AppType, KeyAlg};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A count limit (apps, secrets) would be exceeded.
    #[error("limit of {0} reached")]
    LimitReached(u32),
    /// A unique value already exists.
    #[error("already exists")]
    Conflict,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An admin change to record in the same transaction as the change itself, so the log
/// and the data never disagree.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub at: i64,
    pub actor: String,
    pub action: &'static str,
    pub client_id: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone)]
pub struct AppRecord {
    pub client_id: String,
    pub app_type: AppType,
    pub settings: AppSettings,
    pub builtin: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    /// Set when a logo is stored; changes with each upload (used to bust caches).
    pub logo_version: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct SecretRecord {
    pub id: String,
    pub client_id: String,
    pub secret_hash: Vec<u8>,
    pub hint: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct PublicKeyRecord {
    pub client_id: String,
    pub kid: String,
    pub alg: KeyAlg,
    pub thumbprint: String,
    pub jwk: String,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: i64,
}

#[derive(Clone)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub password_hash: String,
    pub email: Option<String>,
    pub name: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: i64,
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("is_admin", &self.is_admin)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub pkcs8: Vec<u8>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub client_id: Option<String>,
    pub detail: String,
}

#[async_trait]
pub trait AppStore: Send + Sync {
    /// Inserts the app (and its first secret) unless `max_apps` non-built-in apps exist.
    async fn create_app(
        &self,
        app: &AppRecord,
        first_secret: Option<&SecretRecord>,
        max_apps: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn list_apps(&self) -> StoreResult<Vec<AppRecord>>;
    async fn get_app(&self, client_id: &str) -> StoreResult<Option<AppRecord>>;
    async fn update_app(
        &self,
        client_id: &str,
        settings: &AppSettings,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn delete_app(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()>;
    /// Records that the app authenticated or was used at `now`.
    async fn touch_app(&self, client_id: &str, now: i64) -> StoreResult<()>;
    /// Creates or updates a built-in app (not counted, listed or editable in the admin API).
    async fn upsert_builtin_app(&self, app: &AppRecord) -> StoreResult<()>;
}

#[async_trait]
pub trait SecretStore: Send + Sync {
    /// Adds a secret unless the app already holds `max` of them.
    async fn add_secret(
        &self,
        secret: &SecretRecord,
        max: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn list_secrets(&self, client_id: &str) -> StoreResult<Vec<SecretRecord>>;
    async fn delete_secret(
        &self,
        client_id: &str,
        id: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn touch_secret(&self, id: &str, now: i64) -> StoreResult<()>;
}

#[async_trait]
pub trait PublicKeyStore: Send + Sync {
    async fn add_public_key(&self, key: &PublicKeyRecord, audit: &AuditRecord) -> StoreResult<()>;
    async fn list_public_keys(&self, client_id: &str) -> StoreResult<Vec<PublicKeyRecord>>;
    async fn delete_public_key(
        &self,
        client_id: &str,
        kid: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
}

#[async_trait]
pub trait LogoStore: Send + Sync {
    async fn set_logo(&self, client_id: &str, logo: &Logo, audit: &AuditRecord) -> StoreResult<()>;
    async fn delete_logo(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()>;
    async fn get_logo(&self, client_id: &str) -> StoreResult<Option<Logo>>;
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, user: &UserRecord) -> StoreResult<()>;
    async fn count_users(&self) -> StoreResult<i64>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// Disables or enables a user; disabling ends their sessions and revokes their grants.
    async fn set_user_disabled(&self, username: &str, disabled: bool, now: i64) -> StoreResult<()>;
    /// Deletes a user with their sessions, consents and grants (grants stay, revoked).
    async fn delete_user(&self, username: &str, now: i64) -> StoreResult<()>;
}

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Stores `keys` as the active keys and retires every other, in one transaction.
    async fn rotate_signing_keys(&self, keys: &[SigningKeyRecord]) -> StoreResult<()>;
    /// Adds an active key without retiring any (a missing algorithm on first start).
    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> StoreResult<()>;
}

#[async_trait]
pub trait ServerSecretStore: Send + Sync {
    /// Returns the secret called `name`, storing `candidate` first if there is none; every
    /// server copy sharing the database ends up with the same value.
    async fn server_secret(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>>;
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an event that is not itself a stored change (a sign-in lockout, a refresh
    /// token reuse detected, a `portico user` command).
    async fn record_audit(&self, a: &AuditRecord) -> StoreResult<()>;

    /// `record_audit` for an event noticed while answering a request (a lockout, a reuse
    /// detected): the answer does not depend on it, so a failure is logged, not returned.
    async fn record_event(&self, a: &AuditRecord) {
        if let Err(e) = self.record_audit(a).await {
            tracing::warn!(error = %e, action = a.action, "could not record an event in the audit log");
        }
    }
    /// Newest first, entries with `id < before` when given.
    async fn list_audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditRow>>;
}

/// Every capability, as the server state holds them.
pub trait Store:
    AppStore
    + SecretStore
    + PublicKeyStore
    + LogoStore
    + UserStore
    + SigningKeyStore
    + ServerSecretStore
    + AuditStore
    + SessionStore
    + InteractionStore
    + ConsentStore
    + GrantStore
    + PurgeStore
{
}

impl<T> Store for T where
    T: AppStore
        + SecretStore
        + PublicKeyStore
        + LogoStore
        + UserStore
        + SigningKeyStore
        + ServerSecretStore
        + AuditStore
        + SessionStore
        + InteractionStore
        + ConsentStore
        + GrantStore
        + PurgeStore
{
}

/// Each store capability as its own handle: small traits, held as `Arc<dyn …>`.
#[derive(Clone)]
pub struct Stores {
    pub apps: Arc<dyn AppStore>,
    pub secrets: Arc<dyn SecretStore>,
    pub public_keys: Arc<dyn PublicKeyStore>,
    pub logos: Arc<dyn LogoStore>,
    pub users: Arc<dyn UserStore>,
    pub signing_keys: Arc<dyn SigningKeyStore>,
    pub server_secrets: Arc<dyn ServerSecretStore>,
    pub audit: Arc<dyn AuditStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub interactions: Arc<dyn InteractionStore>,
    pub consents: Arc<dyn ConsentStore>,
    pub grants: Arc<dyn GrantStore>,
    pub purge: Arc<dyn PurgeStore>,
}

impl Stores {
    pub fn from_one<S: Store + 'static>(store: Arc<S>) -> Self {
        Self {
            apps: store.clone(),
            secrets: store.clone(),
            public_keys: store.clone(),
            logos: store.clone(),
            users: store.clone(),
            signing_keys: store.clone(),
            server_secrets: store.clone(),
            audit: store.clone(),
            sessions: store.clone(),
            interactions: store.clone(),
            consents: store.clone(),
            grants: store.clone(),
            purge: store,
        }
    }
}
