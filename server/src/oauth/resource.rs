//! Checking access tokens presented to Portico's own resources (`/oauth2/userinfo`,
//! `/api/v1/me`, the admin API) and to introspection: signature and expiry, then
//! revocation — a token of a revoked grant, a deleted app or a disabled user is dead at once.

use std::sync::Arc;

use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use sha2::{Digest as _, Sha256};

use super::error::{ErrorCode, OAuthError, OAuthResult};
use super::form::{self, Form};
use super::issue::ProfileClaims;
use super::scope::{self, Scopes};
use crate::runtime::clients::Client;
use crate::runtime::verified::{Verified, LIVENESS_TTL};
use crate::signing::{AccessClaims, TokenError};
use crate::state::AppState;
use crate::store::UserRecord;

/// A live access token and who it speaks for.
pub struct Principal {
    pub claims: Arc<AccessClaims>,
    pub client: Arc<Client>,
    /// `None` for a token an app holds for itself.
    pub user: Option<Arc<UserRecord>>,
}

#[derive(Debug)]
pub enum Inactive {
    /// Bad signature, expired, revoked or its owner gone.
    Token,
    Internal(String),
}

impl From<crate::store::StoreError> for Inactive {
    fn from(e: crate::store::StoreError) -> Self {
        Inactive::Internal(e.to_string())
    }
}

pub async fn verify_active(state: &AppState, token: &str) -> Result<Principal, Inactive> {
    let now = state.now();
    let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let cached = state.verified.get(&key);
    state
        .metrics
        .cache_lookup("verified_tokens", cached.is_some());
    // RFC 9068 §4: an expired token is refused (the same leeway as the signature path).
    if cached
        .as_ref()
        .is_some_and(|c| c.claims.exp <= now - crate::signing::LEEWAY)
    {
        state.verified.remove(&key);
        return Err(Inactive::Token);
    }
    // Read before the store is: a revocation that commits after this read bumps the
    // epoch past it, so what is stored below is rechecked on its next use.
    let epoch = state.stores.grants.revocation_epoch();
    let claims =
        match cached {
            Some(c) if c.epoch == epoch && now - c.checked_at < LIVENESS_TTL => {
                let client = state
                    .clients
                    .get(&state.stores, &c.claims.client_id)
                    .await?
                    .ok_or(Inactive::Token)?;
                return Ok(Principal {
                    claims: c.claims.clone(),
                    client,
                    user: c.user.clone(),
                });
            }
            // Signature and claims were checked before; only liveness is read again.
            Some(c) => c.claims.clone(),
            None => Arc::new(state.tokens.verify_access_token(token, now).map_err(
                |e| match e {
                    TokenError::Invalid => Inactive::Token,
                    other => Inactive::Internal(other.to_string()),
                },
            )?),
        };
    let checked_at = now;
    let result = check_live(state, &claims).await;
    match result {
        Ok((client, user)) => {
            state.verified.put(
                key,
                Arc::new(Verified {
                    claims: claims.clone(),
                    user: user.clone(),
                    checked_at,
                    epoch,
                }),
                now,
            );
            Ok(Principal {
                claims,
                client,
                user,
            })
        }
        Err(e) => {
            state.verified.remove(&key);
            Err(e)
        }
    }
}

/// Revocation: the app still exists, the grant is live (or, for an app's own token, the
/// token was not revoked by its `jti`), and the user is enabled.
async fn check_live(
    state: &AppState,
    claims: &AccessClaims,
) -> Result<(Arc<Client>, Option<Arc<UserRecord>>), Inactive> {
    let client = state
        .clients
        .get(&state.stores, &claims.client_id)
        .await?
        .ok_or(Inactive::Token)?;
    match &claims.gid {
        Some(gid) => {
            let grant = state.stores.grants.get_grant(gid).await?;
            if !grant.is_some_and(|g| g.revoked_at.is_none() && g.client_id == claims.client_id) {
                return Err(Inactive::Token);
            }
        }
        None => {
            if state
                .stores
                .grants
                .is_access_token_revoked(&claims.jti)
                .await?
            {
                return Err(Inactive::Token);
            }
        }
    }
    let user = if claims.sub == claims.client_id {
        None
    } else {
        let user = state.stores.users.user_by_id(&claims.sub).await?;
        Some(Arc::new(
            user.filter(|u| !u.disabled).ok_or(Inactive::Token)?,
        ))
    };
    Ok((client, user))
}

