//! Strict `application/x-www-form-urlencoded` parameters for the token, revocation and
//! introspection endpoints.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderMap, Method};

use super::error::OAuthError;

/// Largest body these endpoints read.
pub const FORM_LIMIT: usize = 64 * 1024;

/// Parameters of one request, each present at most once.
#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| {
            OAuthError::invalid_request(format!("The `{name}` parameter is required."))
        })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// RFC 6749 §3.1 / §3.2: parameters MUST NOT be included more than once; values are
    /// percent-decoded UTF-8 and anything else is an `invalid_request`, never a 5xx.
    pub fn parse(input: &[u8]) -> Result<Self, OAuthError> {
        let mut map = HashMap::new();
        for pair in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
            let (k, v) = match pair.iter().position(|b| *b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            let k = decode(k)?;
            let v = decode(v)?;
            if map.insert(k.clone(), v).is_some() {
                return Err(OAuthError::invalid_request(format!(
                    "The `{k}` parameter is repeated; each parameter may appear once."
                )));
            }
        }
        Ok(Params(map))
    }
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Percent-decodes one `application/x-www-form-urlencoded` name or value.
pub fn decode(raw: &[u8]) -> Result<String, OAuthError> {
    let bad = || OAuthError::invalid_request("The form body is not valid percent-encoded UTF-8.");
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hi = raw.get(i + 1).copied().and_then(hex).ok_or_else(bad)?;
                let lo = raw.get(i + 2).copied().and_then(hex).ok_or_else(bad)?;
                out.push(hi << 4 | lo);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| bad())
}

/// The form body of a POST: form content type only, no query string, bounded size.
pub struct Form(pub Params);

impl<S: Send + Sync> FromRequest<S> for Form {
    type Rejection = OAuthError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = body(req, state).await.map_err(|mut e| {
            // Refused before the whole body was read: hyper drops the connection after
            // answering, so say so.
            e.close_connection = true;
            e
        })?;
        Params::parse(&bytes).map(Form)
    }
}

/// Whether the request's `Content-Type` is `application/x-www-form-urlencoded` (its essence,
/// case-insensitive, whatever parameters follow).
pub fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The body's bytes, once the request passes the checks that need no body.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, OAuthError> {
    if req.method() != Method::POST {
        return Err(OAuthError::invalid_request("Use POST."));
    }
    // Credentials in a URL end up in logs and histories (RFC 6749 §2.3.1, §3.2).
    if req.uri().query().is_some_and(|q| !q.is_empty()) {
        return Err(OAuthError::invalid_request(
            "Send parameters in the form body, not in the query string.",
        ));
    }
    if !is_form(req.headers()) {
        return Err(OAuthError::invalid_request(
            "Send the body as application/x-www-form-urlencoded.",
        ));
    }
    Bytes::from_request(req, state).await.map_err(|_| {
        OAuthError::invalid_request(format!(
            "The body must be at most {} KiB.",
            FORM_LIMIT / 1024
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_decodes() {
        let p = Params::parse(
            b"grant_type=authorization_code&redirect_uri=https%3A%2F%2Fa.example%2Fcb&x=a+b",
        )
        .unwrap();
        assert_eq!(p.get("grant_type"), Some("authorization_code"));
        assert_eq!(p.get("redirect_uri"), Some("https://a.example/cb"));
        assert_eq!(p.get("x"), Some("a b"));
        assert_eq!(p.get("missing"), None);
    }

    #[test]
    fn refuses_duplicates_and_bad_encoding() {
        assert!(Params::parse(b"a=1&a=2").is_err());
        assert!(Params::parse(b"a=%FF%FE").is_err());
        assert!(Params::parse(b"a=%G1").is_err());
        assert!(Params::parse(b"a=%4").is_err());
        assert!(Params::parse(b"a=\xff").is_err());
    }
}
