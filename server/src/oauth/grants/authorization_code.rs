//! `authorization_code` (RFC 6749 §4.1.3, RFC 7636 §4.5–4.6).

use async_trait::async_trait;
use portico_proto::AppType;

use super::{active_user, GrantContext, GrantHandler};
use crate::crypto::random;
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::issue::{self, Issue, TokenResponse};
use crate::oauth::pkce;
use crate::oauth::scope::{self, Scopes};
use crate::store::{CodeRedemption, GrantRecord};

pub struct AuthorizationCode;

/// RFC 6749 §4.1.2 recommends a maximum code lifetime of 10 minutes; Portico uses 60 s.
pub const CODE_LIFETIME: i64 = 60;

#[async_trait]
impl GrantHandler for AuthorizationCode {
    fn grant_type(&self) -> &'static str {
        "authorization_code"
    }

    fn allowed_for(&self, t: AppType) -> bool {
        t.uses_redirects()
    }

    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse> {
        let state = ctx.state;
        let code = ctx.params.require("code")?;
        // Burn first: a wrong verifier or redirect URI still uses the code up, so it
        // cannot be tried again (RFC 6749 §4.1.2: the code MUST NOT be used more than once).
        let record = match state
            .stores
            .grants
            .redeem_code(&state.hasher.hash(code), ctx.now)
            .await?
        {
            CodeRedemption::Fresh(r) => r,
            CodeRedemption::Replayed => {
                return Err(OAuthError::invalid_grant(
                    "The code was already used; the tokens it issued are revoked.",
                ))
            }
            CodeRedemption::Unknown => {
                return Err(OAuthError::invalid_grant("The code is invalid or expired."))
            }
        };
        if record.expires_at <= ctx.now {
            return Err(OAuthError::invalid_grant("The code is invalid or expired."));
        }
        // RFC 6749 §4.1.3: the code was issued to this client, for this redirect URI.
        if record.client_id != ctx.client.client_id() {
            return Err(OAuthError::invalid_grant("The code is invalid or expired.")
                .with_internal("code of another client"));
        }
        if ctx.params.get("redirect_uri").unwrap_or("") != record.redirect_uri {
            return Err(OAuthError::invalid_grant(
                "`redirect_uri` does not match the authorization request.",
            ));
        }
        // RFC 7636 §4.6, RFC 9700 §2.1.1: a challenge binds the code to the verifier, and a
        // verifier without a challenge is a downgrade attempt.
        match (&record.code_challenge, ctx.params.get("code_verifier")) {
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
        let Some(user) = active_user(state, &record.user_id).await? else {
            return Err(OAuthError::invalid_grant("The user is no longer active."));
        };
        let scopes = Scopes::parse(&record.scope)?;
        let grant = GrantRecord {
            id: random::id()?,
            user_id: Some(user.id.clone()),
            client_id: record.client_id.clone(),
            scope: record.scope.clone(),
            auth_time: record.auth_time,
            created_at: ctx.now,
            last_used_at: ctx.now,
            revoked_at: None,
        };
        // A refresh token only when the scope includes offline_access (docs/architecture.md).
        let refresh = if scopes.contains(scope::OFFLINE_ACCESS) {
            Some(issue::new_refresh(
                state,
                &grant.id,
                &grant.client_id,
                &grant.scope,
                ctx.now,
            )?)
        } else {
            None
        };
        let stored = state
            .stores
            .grants
            .create_grant_for_code(&record.code_hash, &grant, refresh.as_ref().map(|(_, r)| r))
            .await?;
        if !stored {
            return Err(OAuthError::invalid_grant(
                "The code was already used; the tokens it issued are revoked.",
            ));
        }
        issue::respond(
            state,
            Issue {
                client: &ctx.client,
                user: Some(&user),
                scopes: &scopes,
                grant_id: Some(&grant.id),
                refresh_token: refresh.map(|(v, _)| v),
                nonce: record.nonce.as_deref(),
                auth_time: record.auth_time,
            },
        )
        .await
    }
}
