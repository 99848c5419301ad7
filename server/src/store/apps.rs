//! Apps (`AppStore`): the registered OAuth2 clients (RFC 6749 §2), counted against
//! `--max-apps` unless built in.

use async_trait::async_trait;
use portico_proto::app::AppSettings;
use portico_proto::AppType;

use super::{AuditRecord, SecretRecord, StoreResult};

#[derive(Debug, Clone)]
pub struct AppRecord {
    pub client_id: String,
    pub app_type: AppType,
    pub settings: AppSettings,
    pub builtin: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    /// Set when a logo is stored; changes with each upload (used to bust caches).
    pub logo_version: Option<i64>,
}

#[async_trait]
pub trait AppStore: Send + Sync {
    /// Inserts the app (and its first secret) unless `max_apps` non-built-in apps exist.
    async fn create_app(
        &self,
        app: &AppRecord,
        first_secret: Option<&SecretRecord>,
        max_apps: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    async fn list_apps(&self) -> StoreResult<Vec<AppRecord>>;
    async fn get_app(&self, client_id: &str) -> StoreResult<Option<AppRecord>>;
    async fn update_app(
        &self,
        client_id: &str,
        settings: &AppSettings,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()>;
    /// Turns the app's `admin_api_access` on or off, under the app's lock, and returns the
    /// app as stored. `update_app` never changes it: this is the only write of that flag.
    async fn set_admin_api_access(
        &self,
        client_id: &str,
        on: bool,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<AppRecord>;
    async fn delete_app(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()>;
    /// Records that the app authenticated or was used at `now`.
    async fn touch_app(&self, client_id: &str, now: i64) -> StoreResult<()>;
    /// Creates or updates a built-in app (not counted, listed or editable in the admin API).
    async fn upsert_builtin_app(&self, app: &AppRecord) -> StoreResult<()>;
}
