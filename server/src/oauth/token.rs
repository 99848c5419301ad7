//! The token endpoint (RFC 6749 §3.2): form body only, client authenticated, then the
//! grant handler named by `grant_type`.

use crate::metrics::GrantLabels;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use super::client_auth;
use super::error::{OAuthError, OAuthResult};
use super::form::Form;
use super::grants::{self, GrantContext, GrantDeps};
use super::scope::printable;
use crate::state::AppState;

pub async fn token(State(state): State<AppState>, req: Request) -> Response {
    match handle(&state, req).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn handle(state: &AppState, req: Request) -> OAuthResult<Response> {
    let ip = super::client_ip(state, req.headers(), req.extensions());
    let headers = req.headers().clone();
    let Form(params) =
        <Form as axum::extract::FromRequest<AppState>>::from_request(req, state).await?;
    let grant_type = params.require("grant_type")?;
    let handler = grants::find(grant_type).ok_or_else(|| {
        OAuthError::new(
            super::error::ErrorCode::UnsupportedGrantType,
            format!("Unsupported grant_type `{}`.", printable(grant_type)),
        )
    })?;
    let auth =
        client_auth::authenticate(state, &headers, &params, &ip, &state.endpoints.token).await?;
    if !handler.allowed_for(auth.client.app_type()) {
        return Err(OAuthError::unauthorized_client(format!(
            "{} apps may not use the {} grant.",
            capitalised(auth.client.app_type().label()),
            handler.grant_type()
        )));
    }
    let response = handler
        .exchange(GrantContext {
            deps: deps(state),
            client: auth.client,
            method: auth.method,
            params: &params,
            now: state.now(),
        })
        .await?;
    state
        .metrics
        .tokens_issued
        .get_or_create(&GrantLabels {
            grant_type: handler.grant_type(),
        })
        .inc();
    Ok(response.into_response())
}

/// What grants may use, taken from the server's state (see `GrantDeps`).
fn deps(state: &AppState) -> GrantDeps<'_> {
    GrantDeps {
        grants: state.stores.grants.as_ref(),
        users: state.stores.users.as_ref(),
        audit: state.stores.audit.as_ref(),
        hasher: &state.hasher,
        tokens: &state.tokens,
        clock: state.clock.as_ref(),
        issuer: &state.config.issuer,
        token_endpoint: &state.endpoints.token,
        metrics: &state.metrics,
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
