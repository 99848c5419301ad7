//! RFC 8414 authorization server metadata (also served as OIDC discovery) and the JWKS.

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use portico_proto::IdTokenAlg;
use serde_json::json;

use super::grants;
use super::issue::PASSWORD_ACR;
use super::scope::ADVERTISED;
use crate::state::AppState;

/// Every field states what the server really does.
pub fn metadata(issuer: &str) -> serde_json::Value {
    let e = portico_proto::paths::Endpoints::for_issuer(issuer);
    let grant_types: Vec<&str> = grants::HANDLERS.iter().map(|h| h.grant_type()).collect();
    // What an app may choose as its `id_token_signed_response_alg`; RS256 first, the default
    // and the one OIDC Core §15.1 requires.
    let id_token_algs: Vec<&str> = IdTokenAlg::ALL.iter().map(|a| a.as_str()).collect();
    json!({
        "issuer": issuer,
        "authorization_endpoint": e.authorize,
        "token_endpoint": e.token,
        "revocation_endpoint": e.revoke,
        "introspection_endpoint": e.introspect,
        "userinfo_endpoint": e.userinfo,
        "jwks_uri": e.jwks,
        // OpenID Connect RP-Initiated Logout 1.0 §2.1.
        "end_session_endpoint": e.end_session,
        "scopes_supported": ADVERTISED,
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": grant_types,
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "EdDSA", "Ed25519"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt", "none"],
        "revocation_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "EdDSA", "Ed25519"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "private_key_jwt"],
        "introspection_endpoint_auth_signing_alg_values_supported": ["RS256", "ES256", "EdDSA", "Ed25519"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": true,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": id_token_algs,
        "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "name", "preferred_username", "email"],
        "prompt_values_supported": ["none", "login", "consent"],
        "acr_values_supported": [PASSWORD_ACR],
        // OIDC Discovery §3: `claims`, `request` and `request_uri` are not taken (the last
        // two are refused, OIDC Core §3.1.2.6); `claims` is ignored, as §5.5 allows.
        "claims_parameter_supported": false,
        "request_parameter_supported": false,
        "request_uri_parameter_supported": false,
    })
}

fn cacheable(body: serde_json::Value) -> Response {
    let mut res = Json(body).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    res
}

pub async fn authorization_server(State(state): State<AppState>) -> Response {
    cacheable(metadata(&state.config.issuer))
}

pub async fn jwks(State(state): State<AppState>) -> Response {
    cacheable(state.tokens.jwks())
}
