//! Token introspection (RFC 7662) for registered confidential apps.

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::client_auth;
use super::error::{OAuthError, OAuthResult};
use super::form::Form;
use super::resource::{verify_active, Inactive};
use crate::state::AppState;
use crate::store::RefreshLookup;

pub async fn introspect(State(state): State<AppState>, req: Request) -> Response {
    match handle(&state, req).await {
        // No-store, like every answer here, from `cache::no_store`.
        Ok(body) => Json(body).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn handle(state: &AppState, req: Request) -> OAuthResult<Value> {
    let ip = super::client_ip(state, req.headers(), req.extensions());
    let headers = req.headers().clone();
    let Form(params) =
        <Form as axum::extract::FromRequest<AppState>>::from_request(req, state).await?;
    let auth =
        client_auth::authenticate(state, &headers, &params, &ip, &state.endpoints.introspect)
            .await?;
    // RFC 7662 §2.1: the caller must be authorized; here, a confidential app.
    // A public client's ID is no credential (see `client_auth`), so it may not read tokens;
    // saying so tells nothing a stranger could not know.
    if auth.client.is_public() {
        return Err(OAuthError::invalid_client_because(
            "Token introspection needs client authentication (RFC 7662 section 2.1): this \
             single-page app is a public client with no secret, so it cannot introspect. Call \
             introspection from a web or machine-to-machine app with its credentials.",
        ));
    }
    let token = params.require("token")?;
    let inactive = json!({ "active": false });
    let prefers_refresh = params.get("token_type_hint") == Some("refresh_token");
    let as_access = || async {
        match verify_active(state, token).await {
            Ok(p) => Ok(Some(json!({
                "active": true,
                // RFC 7662 §2.2: the RFC 6749 §5.1 token type.
                "token_type": "Bearer",
                "scope": p.claims.scope,
                "client_id": p.claims.client_id,
                "sub": p.claims.sub,
                "username": p.user.as_ref().map(|u| u.username.clone()),
                "iss": p.claims.iss,
                "aud": p.claims.aud,
                "exp": p.claims.exp,
                "iat": p.claims.iat,
                "jti": p.claims.jti,
            }))),
            Err(Inactive::Token) => Ok(None),
            Err(Inactive::Internal(m)) => Err(OAuthError::server(m)),
        }
    };
    if !prefers_refresh {
        if let Some(v) = as_access().await? {
            return Ok(v);
        }
    }
    // Refresh tokens are shown only to the app that holds them.
    if let RefreshLookup::Active(t, g, _) = state
        .stores
        .grants
        .find_refresh(&state.hasher.hash(token))
        .await?
    {
        // Past either expiry of the app's policy the token is dead (RFC 7662 §2.2: `active`
        // false for an expired token), and `exp` says when it will be, when it will.
        let exp = super::grants::refresh_token::expires_at(&auth.client.app.settings, &g, &t);
        if t.client_id == auth.client.client_id() && exp.is_none_or(|e| e > state.now()) {
            let mut body = json!({
                "active": true,
                "scope": t.scope,
                "client_id": t.client_id,
                "sub": g.user_id,
                "iss": state.config.issuer,
                "iat": t.created_at,
            });
            if let Some(e) = exp {
                body["exp"] = json!(e);
            }
            return Ok(body);
        }
    }
    if prefers_refresh {
        if let Some(v) = as_access().await? {
            return Ok(v);
        }
    }
    Ok(inactive)
}
