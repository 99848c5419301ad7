//! Check 5: the scope (RFC 6749 §3.3) is well-formed and known, and `admin` is asked only
//! by the console.

use crate::oauth::authority;
use crate::oauth::error::OAuthError;
use crate::oauth::form::Params;
use crate::oauth::scope::{self, Scopes};
use crate::runtime::clients::Client;

pub fn check(client: &Client, params: &Params) -> Result<Scopes, OAuthError> {
    let scopes = Scopes::parse(params.get("scope").unwrap_or(""))?;
    // `admin` opens Portico's admin API, which belongs to the console: refused (not silently
    // dropped) for every other app, so its developer learns at once (RFC 6749 §4.1.2.1).
    if scopes.contains(scope::ADMIN) && !authority::may_hold_admin(client) {
        return Err(OAuthError::invalid_scope(
            "The `admin` scope is reserved for Portico's console.",
        ));
    }
    Ok(scopes)
}
