//! Client secrets as the admin API shows them.

use serde::{Deserialize, Serialize};

/// A stored secret: never the secret itself, only a short hint to recognise it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SecretInfo {
    pub id: String,
    /// Prefix and last four characters, e.g. `pcs_…x3Fq`.
    pub hint: String,
    /// Unix seconds.
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The answer to creating a secret: the only time `client_secret` is ever sent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewSecret {
    pub id: String,
    pub client_secret: String,
    pub hint: String,
    pub created_at: i64,
}

impl std::fmt::Debug for NewSecret {
    // The secret never reaches a log line, even through Debug.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSecret")
            .field("id", &self.id)
            .field("client_secret", &"[redacted]")
            .field("created_at", &self.created_at)
            .finish()
    }
}

/// Most active secrets an app may hold, so it can rotate without downtime.
pub const MAX_SECRETS_PER_APP: usize = 5;
