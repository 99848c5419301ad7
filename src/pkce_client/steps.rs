//! The browser side of the authorization code flow with PKCE, one function per protocol
//! step (oauth4webapi's shape). Pure functions: no network, no DOM, so they are unit
//! tested natively and in the browser, and the PKCE demo shows this very code.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use portico_proto::Secret;
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// Step 1 — RFC 7636 §4.1: a high-entropy `code_verifier`. 32 random bytes from the
/// browser's CSPRNG, base64url without padding: 43 characters. Not `Clone`, and its
/// `Debug` hides it (oauth2-rs convention): it must reach only the token endpoint.
#[derive(Debug)]
pub struct CodeVerifier(Secret);

impl CodeVerifier {
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(bytes).into()))
    }

    /// Restores a verifier kept in sessionStorage across the redirect.
    pub fn from_stored(value: String) -> Self {
        Self(value.into())
    }

    pub fn secret(&self) -> &str {
        self.0.expose()
    }

    /// Step 2 — RFC 7636 §4.2: `code_challenge = BASE64URL(SHA256(code_verifier))`.
    pub fn challenge(&self) -> String {
        s256_challenge(self.0.expose())
    }
}

/// RFC 7636 §4.2, S256.
pub fn s256_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Step 3 — RFC 6749 §10.12: an unguessable `state` binding the response to this browser.
pub fn new_state() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// What the authorization request carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest<'a> {
    pub authorization_endpoint: &'a str,
    pub client_id: &'a str,
    pub redirect_uri: &'a str,
    pub scope: &'a str,
    pub state: &'a str,
    pub code_challenge: &'a str,
}

/// Step 4 — RFC 6749 §4.1.1 with RFC 7636 §4.3: the URL the browser is sent to.
pub fn authorization_url(req: &AuthorizationRequest<'_>) -> Result<String, url::ParseError> {
    let mut url = url::Url::parse(req.authorization_endpoint)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", req.client_id)
        .append_pair("redirect_uri", req.redirect_uri)
        .append_pair("scope", req.scope)
        .append_pair("state", req.state)
        .append_pair("code_challenge", req.code_challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url.into())
}

/// Why a callback was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallbackError {
    /// RFC 6749 §10.12: `state` differs — possibly a forged response (CSRF).
    StateMismatch,
    /// RFC 9207 §2.4: `iss` differs from the expected issuer — possibly a mix-up attack.
    IssuerMismatch {
        got: Option<String>,
    },
    /// RFC 6749 §4.1.2.1: the server answered with an error (e.g. `access_denied`).
    Authorization {
        error: String,
        description: Option<String>,
    },
    MissingCode,
}

impl std::fmt::Display for CallbackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallbackError::StateMismatch => {
                f.write_str("The response's state does not match this browser's request.")
            }
            CallbackError::IssuerMismatch { got } => {
                write!(
                    f,
                    "The response came from an unexpected issuer ({}).",
                    got.as_deref().unwrap_or("none")
                )
            }
            CallbackError::Authorization { error, description } => match description {
                Some(d) => write!(f, "{error}: {d}"),
                None => f.write_str(error),
            },
            CallbackError::MissingCode => {
                f.write_str("The response carries no authorization code.")
            }
        }
    }
}

/// Step 5 — validates the redirect back (RFC 6749 §4.1.2, RFC 9207 §2.4): `state` equal,
/// `iss` equal to the issuer, an `error` turned into a typed error; returns the code.
pub fn validate_callback(
    query: &str,
    expected_state: &str,
    expected_issuer: &str,
) -> Result<String, CallbackError> {
    let mut code = None;
    let mut state = None;
    let mut iss = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
        match k.as_ref() {
            "code" => code = Some(v.into_owned()),
            "state" => state = Some(v.into_owned()),
            "iss" => iss = Some(v.into_owned()),
            "error" => error = Some(v.into_owned()),
            "error_description" => description = Some(v.into_owned()),
            _ => {}
        }
    }
    // The issuer is checked first, even on errors: a mixed-up error is not trusted either.
    if iss.as_deref() != Some(expected_issuer) {
        return Err(CallbackError::IssuerMismatch { got: iss });
    }
    if state.as_deref() != Some(expected_state) {
        return Err(CallbackError::StateMismatch);
    }
    if let Some(error) = error {
        return Err(CallbackError::Authorization { error, description });
    }
    code.ok_or(CallbackError::MissingCode)
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

/// Step 6 — RFC 6749 §4.1.3 with RFC 7636 §4.5: the token request body (a public client
/// sends its `client_id` and the verifier; no secret).
pub fn token_request_body(
    code: &str,
    redirect_uri: &str,
    client_id: &str,
    verifier: &CodeVerifier,
) -> String {
    form(&[
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", client_id),
        ("code_verifier", verifier.secret()),
    ])
}

/// Step 9 — RFC 6749 §6: refresh; with rotation the answer carries a new refresh token.
pub fn refresh_request_body(refresh_token: &str, client_id: &str) -> String {
    form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", client_id),
    ])
}

/// Step 10 — RFC 7009 §2.1: revocation; revoking the refresh token ends the whole grant.
pub fn revocation_body(token: &str, hint: &str, client_id: &str) -> String {
    form(&[
        ("token", token),
        ("token_type_hint", hint),
        ("client_id", client_id),
    ])
}

