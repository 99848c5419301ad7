//! The audit log (`AuditStore`): who changed what, what end users did, and events noticed
//! while answering. Each entry's kind follows from its action (`AuditAction::kind`).

use async_trait::async_trait;
use portico_proto::{AuditAction, AuditKind};

use super::StoreResult;

/// A stored entry as the admin API shows it, with the app it names as it is now.
pub use portico_proto::audit::AuditEntry as AuditRow;

/// An entry to record: an admin change in the same transaction as the change itself, so the
/// log and the data never disagree; or an event (`record_event`).
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub at: i64,
    pub actor: String,
    pub action: AuditAction,
    pub client_id: Option<String>,
    pub detail: String,
}

/// Which entries `list_audit` returns: all filters given must match (exact values).
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Entries with `id < before`.
    pub before: Option<i64>,
    /// Entries with `id > after`: `list_audit` then returns the `limit` entries just newer
    /// than `after` (the oldest of them), still newest first.
    pub after: Option<i64>,
    pub client_id: Option<String>,
    pub actor: Option<String>,
    pub action: Option<AuditAction>,
    pub kind: Option<AuditKind>,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an event that is not itself a stored change (a sign-in, a lockout, a refresh
    /// token reuse detected, a `portico user` command).
    async fn record_audit(&self, a: &AuditRecord) -> StoreResult<()>;

    /// `record_audit` for an event noticed while answering a request (a sign-in, a consent,
    /// a lockout): the answer does not depend on it, so a failure is logged, not returned.
    async fn record_event(&self, a: &AuditRecord) {
        if let Err(e) = self.record_audit(a).await {
            tracing::warn!(error = %e, action = a.action.as_str(), "could not record an event in the audit log");
        }
    }
    /// Newest first, at most `limit` entries matching `filter`, each with the app it names
    /// as it is now (name, deleted, built in). With `after`, the `limit` entries nearest to
    /// it (the page just newer than the one `after` came from); otherwise the newest.
    async fn list_audit(&self, filter: &AuditFilter, limit: u32) -> StoreResult<Vec<AuditRow>>;
}
