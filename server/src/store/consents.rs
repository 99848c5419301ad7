//! Consents (`ConsentStore`): the scopes a user agreed to give an app.

use async_trait::async_trait;

use super::StoreResult;

#[derive(Debug, Clone)]
pub struct ConsentRecord {
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub created_at: i64,
}

#[async_trait]
pub trait ConsentStore: Send + Sync {
    async fn get_consent(
        &self,
        user_id: &str,
        client_id: &str,
    ) -> StoreResult<Option<ConsentRecord>>;
    async fn put_consent(&self, c: &ConsentRecord) -> StoreResult<()>;
    async fn delete_consent(&self, user_id: &str, client_id: &str) -> StoreResult<()>;
}
