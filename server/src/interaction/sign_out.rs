//! `DELETE /api/v1/session`: ends the browser's Portico session, so the next authorization
//! asks for the password again. The console calls it when the user signs out, after revoking
//! its tokens (which ends the grant, RFC 7009 §2.1); without it the session cookie would sign
//! the next visitor of a shared computer straight back in.
//!
//! Bound like the rest of the interaction API: the session cookie names what ends, and the
//! `Origin` must be Portico's own, so a cross-site page cannot sign anyone out (logout CSRF).
//! What ending means is `oauth::end_session::end`, shared with the end-session endpoint.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::check_origin;
use crate::http::problem::ApiError;
use crate::oauth::end_session;
use crate::state::AppState;

#[utoipa::path(delete, path = "/api/v1/session", tag = "interactions", operation_id = "endBrowserSession",
    summary = "Sign this browser out of Portico",
    responses((status = 204, description = "The session ended (or there was none); the session cookie is cleared"),
        (status = 403, description = "The request did not come from Portico's own origin (`Origin` header)")),
    security(("session_cookie" = []), ()))]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let cleared = end_session::end(&state, &headers).await?;
    // Signing out twice, or without a session, is not an error: the outcome is the same.
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(expired) = cleared {
        res.headers_mut().insert(header::SET_COOKIE, expired);
    }
    Ok(res)
}
