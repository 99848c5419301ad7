//! The two browser cookies: `portico_browser` binds interactions to the browser that
//! started them; `portico_session` keeps a user signed in. Both random, stored hashed,
//! HttpOnly, SameSite=Lax. When the issuer is https they are Secure and carry the `__Host-`
//! prefix (RFC 6265bis §4.1.3.2), so a sibling subdomain or a plain-http page cannot plant or
//! overwrite them.

use axum::http::{header, HeaderMap, HeaderValue};

use crate::crypto::random;
use crate::oauth::error::OAuthError;
use crate::state::AppState;
use crate::store::{BrowserSession, StoreResult};

/// A cookie's name, with and without the `__Host-` prefix.
#[derive(Debug, Clone, Copy)]
pub struct Name {
    plain: &'static str,
    host_only: &'static str,
}

impl Name {
    /// The name this server uses: prefixed when its issuer is https.
    pub fn on(self, state: &AppState) -> &'static str {
        if is_https(state) {
            self.host_only
        } else {
            self.plain
        }
    }
}

pub const BROWSER: Name = Name {
    plain: "portico_browser",
    host_only: "__Host-portico_browser",
};
pub const SESSION: Name = Name {
    plain: "portico_session",
    host_only: "__Host-portico_session",
};

fn is_https(state: &AppState) -> bool {
    state.config.issuer.starts_with("https://")
}
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

pub fn build(state: &AppState, name: Name, value: &str, max_age: i64) -> Option<HeaderValue> {
    HeaderValue::from_str(&set_cookie(name.on(state), value, max_age, is_https(state))).ok()
}

/// This browser's id, and the Set-Cookie to send when it had none yet.
pub fn browser_id(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<(String, Option<HeaderValue>), OAuthError> {
    if let Some(v) = get(headers, BROWSER.on(state)) {
        return Ok((v.to_owned(), None));
    }
    let v = random::token::<32>()?;
    let cookie = build(state, BROWSER, &v, 400 * 86_400);
    Ok((v, cookie))
}

/// The signed-in user's session, if the session cookie names a live one.
pub async fn session(state: &AppState, headers: &HeaderMap) -> StoreResult<Option<BrowserSession>> {
    let Some(v) = get(headers, SESSION.on(state)) else {
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
        assert_eq!(get(&h, "portico_session"), Some("abc"));
        assert_eq!(get(&h, "portico_browser"), None);
    }
}
