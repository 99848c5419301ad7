//! The scope values Portico knows (RFC 6749 §3.3; OpenID Connect Core §5.4).

pub const OPENID: &str = "openid";
pub const PROFILE: &str = "profile";
pub const EMAIL: &str = "email";
/// A refresh token is issued only when the scope includes it (OpenID Connect Core §11).
pub const OFFLINE_ACCESS: &str = "offline_access";
/// Opens Portico's admin API; only the console client may hold it, only for administrators.
pub const ADMIN: &str = "admin";
