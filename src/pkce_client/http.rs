//! The network side of the PKCE client: discovery, code exchange, refresh, revocation
//! (gloo-net). Each step builds its request with `steps` and reads the answer with it.

use gloo_net::http::Request;
use serde::Deserialize;

use super::steps::{self, CodeVerifier, TokenError, TokenSet};

/// RFC 8414 §2 metadata: the endpoints this client needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Discovery {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub revocation_endpoint: String,
    pub userinfo_endpoint: String,
}

fn network(e: impl std::fmt::Display) -> TokenError {
    TokenError {
        error: "network_error".to_owned(),
        error_description: Some(e.to_string()),
    }
}

/// RFC 8414 §3: fetches the metadata and checks that it names the issuer asked for.
pub async fn discover(issuer: &str) -> Result<Discovery, String> {
    let url = format!("{issuer}{}", portico_proto::paths::OAUTH_METADATA);
    let res = Request::get(&url).send().await.map_err(|e| e.to_string())?;
    if !res.ok() {
        return Err(format!("Discovery failed: HTTP {}", res.status()));
    }
    let d: Discovery = res.json().await.map_err(|e| e.to_string())?;
    // RFC 8414 §3.3: the issuer in the document MUST be identical to the one used.
    if d.issuer != issuer {
        return Err(format!("Discovery names another issuer: {}", d.issuer));
    }
    Ok(d)
}

/// Step 8 — RFC 6750 §2.1: calls a protected resource with the access token; its status
/// and body.
pub async fn call_api(url: &str, access_token: &str) -> Result<(u16, String), TokenError> {
    let res = Request::get(url)
        .header("authorization", &format!("Bearer {access_token}"))
        .send()
        .await
        .map_err(network)?;
    let status = res.status();
    Ok((status, res.text().await.map_err(network)?))
}

async fn post_form(url: &str, body: String) -> Result<(u16, String), TokenError> {
    let res = Request::post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .map_err(network)?
        .send()
        .await
        .map_err(network)?;
    let status = res.status();
    let text = res.text().await.map_err(network)?;
    Ok((status, text))
}

/// Step 6 — RFC 6749 §4.1.3 + RFC 7636 §4.5: the code and the verifier for tokens.
pub async fn exchange_code(
    d: &Discovery,
    code: &str,
    redirect_uri: &str,
    client_id: &str,
    verifier: &CodeVerifier,
) -> Result<TokenSet, TokenError> {
    let (status, body) = post_form(
        &d.token_endpoint,
        steps::token_request_body(code, redirect_uri, client_id, verifier),
    )
    .await?;
    steps::process_token_response(status, &body)
}

/// Step 9 — RFC 6749 §6: new tokens for the refresh token; with rotation the answer's
/// refresh token replaces the one sent, which is spent.
pub async fn refresh(
    d: &Discovery,
    refresh_token: &str,
    client_id: &str,
) -> Result<TokenSet, TokenError> {
    let (status, body) = post_form(
        &d.token_endpoint,
        steps::refresh_request_body(refresh_token, client_id),
    )
    .await?;
    steps::process_token_response(status, &body)
}

/// Step 10 — RFC 7009 §2: revokes a token, ending its grant.
pub async fn revoke(
    d: &Discovery,
    token: &str,
    hint: &str,
    client_id: &str,
) -> Result<(), TokenError> {
    let (status, body) = post_form(
        &d.revocation_endpoint,
        steps::revocation_body(token, hint, client_id),
    )
    .await?;
    if status == 200 {
        Ok(())
    } else {
        Err(serde_json::from_str(&body).unwrap_or_else(|_| network(format!("HTTP {status}"))))
    }
}
