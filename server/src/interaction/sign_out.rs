//! `DELETE /api/v1/session`: ends the browser's Portico session, so the next authorization
//! asks for the password again. The console calls it when the user signs out, after revoking
//! its tokens (which ends the grant, RFC 7009 §2.1); without it the session cookie would sign
//! the next visitor of a shared computer straight back in.
//!
//! Bound like the rest of the interaction API: the session cookie names what ends, and the
//! `Origin` must be Portico's own, so a cross-site page cannot sign anyone out (logout CSRF).

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::check_origin;
use crate::http::problem::ApiError;
use crate::oauth::cookies;
use crate::state::AppState;

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    if let Some(v) = cookies::get(&headers, cookies::SESSION.on(&state)) {
        // Deleted server-side: a copy of the cookie kept elsewhere stops working too.
        state
            .stores
            .sessions
            .delete_session(&state.hasher.hash(v))
            .await?;
    }
    // A sign-in or consent page still open in this browser must not complete for the user who
    // just left (shared computers): its interactions end with the session.
    if let Some(browser) = cookies::get(&headers, cookies::BROWSER.on(&state)) {
        state
            .stores
            .interactions
            .delete_browser_interactions(&state.hasher.hash(browser))
            .await?;
    }
    // Signing out twice, or without a session, is not an error: the outcome is the same.
    let mut res = StatusCode::NO_CONTENT.into_response();
    if let Some(expired) = cookies::build(&state, cookies::SESSION, "", 0) {
        res.headers_mut().insert(header::SET_COOKIE, expired);
    }
    Ok(res)
}
