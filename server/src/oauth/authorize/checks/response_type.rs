//! Check 4: the response type (RFC 6749 §3.1.1); only the code flow exists here, and only
//! for apps that have redirect URIs (RFC 6749 §4.1.2.1 `unauthorized_client`).

use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::form::Params;
use crate::runtime::clients::Client;

pub fn check(client: &Client, params: &Params) -> Result<(), OAuthError> {
    match params.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "Only response_type=code is supported.",
            ))
        }
        None => {
            return Err(OAuthError::invalid_request(
                "The `response_type` parameter is required.",
            ))
        }
    }
    if !client.app_type().uses_redirects() {
        return Err(OAuthError::unauthorized_client(
            "This app may not use the authorization code flow.",
        ));
    }
    Ok(())
}
