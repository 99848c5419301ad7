//! The audit log (`AuditStore`): who changed what, and events noticed while answering.

use async_trait::async_trait;

use super::StoreResult;

/// A stored entry: the columns of `audit_log` are the fields the admin API shows.
pub use portico_proto::audit::AuditEntry as AuditRow;

/// An admin change to record in the same transaction as the change itself, so the log
/// and the data never disagree.
#[derive(Debug, Clone)]
pub struct AuditRecord {
    pub at: i64,
    pub actor: String,
    pub action: &'static str,
    pub client_id: Option<String>,
    pub detail: String,
}

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an event that is not itself a stored change (a sign-in lockout, a refresh
    /// token reuse detected, a `portico user` command).
    async fn record_audit(&self, a: &AuditRecord) -> StoreResult<()>;

    /// `record_audit` for an event noticed while answering a request (a lockout, a reuse
    /// detected): the answer does not depend on it, so a failure is logged, not returned.
    async fn record_event(&self, a: &AuditRecord) {
        if let Err(e) = self.record_audit(a).await {
            tracing::warn!(error = %e, action = a.action, "could not record an event in the audit log");
        }
    }
    /// Newest first, entries with `id < before` when given.
    async fn list_audit(&self, before: Option<i64>, limit: u32) -> StoreResult<Vec<AuditRow>>;
}
