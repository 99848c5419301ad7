//! `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1): a machine-to-machine app
//! acts for a user with an assertion signed by one of its registered keys.

use async_trait::async_trait;
use portico_proto::AppType;

use super::{GrantContext, GrantHandler};
use crate::crypto::random;
use crate::oauth::assertion::{self, Expectations, Purpose};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::issue::{self, Issue, TokenResponse};
use crate::oauth::scope::{self, Scopes};
use crate::store::GrantRecord;

pub struct JwtBearer;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[async_trait]
impl GrantHandler for JwtBearer {
    fn grant_type(&self) -> &'static str {
        GRANT_TYPE
    }

    fn allowed_for(&self, t: AppType) -> bool {
        t == AppType::MachineToMachine
    }

    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse> {
        let state = ctx.state;
        let jwt = ctx.params.require("assertion")?;
        let keys = crate::oauth::assertion::registered_keys(&ctx.client);
        let audiences = [state.config.issuer.as_str(), state.endpoints.token.as_str()];
        // RFC 7523 §3.1: a bad assertion is `invalid_grant`.
        let claims = assertion::validate(
            jwt,
            &keys,
            &Expectations {
                client_id: ctx.client.client_id(),
                audiences: &audiences,
                now: ctx.now,
                purpose: Purpose::AuthorizationGrant,
            },
        )
        .map_err(|e| OAuthError::invalid_grant(e.to_string()))?;
        if !state
            .stores
            .grants
            .use_assertion_jti(ctx.client.client_id(), &claims.jti, claims.exp, ctx.now)
            .await?
        {
            return Err(OAuthError::invalid_grant(
                "The assertion's `jti` was already used.",
            ));
        }
        // `sub` names the user by id or by username.
        let user = match state.stores.users.user_by_id(&claims.sub).await? {
            Some(u) => Some(u),
            None => state.stores.users.user_by_username(&claims.sub).await?,
        };
        let Some(user) = user.filter(|u| !u.disabled) else {
            return Err(OAuthError::invalid_grant(
                "The assertion's subject is not an active user.",
            ));
        };
        // RFC 7523 §3 point 2: the authorization server decides whom an issuer may assert.
        // Only the users an administrator listed for this app, and never an administrator
        // (also one promoted after being listed).
        if !may_act_as(&ctx.client.app.settings.jwt_bearer_users, &user) {
            return Err(OAuthError::invalid_grant(
                "This app may not act as the assertion's subject: an administrator must list the user in the app's jwt_bearer_users.",
            )
            .with_internal(format!("sub {} not in jwt_bearer_users", user.id)));
        }
        let scopes = Scopes::parse(ctx.params.get("scope").unwrap_or(""))?;
        if scopes.contains(scope::ADMIN) {
            return Err(OAuthError::invalid_scope(
                "`admin` is granted only through interactive sign-in.",
            ));
        }
        if scopes.contains(scope::OFFLINE_ACCESS) {
            return Err(OAuthError::invalid_scope(
                "No refresh tokens for JWT assertions: present a new assertion instead.",
            ));
        }
        // A grant row, so revoking the user's grants ends these tokens too.
        let grant = GrantRecord {
            id: random::id()?,
            user_id: Some(user.id.clone()),
            client_id: ctx.client.client_id().to_owned(),
            scope: scopes.to_param(),
            auth_time: ctx.now,
            created_at: ctx.now,
            last_used_at: ctx.now,
            revoked_at: None,
        };
        state.stores.grants.create_grant(&grant, None).await?;
        issue::respond(
            state,
            Issue {
                client: &ctx.client,
                user: Some(&user),
                scopes: &scopes,
                grant_id: Some(&grant.id),
                refresh_token: None,
                nonce: None,
                auth_time: ctx.now,
            },
        )
        .await
    }
}

/// Whether an app whose administrator listed `allowed` may act as `user`.
pub fn may_act_as(allowed: &[String], user: &crate::store::UserRecord) -> bool {
    !user.is_admin && !user.disabled && allowed.contains(&user.username)
}