/// RFC 6749 §5.1 successful token response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenSet {
    pub access_token: Secret,
    pub token_type: String,
    pub expires_in: i64,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub refresh_token: Option<Secret>,
    #[serde(default)]
    pub id_token: Option<Secret>,
}

/// RFC 6749 §5.2 error response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TokenError {
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

impl std::fmt::Display for TokenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error_description {
            Some(d) => write!(f, "{}: {d}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

/// Step 7 — RFC 6749 §5.1/§5.2: reads the token endpoint's answer.
pub fn process_token_response(status: u16, body: &str) -> Result<TokenSet, TokenError> {
    let bad = |what: &str| TokenError {
        error: "invalid_response".to_owned(),
        error_description: Some(what.to_owned()),
    };
    if (200..300).contains(&status) {
        let set: TokenSet =
            serde_json::from_str(body).map_err(|_| bad("The token response is not valid JSON."))?;
        // RFC 6749 §7.1: only Bearer tokens are understood here.
        if !set.token_type.eq_ignore_ascii_case("bearer") {
            return Err(bad("Unexpected token_type."));
        }
        Ok(set)
    } else {
        Err(serde_json::from_str(body)
            .unwrap_or_else(|_| bad(&format!("HTTP {status} without an OAuth error."))))
    }
}

/// Masks a token for display: the first and last few characters.
pub fn mask(token: &str) -> String {
    let n = token.chars().count();
    if n <= 12 {
        return "•".repeat(n);
    }
    let head: String = token.chars().take(6).collect();
    let tail: String = token.chars().skip(n - 4).collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b_vector() {
        let v = CodeVerifier::from_stored("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".to_owned());
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_is_43_unreserved_characters_and_hidden() {
        let v = CodeVerifier::generate().unwrap();
        assert_eq!(v.secret().len(), 43);
        assert!(v
            .secret()
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(format!("{v:?}"), "CodeVerifier([redacted])");
        assert_ne!(v.secret(), CodeVerifier::generate().unwrap().secret());
    }

    #[test]
    fn authorization_url_carries_every_parameter() {
        let url = authorization_url(&AuthorizationRequest {
            authorization_endpoint: "https://id.example.com/oauth2/authorize",
            client_id: "app",
            redirect_uri: "https://app.example.com/cb",
            scope: "openid offline_access",
            state: "s",
            code_challenge: "c",
        })
        .unwrap();
        assert_eq!(
            url,
            "https://id.example.com/oauth2/authorize?response_type=code&client_id=app&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&scope=openid+offline_access&state=s&code_challenge=c&code_challenge_method=S256"
        );
    }

    #[test]
    fn callback_checks_issuer_state_and_errors() {
        let iss = "https://id.example.com";
        assert_eq!(
            validate_callback(
                "?code=abc&state=s&iss=https%3A%2F%2Fid.example.com",
                "s",
                iss
            ),
            Ok("abc".into())
        );
        assert_eq!(
            validate_callback(
                "code=abc&state=x&iss=https%3A%2F%2Fid.example.com",
                "s",
                iss
            ),
            Err(CallbackError::StateMismatch)
        );
        assert!(matches!(
            validate_callback("code=abc&state=s&iss=https%3A%2F%2Fevil.example", "s", iss),
            Err(CallbackError::IssuerMismatch { .. })
        ));
        assert!(matches!(
            validate_callback("code=abc&state=s", "s", iss),
            Err(CallbackError::IssuerMismatch { got: None })
        ));
        assert_eq!(
            validate_callback(
                "error=access_denied&error_description=no&state=s&iss=https%3A%2F%2Fid.example.com",
                "s",
                iss
            ),
            Err(CallbackError::Authorization {
                error: "access_denied".into(),
                description: Some("no".into())
            })
        );
        assert_eq!(
            validate_callback("state=s&iss=https%3A%2F%2Fid.example.com", "s", iss),
            Err(CallbackError::MissingCode)
        );
    }

    #[test]
    fn token_bodies_and_responses() {
        let v = CodeVerifier::from_stored("v".repeat(43));
        let body = token_request_body("c+d", "https://a/cb", "app", &v);
        assert!(body.starts_with("grant_type=authorization_code&code=c%2Bd&redirect_uri=https%3A%2F%2Fa%2Fcb&client_id=app&code_verifier=vvv"));
        let ok = process_token_response(200, r#"{"access_token":"a","token_type":"Bearer","expires_in":60,"scope":"openid","refresh_token":"r"}"#).unwrap();
        assert_eq!(ok.refresh_token.as_ref().map(|r| r.expose()), Some("r"));
        let err = process_token_response(
            400,
            r#"{"error":"invalid_grant","error_description":"gone"}"#,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "invalid_grant: gone");
        assert_eq!(
            process_token_response(502, "<html>").unwrap_err().error,
            "invalid_response"
        );
        assert!(process_token_response(
            200,
            r#"{"access_token":"a","token_type":"mac","expires_in":1}"#
        )
        .is_err());
        assert_eq!(mask("abcdefghijklmnopqrstuvwxyz"), "abcdef…wxyz");
    }
}
