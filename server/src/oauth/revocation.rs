//! Token revocation (RFC 7009): refresh and access tokens; revoking either ends its grant.

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::client_auth;
use super::error::{ErrorCode, OAuthError, OAuthResult};
use super::form::Form;
use crate::state::AppState;
use crate::store::RefreshLookup;

pub async fn revoke(State(state): State<AppState>, req: Request) -> Response {
    match handle(&state, req).await {
        // No-store, like every answer here, from `cache::no_store`.
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(state: &AppState, req: Request) -> OAuthResult<()> {
    let ip = super::client_ip(state, req.headers(), req.extensions());
    let headers = req.headers().clone();
    let Form(params) =
        <Form as axum::extract::FromRequest<AppState>>::from_request(req, state).await?;
    let auth =
        client_auth::authenticate(state, &headers, &params, &ip, &state.endpoints.revoke).await?;
    let token = params.require("token")?;
    let now = state.now();
    match params.get("token_type_hint") {
        None | Some("access_token") | Some("refresh_token") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedTokenType,
                "Only access and refresh tokens are revocable.",
            ))
        }
    }
    // RFC 7009 §2.2: an invalid or unknown token is answered 200 all the same; a token
    // of another client is left alone.
    let hash = state.hasher.hash(token);
    match state.stores.grants.find_refresh(&hash).await? {
        RefreshLookup::Active(t, g, _) if t.client_id == auth.client.client_id() => {
            state.stores.grants.revoke_grant(&g.id, now).await?;
            return Ok(());
        }
        // A rotated token still names its family: revoking it ends the family, every
        // sibling head with it.
        RefreshLookup::Rotated(t, g, _) if t.client_id == auth.client.client_id() => {
            state.stores.grants.revoke_grant(&g.id, now).await?;
            return Ok(());
        }
        _ => {}
    }
    if let Ok(claims) = state.tokens.verify_access_token(token, now) {
        if claims.client_id == auth.client.client_id() {
            match &claims.gid {
                Some(gid) => state.stores.grants.revoke_grant(gid, now).await?,
                None => {
                    state
                        .stores
                        .grants
                        .revoke_access_token(&claims.jti, claims.exp)
                        .await?
                }
            }
        }
    }
    Ok(())
}
