//! Issuing the authorization code (RFC 6749 §4.1.2): random, stored only as its keyed hash,
//! short-lived, bound to the client, the redirect URI, the PKCE challenge and the nonce.

use crate::crypto::random;
use crate::oauth::error::OAuthError;
use crate::oauth::grants::authorization_code::CODE_LIFETIME;
use crate::state::AppState;
use crate::store::{CodeRecord, UserRecord};

use super::{grantable, redirect_url, AuthRequest};

/// Mints the code and builds the redirect back to the client.
pub async fn issue_code(
    state: &AppState,
    request: &AuthRequest,
    user: &UserRecord,
    auth_time: i64,
) -> Result<String, OAuthError> {
    let scopes = grantable(&request.scope, user)?;
    let code = random::token::<32>()?;
    let now = state.now();
    state
        .stores
        .grants
        .create_code(&CodeRecord {
            code_hash: state.hasher.hash(&code),
            client_id: request.client_id.clone(),
            user_id: user.id.clone(),
            // RFC 6749 §4.1.3: the token request must repeat `redirect_uri` only when the
            // authorization request carried it.
            redirect_uri: if request.redirect_uri_sent {
                request.redirect_uri.clone()
            } else {
                String::new()
            },
            scope: scopes.to_param(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            auth_time,
            expires_at: now + CODE_LIFETIME,
        })
        .await?;
    Ok(redirect_url(
        &request.redirect_uri,
        &[("code", &code)],
        request.state.as_deref(),
        &state.config.issuer,
    ))
}
