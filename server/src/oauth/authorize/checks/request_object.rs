//! Check 9: request objects (OIDC Core §6). Portico does not take them (discovery says
//! `request_parameter_supported` and `request_uri_parameter_supported` are false). A
//! request carrying one is refused with §3.1.2.6's own errors rather than served from the
//! plain parameters beside it: those may differ from what the app signed into the object.

use crate::oauth::error::{ErrorCode, OAuthError};
use crate::oauth::form::Params;

pub fn check(params: &Params) -> Result<(), OAuthError> {
    if params.contains("request") {
        return Err(OAuthError::new(
            ErrorCode::RequestNotSupported,
            "Request objects (`request`) are not supported.",
        ));
    }
    if params.contains("request_uri") {
        return Err(OAuthError::new(
            ErrorCode::RequestUriNotSupported,
            "`request_uri` is not supported.",
        ));
    }
    Ok(())
}
