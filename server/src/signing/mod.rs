//! The signing service: the server's own signing keys, the JWKS that publishes them, RFC 9068
//! JWT access tokens (signed and checked here) and OpenID Connect ID tokens. Keys are
//! generated on first start and kept in the store, so every server copy signs and verifies
//! with the same set.
//!
//! [`key_set`] loads, rotates and publishes the keys, [`access_token`] issues and verifies
//! access tokens, [`id_token`] signs ID tokens.

pub mod access_token;
pub mod id_token;
pub mod key_set;

use std::sync::{Arc, RwLock};

pub use crate::crypto::jws::SigningAlg;
use crate::store::{SigningKeyStore, StoreError};
pub use access_token::{AccessClaims, AccessGrant, ACCESS_TOKEN_TYP};
use key_set::KeySet;
pub use key_set::{new_key_record, rotate, KeysAhead};

/// Allowed clock difference between server copies when checking `iat`/`exp`.
pub const LEEWAY: i64 = 5;

/// The longest any token signed by the server lives (the access-token lifetime cap).
pub const MAX_TOKEN_LIFETIME: i64 = portico_proto::validate::ACCESS_TOKEN_LIFETIME_MAX as i64;

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Malformed, badly signed, expired or meant for someone else: RFC 6750 `invalid_token`.
    #[error("the access token is invalid or expired")]
    Invalid,
    #[error("token signing failed: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub struct TokenService {
    issuer: String,
    /// RFC 9068 §3: the resource the token is for. Portico's own API.
    audience: String,
    keys: RwLock<Arc<KeySet>>,
}

impl std::fmt::Debug for TokenService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenService")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl TokenService {
    /// Loads the signing keys, generating an active key for each algorithm that has none.
    pub async fn load(
        store: &dyn SigningKeyStore,
        issuer: &str,
        now: i64,
    ) -> Result<Self, TokenError> {
        Self::load_with(store, issuer, now, KeysAhead::default()).await
    }

    /// As [`TokenService::load`], taking a missing key from `ahead` when it has one.
    pub async fn load_with(
        store: &dyn SigningKeyStore,
        issuer: &str,
        now: i64,
        ahead: KeysAhead,
    ) -> Result<Self, TokenError> {
        let records = key_set::ensure_active(store, now, ahead).await?;
        Ok(Self {
            issuer: issuer.to_owned(),
            audience: issuer.to_owned(),
            keys: RwLock::new(Arc::new(KeySet::from_records(&records, now)?)),
        })
    }

    /// Re-reads the keys, so a rotation made by `portico keys rotate` or another server
    /// copy takes effect here.
    pub async fn reload(&self, store: &dyn SigningKeyStore, now: i64) -> Result<(), TokenError> {
        let records = store.list_signing_keys().await?;
        let set = Arc::new(KeySet::from_records(&records, now)?);
        match self.keys.write() {
            Ok(mut k) => *k = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
        Ok(())
    }

    fn current(&self) -> Arc<KeySet> {
        match self.keys.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// RFC 7517 JWK Set of every key a live token may be signed with.
    pub fn jwks(&self) -> serde_json::Value {
        self.current().jwks()
    }
}
