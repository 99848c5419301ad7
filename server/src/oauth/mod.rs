//! The OAuth 2.0 / OpenID Connect protocol: one module per endpoint, one per grant.

pub mod assertion;
pub mod authority;
pub mod authorize;
pub mod client_auth;
pub mod clients;
pub mod cors;
pub mod discovery;
pub mod error;
pub mod form;
pub mod grants;
pub mod introspection;
pub mod issue;
pub mod pkce;
pub mod rate_limit;
pub mod resource;
pub mod revocation;
pub mod scope;
pub mod token;
pub mod usage;

use std::net::SocketAddr;

use axum::extract::connect_info::ConnectInfo;
use axum::http::Extensions;

/// The caller's address, for rate limits; "unknown" when the server runs without
/// connection info.
pub fn client_ip(ext: &Extensions) -> String {
    ext.get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
