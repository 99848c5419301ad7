//! What the user is asked to grant: the scopes they may hold, and whether an earlier
//! consent already covers them. Used here and by the console's consent page.

use crate::oauth::error::OAuthError;
use crate::oauth::scope::{self, Scopes};
use crate::runtime::clients::Client;
use crate::state::AppState;
use crate::store::UserRecord;

use super::Prompt;

/// The scopes the user may get: `admin` only for administrators (silently narrowed,
/// RFC 6749 §3.3; the token response states the scope granted).
pub fn grantable(request_scope: &str, user: &UserRecord) -> Result<Scopes, OAuthError> {
    let mut scopes = Scopes::parse(request_scope)?;
    if !user.is_admin {
        scopes.remove(scope::ADMIN);
    }
    Ok(scopes)
}

/// Whether the user must be asked: built-in apps never; otherwise unless an earlier
/// consent covers every scope asked now (`prompt=consent` asks again, OIDC Core §3.1.2.1).
pub async fn consent_needed(
    state: &AppState,
    client: &Client,
    user: &UserRecord,
    scopes: &Scopes,
    prompt: Prompt,
) -> Result<bool, OAuthError> {
    if client.app.builtin {
        return Ok(false);
    }
    if prompt.consent {
        return Ok(true);
    }
    let prior = state
        .stores
        .consents
        .get_consent(&user.id, client.client_id())
        .await?;
    Ok(match prior {
        Some(c) => !scopes.is_subset(&Scopes::parse(&c.scope)?),
        None => true,
    })
}
