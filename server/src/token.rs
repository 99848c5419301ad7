//! The token service: signs RFC 9068 JWT access tokens with the server's ES256 keys and
//! checks the ones presented to the API. Keys are generated on first start and kept in
//! the store, so every server copy signs and verifies with the same set.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::crypto::jws::{self, SigningKey};
use crate::crypto::random;
use crate::store::{SigningKeyRecord, SigningKeyStore, StoreError};

/// RFC 9068 §2.1: the `typ` header of JWT access tokens.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// RFC 9068 §2.2 claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user's id, or the client ID for a token the app holds for itself.
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    /// Space-separated granted scopes (RFC 8693 §4.2 form).
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The grant the token was issued under (private claim); revoking the grant ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
}

impl AccessClaims {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// What an access token is for; the service fills in issuer, times and id.
#[derive(Debug, Clone)]
pub struct AccessGrant<'a> {
    pub subject: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
    pub lifetime: i64,
    pub grant_id: Option<&'a str>,
}

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

struct KeySet {
    /// Signs access tokens (ES256).
    active: Arc<SigningKey>,
    /// Signs ID tokens (RS256, OIDC Core §15.1).
    id_token: Arc<SigningKey>,
    by_kid: HashMap<String, Arc<SigningKey>>,
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

/// Allowed clock difference between server copies when checking `iat`/`exp`.
pub const LEEWAY: i64 = 5;

/// The longest any token signed by the server lives (the access-token lifetime cap).
pub const MAX_TOKEN_LIFETIME: i64 = portico_proto::validate::ACCESS_TOKEN_LIFETIME_MAX as i64;

/// The algorithms the server signs with: ES256 access tokens, RS256 ID tokens.
const ALGS: [&str; 2] = ["ES256", "RS256"];

/// A fresh signing key of `alg`, ready to store.
pub fn new_key_record(alg: &str, now: i64) -> Result<SigningKeyRecord, TokenError> {
    let (key, pkcs8) = match alg {
        "RS256" => SigningKey::generate_rs256(),
        _ => SigningKey::generate(),
    }
    .map_err(|e| TokenError::Internal(e.to_string()))?;
    Ok(SigningKeyRecord {
        kid: key.kid().to_owned(),
        alg: key.alg().to_owned(),
        pkcs8,
        created_at: now,
        retired_at: None,
    })
}

/// `portico keys rotate`: new active keys; the old ones retire but keep verifying and stay
/// in the JWKS until the tokens they signed have expired. Returns the new kids.
pub async fn rotate(store: &dyn SigningKeyStore, now: i64) -> Result<Vec<String>, TokenError> {
    let records = ALGS
        .iter()
        .map(|alg| new_key_record(alg, now))
        .collect::<Result<Vec<_>, _>>()?;
    store.rotate_signing_keys(&records).await?;
    Ok(records.into_iter().map(|r| r.kid).collect())
}

impl TokenService {
    /// Loads the signing keys, generating an active key for each algorithm that has none.
    pub async fn load(
        store: &dyn SigningKeyStore,
        issuer: &str,
        now: i64,
    ) -> Result<Self, TokenError> {
        let mut records = store.list_signing_keys().await?;
        let mut added = false;
        for alg in ALGS {
            if !records
                .iter()
                .any(|r| r.alg == alg && r.retired_at.is_none())
            {
                store.insert_signing_key(&new_key_record(alg, now)?).await?;
                added = true;
            }
        }
        if added {
            records = store.list_signing_keys().await?;
        }
        let service = Self {
            issuer: issuer.to_owned(),
            audience: issuer.to_owned(),
            keys: RwLock::new(Arc::new(Self::key_set(&records, now)?)),
        };
        Ok(service)
    }

    /// Re-reads the keys, so a rotation made by `portico keys rotate` or another server
    /// copy takes effect here.
    pub async fn reload(&self, store: &dyn SigningKeyStore, now: i64) -> Result<(), TokenError> {
        let records = store.list_signing_keys().await?;
        let set = Arc::new(Self::key_set(&records, now)?);
        match self.keys.write() {
            Ok(mut k) => *k = set,
            Err(poisoned) => *poisoned.into_inner() = set,
        }
        Ok(())
    }

