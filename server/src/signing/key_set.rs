//! The server's signing keys: one active key per algorithm ([`SigningAlg::ES256`] for access
//! tokens and the ID tokens of apps that chose ES256, [`SigningAlg::RS256`] for the other ID
//! tokens), the retired keys that still verify, rotation, and the JWKS (RFC 7517 §5) that
//! publishes them.

use std::collections::HashMap;
use std::sync::Arc;

use super::{SigningAlg, TokenError, LEEWAY, MAX_TOKEN_LIFETIME};
use crate::crypto::jws::{JwsError, SigningKey};
use crate::store::{SigningKeyRecord, SigningKeyStore};

pub(super) struct KeySet {
    /// The active ES256 key: signs access tokens, and ID tokens for apps that chose ES256.
    es256: Arc<SigningKey>,
    /// The active RS256 key: signs ID tokens (the default, OIDC Core §15.1).
    rs256: Arc<SigningKey>,
    pub(super) by_kid: HashMap<String, Arc<SigningKey>>,
}

/// A fresh signing key of `alg`, ready to store.
pub fn new_key_record(alg: SigningAlg, now: i64) -> Result<SigningKeyRecord, TokenError> {
    let (key, pkcs8) = match alg {
        SigningAlg::RS256 => SigningKey::generate_rs256(),
        SigningAlg::ES256 => SigningKey::generate(),
    }
    .map_err(|e| TokenError::Internal(e.to_string()))?;
    Ok(SigningKeyRecord {
        kid: key.kid().to_owned(),
        alg: key.alg().as_str().to_owned(),
        pkcs8,
        created_at: now,
        retired_at: None,
    })
}

/// `portico keys rotate`: new active keys; the old ones retire but keep verifying and stay
/// in the JWKS until the tokens they signed have expired. Returns the new kids.
pub async fn rotate(store: &dyn SigningKeyStore, now: i64) -> Result<Vec<String>, TokenError> {
    let records = SigningAlg::ALL
        .into_iter()
        .map(|alg| new_key_record(alg, now))
        .collect::<Result<Vec<_>, _>>()?;
    store.rotate_signing_keys(&records).await?;
    Ok(records.into_iter().map(|r| r.kid).collect())
}

/// Signing keys generated on the blocking pool, one per algorithm, possibly before the
/// store says whether they are needed. RSA-2048 generation takes 50–500 ms of one core
/// (a random search for two primes; measured at start-up), the largest part of a first
/// start: started early, it runs beside the migrations and the first administrator's
/// argon2id hash instead of after them.
#[derive(Default)]
pub struct KeysAhead(
    Vec<(
        SigningAlg,
        tokio::task::JoinHandle<Result<SigningKeyRecord, TokenError>>,
    )>,
);

impl std::fmt::Debug for KeysAhead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(alg, _)| alg))
            .finish()
    }
}

impl KeysAhead {
    /// Starts generating one key of every algorithm. Keys that turn out not to be needed
    /// (the store has active ones) are dropped unused, never stored.
    pub fn start(now: i64) -> Self {
        let mut ahead = Self::default();
        for alg in SigningAlg::ALL {
            ahead.start_one(alg, now);
        }
        ahead
    }

    fn start_one(&mut self, alg: SigningAlg, now: i64) {
        self.0.push((
            alg,
            tokio::task::spawn_blocking(move || new_key_record(alg, now)),
        ));
    }

    /// The key of `alg`, waiting for its generation to end.
    async fn take(&mut self, alg: SigningAlg) -> Result<SigningKeyRecord, TokenError> {
        let i = self
            .0
            .iter()
            .position(|(a, _)| *a == alg)
            .ok_or_else(|| TokenError::Internal(format!("no {alg} key was generated")))?;
        let (_, task) = self.0.swap_remove(i);
        task.await
            .map_err(|e| TokenError::Internal(format!("generating a {alg} key: {e}")))?
    }
}

/// The stored keys, after adding an active key for each algorithm that has none (first
/// start), taken from `ahead` when it has one.
pub(super) async fn ensure_active(
    store: &dyn SigningKeyStore,
    now: i64,
    mut ahead: KeysAhead,
) -> Result<Vec<SigningKeyRecord>, TokenError> {
    let records = store.list_signing_keys().await?;
    let missing: Vec<SigningAlg> = SigningAlg::ALL
        .into_iter()
        .filter(|alg| {
            !records
                .iter()
                .any(|r| r.alg == alg.as_str() && r.retired_at.is_none())
        })
        .collect();
    if missing.is_empty() {
        return Ok(records);
    }
    // Every missing key generates at once, each on its own blocking thread.
    for &alg in &missing {
        if !ahead.0.iter().any(|(a, _)| *a == alg) {
            ahead.start_one(alg, now);
        }
    }
    for alg in missing {
        store.insert_signing_key(&ahead.take(alg).await?).await?;
    }
    Ok(store.list_signing_keys().await?)
}

impl KeySet {
    /// The active key signs; a retired key still verifies (and stays in the JWKS) until
    /// the last token it can have signed has expired.
    pub(super) fn from_records(records: &[SigningKeyRecord], now: i64) -> Result<Self, TokenError> {
        let mut by_kid = HashMap::new();
        let mut active: HashMap<SigningAlg, (i64, Arc<SigningKey>)> = HashMap::new();
        for r in records {
            if r.retired_at
                .is_some_and(|at| at + MAX_TOKEN_LIFETIME + LEEWAY < now)
            {
                continue;
            }
            let key = Arc::new(load_key(r)?);
            let newest = active
                .get(&key.alg())
                .is_none_or(|(at, _)| r.created_at >= *at);
            if r.retired_at.is_none() && newest {
                active.insert(key.alg(), (r.created_at, key.clone()));
            }
            by_kid.insert(r.kid.clone(), key);
        }
        let mut take = |alg: SigningAlg| {
            active
                .remove(&alg)
                .map(|(_, k)| k)
                .ok_or_else(|| TokenError::Internal(format!("no active {alg} signing key")))
        };
        Ok(KeySet {
            es256: take(SigningAlg::ES256)?,
            rs256: take(SigningAlg::RS256)?,
            by_kid,
        })
    }

    /// The key that signs new tokens with `alg`.
    pub(super) fn active(&self, alg: SigningAlg) -> &Arc<SigningKey> {
        match alg {
            SigningAlg::ES256 => &self.es256,
            SigningAlg::RS256 => &self.rs256,
        }
    }

    /// RFC 7517 §5 JWK Set of every key a live token may be signed with, ordered by kid.
    pub(super) fn jwks(&self) -> serde_json::Value {
        let mut list: Vec<_> = self.by_kid.values().map(|k| k.public_jwk()).collect();
        list.sort_by(|a, b| a["kid"].as_str().cmp(&b["kid"].as_str()));
        serde_json::json!({ "keys": list })
    }
}

/// A stored key; an algorithm this server does not sign with is refused like a broken key.
fn load_key(r: &SigningKeyRecord) -> Result<SigningKey, TokenError> {
    SigningAlg::parse(&r.alg)
        .ok_or(JwsError::Key)
        .and_then(|alg| SigningKey::from_stored(alg, &r.pkcs8, r.kid.clone()))
        .map_err(|e| TokenError::Internal(e.to_string()))
}
