//! Secrets every server copy sharing the database must agree on (`ServerSecretStore`).

use async_trait::async_trait;

use super::StoreResult;

#[async_trait]
pub trait ServerSecretStore: Send + Sync {
    /// Returns the secret called `name`, storing `candidate` first if there is none; every
    /// server copy sharing the database ends up with the same value.
    async fn server_secret(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>>;
}
