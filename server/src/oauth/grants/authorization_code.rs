//! `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6), in the order the steps run:
//! redeem the code, check what it is bound to, check the PKCE verifier, then record the
//! grant and answer.

use async_trait::async_trait;
use portico_proto::AppType;

use super::{active_user, GrantContext, GrantDeps, GrantHandler};
use crate::crypto::random;
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::form::Params;
use crate::oauth::issue::{self, Issue, TokenResponse};
use crate::oauth::pkce;
use crate::oauth::scope::{self, Scopes};
use crate::runtime::clients::Client;
use crate::store::{CodeRecord, CodeRedemption, GrantRecord};

pub struct AuthorizationCode;

/// RFC 6749 §4.1.2 recommends a maximum code lifetime of 10 minutes; Portico uses 60 s.
pub const CODE_LIFETIME: i64 = 60;

const INVALID: &str = "The code is invalid or expired.";
const REPLAYED: &str = "The code was already used; the tokens it issued are revoked.";

#[async_trait]
impl GrantHandler for AuthorizationCode {
    fn grant_type(&self) -> &'static str {
        "authorization_code"
    }

    fn allowed_for(&self, t: AppType) -> bool {
        t.uses_redirects()
    }

    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse> {
        let deps = &ctx.deps;
        let record = redeem(deps, ctx.params.require("code")?, ctx.now).await?;
        check_binding(&record, &ctx.client, ctx.params)?;
        check_verifier(&record, ctx.params)?;
        let Some(user) = active_user(deps.users, &record.user_id).await? else {
            return Err(OAuthError::invalid_grant("The user is no longer active."));
        };
        let scopes = Scopes::parse(&record.scope)?;
        let (grant, refresh_token) = record_grant(deps, &record, &scopes, ctx.now).await?;
        deps.respond(Issue {
            client: &ctx.client,
            user: Some(&user),
            scopes: &scopes,
            grant_id: Some(&grant.id),
            refresh_token,
            nonce: record.nonce.as_deref(),
            auth_time: record.auth_time,
        })
        .await
    }
}

/// Burns the code first: a wrong verifier or redirect URI still uses it up, so it cannot be
/// tried again (RFC 6749 §4.1.2: the code MUST NOT be used more than once; a second use
/// revokes what the first issued, which the store does).
async fn redeem(deps: &GrantDeps<'_>, code: &str, now: i64) -> OAuthResult<CodeRecord> {
    let record = match deps
        .grants
        .redeem_code(&deps.hasher.hash(code), now)
        .await?
    {
        CodeRedemption::Fresh(r) => r,
        CodeRedemption::Replayed => return Err(OAuthError::invalid_grant(REPLAYED)),
        CodeRedemption::Unknown => return Err(OAuthError::invalid_grant(INVALID)),
    };
    if record.expires_at <= now {
        return Err(OAuthError::invalid_grant(INVALID));
    }
    Ok(record)
}

/// RFC 6749 §4.1.3: the code was issued to this client, for this redirect URI (which must
/// be repeated exactly when the authorization request carried one).
fn check_binding(record: &CodeRecord, client: &Client, params: &Params) -> OAuthResult<()> {
    if record.client_id != client.client_id() {
        return Err(OAuthError::invalid_grant(INVALID).with_internal("code of another client"));
    }
    if params.get("redirect_uri").unwrap_or("") != record.redirect_uri {
        return Err(OAuthError::invalid_grant(
            "`redirect_uri` does not match the authorization request.",
        ));
    }
    Ok(())
}

/// RFC 7636 §4.6, RFC 9700 §2.1.1: a challenge binds the code to the verifier, and a
/// verifier without a challenge is a downgrade attempt.
fn check_verifier(record: &CodeRecord, params: &Params) -> OAuthResult<()> {
    match (&record.code_challenge, params.get("code_verifier")) {
        (Some(challenge), Some(verifier)) => {
            if !pkce::is_valid_verifier(verifier) {
                return Err(OAuthError::invalid_grant(
                    "`code_verifier` must be 43–128 unreserved characters.",
                ));
            }
            if !pkce::verify(verifier, challenge) {
                return Err(OAuthError::invalid_grant(
                    "`code_verifier` does not match the code challenge.",
                ));
            }
        }
        (Some(_), None) => {
            return Err(OAuthError::invalid_grant(
                "`code_verifier` is required (PKCE).",
            ))
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_grant(
                "A `code_verifier` was sent but the authorization request had no challenge.",
            ))
        }
        (None, None) => {}
    }
    Ok(())
}

/// Stores the grant, and its refresh token when the scope includes `offline_access`
/// (OIDC Core §11), in the same write that ties them to the code, so a replay of the code
/// (RFC 6749 §4.1.2) finds them to revoke. Returns the grant and the refresh token's value.
async fn record_grant(
    deps: &GrantDeps<'_>,
    record: &CodeRecord,
    scopes: &Scopes,
    now: i64,
) -> OAuthResult<(GrantRecord, Option<String>)> {
    let grant = GrantRecord {
        id: random::id()?,
        user_id: Some(record.user_id.clone()),
        client_id: record.client_id.clone(),
        scope: record.scope.clone(),
        auth_time: record.auth_time,
        created_at: now,
        last_used_at: now,
        revoked_at: None,
    };
    let refresh = if scopes.contains(scope::OFFLINE_ACCESS) {
        Some(issue::new_refresh(
            deps.hasher,
            &grant.id,
            &grant.client_id,
            &grant.scope,
            now,
        )?)
    } else {
        None
    };
    let stored = deps
        .grants
        .create_grant_for_code(&record.code_hash, &grant, refresh.as_ref().map(|(_, r)| r))
        .await?;
    if !stored {
        return Err(OAuthError::invalid_grant(REPLAYED));
    }
    Ok((grant, refresh.map(|(v, _)| v)))
}
