//! The two browser cookies: `portico_browser` binds interactions to the browser that
//! started them; `portico_session` keeps a user signed in. Both random, stored hashed,
//! HttpOnly, SameSite=Lax, Secure when the issuer is https.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::crypto::random;
use crate::oauth::error::OAuthError;
use crate::state::AppState;
use crate::store::{BrowserSession, StoreResult};

pub const BROWSER: &str = "portico_browser";
pub const SESSION: &str = "portico_session";
/// How long a sign-in lasts.
pub const SESSION_LIFETIME: i64 = 8 * 3600;

/// The value of cookie `name`, if the request carries it.
pub fn get<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

/// The Set-Cookie value: HttpOnly (no script reads it), SameSite=Lax (not sent on
/// cross-site subrequests or POSTs), Secure on an https issuer.
pub fn set_cookie(name: &str, value: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

pub fn build(state: &AppState, name: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let https = state.config.issuer.starts_with("https://");
    HeaderValue::from_str(&set_cookie(name, value, max_age, https)).ok()
}

/// This browser's id, and the Set-Cookie to send when it had none yet.
pub fn browser_id(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), OAuthError> {
    if let Some(v) = get(headers, BROWSER) {
        return Ok((v.to_owned(), None));
    }
    let v = random::token::<32>()?;
    let cookie = build(state, BROWSER, &v, 400 * 86_400);
    Ok((v, cookie))
}

/// The signed-in user's session, if the session cookie names a live one.
pub async fn session(state: &AppState, headers: &HeaderMap) -> StoreResult<Option<BrowserSession>> {
    let Some(v) = get(headers, SESSION) else {
        return Ok(None);
    };
    state
        .stores
        .sessions
        .get_session(&state.hasher.hash(v), state.now())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_only_on_https() {
        assert_eq!(
            set_cookie("portico_session", "v", 60, true),
            "portico_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure"
        );
        assert_eq!(
            set_cookie("portico_session", "v", 60, false),
            "portico_session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"
        );
    }

    #[test]
    fn reads_one_cookie_among_many() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; portico_session=abc; b=2"),
        );
        assert_eq!(get(&h, SESSION), Some("abc"));
        assert_eq!(get(&h, BROWSER), None);
    }
}
