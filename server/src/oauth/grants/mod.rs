//! One handler per grant type behind one trait (fosite's convention). The token endpoint
//! authenticates the client, then dispatches here by `grant_type`.

pub mod authorization_code;
pub mod client_credentials;
pub mod jwt_bearer;
pub mod refresh_token;

use std::sync::Arc;

use async_trait::async_trait;
use portico_proto::AppType;

use super::client_auth::AuthMethod;
use super::error::OAuthResult;
use super::form::Params;
use super::issue::{self, Issue, TokenResponse};
use crate::clock::Clock;
use crate::crypto::secret::SecretHasher;
use crate::runtime::clients::Client;
use crate::signing::TokenService;
use crate::store::{AuditStore, GrantStore, UserRecord, UserStore};

/// Everything a grant uses, and nothing else: the token endpoint builds it from `AppState`
/// (`oauth::token`), so what a grant reads and writes is listed here, not the whole state.
pub struct GrantDeps<'a> {
    /// Codes, grants, refresh tokens and assertion `jti`s: what every grant writes.
    pub grants: &'a dyn GrantStore,
    /// The user a grant acts for (`active_user`, the JWT bearer's `sub`).
    pub users: &'a dyn UserStore,
    /// Security events noticed while answering (refresh token reuse).
    pub audit: &'a dyn AuditStore,
    /// Keyed hashes of codes and refresh tokens: only hashes are stored.
    pub hasher: &'a SecretHasher,
    /// Signs the access and ID tokens (`issue::respond`).
    pub tokens: &'a TokenService,
    pub clock: &'a dyn Clock,
    /// RFC 7523 §3 audiences an assertion may name: the issuer and the token endpoint.
    pub issuer: &'a str,
    pub token_endpoint: &'a str,
    /// Counts security events (refresh token reuse) for `/metrics`.
    pub metrics: &'a crate::metrics::Metrics,
}

impl GrantDeps<'_> {
    /// The RFC 6749 §5.1 answer for what a grant decided to issue, signed now.
    pub async fn respond(&self, issue: Issue<'_>) -> OAuthResult<TokenResponse> {
        issue::respond(self.tokens, self.clock.now(), issue).await
    }
}

/// One token request: who asked (authenticated), with what, and when.
pub struct GrantContext<'a> {
    pub deps: GrantDeps<'a>,
    pub client: Arc<Client>,
    pub method: AuthMethod,
    pub params: &'a Params,
    pub now: i64,
}

#[async_trait]
pub trait GrantHandler: Send + Sync {
    /// The `grant_type` value (RFC 6749 §4, RFC 7523 §2.1).
    fn grant_type(&self) -> &'static str;
    /// Which app types may use this grant.
    fn allowed_for(&self, t: AppType) -> bool;
    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse>;
}

pub static HANDLERS: [&dyn GrantHandler; 4] = [
    &authorization_code::AuthorizationCode,
    &refresh_token::RefreshToken,
    &client_credentials::ClientCredentials,
    &jwt_bearer::JwtBearer,
];

pub fn find(grant_type: &str) -> Option<&'static dyn GrantHandler> {
    HANDLERS
        .iter()
        .copied()
        .find(|h| h.grant_type() == grant_type)
}

/// The user a grant acts for, when it still exists and is enabled.
pub async fn active_user(users: &dyn UserStore, user_id: &str) -> OAuthResult<Option<UserRecord>> {
    Ok(users.user_by_id(user_id).await?.filter(|u| !u.disabled))
}
