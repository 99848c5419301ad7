//! `refresh_token` (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2).

use async_trait::async_trait;
use portico_proto::AppType;

use super::{GrantContext, GrantHandler};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::issue::{self, Issue, TokenResponse};
use crate::oauth::scope::Scopes;
use crate::store::{GrantRecord, RefreshLookup, RefreshRecord};
use portico_proto::app::AppSettings;

pub struct RefreshToken;

const INVALID: &str = "The refresh token is invalid, expired or revoked.";

#[async_trait]
impl GrantHandler for RefreshToken {
    fn grant_type(&self) -> &'static str {
        "refresh_token"
    }

    fn allowed_for(&self, t: AppType) -> bool {
        t.uses_redirects()
    }

    async fn exchange(&self, ctx: GrantContext<'_>) -> OAuthResult<TokenResponse> {
        let state = ctx.state;
        let presented = ctx.params.require("refresh_token")?;
        let hash = state.hasher.hash(presented);
        let (token, grant, user) = match state.stores.grants.find_refresh(&hash).await? {
            RefreshLookup::Active(t, g, u) => (t, g, u),
            RefreshLookup::Reused {
                grant_id,
                client_id,
            } => {
                // RFC 9700 §4.14.2: a rotated token presented again means it leaked; end
                // the whole family, whoever presents it.
                state.stores.grants.revoke_grant(&grant_id, ctx.now).await?;
                let event = crate::store::AuditRecord {
                    at: ctx.now,
                    actor: format!("client:{}", ctx.client.client_id()),
                    action: "refresh.reuse_detected",
                    client_id: Some(client_id),
                    detail: format!(
                        "a rotated refresh token came back; grant {grant_id} and every token of it revoked"
                    ),
                };
                state.stores.audit.record_event(&event).await;
                return Err(OAuthError::invalid_grant(INVALID)
                    .with_internal("rotated refresh token reused; family revoked"));
            }
            RefreshLookup::Invalid => return Err(OAuthError::invalid_grant(INVALID)),
        };
        // RFC 6749 §6: the refresh token is bound to the client it was issued to.
        if token.client_id != ctx.client.client_id() {
            return Err(
                OAuthError::invalid_grant(INVALID).with_internal("refresh token of another client")
            );
        }
        let policy = &ctx.client.app.settings;
        if let Some(exp) = expires_at(policy, &grant, &token) {
            if exp <= ctx.now {
                return Err(
                    OAuthError::invalid_grant(INVALID).with_internal("refresh token expired")
                );
            }
        }
        let granted = Scopes::parse(&grant.scope)?;
        // RFC 6749 §6: the scope may be narrowed, never widened.
        let scopes = match ctx.params.get("scope") {
            Some(s) => {
                let requested = Scopes::parse(s)?;
                if !requested.is_subset(&granted) {
                    return Err(OAuthError::invalid_scope(
                        "The requested scope exceeds what was granted.",
                    ));
                }
                requested
            }
            None => granted,
        };
        // The grant's user, read with the token: gone or disabled ends the grant's use.
        let Some(user) = user.filter(|u| !u.disabled) else {
            return Err(OAuthError::invalid_grant(INVALID).with_internal("user inactive"));
        };
        // RFC 9700 §4.14.2: a public client's refresh tokens MUST be sender-constrained or
        // rotated; Portico rotates them whatever an older stored setting says.
        let rotate = policy.rotate_refresh_token || ctx.client.is_public();
        let refresh_token = if rotate {
            // The new token keeps the grant's scope (RFC 6749 §6) and its original sign-in time.
            let (value, record) =
                issue::new_refresh(state, &grant.id, &grant.client_id, &grant.scope, ctx.now)?;
            // The grant's "last used" (shown in Connected apps) is kept to the minute, like
            // apps' and secrets' (`usage`): one statement less in the write transaction of
            // a busy refresh chain. Inactivity expiry reads the token's own time, exact.
            let touch_grant = ctx.now - grant.last_used_at >= crate::runtime::usage::EVERY;
            if !state
                .stores
                .grants
                .rotate_refresh(&hash, &record, ctx.now, touch_grant)
                .await?
            {
                // Another request rotated it first: exactly one concurrent use succeeds.
                return Err(
                    OAuthError::invalid_grant(INVALID).with_internal("lost a concurrent rotation")
                );
            }
            Some(value)
        } else {
            state
                .stores
                .grants
                .touch_refresh(&hash, &grant.id, ctx.now)
                .await?;
            None
        };
        issue::respond(
            state,
            Issue {
                client: &ctx.client,
                user: Some(&user),
                scopes: &scopes,
                grant_id: Some(&grant.id),
                refresh_token,
                nonce: None,
                auth_time: grant.auth_time,
            },
        )
        .await
    }
}

/// When a live refresh token stops working under the app's policy: absolute expiry counts
/// from the original sign-in (rotation never extends it), inactivity from the token's last
/// use; the earlier of the two, or `None` when the policy says never for both.
pub fn expires_at(policy: &AppSettings, grant: &GrantRecord, token: &RefreshRecord) -> Option<i64> {
    let absolute = policy
        .refresh_token_absolute_lifetime
        .map(|a| grant.auth_time.saturating_add(a as i64));
    let idle = policy
        .refresh_token_inactivity_lifetime
        .map(|i| token.last_used_at.saturating_add(i as i64));
    match (absolute, idle) {
        (Some(a), Some(i)) => Some(a.min(i)),
        (a, i) => a.or(i),
    }
}
