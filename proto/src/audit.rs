//! The admin change log.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    pub id: i64,
    /// Unix seconds.
    pub at: i64,
    /// Username of the administrator who made the change.
    pub actor: String,
    /// Dotted action name, e.g. `app.create`, `secret.delete`.
    pub action: String,
    pub client_id: Option<String>,
    /// Human-readable summary; never contains a secret.
    pub detail: String,
}

/// One page of the log, newest first; `next_before` fetches the following page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    pub next_before: Option<i64>,
}
