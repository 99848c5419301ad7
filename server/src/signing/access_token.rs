//! RFC 9068 JWT access tokens: issued with the active ES256 key, and checked when presented
//! to Portico's own APIs.

use serde::{Deserialize, Serialize};

use super::{SigningAlg, TokenError, TokenService, LEEWAY};
use crate::crypto::jws;
use crate::crypto::random;

/// RFC 9068 §2.1: the `typ` header of JWT access tokens.
pub const ACCESS_TOKEN_TYP: &str = "at+jwt";

/// RFC 9068 §2.2 claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user's id, or the client ID for a token the app holds for itself.
    pub sub: String,
    pub aud: String,
    pub client_id: String,
    /// Space-separated granted scopes (RFC 8693 §4.2 form).
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    /// The grant the token was issued under (private claim); revoking the grant ends it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
}

impl AccessClaims {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// What an access token is for; the service fills in issuer, times and id.
#[derive(Debug, Clone)]
pub struct AccessGrant<'a> {
    pub subject: &'a str,
    pub client_id: &'a str,
    pub scope: &'a str,
    pub lifetime: i64,
    pub grant_id: Option<&'a str>,
}

impl TokenService {
    /// Signs an access token; returns it with its `jti`.
    pub fn issue_access_token(
        &self,
        grant: &AccessGrant<'_>,
        now: i64,
    ) -> Result<(String, AccessClaims), TokenError> {
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: grant.subject.to_owned(),
            aud: self.audience.clone(),
            client_id: grant.client_id.to_owned(),
            scope: grant.scope.to_owned(),
            iat: now,
            exp: now + grant.lifetime,
            jti: random::token::<16>().map_err(|e| TokenError::Internal(e.to_string()))?,
            gid: grant.grant_id.map(str::to_owned),
        };
        let token = self
            .current()
            .active(SigningAlg::ES256)
            .sign(ACCESS_TOKEN_TYP, &claims)
            .map_err(|e| TokenError::Internal(e.to_string()))?;
        Ok((token, claims))
    }

    /// RFC 9068 §4: validates an access token presented to the API.
    pub fn verify_access_token(&self, token: &str, now: i64) -> Result<AccessClaims, TokenError> {
        let jws = jws::parse(token).map_err(|_| TokenError::Invalid)?;
        // RFC 9068 §4: the typ header MUST be at+jwt, so ID tokens and other JWTs signed
        // by the same key are not accepted as access tokens.
        if jws.header.alg != SigningAlg::ES256.as_str()
            || jws.header.typ.as_deref() != Some(ACCESS_TOKEN_TYP)
        {
            return Err(TokenError::Invalid);
        }
        let keys = self.current();
        let key = jws
            .header
            .kid
            .as_deref()
            .and_then(|kid| keys.by_kid.get(kid))
            .ok_or(TokenError::Invalid)?;
        if !key.verify(&jws) {
            return Err(TokenError::Invalid);
        }
        let claims: AccessClaims =
            serde_json::from_slice(&jws.claims_json).map_err(|_| TokenError::Invalid)?;
        if claims.iss != self.issuer || claims.aud != self.audience {
            return Err(TokenError::Invalid);
        }
        if claims.exp <= now - LEEWAY || claims.iat > now + LEEWAY {
            return Err(TokenError::Invalid);
        }
        Ok(claims)
    }
}
