//! Facts about Portico's own console that the server and the console must agree on.

/// The console's built-in OAuth client: public (PKCE), skips consent, the only client that
/// may hold the `admin` scope.
pub const CLIENT_ID: &str = "portico-console";

/// Where the console receives the authorization response (`<issuer>` + this path is the
/// console client's one redirect URI).
pub const CALLBACK_PATH: &str = "/auth/callback";

/// The console page that asks "Sign out of Portico?" when an app's end-session request
/// (OpenID Connect RP-Initiated Logout 1.0 §2) cannot show that the signed-in user asked.
pub const LOGOUT_PATH: &str = "/logout";

/// The console page shown after signing out when there is no app URL to return to.
pub const SIGNED_OUT_PATH: &str = "/signed-out";

/// Where the console gets its tokens from the browser's Portico session without leaving the
/// page (`POST`, same origin, JSON): what a silent authorization round trip would give it,
/// minus two page loads. Refused without a live session; the console then signs in through
/// the authorization endpoint.
pub const SESSION_TOKEN_PATH: &str = "/api/v1/session/console-token";

/// The scopes the console asks for: who you are, the admin API (granted to administrators
/// only), and a refresh token.
pub fn scope() -> String {
    use crate::scope::{ADMIN, EMAIL, OFFLINE_ACCESS, OPENID, PROFILE};
    [OPENID, PROFILE, EMAIL, ADMIN, OFFLINE_ACCESS].join(" ")
}
