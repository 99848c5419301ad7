//! Pending authorization requests (`InteractionStore`) waiting for sign-in and consent.

use async_trait::async_trait;

use super::StoreResult;

/// A pending authorization request waiting for sign-in and consent.
#[derive(Debug, Clone)]
pub struct InteractionRecord {
    pub id: String,
    pub browser_hash: Vec<u8>,
    pub client_id: String,
    /// The validated authorization request, as JSON.
    pub request: String,
    pub user_id: Option<String>,
    pub auth_time: Option<i64>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[async_trait]
pub trait InteractionStore: Send + Sync {
    async fn create_interaction(&self, i: &InteractionRecord) -> StoreResult<()>;
    async fn get_interaction(&self, id: &str, now: i64) -> StoreResult<Option<InteractionRecord>>;
    async fn set_interaction_user(
        &self,
        id: &str,
        user_id: &str,
        auth_time: i64,
    ) -> StoreResult<()>;
    /// Removes the interaction; `true` only for the one caller that removed it, so an
    /// interaction completes once.
    async fn take_interaction(&self, id: &str) -> StoreResult<bool>;
    /// Ends every pending interaction of one browser (it signed out).
    async fn delete_browser_interactions(&self, browser_hash: &[u8]) -> StoreResult<()>;
}
