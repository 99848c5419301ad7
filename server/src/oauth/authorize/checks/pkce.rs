//! Check 6: PKCE (RFC 7636 §4.3), S256 only (RFC 9700 §2.1.1: `plain` is not accepted),
//! and required of public clients, which have no secret to protect the code.

use crate::oauth::error::OAuthError;
use crate::oauth::form::Params;
use crate::oauth::pkce;
use crate::runtime::clients::Client;

/// The challenge to bind to the code, if one was sent.
pub fn check(client: &Client, params: &Params) -> Result<Option<String>, OAuthError> {
    let challenge = params.get("code_challenge");
    match (challenge, params.get("code_challenge_method")) {
        (Some(c), Some("S256")) => {
            if !pkce::is_valid_challenge(c) {
                return Err(OAuthError::invalid_request(
                    "`code_challenge` must be 43 base64url characters (S256).",
                ));
            }
        }
        (Some(_), _) => {
            return Err(OAuthError::invalid_request(
                "`code_challenge_method` must be S256; plain is not accepted.",
            ))
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "`code_challenge_method` without `code_challenge`.",
            ))
        }
        (None, None) if client.is_public() => {
            return Err(OAuthError::invalid_request(
                "Single-page apps must use PKCE (code_challenge with S256).",
            ))
        }
        (None, None) => {}
    }
    Ok(challenge.map(str::to_owned))
}
