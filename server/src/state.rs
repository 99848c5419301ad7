//! Shared server state: configuration, stores, services. Cheap to clone.

use std::sync::Arc;

use crate::clock::Clock;
use crate::crypto::secret::SecretHasher;
use crate::metrics::Metrics;
use crate::runtime::clients::ClientCache;
use crate::runtime::invalidating::Invalidating;
use crate::runtime::limits::Limits;
use crate::runtime::origins::OriginCache;
use crate::runtime::readiness::Readiness;
use crate::runtime::usage::UsageRecorder;
use crate::runtime::verified::VerifiedTokens;
use crate::signing::{KeysAhead, TokenService};
use crate::store::Store;

#[derive(Debug, Clone)]
pub struct Config {
    /// RFC 8414 issuer identifier, e.g. `http://127.0.0.1:8080`, without a trailing slash.
    pub issuer: String,
    /// Most apps that may exist at once.
    pub max_apps: u32,
    /// Folder with the console's built files (Trunk's `dist/`).
    pub console_dir: Option<std::path::PathBuf>,
    /// Reverse proxies whose forwarding headers name the client's address
    /// (`--trusted-proxies`; see `http::client_addr`).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

pub use crate::store::Stores;

/// The state every handler gets; one `Arc`, so the clone axum makes per request (and per
/// middleware) is one reference count, not one per field (measured: cloning and dropping
/// the fields one by one took 3% of a `client_credentials` request).
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

pub struct AppStateInner {
    pub config: Arc<Config>,
    /// The protocol endpoints' full URLs under this issuer (assertion audiences, discovery).
    pub endpoints: portico_proto::paths::Endpoints,
    pub stores: Stores,
    pub tokens: Arc<TokenService>,
    pub hasher: SecretHasher,
    pub clock: Arc<dyn Clock>,
    pub clients: Arc<ClientCache>,
    pub origins: Arc<OriginCache>,
    pub limits: Arc<Limits>,
    pub usage: Arc<UsageRecorder>,
    /// Access tokens whose signature was already checked (see `oauth::resource`).
    pub verified: Arc<VerifiedTokens>,
    /// What this copy counts for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Draining, and the change-notification connection, for `/health/ready`.
    pub readiness: Arc<Readiness>,
}

impl AppStateInner {
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
        Self::with_keys_ahead(config, store, clock, KeysAhead::default()).await
    }

    /// As [`AppState::new`], taking missing signing keys from those `ahead` generated
    /// (the first start of `portico serve`, see `KeysAhead`).
    pub async fn with_keys_ahead<S: Store + 'static>(
        config: Config,
        store: Arc<S>,
        clock: Arc<dyn Clock>,
        ahead: KeysAhead,
    ) -> Result<Self, crate::Error> {
        let metrics = Arc::new(Metrics::default());
        let clients = Arc::new(ClientCache::new(clock.clone(), metrics.clone()));
        let origins = Arc::new(OriginCache::new(clock.clone()));
        let mut stores = Stores::from_one(store.clone());
        // App-facing writes drop this copy's cached view of the app themselves.
        let invalidating = Arc::new(Invalidating::new(
            store,
            clients.clone(),
            origins.clone(),
            metrics.clone(),
        ));
        stores.apps = invalidating.clone();
        stores.secrets = invalidating.clone();
        stores.public_keys = invalidating.clone();
        stores.logos = invalidating;
        let now = clock.now();
        let candidate = crate::crypto::random::bytes::<32>()?;
        let key = stores
            .server_secrets
            .server_secret(SECRET_HASH_KEY, &candidate, now)
            .await?;
        let tokens =
            TokenService::load_with(stores.signing_keys.as_ref(), &config.issuer, now, ahead)
                .await?;
        stores
            .apps
            .upsert_builtin_app(&console_app(&config.issuer, now))
            .await?;
        let limits = Arc::new(Limits::for_store(&stores.attempts));
        Ok(Self(Arc::new(AppStateInner {
            endpoints: portico_proto::paths::Endpoints::for_issuer(&config.issuer),
            config: Arc::new(config),
            stores,
            tokens: Arc::new(tokens),
            hasher: SecretHasher::new(&key),
            clock: clock.clone(),
            clients,
            origins,
            limits,
            usage: Arc::new(UsageRecorder::default()),
            verified: Arc::new(VerifiedTokens::default()),
            metrics,
            readiness: Arc::new(Readiness::default()),
        })))
    }
}

/// The console's own client: public, PKCE, redirecting to the console's callback; it
/// skips consent and does not count towards the app limit.
pub use portico_proto::console::{
    CALLBACK_PATH as CONSOLE_CALLBACK_PATH, CLIENT_ID as CONSOLE_CLIENT_ID,
};

fn console_app(issuer: &str, now: i64) -> crate::store::AppRecord {
    use portico_proto::app::AppSettings;
    use portico_proto::AppType;
    let mut settings = AppSettings::defaults(AppType::SinglePage);
    settings.name = "Portico console".to_owned();
    settings.description = "Portico's own administration and account pages.".to_owned();
    settings.redirect_uris = vec![format!("{issuer}{CONSOLE_CALLBACK_PATH}")];
    settings.access_token_lifetime = 900;
    settings.refresh_token_absolute_lifetime = Some(12 * 3600);
    settings.refresh_token_inactivity_lifetime = Some(3600);
    crate::store::AppRecord {
        client_id: CONSOLE_CLIENT_ID.to_owned(),
        app_type: AppType::SinglePage,
        settings,
        builtin: true,
        created_at: now,
        updated_at: now,
        last_used_at: None,
        logo_version: None,
    }
}
