//! Registered clients as the protocol endpoints read them: the app with its secret hashes
//! and public keys, through a short-lived cache that admin changes invalidate. Other
//! server copies see a change within `TTL` seconds of the injected clock.

use std::sync::Arc;

use portico_proto::AppType;

use super::ttl::TtlCache;
use crate::clock::Clock;
use crate::store::{AppRecord, PublicKeyRecord, SecretRecord, StoreResult, Stores};

/// Seconds a copy trusts its cached app record without reading the store again.
pub const TTL: i64 = 5;

#[derive(Debug)]
pub struct Client {
    pub app: AppRecord,
    pub secrets: Vec<SecretRecord>,
    pub keys: Vec<PublicKeyRecord>,
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
}

impl ClientCache {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            entries: TtlCache::new(TTL, 10_000, clock),
        }
    }

    pub async fn get(&self, stores: &Stores, client_id: &str) -> StoreResult<Option<Arc<Client>>> {
        if let Some(c) = self.entries.get(client_id) {
            return Ok(Some(c));
        }
        let Some(app) = stores.apps.get_app(client_id).await? else {
            // Misses are not cached: an app created on another copy appears at once.
            self.invalidate(client_id);
            return Ok(None);
        };
        let secrets = stores.secrets.list_secrets(client_id).await?;
        let keys = stores.public_keys.list_public_keys(client_id).await?;
        let client = Arc::new(Client { app, secrets, keys });
        self.entries.put(client_id, client.clone());
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
