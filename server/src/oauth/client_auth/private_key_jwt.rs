//! `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a machine-to-machine app signs a JWT with
//! one of its registered keys; the `jti` is single-use across every server copy.

use std::sync::Arc;

use portico_proto::AppType;

use super::{AuthMethod, Authenticated};
use crate::oauth::assertion::{self, AssertionClaims, Expectations, Purpose};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::runtime::clients::Client;
use crate::state::AppState;

/// What the caller sent: the assertion, and the URL it called. Its shape was checked
/// (`assertion::inspect`) before the client was looked up.
pub(super) struct Presented<'a> {
    pub(super) assertion: &'a str,
    pub(super) endpoint_url: &'a str,
}

pub(super) async fn verify(
    state: &AppState,
    client: Option<Arc<Client>>,
    presented: Presented<'_>,
    now: i64,
) -> OAuthResult<Authenticated> {
    let client = may_use_assertion(client)?;
    let claims = validate(state, &client, &presented, now)?;
    // RFC 7523 §3 point 7: the jti is single-use, in the store so every copy sees it. Told
    // as it is: only the key's holder gets this far.
    if !state
        .stores
        .grants
        .use_assertion_jti(client.client_id(), &claims.jti, claims.exp, now)
        .await?
    {
        return Err(OAuthError::invalid_client_because(assertion::JTI_REUSED));
    }
    Ok(super::accept_app(state, client, AuthMethod::PrivateKeyJwt, now).await)
}

/// The client exists and is machine-to-machine (the only type with registered keys). The
/// client was looked up by the body `client_id` when there is one, so an `iss` naming
/// another client fails `validate` (RFC 7523 §3 point 1).
fn may_use_assertion(client: Option<Arc<Client>>) -> OAuthResult<Arc<Client>> {
    let Some(client) = client else {
        return Err(OAuthError::invalid_client().with_internal("unknown client in assertion"));
    };
    if client.app_type() != AppType::MachineToMachine {
        return Err(super::method_not_allowed(&client, "private_key_jwt"));
    }
    Ok(client)
}

/// RFC 7523 §3 with `sub` = `iss` = the client (§2.2); the audience may be the issuer, the
/// token endpoint or the endpoint being called.
fn validate(
    state: &AppState,
    client: &Client,
    presented: &Presented<'_>,
    now: i64,
) -> OAuthResult<AssertionClaims> {
    let keys = assertion::registered_keys(client);
    let audiences = [
        state.config.issuer.as_str(),
        state.endpoints.token.as_str(),
        presented.endpoint_url,
    ];
    let expect = Expectations {
        client_id: client.client_id(),
        audiences: &audiences,
        now,
        purpose: Purpose::ClientAuthentication,
    };
    assertion::validate(presented.assertion, &keys, &expect).map_err(|e| {
        // No key of the client verifies it: the same answer as an unknown client, since a
        // stranger's forgery ends here. Anything else is checked on claims the client's own
        // key signed, and is told (see `client_auth`).
        if e.is_about_the_signature() {
            OAuthError::invalid_client().with_internal(e.to_string())
        } else {
            OAuthError::invalid_client_because(e.describe(&expect))
        }
    })
}
