//! `POST /api/v1/session/console-token`: the console's tokens from the browser's Portico
//! session, without leaving the page. Every full load of a console page used to make a
//! silent authorization round trip (authorize → `/auth/callback` → code exchange), loading
//! the page, its JavaScript and its wasm twice; this call gives the same tokens in one
//! same-origin request.
//!
//! Who may use it: only Portico's own pages, in the browser that holds the session.
//! - The `Origin` must be the issuer's (`check_origin`; a missing one is refused too), and
//!   the body must be JSON (`ApiJson`: 415 otherwise), which a cross-site form cannot send
//!   and a cross-site `fetch` can send only after a CORS preflight that Portico never
//!   answers: the route has no CORS headers. The session cookie is `SameSite=Lax`, so a
//!   cross-site `POST` does not carry it either.
//! - It issues what the authorization code flow would give the console at that moment
//!   (RFC 6749 §4.1, OIDC Core §3.1.2.1 without `prompt`): the session must be live (not
//!   expired, not signed out), its user enabled, and `admin` is granted only to a user who
//!   is an administrator now (`authorize::grantable`). Without one it answers
//!   `204 No Content`, no tokens, and the console signs in through the authorization
//!   endpoint. Not a 4xx: every first visit asks, and the browser would log a 4xx as a failed
//!   load on each of them.
//! - A new grant per call, with its own refresh token (rotated as any console refresh
//!   token is), so signing out revokes exactly what this page holds.
//!
//! The answer is the RFC 6749 §5.1 token response with `no-store` (§5.1).

use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{check_origin, load_client};
use crate::crypto::random;
use crate::http::json::ApiJson;
use crate::http::problem::ApiError;
use crate::metrics::GrantLabels;
use crate::oauth::issue::{self, Issue};
use crate::oauth::scope;
use crate::oauth::{authorize, cookies, grants};
use crate::state::{AppState, CONSOLE_CLIENT_ID};
use crate::store::GrantRecord;

/// The `tokens_issued` label for tokens issued here (they skip the token endpoint).
pub const METRIC_LABEL: &str = "console_session";

/// The body: an empty JSON object. It carries nothing; its content type is the point.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsoleTokenRequest {}

/// No live session (none, expired, signed out, or its user disabled): nothing to give.
fn no_session() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

#[utoipa::path(post, path = "/api/v1/session/console-token", tag = "interactions", operation_id = "getConsoleTokens",
    summary = "The console's tokens from this browser's Portico session",
    description = "Called by Portico's console when a page loads: with a live session it answers the tokens \
        the console would get from the authorization code flow, without leaving the page. Send `{}` as JSON from \
        Portico's own origin. Without a live session it answers 204 and the console signs in through \
        `/oauth2/authorize`.",
    request_body = ConsoleTokenRequest,
    responses((status = 200, body = crate::oauth::openapi::TokenResponse, description = "The console's tokens (`admin` only for an administrator)"),
        (status = 204, description = "No live session in this browser: sign in through the authorization endpoint"),
        (status = 403, description = "The request did not come from Portico's own origin (`Origin` header)"),
        (status = 422, description = "The body is not an empty JSON object")),
    security(("session_cookie" = []), ()))]
pub async fn console_token(
    State(state): State<AppState>,
    req: Request,
) -> Result<Response, ApiError> {
    let headers = req.headers().clone();
    check_origin(&state, &headers)?;
    let ApiJson(ConsoleTokenRequest {}) =
        ApiJson::<ConsoleTokenRequest>::from_request(req, &state).await?;
    let Some(session) = cookies::session(&state, &headers).await? else {
        return Ok(no_session());
    };
    let Some(user) = grants::active_user(state.stores.users.as_ref(), &session.user_id)
        .await
        .map_err(|e| ApiError::Internal(e.description))?
    else {
        return Ok(no_session());
    };
    let client = load_client(&state, CONSOLE_CLIENT_ID).await?;
    let scopes = authorize::grantable(&portico_proto::console::scope(), &user)
        .map_err(|e| ApiError::Internal(e.description))?;
    let now = state.now();
    let grant_id = random::id()?;
    let refresh_value =
        issue::new_refresh_value().map_err(|e| ApiError::Internal(e.description))?;
    let refresh = scopes.contains(scope::OFFLINE_ACCESS).then(|| {
        issue::refresh_record(
            &state.hasher,
            &refresh_value,
            &grant_id,
            CONSOLE_CLIENT_ID,
            &scopes.to_param(),
            now,
        )
    });
    // The grant the code exchange would record: the session's sign-in time is its
    // `auth_time` (OIDC Core §2), as a silent authorization would carry it.
    let grant = GrantRecord {
        id: grant_id.clone(),
        user_id: Some(user.id.clone()),
        client_id: CONSOLE_CLIENT_ID.to_owned(),
        scope: scopes.to_param(),
        auth_time: session.auth_time,
        created_at: now,
        last_used_at: now,
        revoked_at: None,
    };
    state
        .stores
        .grants
        .create_grant(&grant, refresh.as_ref())
        .await?;
    let response = issue::respond(
        &state.tokens,
        now,
        Issue {
            client: &client,
            user: Some(&user),
            scopes: &scopes,
            grant_id: Some(&grant_id),
            refresh_token: refresh.is_some().then_some(refresh_value),
            nonce: None,
            auth_time: session.auth_time,
            password_sign_in: true,
        },
    )
    .await
    .map_err(|e| ApiError::Internal(e.description))?;
    state
        .metrics
        .tokens_issued
        .get_or_create(&GrantLabels {
            grant_type: METRIC_LABEL,
        })
        .inc();
    Ok(response.into_response())
}
