//! The app-facing stores as the server uses them: every write that changes what this copy
//! caches about an app (its settings, secrets, keys, logo, existence) drops those cache entries
//! itself, after the write commits. No handler has to remember to; another copy still sees the
//! change within its cache lifetime (`clients::TTL`).

use crate::metrics::Metrics;
use std::sync::Arc;

use async_trait::async_trait;
use portico_proto::app::AppSettings;

use super::clients::ClientCache;
use super::origins::OriginCache;
use crate::store::{
    AppRecord, AppStore, AuditRecord, Logo, LogoStore, PublicKeyRecord, PublicKeyStore,
    SecretRecord, SecretStore, StoreResult,
};

pub struct Invalidating<S> {
    inner: Arc<S>,
    clients: Arc<ClientCache>,
    origins: Arc<OriginCache>,
    metrics: Arc<Metrics>,
}

impl<S> Invalidating<S> {
    pub fn new(
        inner: Arc<S>,
        clients: Arc<ClientCache>,
        origins: Arc<OriginCache>,
        metrics: Arc<Metrics>,
    ) -> Self {
        Self {
            inner,
            clients,
            origins,
            metrics,
        }
    }

    /// After a committed write about `client_id`: its cached record goes; so do the CORS
    /// origins when redirect URLs may have changed.
    fn changed<T>(&self, result: StoreResult<T>, client_id: &str, origins: bool) -> StoreResult<T> {
        if result.is_ok() {
            self.metrics.invalidated("local", 1);
            self.clients.invalidate(client_id);
            if origins {
                self.origins.invalidate();
            }
        }
        result
    }
}

#[async_trait]
impl<S: AppStore + 'static> AppStore for Invalidating<S> {
    async fn create_app(
        &self,
        app: &AppRecord,
        first_secret: Option<&SecretRecord>,
        max_apps: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let r = self
            .inner
            .create_app(app, first_secret, max_apps, audit)
            .await;
        self.changed(r, &app.client_id, true)
    }
    async fn list_apps(&self) -> StoreResult<Vec<AppRecord>> {
        self.inner.list_apps().await
    }
    async fn get_app(&self, client_id: &str) -> StoreResult<Option<AppRecord>> {
        self.inner.get_app(client_id).await
    }
    async fn update_app(
        &self,
        client_id: &str,
        settings: &AppSettings,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let r = self.inner.update_app(client_id, settings, now, audit).await;
        self.changed(r, client_id, true)
    }
    async fn set_admin_api_access(
        &self,
        client_id: &str,
        on: bool,
        now: i64,
        audit: &AuditRecord,
    ) -> StoreResult<AppRecord> {
        let r = self
            .inner
            .set_admin_api_access(client_id, on, now, audit)
            .await;
        self.changed(r, client_id, false)
    }
    async fn delete_app(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()> {
        let r = self.inner.delete_app(client_id, audit).await;
        self.changed(r, client_id, true)
    }
    async fn touch_app(&self, client_id: &str, now: i64) -> StoreResult<()> {
        // "Last used" is not part of what authentication reads.
        self.inner.touch_app(client_id, now).await
    }
    async fn upsert_builtin_app(&self, app: &AppRecord) -> StoreResult<()> {
        let r = self.inner.upsert_builtin_app(app).await;
        self.changed(r, &app.client_id, true)
    }
}

#[async_trait]
impl<S: SecretStore + 'static> SecretStore for Invalidating<S> {
    async fn add_secret(
        &self,
        secret: &SecretRecord,
        max: u32,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let r = self.inner.add_secret(secret, max, audit).await;
        self.changed(r, &secret.client_id, false)
    }
    async fn list_secrets(&self, client_id: &str) -> StoreResult<Vec<SecretRecord>> {
        self.inner.list_secrets(client_id).await
    }
    async fn delete_secret(
        &self,
        client_id: &str,
        id: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let r = self.inner.delete_secret(client_id, id, audit).await;
        self.changed(r, client_id, false)
    }
    async fn set_secret_note(
        &self,
        client_id: &str,
        id: &str,
        note: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let r = self.inner.set_secret_note(client_id, id, note, audit).await;
        self.changed(r, client_id, false)
    }
    async fn touch_secret(&self, id: &str, now: i64) -> StoreResult<()> {
        self.inner.touch_secret(id, now).await
    }
}

#[async_trait]
impl<S: PublicKeyStore + 'static> PublicKeyStore for Invalidating<S> {
    async fn add_public_key(&self, key: &PublicKeyRecord, audit: &AuditRecord) -> StoreResult<()> {
        let r = self.inner.add_public_key(key, audit).await;
        self.changed(r, &key.client_id, false)
    }
    async fn list_public_keys(&self, client_id: &str) -> StoreResult<Vec<PublicKeyRecord>> {
        self.inner.list_public_keys(client_id).await
    }
    async fn delete_public_key(
        &self,
        client_id: &str,
        kid: &str,
        audit: &AuditRecord,
    ) -> StoreResult<()> {
        let r = self.inner.delete_public_key(client_id, kid, audit).await;
        self.changed(r, client_id, false)
    }
}

#[async_trait]
impl<S: LogoStore + 'static> LogoStore for Invalidating<S> {
    async fn set_logo(&self, client_id: &str, logo: &Logo, audit: &AuditRecord) -> StoreResult<()> {
        let r = self.inner.set_logo(client_id, logo, audit).await;
        self.changed(r, client_id, false)
    }
    async fn delete_logo(&self, client_id: &str, audit: &AuditRecord) -> StoreResult<()> {
        let r = self.inner.delete_logo(client_id, audit).await;
        self.changed(r, client_id, false)
    }
    async fn get_logo(&self, client_id: &str) -> StoreResult<Option<Logo>> {
        self.inner.get_logo(client_id).await
    }
}
