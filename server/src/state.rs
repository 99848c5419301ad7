//! Shared server state: configuration, stores, services. Cheap to clone.

use std::sync::Arc;

use crate::clock::Clock;
use crate::crypto::secret::SecretHasher;
use crate::store::{
    AppStore, AuditStore, LogoStore, PublicKeyStore, SecretStore, ServerSecretStore,
    SigningKeyStore, Store, UserStore,
};
use crate::token::TokenService;

#[derive(Debug, Clone)]
pub struct Config {
    /// RFC 8414 issuer identifier, e.g. `http://127.0.0.1:8080`, without a trailing slash.
    pub issuer: String,
    /// Most apps that may exist at once.
    pub max_apps: u32,
    /// Folder with the console's built files (Trunk's `dist/`).
    pub console_dir: Option<std::path::PathBuf>,
}

/// Each store capability as its own handle (DESIGN.md: small traits, `Arc<dyn …>`).
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
            audit: store,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub stores: Stores,
    pub tokens: Arc<TokenService>,
    pub hasher: SecretHasher,
    pub clock: Arc<dyn Clock>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// Name of the HMAC key for hashing client secrets, kept in the store so that every
/// server copy hashes alike.
pub const SECRET_HASH_KEY: &str = "client-secret-hmac";

impl AppState {
    /// Builds the state over a store: loads (or creates) the signing keys and HMAC key.
    pub async fn new<S: Store + 'static>(
        config: Config,
        store: Arc<S>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, crate::Error> {
        let stores = Stores::from_one(store);
        let now = clock.now();
        let candidate = crate::crypto::random::bytes::<32>()?;
        let key = stores
            .server_secrets
            .server_secret(SECRET_HASH_KEY, &candidate, now)
            .await?;
        let tokens = TokenService::load(stores.signing_keys.as_ref(), &config.issuer, now).await?;
        Ok(Self {
            config: Arc::new(config),
            stores,
            tokens: Arc::new(tokens),
            hasher: SecretHasher::new(&key),
            clock,
        })
    }
}
