//! Apps' public keys (`PublicKeyStore`) for `private_key_jwt` client authentication and
//! the JWT-bearer grant (RFC 7523).

use async_trait::async_trait;
use portico_proto::KeyAlg;

use super::{AuditRecord, StoreResult};

#[derive(Debug, Clone)]
pub struct PublicKeyRecord {
    pub client_id: String,
    pub kid: String,
    pub alg: KeyAlg,
    pub thumbprint: String,
    pub jwk: String,
    pub created_at: i64,
}

#[async_trait]
pub trait PublicKeyStore: Send + Sync {
    async fn add_public_key(&self, key: &PublicKeyRecord, audit: &AuditRecord) -> StoreResult<()>;
    async fn list_public_keys(&self, client_id: &str) -> StoreResult<Vec<PublicKeyRecord>>;
    async fn delete_public_key(
        &self,
        client_id: &str,
        kid: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
}
