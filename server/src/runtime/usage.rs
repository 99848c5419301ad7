//! "Last used" times for apps and secrets, written at most once a minute per item so the
//! token path does not pay a database write per request.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::store::Stores;

/// Seconds between two recorded uses of the same item.
pub const EVERY: i64 = 60;

#[derive(Default)]
pub struct UsageRecorder {
    apps: Mutex<HashMap<String, i64>>,
    secrets: Mutex<HashMap<String, i64>>,
}

impl UsageRecorder {
    /// Whether a use of `id` at `now` should be written; looked up without allocating, as
    /// it is asked on every authenticated request.
    fn due(map: &Mutex<HashMap<String, i64>>, id: &str, now: i64) -> bool {
        let Ok(mut map) = map.lock() else {
            return false;
        };
        match map.get_mut(id) {
            Some(at) if now - *at < EVERY => false,
            Some(at) => {
                *at = now;
                true
            }
            None => {
                if map.len() > 50_000 {
                    map.clear();
                }
                map.insert(id.to_owned(), now);
                true
            }
        }
    }

    pub async fn app_used(&self, stores: &Stores, client_id: &str, now: i64) {
        if Self::due(&self.apps, client_id, now) {
            if let Err(e) = stores.apps.touch_app(client_id, now).await {
                tracing::warn!(error = %e, "could not record app use");
            }
        }
    }

    pub async fn secret_used(&self, stores: &Stores, secret_id: &str, client_id: &str, now: i64) {
        if Self::due(&self.secrets, secret_id, now) {
            if let Err(e) = stores.secrets.touch_secret(secret_id, now).await {
                tracing::warn!(error = %e, "could not record secret use");
            }
        }
        self.app_used(stores, client_id, now).await;
    }
}
