//! Registered clients as the protocol endpoints read them: the app with its secret hashes
//! and public keys, through a short-lived cache that admin changes invalidate. Other
//! server copies see a change within `TTL` seconds of the injected clock.
//!
//! Public keys are parsed once, when an entry is loaded, so verifying a JWT assertion
//! (RFC 7523 §3 point 9) never re-reads a stored JWK.

use crate::metrics::Metrics;
use std::sync::Arc;

use portico_proto::AppType;

use super::ttl::TtlCache;
use crate::clock::Clock;
use crate::crypto::app_key::VerifyingKey;
use crate::store::{AppRecord, PublicKeyRecord, SecretRecord, StoreResult, Stores};

/// Seconds a copy trusts its cached app record without reading the store again.
pub const TTL: i64 = 5;

#[derive(Debug)]
pub struct Client {
    pub app: AppRecord,
    pub secrets: Vec<SecretRecord>,
    /// Shared, so a request can hold them without borrowing the cache entry.
    pub keys: Arc<[RegisteredKey]>,
}

/// A public key registered for the client, parsed and ready to verify signatures.
#[derive(Debug, Clone)]
pub struct RegisteredKey {
    pub kid: String,
    /// `None` when the stored JWK no longer parses: an assertion whose kid names it is refused
    /// as unusable, and it is never chosen for one without a kid. Keys are checked on import,
    /// so this only happens to a row damaged in the store.
    pub verifier: Option<VerifyingKey>,
}

impl RegisteredKey {
    /// Parses a stored key once; a key that fails to parse is logged and kept without a
    /// verifier, so it answers as it did when it was parsed on every use.
    fn load(client_id: &str, record: &PublicKeyRecord) -> Self {
        let verifier = VerifyingKey::from_jwk_json(&record.jwk)
            .inspect_err(|e| {
                tracing::warn!(
                    client_id,
                    kid = %record.kid,
                    error = %e,
                    "registered public key does not parse; assertions cannot use it"
                );
            })
            .ok();
        Self {
            kid: record.kid.clone(),
            verifier,
        }
    }
}

impl Client {
    pub fn client_id(&self) -> &str {
        &self.app.client_id
    }
    pub fn app_type(&self) -> AppType {
        self.app.app_type
    }
    /// RFC 6749 §2.1: single-page apps are public clients.
    pub fn is_public(&self) -> bool {
        self.app.app_type == AppType::SinglePage
    }
}

pub struct ClientCache {
    entries: TtlCache<Arc<Client>>,
    metrics: Arc<Metrics>,
}

impl ClientCache {
    pub fn new(clock: Arc<dyn Clock>, metrics: Arc<Metrics>) -> Self {
        Self {
            entries: TtlCache::new(TTL, 10_000, clock),
            metrics,
        }
    }

    pub async fn get(&self, stores: &Stores, client_id: &str) -> StoreResult<Option<Arc<Client>>> {
        let hit = self.entries.get(client_id);
        self.metrics.cache_lookup("clients", hit.is_some());
        if let Some(c) = hit {
            return Ok(Some(c));
        }
        let loading = self.entries.loading();
        let Some(app) = stores.apps.get_app(client_id).await? else {
            // Misses are not cached: an app created on another copy appears at once.
            return Ok(None);
        };
        let secrets = stores.secrets.list_secrets(client_id).await?;
        let keys = stores
            .public_keys
            .list_public_keys(client_id)
            .await?
            .iter()
            .map(|record| RegisteredKey::load(client_id, record))
            .collect();
        let client = Arc::new(Client { app, secrets, keys });
        self.entries.put(client_id, client.clone(), loading);
        Ok(Some(client))
    }

    pub fn invalidate(&self, client_id: &str) {
        self.entries.remove(client_id);
    }

    /// Drops every app (the change listener lost its connection and may have missed news).
    pub fn invalidate_all(&self) {
        self.entries.clear();
    }
}
