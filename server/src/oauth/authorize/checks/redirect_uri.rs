//! Check 2: the redirect URI is one the client registered, compared byte for byte
//! (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3: exact string comparison, no normalisation). It may
//! be left out only when exactly one is registered (RFC 6749 §3.1.2.3).

use axum::http::StatusCode;

use super::lengths::STATE_MAX;
use crate::oauth::authorize::error_page::ErrorPage;
use crate::oauth::authorize::response::Redirectable;
use crate::oauth::form::Params;
use crate::runtime::clients::Client;

pub fn check(client: &Client, params: &Params) -> Result<Redirectable, ErrorPage> {
    let registered = &client.app.settings.redirect_uris;
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if registered.iter().any(|r| r == uri) => uri.to_owned(),
        Some(_) => {
            return Err(ErrorPage::new(
                StatusCode::BAD_REQUEST,
                "Unregistered redirect URL",
                "The application asked to return to a URL it has not registered.",
            ))
        }
        None if registered.len() == 1 => registered[0].clone(),
        None => {
            return Err(ErrorPage::new(
                StatusCode::BAD_REQUEST,
                "Missing redirect URL",
                "The application must say where to return (redirect_uri).",
            ))
        }
    };
    Ok(Redirectable {
        redirect_uri,
        // An over-long state is refused (check 3) and not echoed: the client cannot
        // match it either way, and a Location header of kilobytes breaks proxies.
        state: params
            .get("state")
            .filter(|s| s.len() <= STATE_MAX)
            .map(str::to_owned),
    })
}
