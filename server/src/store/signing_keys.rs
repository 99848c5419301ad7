//! The server's own token signing keys (`SigningKeyStore`), published as the JWKS.

use async_trait::async_trait;

use super::StoreResult;

pub struct SigningKeyRecord {
    pub kid: String,
    pub alg: String,
    pub pkcs8: Vec<u8>,
    pub created_at: i64,
    pub retired_at: Option<i64>,
}

#[async_trait]
pub trait SigningKeyStore: Send + Sync {
    async fn list_signing_keys(&self) -> StoreResult<Vec<SigningKeyRecord>>;
    /// Stores `keys` as the active keys and retires every other, in one transaction.
    async fn rotate_signing_keys(&self, keys: &[SigningKeyRecord]) -> StoreResult<()>;
    /// Adds an active key without retiring any (a missing algorithm on first start).
    async fn insert_signing_key(&self, key: &SigningKeyRecord) -> StoreResult<()>;
}
