//! `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523 §2.1): a machine-to-machine app
//! acts for a user with an assertion signed by one of its registered keys. The steps, in
//! order: validate the assertion, find the subject the app may act as, check the scope,
//! record the grant and answer.

use async_trait::async_trait;
use portico_proto::AppType;

use super::{GrantContext, GrantDeps, GrantHandler};
use crate::crypto::random;
use crate::oauth::assertion::{self, Expectations, Purpose};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::form::Params;
use crate::oauth::issue::{Issue, TokenResponse};
use crate::oauth::scope::{self, Scopes};
use crate::runtime::clients::Client;
use crate::store::{GrantRecord, UserRecord};

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
        let deps = &ctx.deps;
        let jwt = ctx.params.require("assertion")?;
        let sub = validate(deps, &ctx.client, jwt, ctx.now).await?;
        let user = subject(deps, &ctx.client, &sub).await?;
        let scopes = requested_scope(ctx.params)?;
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
        deps.grants.create_grant(&grant, None).await?;
        deps.respond(Issue {
            client: &ctx.client,
            user: Some(&user),
            scopes: &scopes,
            grant_id: Some(&grant.id),
            refresh_token: None,
            nonce: None,
            auth_time: ctx.now,
            password_sign_in: false,
        })
        .await
    }
}

/// RFC 7523 §3: signed by one of the app's keys, issued by the app, for this server, not
/// expired, and its `jti` used once; a bad assertion is `invalid_grant` (§3.1). Returns
/// the assertion's `sub`.
async fn validate(
    deps: &GrantDeps<'_>,
    client: &Client,
    jwt: &str,
    now: i64,
) -> OAuthResult<String> {
    let keys = assertion::registered_keys(client);
    let audiences = [deps.issuer, deps.token_endpoint];
    let expect = Expectations {
        client_id: client.client_id(),
        audiences: &audiences,
        now,
        purpose: Purpose::AuthorizationGrant,
    };
    // The client is authenticated already, so every reason is told, the key's too.
    let claims = assertion::validate(jwt, &keys, &expect)
        .map_err(|e| OAuthError::invalid_grant(e.describe(&expect)))?;
    if !deps
        .grants
        .use_assertion_jti(client.client_id(), &claims.jti, claims.exp, now)
        .await?
    {
        return Err(OAuthError::invalid_grant(assertion::JTI_REUSED));
    }
    Ok(claims.sub)
}

/// The active user `sub` names, by id or by username, when this app may act as them.
async fn subject(deps: &GrantDeps<'_>, client: &Client, sub: &str) -> OAuthResult<UserRecord> {
    let user = match deps.users.user_by_id(sub).await? {
        Some(u) => Some(u),
        None => deps.users.user_by_username(sub).await?,
    };
    let Some(user) = user.filter(|u| !u.disabled) else {
        return Err(OAuthError::invalid_grant(format!(
            "The assertion sub {} names no active user (sub is a user's id or username; \
             disabled users are refused).",
            scope::printable(sub)
        )));
    };
    // RFC 7523 §3 point 2: the authorization server decides whom an issuer may assert.
    // Only the users an administrator listed for this app, and never an administrator
    // (also one promoted after being listed).
    if !may_act_as(&client.app.settings.jwt_bearer_users, &user) {
        return Err(OAuthError::invalid_grant(
            "This app may not act as the assertion sub: an administrator must list the user in \
             the app's jwt_bearer_users (administrators are never allowed).",
        )
        .with_internal(format!("sub {} not in jwt_bearer_users", user.id)));
    }
    Ok(user)
}

/// The scope asked (RFC 6749 §3.3), refused when it holds what an assertion may not carry
/// here: `admin` (interactive sign-in only) and `offline_access` (no refresh tokens: the
/// app can always sign a new assertion).
fn requested_scope(params: &Params) -> OAuthResult<Scopes> {
    let scopes = Scopes::parse(params.get("scope").unwrap_or(""))?;
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
    Ok(scopes)
}

/// Whether an app whose administrator listed `allowed` may act as `user`.
pub fn may_act_as(allowed: &[String], user: &UserRecord) -> bool {
    !user.is_admin && !user.disabled && allowed.contains(&user.username)
}
