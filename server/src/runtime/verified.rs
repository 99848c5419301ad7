//! Access tokens this copy already verified (see `oauth::resource::verify_active`).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use crate::signing::AccessClaims;
use crate::store::UserRecord;

/// How long a copy trusts a token's grant and user as it last read them, when nothing was
/// revoked through this copy since: a revocation made through another copy (or by the
/// `portico user` commands) reaches this one within this time, like app changes
/// (`clients::TTL`), in seconds of the injected clock. Revocations made through this copy take effect at once.
pub const LIVENESS_TTL: i64 = 5;

/// Most tokens remembered; beyond, expired ones are dropped, then all.
const MAX_VERIFIED: usize = 10_000;

/// A token whose signature and claims were checked, and what its grant and user were.
pub struct Verified {
    pub claims: Arc<AccessClaims>,
    pub user: Option<Arc<UserRecord>>,
    /// When the grant and user were last read, and the store's revocation epoch then.
    pub checked_at: i64,
    pub epoch: u64,
}

/// Access tokens already verified, keyed by the SHA-256 of the token (the token itself
/// is not kept). Verifying an ES256 signature costs more than the rest of a request to
/// `/api/v1/me` or introspection; a resource server sees the same token many times
/// within its lifetime, so the signature is checked once. Revocation is still checked
/// on every use: a hit is valid only while the store's revocation epoch is unchanged
/// (any revocation through this copy bumps it) and for `LIVENESS_TTL` at most.
#[derive(Default)]
pub struct VerifiedTokens {
    entries: RwLock<HashMap<[u8; 32], Arc<Verified>>>,
}

impl VerifiedTokens {
    pub fn get(&self, key: &[u8; 32]) -> Option<Arc<Verified>> {
        self.entries.read().ok()?.get(key).cloned()
    }

    pub fn put(&self, key: [u8; 32], v: Arc<Verified>, now: i64) {
        let Ok(mut map) = self.entries.write() else {
            return;
        };
        if map.len() >= MAX_VERIFIED {
            map.retain(|_, e| e.claims.exp > now);
            if map.len() >= MAX_VERIFIED {
                map.clear();
            }
        }
        map.insert(key, v);
    }

    pub fn remove(&self, key: &[u8; 32]) {
        if let Ok(mut map) = self.entries.write() {
            map.remove(key);
        }
    }
}
