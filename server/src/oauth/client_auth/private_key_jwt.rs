//! `private_key_jwt` (RFC 7523 §2.2, OIDC Core §9): a machine-to-machine app signs a JWT with
//! one of its registered keys; the `jti` is single-use across every server copy.

use std::sync::Arc;

use portico_proto::AppType;

use super::{AuthMethod, Authenticated};
use crate::oauth::assertion::{self, AssertionClaims, Expectations, Purpose};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::runtime::clients::Client;
use crate::state::AppState;

/// What the caller sent: the optional body `client_id`, the assertion, and the URL it called.
pub(super) struct Presented<'a> {
    pub(super) client_id: Option<&'a str>,
    pub(super) assertion: &'a str,
    pub(super) endpoint_url: &'a str,
}

pub(super) async fn verify(
    state: &AppState,
    client: Option<Arc<Client>>,
    presented: Presented<'_>,
    now: i64,
) -> OAuthResult<Authenticated> {
    let client = may_use_assertion(client, presented.client_id)?;
    let claims = validate(state, &client, &presented, now)?;
    // RFC 7523 §3 point 7: the jti is single-use, in the store so every copy sees it.
    if !state
        .stores
        .grants
        .use_assertion_jti(client.client_id(), &claims.jti, claims.exp, now)
        .await?
    {
        return Err(OAuthError::invalid_client().with_internal("client assertion jti replayed"));
    }
    Ok(super::accept_app(state, client, AuthMethod::PrivateKeyJwt, now).await)
}

/// The client exists, is machine-to-machine (the only type with registered keys), and is the
/// one a body `client_id` names.
fn may_use_assertion(
    client: Option<Arc<Client>>,
    body_client_id: Option<&str>,
) -> OAuthResult<Arc<Client>> {
    let Some(client) = client else {
        return Err(OAuthError::invalid_client().with_internal("unknown client in assertion"));
    };
    if client.app_type() != AppType::MachineToMachine {
        return Err(OAuthError::invalid_client()
            .with_internal("private_key_jwt is for machine-to-machine apps"));
    }
    if body_client_id.is_some_and(|id| id != client.client_id()) {
        return Err(
            OAuthError::invalid_client().with_internal("client_id differs from assertion iss")
        );
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
    assertion::validate(
        presented.assertion,
        &keys,
        &Expectations {
            client_id: client.client_id(),
            audiences: &audiences,
            now,
            purpose: Purpose::ClientAuthentication,
        },
    )
    .map_err(|e| OAuthError::invalid_client().with_internal(e.to_string()))
}
