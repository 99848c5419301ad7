//! OpenID Connect ID tokens (OIDC Core §2), signed with the algorithm the app chose
//! (`id_token_signed_response_alg`, OIDC Dynamic Client Registration 1.0 §2): RS256 by
//! default (§15.1: every provider supports it, so every client can verify it), or ES256. The
//! one ID token the server takes back is an app's `id_token_hint` at the end-session
//! endpoint (OpenID Connect RP-Initiated Logout 1.0 §2), read by [`TokenService::read_id_token_hint`].

use portico_proto::IdTokenAlg;
use serde::{Deserialize, Serialize};

use super::{SigningAlg, TokenError, TokenService};
use crate::crypto::jws;

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

/// What an `id_token_hint` tells the end-session endpoint: whose session, and which app.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IdTokenHint {
    pub iss: String,
    pub sub: String,
    /// The app the ID token was issued to (OIDC Core §2; Portico writes one client ID).
    pub aud: String,
}

impl TokenService {
    /// An ID token this server signed, with any of its live keys, RS256 or ES256, for
    /// this issuer. Its expiry is not checked: RP-Initiated Logout 1.0 §2 says the OP
    /// SHOULD accept an expired ID token as a hint, since apps send the one they kept from
    /// the sign-in. A bad signature, another issuer or an access token (`typ` `at+jwt`, signed by
    /// the same ES256 key) is `Invalid`.
    pub fn read_id_token_hint(&self, token: &str) -> Result<IdTokenHint, TokenError> {
        let jws = jws::parse(token).map_err(|_| TokenError::Invalid)?;
        if jws.header.typ.as_deref() != Some(ID_TOKEN_TYP) {
            return Err(TokenError::Invalid);
        }
        let keys = self.current();
        let key = jws
            .header
            .kid
            .as_deref()
            .and_then(|kid| keys.by_kid.get(kid))
            .ok_or(TokenError::Invalid)?;
        if !key.verify_own(&jws) {
            return Err(TokenError::Invalid);
        }
        let hint: IdTokenHint =
            serde_json::from_slice(&jws.claims_json).map_err(|_| TokenError::Invalid)?;
        if hint.iss != self.issuer {
            return Err(TokenError::Invalid);
        }
        Ok(hint)
    }
}
