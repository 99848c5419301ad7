//! `refresh_token` (RFC 6749 §6) with rotation and reuse detection (RFC 9700 §4.14.2), in
//! the order the steps run: look the token up (a reused one ends its family, unless it
//! comes back within the app's reuse grace), check it is this client's and live, narrow
//! the scope, then rotate or touch it and answer.

use async_trait::async_trait;
use portico_proto::AppType;
use portico_proto::AuditAction;

use portico_proto::app::AppSettings;

use super::{GrantContext, GrantDeps, GrantHandler};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::oauth::form::Params;
use crate::oauth::issue::{self, Issue, TokenResponse};
use crate::oauth::scope::Scopes;
use crate::runtime::clients::Client;
use crate::store::{AuditRecord, GrantRecord, RefreshLookup, RefreshRecord, Rotation, UserRecord};

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
        let deps = &ctx.deps;
        let hash = deps.hasher.hash(ctx.params.require("refresh_token")?);
        let (token, grant, user) = look_up(deps, &ctx.client, &hash, ctx.now).await?;
        check_live(&ctx.client, &grant, &token, ctx.now)?;
        let scopes = narrowed_scope(ctx.params, &grant)?;
        // The grant's user, read with the token: gone or disabled ends the grant's use.
        let Some(user) = user.filter(|u| !u.disabled) else {
            return Err(OAuthError::invalid_grant(INVALID).with_internal("user inactive"));
        };
        let refresh_token = rotate_or_touch(deps, &ctx.client, &hash, &grant, ctx.now).await?;
        deps.respond(Issue {
            client: &ctx.client,
            user: Some(&user),
            scopes: &scopes,
            grant_id: Some(&grant.id),
            refresh_token,
            nonce: None,
            auth_time: grant.auth_time,
            // Only the code flow issues refresh tokens: the grant began with a password.
            password_sign_in: true,
        })
        .await
    }
}

/// The live token, its grant and the grant's user. RFC 9700 §4.14.2: a rotated token
/// presented again means it leaked; the whole family ends, whoever presents it, and the
/// event is recorded — unless it comes back within the app's reuse grace (`in_grace`).
async fn look_up(
    deps: &GrantDeps<'_>,
    client: &Client,
    hash: &[u8],
    now: i64,
) -> OAuthResult<(RefreshRecord, GrantRecord, Option<UserRecord>)> {
    match deps.grants.find_refresh(hash).await? {
        RefreshLookup::Active(t, g, u) => Ok((t, g, u)),
        RefreshLookup::Rotated(t, g, u) if in_grace(client, &t, now) => {
            // Its rotation was its last use: inactivity counts from there.
            let last_used_at = t.last_used_at.max(t.rotated_at.unwrap_or(t.last_used_at));
            Ok((RefreshRecord { last_used_at, ..t }, g, u))
        }
        RefreshLookup::Rotated(t, ..) => {
            let (grant_id, client_id) = (t.grant_id, t.client_id);
            deps.grants.revoke_grant(&grant_id, now).await?;
            let event = AuditRecord {
                at: now,
                actor: format!("client:{}", client.client_id()),
                action: AuditAction::RefreshReuseDetected,
                client_id: Some(client_id),
                detail: format!(
                    "a rotated refresh token came back; grant {grant_id} and every token of it revoked"
                ),
            };
            deps.audit.record_event(&event).await;
            deps.metrics.refresh_reuse_detected.inc();
            Err(OAuthError::invalid_grant(INVALID)
                .with_internal("rotated refresh token reused; family revoked"))
        }
        RefreshLookup::Invalid => Err(OAuthError::invalid_grant(INVALID)),
    }
}

/// RFC 6749 §6: the refresh token is bound to the client it was issued to; and it has not
/// outlived the app's expiry policy (`expires_at`).
fn check_live(
    client: &Client,
    grant: &GrantRecord,
    token: &RefreshRecord,
    now: i64,
) -> OAuthResult<()> {
    if token.client_id != client.client_id() {
        return Err(
            OAuthError::invalid_grant(INVALID).with_internal("refresh token of another client")
        );
    }
    if let Some(exp) = expires_at(&client.app.settings, grant, token) {
        if exp <= now {
            return Err(OAuthError::invalid_grant(INVALID).with_internal("refresh token expired"));
        }
    }
    Ok(())
}

/// RFC 6749 §6: the scope may be narrowed, never widened; left out, it is the grant's.
fn narrowed_scope(params: &Params, grant: &GrantRecord) -> OAuthResult<Scopes> {
    let granted = Scopes::parse(&grant.scope)?;
    match params.get("scope") {
        Some(s) => {
            let requested = Scopes::parse(s)?;
            if !requested.is_subset(&granted) {
                return Err(OAuthError::invalid_scope(
                    "The requested scope exceeds what was granted.",
                ));
            }
            Ok(requested)
        }
        None => Ok(granted),
    }
}

/// Whether a rotated token comes back within its app's reuse grace: rotation on, and less
/// than `refresh_token_reuse_grace` seconds since its first rotation (grace reuses do not
/// renew the window). Another client's token is never in grace; `check_live` refuses it.
fn in_grace(client: &Client, token: &RefreshRecord, now: i64) -> bool {
    let grace = reuse_grace(client);
    match token.rotated_at {
        Some(at) if grace > 0 && token.client_id == client.client_id() => {
            now < at.saturating_add(grace as i64)
        }
        _ => false,
    }
}

/// The app's reuse grace in seconds; 0 while it does not rotate (nothing is ever reused).
fn reuse_grace(client: &Client) -> u64 {
    if client.app.settings.rotate_refresh_token || client.is_public() {
        client.app.settings.refresh_token_reuse_grace
    } else {
        0
    }
}

/// Rotates the token (returning the new value) or, when the app keeps its tokens, records
/// their use. RFC 9700 §4.14.2: a public client's refresh tokens MUST be sender-constrained
/// or rotated; Portico rotates them whatever an older stored setting says.
async fn rotate_or_touch(
    deps: &GrantDeps<'_>,
    client: &Client,
    hash: &[u8],
    grant: &GrantRecord,
    now: i64,
) -> OAuthResult<Option<String>> {
    let rotate = client.app.settings.rotate_refresh_token || client.is_public();
    if !rotate {
        deps.grants.touch_refresh(hash, &grant.id, now).await?;
        return Ok(None);
    }
    // The new token keeps the grant's scope (RFC 6749 §6) and its original sign-in time.
    let (value, record) =
        issue::new_refresh(deps.hasher, &grant.id, &grant.client_id, &grant.scope, now)?;
    // The grant's "last used" (shown in Connected apps) is kept to the minute, like
    // apps' and secrets' (`usage`): one statement less in the write transaction of
    // a busy refresh chain. Inactivity expiry reads the token's own time, exact.
    let touch_grant = now - grant.last_used_at >= crate::runtime::usage::EVERY;
    // Within the reuse grace, a token rotated a moment ago (by a concurrent request, or
    // one whose answer the client lost) gets a sibling of its successor: same grant, so
    // the same absolute expiry and the same revocation.
    match deps
        .grants
        .rotate_refresh(hash, &record, now, touch_grant, reuse_grace(client))
        .await?
    {
        Rotation::Rotated | Rotation::Sibling => Ok(Some(value)),
        // Another request rotated it first, outside any grace: exactly one concurrent use
        // succeeds.
        Rotation::Lost => {
            Err(OAuthError::invalid_grant(INVALID).with_internal("lost a concurrent rotation"))
        }
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
