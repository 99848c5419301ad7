//! Check 3: the free-text parameters are within their limits, before anything is kept.

use crate::oauth::error::OAuthError;
use crate::oauth::form::Params;

/// Longest `state` accepted, in bytes. Every unauthenticated request stores it with its
/// interaction and echoes it back (RFC 6749 §4.1.2), so it is bounded; 1024 bytes hold any
/// CSRF value (RFC 6749 §10.12) with room for a client's own encoded state.
pub const STATE_MAX: usize = 1024;
/// Longest `nonce` accepted, in bytes: stored with the interaction and the code, and copied
/// into the ID token (OIDC Core §3.1.2.1); a random value needs a few dozen.
pub const NONCE_MAX: usize = 512;
/// Longest `login_hint` accepted, in bytes (OIDC Core §3.1.2.1): a username or an email
/// address, kept with the interaction to pre-fill the sign-in page.
pub const LOGIN_HINT_MAX: usize = 256;
/// Longest list of language tags (`ui_locales`, `claims_locales`) or of authentication
/// context classes (`acr_values`) accepted, in bytes (OIDC Core §3.1.2.1). Read, not kept.
const LIST_MAX: usize = 256;

/// The free-text authorization parameters and their limits.
const FREE_TEXT_LIMITS: [(&str, usize); 6] = [
    ("state", STATE_MAX),
    ("nonce", NONCE_MAX),
    ("login_hint", LOGIN_HINT_MAX),
    ("ui_locales", LIST_MAX),
    ("claims_locales", LIST_MAX),
    ("acr_values", LIST_MAX),
];

pub fn check(params: &Params) -> Result<(), OAuthError> {
    for (name, max) in FREE_TEXT_LIMITS {
        if params.get(name).is_some_and(|v| v.len() > max) {
            return Err(OAuthError::invalid_request(format!(
                "`{name}` is longer than {max} bytes."
            )));
        }
    }
    Ok(())
}
