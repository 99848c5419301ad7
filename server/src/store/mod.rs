//! Storage, split into small traits, one per capability, each in the file named after it
//! with its records. One SQL implementation (`sql::SqlStore`) serves SQLite and PostgreSQL
//! through sqlx's `Any` driver; the dialect differences stay inside `store/`, never in
//! handlers.

mod apps;
mod attempts;
mod audit;
mod consents;
mod grants;
mod interactions;
mod logos;
mod public_keys;
mod purge;
mod secrets;
mod server_secrets;
mod sessions;
mod signing_keys;
mod sql;
mod users;

pub use apps::{AppRecord, AppStore};
pub use attempts::{AttemptStore, Budget, Window};
pub use audit::{AuditFilter, AuditRecord, AuditRow, AuditStore};
pub use consents::{AppUserRecord, AppUsers, ConsentRecord, ConsentStore};
pub use grants::{
    AppRevocation, CodeExchange, CodeRecord, GrantDecision, GrantRecord, GrantStore, RefreshLookup,
    RefreshRecord, Rotation,
};
pub use interactions::{InteractionRecord, InteractionStore};
pub use logos::{Logo, LogoStore};
pub use public_keys::{PublicKeyRecord, PublicKeyStore};
pub use purge::{PurgeStore, PurgeTable};
pub use secrets::{SecretRecord, SecretStore};
pub use server_secrets::ServerSecretStore;
pub use sessions::{BrowserSession, SessionStore};
pub use signing_keys::{SigningKeyRecord, SigningKeyStore};
pub use sql::{
    connect, sqlite_file, Change, ChangeListener, Heard, Notice, PoolStats, SqlStore, StartupLock,
};
pub use users::{UserRecord, UserStore};

use std::sync::Arc;

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
    /// From the SQLite writer thread (`sql::group_commit`), which does not go through sqlx.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A write handed to the SQLite writer thread came back without an outcome.
    #[error("the database write did not complete")]
    WriteLost,
}

pub type StoreResult<T> = Result<T, StoreError>;

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
    + AttemptStore
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
        + AttemptStore
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
    pub attempts: Arc<dyn AttemptStore>,
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
            purge: store.clone(),
            attempts: store,
        }
    }
}
