//! Issuing tokens: RFC 9068 access tokens, OIDC ID tokens, opaque refresh tokens, and
//! the RFC 6749 §5.1 response that carries them.

use aws_lc_rs::digest;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portico_proto::Secret;
use serde::Serialize;

use super::error::OAuthResult;
use super::scope::{self, Scopes};
use crate::crypto::random;
use crate::crypto::secret::SecretHasher;
use crate::http::headers::no_store;
use crate::runtime::clients::Client;
use crate::signing::{AccessGrant, TokenService};
use crate::store::{RefreshRecord, UserRecord};

/// Prefix that makes a leaked Portico refresh token recognisable to secret scanners.
pub const REFRESH_PREFIX: &str = "prt_";

/// RFC 6749 §5.1 successful response.
#[derive(Debug, Serialize)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<Secret>,
}

impl IntoResponse for TokenResponse {
    fn into_response(self) -> Response {
        // RFC 6749 §5.1: responses with tokens MUST carry no-store, whatever the route.
        (no_store(), Json(self)).into_response()
    }
}

/// A new opaque refresh token and the record that stores only its keyed hash.
pub fn new_refresh(
    hasher: &SecretHasher,
    grant_id: &str,
    client_id: &str,
    scope: &str,
    now: i64,
) -> OAuthResult<(String, RefreshRecord)> {
    let value = new_refresh_value()?;
    let record = refresh_record(hasher, &value, grant_id, client_id, scope, now);
    Ok((value, record))
}

/// A new opaque refresh token's value: 256 random bits behind Portico's prefix.
pub fn new_refresh_value() -> OAuthResult<String> {
    Ok(format!("{REFRESH_PREFIX}{}", random::token::<32>()?))
}

/// The record that stores a refresh token's keyed hash, never its value.
pub fn refresh_record(
    hasher: &SecretHasher,
    value: &str,
    grant_id: &str,
    client_id: &str,
    scope: &str,
    now: i64,
) -> RefreshRecord {
    RefreshRecord {
        token_hash: hasher.hash(value),
        grant_id: grant_id.to_owned(),
        client_id: client_id.to_owned(),
        scope: scope.to_owned(),
        created_at: now,
        last_used_at: now,
        rotated_at: None,
    }
}

/// OIDC Core §2 ID token claims.
#[derive(Serialize)]
struct IdClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    azp: &'a str,
    exp: i64,
    iat: i64,
    auth_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<&'a str>,
    /// OIDC Core §2 `acr`: the authentication context class the sign-in satisfied.
    #[serde(skip_serializing_if = "Option::is_none")]
    acr: Option<&'static str>,
    /// RFC 8176 §2 `amr`: how the user authenticated.
    #[serde(skip_serializing_if = "Option::is_none")]
    amr: Option<[&'static str; 1]>,
    /// OIDC Core §3.1.3.6: left half of SHA-256 of the access token.
    at_hash: String,
    #[serde(flatten)]
    profile: ProfileClaims,
}

/// The user's claims a scope set allows (OIDC Core §5.4).
#[derive(Debug, Default, Serialize)]
pub struct ProfileClaims {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl ProfileClaims {
    pub fn for_scopes(user: &UserRecord, scopes: &Scopes) -> Self {
        let profile = scopes.contains(scope::PROFILE);
        Self {
            name: if profile { user.name.clone() } else { None },
            preferred_username: profile.then(|| user.username.clone()),
            email: if scopes.contains(scope::EMAIL) {
                user.email.clone()
            } else {
                None
            },
        }
    }
}

/// The one authentication context Portico performs: the user typed their password into
/// Portico's sign-in page (a single factor). Advertised as `acr_values_supported`; an
/// `acr_values` request is voluntary (OIDC Core §3.1.2.1), so any request is served and
/// the ID token says truthfully what happened.
pub const PASSWORD_ACR: &str = "urn:portico:acr:password";

/// Everything one successful grant hands out.
pub struct Issue<'a> {
    pub client: &'a Client,
    /// `None` for tokens an app holds for itself (client credentials).
    pub user: Option<&'a UserRecord>,
    pub scopes: &'a Scopes,
    pub grant_id: Option<&'a str>,
    pub refresh_token: Option<String>,
    pub nonce: Option<&'a str>,
    pub auth_time: i64,
    /// Whether the user signed in with their password for this grant (the code flow, and
    /// refresh tokens, which only it issues); not for JWT-bearer assertions.
    pub password_sign_in: bool,
}

/// Signs the tokens `issue` describes, at `now`, into the RFC 6749 §5.1 answer.
pub async fn respond(
    tokens: &TokenService,
    now: i64,
    issue: Issue<'_>,
) -> OAuthResult<TokenResponse> {
    let lifetime = issue.client.app.settings.access_token_lifetime as i64;
    let scope = issue.scopes.to_param();
    let subject = issue
        .user
        .map(|u| u.id.as_str())
        .unwrap_or(issue.client.client_id());
    let (access_token, _) = tokens.issue_access_token(
        &AccessGrant {
            subject,
            client_id: issue.client.client_id(),
            scope: &scope,
            lifetime,
            grant_id: issue.grant_id,
        },
        now,
    )?;
    let id_token = match issue.user {
        Some(user) if issue.scopes.contains(scope::OPENID) => {
            // OIDC Core §3.1.3.6: at_hash uses the hash of the ID token's `alg`; SHA-256 for
            // both RS256 and ES256.
            let hash = digest::digest(&digest::SHA256, access_token.as_bytes());
            let claims = IdClaims {
                iss: tokens.issuer(),
                sub: &user.id,
                aud: issue.client.client_id(),
                azp: issue.client.client_id(),
                exp: now + lifetime,
                iat: now,
                auth_time: issue.auth_time,
                nonce: issue.nonce,
                acr: issue.password_sign_in.then_some(PASSWORD_ACR),
                amr: issue.password_sign_in.then_some(["pwd"]),
                at_hash: URL_SAFE_NO_PAD.encode(&hash.as_ref()[..16]),
                profile: ProfileClaims::for_scopes(user, issue.scopes),
            };
            // The app's choice (OIDC Dynamic Client Registration 1.0 §2), RS256 unless set.
            let alg = issue.client.app.settings.id_token_signed_response_alg;
            Some(tokens.sign_id_token(alg.into(), &claims).await?)
        }
        _ => None,
    };
    Ok(TokenResponse {
        access_token: access_token.into(),
        token_type: "Bearer",
        expires_in: lifetime,
        scope,
        refresh_token: issue.refresh_token.map(Secret::from),
        id_token: id_token.map(Secret::from),
    })
}
