//! Registered clients as the protocol endpoints read them: the app with its secret hashes
//! and public keys, through a short-lived cache that admin changes invalidate. Other
//! server copies see a change within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use portico_proto::AppType;

use crate::state::Stores;
use crate::store::{AppRecord, PublicKeyRecord, SecretRecord, StoreResult};

/// How long a copy trusts its cached app record without reading the store again.
pub const TTL: Duration = Duration::from_secs(5);

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
    /// The app's public keys as the assertion validator takes them.
    pub fn registered_keys(&self) -> Vec<super::assertion::RegisteredKey<'_>> {
        self.keys
            .iter()
            .map(|k| super::assertion::RegisteredKey {
                kid: &k.kid,
                jwk: &k.jwk,
            })
            .collect()
    }

    /// RFC 6749 §2.1: single-page apps are public clients.
    pub fn is_public(&self) -> bool {
        self.app.app_type == AppType::SinglePage
    }
}

#[derive(Default)]
pub struct ClientCache {
    entries: RwLock<HashMap<String, (Arc<Client>, Instant)>>,
}

impl ClientCache {
    pub async fn get(&self, stores: &Stores, client_id: &str) -> StoreResult<Option<Arc<Client>>> {
        if let Ok(map) = self.entries.read() {
            if let Some((c, at)) = map.get(client_id) {
                if at.elapsed() < TTL {
                    return Ok(Some(c.clone()));
                }
            }
        }
        let Some(app) = stores.apps.get_app(client_id).await? else {
            // Misses are not cached: an app created on another copy appears at once.
            self.invalidate(client_id);
            return Ok(None);
        };
        let secrets = stores.secrets.list_secrets(client_id).await?;
        let keys = stores.public_keys.list_public_keys(client_id).await?;
        let client = Arc::new(Client { app, secrets, keys });
        if let Ok(mut map) = self.entries.write() {
            // Bounded: unknown-client floods cannot grow it, but many apps' churn could.
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(client_id.to_owned(), (client.clone(), Instant::now()));
        }
        Ok(Some(client))
    }

    pub fn invalidate(&self, client_id: &str) {
        if let Ok(mut map) = self.entries.write() {
            map.remove(client_id);
        }
    }
}
