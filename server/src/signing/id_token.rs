//! OpenID Connect ID tokens (OIDC Core §2), signed with the active RS256 key (§15.1: every
//! provider supports RS256). The server never takes an ID token back, so nothing here verifies.

use serde::Serialize;

use super::{TokenError, TokenService};

impl TokenService {
    /// Signs an ID token (`typ` "JWT") with the active RS256 key, on the blocking pool: an
    /// RSA-2048 signature takes about 0.2 ms of CPU, and run on the async workers it holds
    /// back every other request on that worker — among them the one holding SQLite's
    /// single write connection, which then holds up every write (measured: refresh with
    /// rotation stalled at the writer).
    pub async fn sign_id_token(&self, claims: &impl Serialize) -> Result<String, TokenError> {
        let payload =
            serde_json::to_vec(claims).map_err(|e| TokenError::Internal(e.to_string()))?;
        let key = self.current().id_token.clone();
        tokio::task::spawn_blocking(move || key.sign_payload("JWT", &payload))
            .await
            .map_err(|e| TokenError::Internal(e.to_string()))?
            .map_err(|e| TokenError::Internal(e.to_string()))
    }
}
