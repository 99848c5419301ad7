//! The browser origins CORS allows: those of registered single-page apps' redirect URLs,
//! read from the store at most every `clients::TTL` seconds (and at once after an admin change
//! on this copy).

use std::collections::HashSet;
use std::sync::Arc;

use portico_proto::AppType;

use super::clients::TTL;
use super::ttl::TtlCache;
use crate::clock::Clock;
use crate::store::Stores;

pub struct OriginCache {
    cached: TtlCache<Arc<HashSet<String>>>,
}

impl OriginCache {
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            cached: TtlCache::new(TTL, 1, clock),
        }
    }

    pub fn invalidate(&self) {
        self.cached.clear();
    }

    pub async fn get(&self, stores: &Stores) -> Arc<HashSet<String>> {
        if let Some(set) = self.cached.get("") {
            return set;
        }
        let loading = self.cached.loading();
        let mut set = HashSet::new();
        match stores.apps.list_apps().await {
            Ok(apps) => {
                for app in apps.iter().filter(|a| a.app_type == AppType::SinglePage) {
                    for uri in &app.settings.redirect_uris {
                        if let Ok(u) = url::Url::parse(uri) {
                            set.insert(u.origin().ascii_serialization());
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "CORS: could not read apps"),
        }
        let set = Arc::new(set);
        self.cached.put("", set.clone(), loading);
        set
    }
}
