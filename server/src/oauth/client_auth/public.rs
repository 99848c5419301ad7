//! `none` (RFC 6749 §2.1, §3.2.1): a public client names itself with `client_id` and has
//! nothing to prove; a confidential client that sends no credentials is refused.

use std::sync::Arc;

use super::{AuthMethod, Authenticated};
use crate::oauth::error::{OAuthError, OAuthResult};
use crate::runtime::clients::Client;
use crate::state::AppState;

pub(super) async fn verify(
    state: &AppState,
    client: Option<Arc<Client>>,
    now: i64,
) -> OAuthResult<Authenticated> {
    let Some(client) = client else {
        return Err(OAuthError::invalid_client().with_internal("unknown client"));
    };
    if !client.is_public() {
        // Its type is no secret (see `client_auth`): say how it must authenticate.
        return Err(super::method_not_allowed(&client, "a client_id alone"));
    }
    Ok(super::accept_app(state, client, AuthMethod::None, now).await)
}
