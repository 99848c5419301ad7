//! Check 1: the request names a registered client (RFC 6749 §4.1.1 `client_id`). Without
//! one there is nowhere trustworthy to send an error, so it is shown on Portico's page.

use std::sync::Arc;

use axum::http::StatusCode;

use crate::oauth::authorize::error_page::ErrorPage;
use crate::oauth::form::Params;
use crate::runtime::clients::Client;
use crate::state::AppState;

pub async fn check(state: &AppState, params: &Params) -> Result<Arc<Client>, ErrorPage> {
    let redirect_uri = params.get("redirect_uri").unwrap_or("(none)");
    let client_id = params.get("client_id").ok_or_else(|| {
        ErrorPage::invalid_request("The request names no application (client_id is missing).")
            .with_received("redirect_uri", redirect_uri)
    })?;
    match state.clients.get(&state.stores, client_id).await {
        // A machine-to-machine app has no redirect URIs, so there is nowhere to send an
        // error (RFC 6749 §4.1.2.1): the page says what this type of app does instead.
        Ok(Some(c)) if !c.app_type().uses_redirects() => Err(ErrorPage::new(
            StatusCode::BAD_REQUEST,
            "This app does not use sign-in",
            "This app is a machine-to-machine app: it gets tokens with client_credentials or a \
             JWT assertion at the token endpoint, not through sign-in. There is nothing to sign \
             in to here.",
        )
        .with_received("client_id", client_id)),
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(ErrorPage::new(
            StatusCode::BAD_REQUEST,
            "Unknown application",
            "The link you followed names an application Portico does not know: it may have \
             been removed, or the link may be wrong.",
        )
        .with_received("client_id", client_id)
        .with_received(
            "redirect_uri",
            params.get("redirect_uri").unwrap_or("(none)"),
        )),
        Err(e) => {
            tracing::error!(error = %e, "authorize: client lookup failed");
            Err(ErrorPage::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "The server could not complete the request.",
            ))
        }
    }
}
