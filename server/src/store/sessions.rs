//! Browser sign-in sessions (`SessionStore`), kept under the hash of their id.

use async_trait::async_trait;

use super::StoreResult;

#[derive(Debug, Clone)]
pub struct BrowserSession {
    pub id_hash: Vec<u8>,
    pub user_id: String,
    pub auth_time: i64,
    pub expires_at: i64,
}

#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, s: &BrowserSession) -> StoreResult<()>;
    /// The session, when it exists and has not expired at `now`.
    async fn get_session(&self, id_hash: &[u8], now: i64) -> StoreResult<Option<BrowserSession>>;
    async fn delete_session(&self, id_hash: &[u8]) -> StoreResult<()>;
}
