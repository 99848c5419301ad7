//! Facts about Portico's own console that the server and the console must agree on.

/// The console's built-in OAuth client: public (PKCE), skips consent, the only client that
/// may hold the `admin` scope.
pub const CLIENT_ID: &str = "portico-console";

/// Where the console receives the authorization response (`<issuer>` + this path is the
/// console client's one redirect URI).
pub const CALLBACK_PATH: &str = "/auth/callback";
