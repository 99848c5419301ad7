//! Check 1: the request names a registered client (RFC 6749 §4.1.1 `client_id`). Without
//! one there is nowhere trustworthy to send an error, so it is shown on Portico's page.

use std::sync::Arc;

use axum::http::StatusCode;

use crate::oauth::authorize::error_page::ErrorPage;
use crate::oauth::form::Params;
use crate::runtime::clients::Client;
use crate::state::AppState;

pub async fn check(state: &AppState, params: &Params) -> Result<Arc<Client>, ErrorPage> {
    let client_id = params.get("client_id").ok_or_else(|| {
        ErrorPage::invalid_request("The request names no application (client_id is missing).")
    })?;
    match state.clients.get(&state.stores, client_id).await {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(ErrorPage::new(
            StatusCode::BAD_REQUEST,
            "Unknown application",
            "No application is registered with this client ID.",
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
