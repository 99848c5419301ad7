//! The OAuth 2.0 / OpenID Connect protocol: one module per endpoint, one per grant.

pub mod assertion;
pub mod authority;
pub mod authorize;
pub mod client_auth;
pub mod cookies;
pub mod cors;
pub mod discovery;
pub mod end_session;
pub mod error;
pub mod form;
pub mod grants;
pub mod introspection;
pub mod issue;
pub mod openapi;
pub mod pkce;
pub mod resource;
pub mod revocation;
pub mod scope;
pub mod token;

use axum::http::{Extensions, HeaderMap};

use crate::state::AppState;

/// The caller's address, for abuse limits (see `http::client_addr`).
pub fn client_ip(state: &AppState, headers: &HeaderMap, ext: &Extensions) -> String {
    crate::http::client_addr::of(&state.config.trusted_proxies, headers, ext)
}
