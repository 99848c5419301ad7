//! Signing in with OAuth 2.0 authorization code + PKCE: the protocol steps (`pkce`),
//! their network calls (`flow`), and the console's own session built on them (`session`).

pub mod flow;
pub mod pkce;
pub mod session;
