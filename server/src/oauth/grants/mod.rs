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
use super::issue::TokenResponse;
use crate::runtime::clients::Client;
use crate::state::AppState;
use crate::store::UserRecord;

pub struct GrantContext<'a> {
    pub state: &'a AppState,
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
pub async fn active_user(state: &AppState, user_id: &str) -> OAuthResult<Option<UserRecord>> {
    Ok(state
        .stores
        .users
        .user_by_id(user_id)
        .await?
        .filter(|u| !u.disabled))
}
