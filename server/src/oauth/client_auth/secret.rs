//! `client_secret_basic` and `client_secret_post` (RFC 6749 §2.3.1): the secret is checked
//! against every stored hash of the client, and an unknown client costs the same work.

use std::sync::Arc;

use super::{AuthMethod, Authenticated};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::runtime::clients::Client;
use crate::state::AppState;
use crate::store::SecretRecord;

/// A public client has no secret to guess: one sent anyway is refused before an attempt is
/// reserved, so strangers cannot use it to lock a public client out.
pub(super) fn refuse_for_public_client(client: &Client, basic: bool) -> OAuthResult<()> {
    if client.app_type().has_secrets() {
        return Ok(());
    }
    // The type is no secret (see `client_auth`): say what this app does instead.
    let mut e = super::method_not_allowed(client, "a client secret");
    e.basic_challenge = basic;
    Err(e)
}

pub(super) async fn verify(
    state: &AppState,
    client: Option<Arc<Client>>,
    secret: &str,
    basic: bool,
    now: i64,
) -> OAuthResult<Authenticated> {
    let Some(client) = client else {
        // Same work as for a real client, so timing does not reveal client IDs.
        let _ = state.hasher.verify(secret, &[0u8; 32]);
        return Err(OAuthError::invalid_client().with_internal("unknown client"));
    };
    let Some(s) = matching_secret(state, &client, secret) else {
        return Err(OAuthError::invalid_client().with_internal("wrong secret"));
    };
    state
        .usage
        .secret_used(&state.stores, &s.id, client.client_id(), now)
        .await;
    Ok(Authenticated {
        method: if basic {
            AuthMethod::SecretBasic
        } else {
            AuthMethod::SecretPost
        },
        client,
    })
}

/// The stored secret `secret` matches. Every secret is checked, so timing does not reveal
/// which one matched.
fn matching_secret<'c>(
    state: &AppState,
    client: &'c Client,
    secret: &str,
) -> Option<&'c SecretRecord> {
    client.secrets.iter().fold(None, |found, s| {
        let ok = state.hasher.verify(secret, &s.secret_hash);
        found.or(ok.then_some(s))
    })
}
