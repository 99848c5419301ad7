//! OpenID Connect ID tokens (OIDC Core §2), signed with the algorithm the app chose
//! (`id_token_signed_response_alg`, OIDC Dynamic Client Registration 1.0 §2): RS256 by
//! default (§15.1: every provider supports it, so every client can verify it), or ES256. The
//! server never takes an ID token back, so nothing here verifies.

use portico_proto::IdTokenAlg;
use serde::Serialize;

use super::{SigningAlg, TokenError, TokenService};

/// The `typ` header of ID tokens. An ES256 ID token is signed by the access tokens' key, and
/// only this header tells them apart: access tokens are `at+jwt`, which is all
/// `verify_access_token` accepts (RFC 9068 §2.1 and §4, RFC 8725 §3.11).
const ID_TOKEN_TYP: &str = "JWT";

impl From<IdTokenAlg> for SigningAlg {
    fn from(alg: IdTokenAlg) -> Self {
        match alg {
            IdTokenAlg::RS256 => SigningAlg::RS256,
            IdTokenAlg::ES256 => SigningAlg::ES256,
        }
    }
}

impl TokenService {
    /// Signs an ID token with the active key of `alg`; its kid goes in the header.
    ///
    /// RS256 runs on the blocking pool: an RSA-2048 signature takes about 1 ms of CPU
    /// (`openssl speed rsa2048`: 881 signs/s per core on the benchmark machine), and run on
    /// the async workers it holds back every other request on that worker — among them the
    /// one holding SQLite's single write connection, which then holds up every write
    /// (measured: refresh with rotation stalled at the writer). ES256 takes about 40 µs
    /// (25,500 signs/s), less than handing it to another thread and back, so it signs here.
    pub async fn sign_id_token(
        &self,
        alg: SigningAlg,
        claims: &impl Serialize,
    ) -> Result<String, TokenError> {
        let payload =
            serde_json::to_vec(claims).map_err(|e| TokenError::Internal(e.to_string()))?;
        let key = self.current().active(alg).clone();
        let signed = match alg {
            SigningAlg::ES256 => key.sign_payload(ID_TOKEN_TYP, &payload),
            SigningAlg::RS256 => {
                tokio::task::spawn_blocking(move || key.sign_payload(ID_TOKEN_TYP, &payload))
                    .await
                    .map_err(|e| TokenError::Internal(e.to_string()))?
            }
        };
        signed.map_err(|e| TokenError::Internal(e.to_string()))
    }
}
