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

/// A user who allowed an app, as the app's admin page lists them.
#[derive(Debug, Clone)]
pub struct AppUserRecord {
    pub user_id: String,
    pub username: String,
    pub scope: String,
    pub granted_at: i64,
    /// The latest use of any grant of this user for the app.
    pub last_used_at: Option<i64>,
}

/// One page of an app's users.
#[derive(Debug, Clone)]
pub struct AppUsers {
    pub users: Vec<AppUserRecord>,
    pub total: u64,
    /// The latest use of any user's grant of the app.
    pub last_used_at: Option<i64>,
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
    /// The users who allowed `client_id`, the most recent first, `limit` from `offset`,
    /// with their count.
    async fn list_app_users(
        &self,
        client_id: &str,
        offset: u64,
        limit: u32,
    ) -> StoreResult<AppUsers>;
}
