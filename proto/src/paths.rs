//! Where Portico's protocol endpoints live, relative to the issuer (RFC 8414 §3 puts the
//! metadata under `/.well-known/`). The server routes these paths and advertises the full
//! URLs; clients of the console build them the same way.

pub const AUTHORIZE: &str = "/oauth2/authorize";
pub const TOKEN: &str = "/oauth2/token";
pub const REVOKE: &str = "/oauth2/revoke";
pub const INTROSPECT: &str = "/oauth2/introspect";
pub const USERINFO: &str = "/oauth2/userinfo";
pub const JWKS: &str = "/oauth2/jwks";
/// OpenID Connect RP-Initiated Logout 1.0 §2: where an app sends the browser to sign out.
pub const END_SESSION: &str = "/oauth2/end_session";
pub const OAUTH_METADATA: &str = "/.well-known/oauth-authorization-server";
pub const OPENID_METADATA: &str = "/.well-known/openid-configuration";
/// The sample protected resource: who the token speaks for.
pub const ME: &str = "/api/v1/me";

/// The full URLs of the endpoints for one issuer, built once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    pub authorize: String,
    pub token: String,
    pub revoke: String,
    pub introspect: String,
    pub userinfo: String,
    pub jwks: String,
    pub end_session: String,
}

impl Endpoints {
    /// `issuer` without a trailing slash, as the server keeps it.
    pub fn for_issuer(issuer: &str) -> Self {
        let at = |path: &str| format!("{issuer}{path}");
        Self {
            authorize: at(AUTHORIZE),
            token: at(TOKEN),
            revoke: at(REVOKE),
            introspect: at(INTROSPECT),
            userinfo: at(USERINFO),
            jwks: at(JWKS),
            end_session: at(END_SESSION),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_the_issuer_and_the_path() {
        let e = Endpoints::for_issuer("https://login.example.org");
        assert_eq!(e.token, "https://login.example.org/oauth2/token");
        assert_eq!(e.jwks, "https://login.example.org/oauth2/jwks");
        assert_eq!(
            e.end_session,
            "https://login.example.org/oauth2/end_session"
        );
    }
}