/// RFC 6750 §2.1 bearer token from the Authorization header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

fn invalid_token() -> OAuthError {
    OAuthError::new(
        ErrorCode::InvalidToken,
        "The access token is invalid, expired or revoked.",
    )
}

async fn principal(state: &AppState, headers: &HeaderMap) -> OAuthResult<Principal> {
    let token = bearer(headers).ok_or_else(invalid_token)?;
    principal_of(state, token).await
}

async fn principal_of(state: &AppState, token: &str) -> OAuthResult<Principal> {
    verify_active(state, token).await.map_err(|e| match e {
        Inactive::Token => invalid_token(),
        Inactive::Internal(m) => OAuthError::server(m),
    })
}

/// The access token of a UserInfo request (OIDC Core §5.3.1): the Authorization header
/// (RFC 6750 §2.1) with `GET` or `POST`, or the `access_token` field of a `POST`'s form body
/// (RFC 6750 §2.2). Both at once is refused: RFC 6750 §2 allows one method per request.
async fn userinfo_token(state: &AppState, req: Request) -> OAuthResult<String> {
    let from_header = bearer(req.headers()).map(str::to_owned);
    let has_form = req.method() == Method::POST && form::is_form(req.headers());
    if !has_form {
        return from_header.ok_or_else(invalid_token);
    }
    let Form(params) = Form::from_request(req, state).await?;
    match (from_header, params.get("access_token")) {
        (Some(_), Some(_)) => Err(OAuthError::invalid_request(
            "Send the access token in the Authorization header or in the form body, not both.",
        )),
        (Some(token), None) => Ok(token),
        (None, Some(token)) => Ok(token.to_owned()),
        (None, None) => Err(invalid_token()),
    }
}

/// OIDC Core §5.3 UserInfo: the user's claims the token's scopes allow. `GET` and `POST`
/// (§5.3.1: the provider must support both).
pub async fn userinfo(State(state): State<AppState>, req: Request) -> Response {
    let result: OAuthResult<Json<serde_json::Value>> = async {
        let token = userinfo_token(&state, req).await?;
        let p = principal_of(&state, &token).await?;
        let scopes = Scopes::parse(&p.claims.scope)?;
        let (Some(user), true) = (&p.user, scopes.contains(scope::OPENID)) else {
            return Err(OAuthError::new(
                ErrorCode::InvalidToken,
                "UserInfo needs a user's token with the `openid` scope.",
            ));
        };
        let mut body = serde_json::to_value(ProfileClaims::for_scopes(user, &scopes))
            .map_err(OAuthError::server)?;
        body["sub"] = json!(user.id);
        Ok(Json(body))
    }
    .await;
    match result {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    }
}

/// `GET /api/v1/me`: the sample protected resource. The token's user (name and e-mail as
/// its scopes allow), or the app for a client-credentials token.
pub async fn me(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let result: OAuthResult<Json<serde_json::Value>> = async {
        let p = principal(&state, &headers).await?;
        let scopes = Scopes::parse(&p.claims.scope)?;
        let body = match &p.user {
            Some(user) => {
                let profile = ProfileClaims::for_scopes(user, &scopes);
                json!({
                    "kind": "user",
                    "sub": user.id,
                    "username": profile.preferred_username,
                    "name": profile.name,
                    "email": profile.email,
                    "client_id": p.claims.client_id,
                    "scope": p.claims.scope,
                })
            }
            None => json!({
                "kind": "app",
                "sub": p.client.client_id(),
                "client_id": p.client.client_id(),
                "name": p.client.app.settings.name,
                "type": p.client.app_type().as_str(),
                "scope": p.claims.scope,
            }),
        };
        Ok(Json(body))
    }
    .await;
    match result {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    }
}
