//! The authorization request's checks, in the order they run. The first two decide whether
//! the redirect URI can be trusted: until then an error is Portico's own page, never a
//! redirect (RFC 6749 §4.1.2.1); after, errors go back to the client.

mod client;
mod lengths;
mod max_age;
mod pkce;
mod prompt;
mod redirect_uri;
mod request_object;
mod response_type;
mod scope;

use std::sync::Arc;

use super::error_page::ErrorPage;
use super::response::Redirectable;
use super::AuthRequest;
use crate::oauth::error::OAuthError;
use crate::oauth::form::Params;
use crate::runtime::clients::Client;
use crate::state::AppState;

pub use lengths::{LOGIN_HINT_MAX, NONCE_MAX, STATE_MAX};
pub use max_age::is_recent;
pub use redirect_uri::is_registered as redirect_uri_registered;

/// A request that passed every check.
pub struct Checked {
    pub client: Arc<Client>,
    pub target: Redirectable,
    pub request: AuthRequest,
}

/// Why a request was refused, and so how the refusal is shown.
pub enum Refused {
    /// Before the redirect URI is verified: Portico's own page.
    Page(ErrorPage),
    /// After: a redirect to the client with the error.
    Redirect(Redirectable, OAuthError),
}

/// Runs the chain.
pub async fn run(state: &AppState, params: &Params) -> Result<Checked, Refused> {
    let client = client::check(state, params).await.map_err(Refused::Page)?;
    let target = redirect_uri::check(&client, params).map_err(Refused::Page)?;
    match redirectable(&client, params, &target) {
        Ok(request) => Ok(Checked {
            client,
            target,
            request,
        }),
        Err(e) => Err(Refused::Redirect(target, e)),
    }
}

/// The checks whose errors may be redirected to the client.
fn redirectable(
    client: &Client,
    params: &Params,
    target: &Redirectable,
) -> Result<AuthRequest, OAuthError> {
    lengths::check(params)?;
    response_type::check(client, params)?;
    let scopes = scope::check(client, params)?;
    let code_challenge = pkce::check(client, params)?;
    let prompt = prompt::check(params)?;
    let max_age = max_age::check(params)?;
    request_object::check(params)?;
    Ok(AuthRequest {
        client_id: client.client_id().to_owned(),
        redirect_uri: target.redirect_uri.clone(),
        redirect_uri_sent: params.get("redirect_uri").is_some(),
        scope: scopes.to_param(),
        state: target.state.clone(),
        code_challenge,
        nonce: params.get("nonce").map(str::to_owned),
        prompt,
        max_age,
        login_hint: login_hint(params),
    })
}

/// `login_hint` (OIDC Core §3.1.2.1) as the sign-in page may show it: a hint, so one with
/// control characters is dropped rather than refused (its length was checked above).
fn login_hint(params: &Params) -> Option<String> {
    params
        .get("login_hint")
        .filter(|h| !h.is_empty() && !h.chars().any(char::is_control))
        .map(str::to_owned)
}