    /// The active key signs; a retired key still verifies (and stays in the JWKS) until
    /// the last token it can have signed has expired.
    fn key_set(records: &[SigningKeyRecord], now: i64) -> Result<KeySet, TokenError> {
        let mut by_kid = HashMap::new();
        let mut active: HashMap<&'static str, (i64, Arc<SigningKey>)> = HashMap::new();
        for r in records {
            if r.retired_at
                .is_some_and(|at| at + MAX_TOKEN_LIFETIME + LEEWAY < now)
            {
                continue;
            }
            let key = Arc::new(
                SigningKey::from_stored(&r.alg, &r.pkcs8, r.kid.clone())
                    .map_err(|e| TokenError::Internal(e.to_string()))?,
            );
            let newest = active
                .get(key.alg())
                .is_none_or(|(at, _)| r.created_at >= *at);
            if r.retired_at.is_none() && newest {
                active.insert(key.alg(), (r.created_at, key.clone()));
            }
            by_kid.insert(r.kid.clone(), key);
        }
        let mut take = |alg: &str| {
            active
                .remove(alg)
                .map(|(_, k)| k)
                .ok_or_else(|| TokenError::Internal(format!("no active {alg} signing key")))
        };
        Ok(KeySet {
            active: take("ES256")?,
            id_token: take("RS256")?,
            by_kid,
        })
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

    /// Signs an access token; returns it with its `jti`.
    pub fn issue_access_token(
        &self,
        grant: &AccessGrant<'_>,
        now: i64,
    ) -> Result<(String, AccessClaims), TokenError> {
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: grant.subject.to_owned(),
            aud: self.audience.clone(),
            client_id: grant.client_id.to_owned(),
            scope: grant.scope.to_owned(),
            iat: now,
            exp: now + grant.lifetime,
            jti: random::token::<16>().map_err(|e| TokenError::Internal(e.to_string()))?,
            gid: grant.grant_id.map(str::to_owned),
        };
        let token = self
            .current()
            .active
            .sign(ACCESS_TOKEN_TYP, &claims)
            .map_err(|e| TokenError::Internal(e.to_string()))?;
        Ok((token, claims))
    }

    /// Signs an ID token (`typ` "JWT") with the active RS256 key, on the blocking pool: an
    /// RSA-2048 signature takes about 0.2 ms of CPU, and run on the async workers it holds
    /// back every other request on that worker — among them the one holding SQLite's
    /// single write connection, which then holds up every write (measured: refresh with
    /// rotation stalled at the writer).
    pub async fn sign_id_token(&self, claims: &impl Serialize) -> Result<String, TokenError> {
        let payload =
            serde_json::to_vec(claims).map_err(|e| TokenError::Internal(e.to_string()))?;
        let key = self.current().id_token.clone();
        tokio::task::spawn_blocking(move || key.sign_payload("JWT", &payload))
            .await
            .map_err(|e| TokenError::Internal(e.to_string()))?
            .map_err(|e| TokenError::Internal(e.to_string()))
    }

    /// RFC 9068 §4: validates an access token presented to the API.
    pub fn verify_access_token(&self, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
        let jws = jws::parse(token).map_err(|_| TokenError::Invalid)?;
        // RFC 9068 §4: the typ header MUST be at+jwt, so ID tokens and other JWTs signed
        // by the same key are not accepted as access tokens.
        if jws.header.alg != "ES256" || jws.header.typ.as_deref() != Some(ACCESS_TOKEN_TYP) {
            return Err(TokenError::Invalid);
        }
        let keys = self.current();
        let key = jws
            .header
            .kid
            .as_deref()
            .and_then(|kid| keys.by_kid.get(kid))
            .ok_or(TokenError::Invalid)?;
        if !key.verify(&jws) {
            return Err(TokenError::Invalid);
        }
        let claims: AccessClaims =
            serde_json::from_slice(&jws.claims_json).map_err(|_| TokenError::Invalid)?;
        if claims.iss != self.issuer || claims.aud != self.audience {
            return Err(TokenError::Invalid);
        }
        if claims.exp <= now - LEEWAY || claims.iat > now + LEEWAY {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }

    /// RFC 7517 JWK Set of every key a live token may be signed with.
    pub fn jwks(&self) -> serde_json::Value {
        let keys = self.current();
        let mut list: Vec<_> = keys.by_kid.values().map(|k| k.public_jwk()).collect();
        list.sort_by(|a, b| a["kid"].as_str().cmp(&b["kid"].as_str()));
        serde_json::json!({ "keys": list })
    }
}
