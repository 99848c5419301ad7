//! `client_credentials` (RFC 6749 §4.4): a token for the app itself, no user. Its only
//! scope is `admin`, for an app an administrator lets automate the admin API
//! (`authority::may_automate_admin`).

use async_trait::async_trait;
use portico_proto::AppType;

use super::{GrantContext, GrantHandler};
use crate::oauth::authority;
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::issue::{Issue, TokenResponse};
use crate::oauth::scope::{Scopes, ADMIN};

pub struct ClientCredentials;

#[async_trait]
impl GrantHandler for ClientCredentials {
    fn grant_type(&self) -> &'static str {
        "client_credentials"
    }

    fn allowed_for(&self, t: AppType) -> bool {
        t == AppType::MachineToMachine
    }

    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse> {
        let scopes = Scopes::parse(ctx.params.get("scope").unwrap_or(""))?;
        // RFC 6749 §3.3: the server may refuse a scope. `admin` only for an app allowed to
        // automate the admin API; the admin API checks the app again on every request.
        if scopes.contains(ADMIN) && !authority::may_automate_admin(&ctx.client.app) {
            return Err(OAuthError::invalid_scope(
                "`admin` belongs to Portico's console, and to machine-to-machine apps an administrator gave admin API access.",
            ));
        }
        // Portico's other scopes all describe a user's data or rights; an app acting for
        // itself has none of them (RFC 6749 §4.4.3: no refresh token either).
        if let Some(s) = scopes.iter().find(|s| *s != ADMIN) {
            return Err(OAuthError::invalid_scope(format!(
                "`{s}` is a user scope; client credentials tokens carry no user scopes."
            )));
        }
        ctx.deps
            .respond(Issue {
                client: &ctx.client,
                user: None,
                scopes: &scopes,
                grant_id: None,
                refresh_token: None,
                nonce: None,
                auth_time: ctx.now,
                password_sign_in: false,
            })
            .await
    }
}
