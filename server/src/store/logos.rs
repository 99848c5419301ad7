//! App logos (`LogoStore`), shown on the consent page.

use async_trait::async_trait;

use super::{AuditRecord, StoreResult};

#[derive(Debug, Clone)]
pub struct Logo {
    pub content_type: String,
    pub bytes: Vec<u8>,
    pub updated_at: i64,
}

#[async_trait]
pub trait LogoStore: Send + Sync {
    async fn set_logo(&self, client_id: &str, logo: &Logo, audit: &AuditRecord) -> StoreResult<()>;
    async fn delete_logo(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()>;
    async fn get_logo(&self, client_id: &str) -> StoreResult<Option<Logo>>;
}
