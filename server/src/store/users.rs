//! Users (`UserStore`): who signs in, and who may administer Portico.

use async_trait::async_trait;

use super::StoreResult;

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    /// argon2id PHC string; not the password, but offline guessing starts from it.
    pub password_hash: portico_proto::Secret,
    pub email: Option<String>,
    pub name: Option<String>,
    pub is_admin: bool,
    pub disabled: bool,
    pub created_at: i64,
}

#[async_trait]
pub trait UserStore: Send + Sync {
    async fn create_user(&self, user: &UserRecord) -> StoreResult<()>;
    async fn count_users(&self) -> StoreResult<i64>;
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>>;
    /// Disables or enables a user; disabling ends their sessions and revokes their grants.
    async fn set_user_disabled(&self, username: &str, disabled: bool, now: i64) -> StoreResult<()>;
    /// Deletes a user with their sessions, consents and grants (grants stay, revoked).
    async fn delete_user(&self, username: &str, now: i64) -> StoreResult<()>;
}
