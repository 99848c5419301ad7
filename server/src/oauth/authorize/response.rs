//! The authorization response (RFC 6749 §4.1.2) and its error form (§4.1.2.1): a redirect
//! back to the client's verified redirect URI, carrying `state` unchanged and, per RFC 9207,
//! `iss`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use url::Url;

use crate::oauth::error::OAuthError;

/// The redirect URI with the answer's parameters, `state` and `iss` appended.
pub fn redirect_url(
    redirect_uri: &str,
    pairs: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> String {
    match Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
                if let Some(s) = state {
                    q.append_pair("state", s);
                }
                q.append_pair("iss", issuer);
            }
            url.into()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

/// 303, so a `POST` to the endpoint becomes a `GET` at the target (RFC 9110 §15.4.4);
/// no-store (it may carry a code), like every answer here, from `cache::no_store`.
pub fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// Where errors go once the client and its redirect URI are verified (RFC 6749 §4.1.2.1).
pub struct Redirectable {
    pub redirect_uri: String,
    pub state: Option<String>,
}

impl Redirectable {
    pub fn error(&self, issuer: &str, e: OAuthError) -> Response {
        e.log();
        see_other(&redirect_url(
            &self.redirect_uri,
            &[
                ("error", e.code.as_str()),
                ("error_description", &e.description),
            ],
            self.state.as_deref(),
            issuer,
        ))
    }
}
