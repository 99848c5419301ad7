//! The protocol endpoints in the OpenAPI document, as far as OpenAPI can describe them: the
//! form bodies of the token endpoint per grant (RFC 6749 §4.1.3, §4.4.2, §6; RFC 7523 §2.1),
//! introspection (RFC 7662 §2.1), revocation (RFC 7009 §2.1), the authorization request
//! (RFC 6749 §4.1.1, OIDC Core §3.1.2.1) and its redirects, discovery (RFC 8414), the JWKS,
//! UserInfo (OIDC Core §5.3) and RP-Initiated Logout 1.0 §2.
//!
//! The handlers take the raw request (each parameter at most once, `oauth::form`), so the
//! descriptions live here, on functions that only carry them; `server/tests/api/openapi.rs`
//! checks that every routed path is described.

#![allow(dead_code)] // the types and functions below exist only to be described

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, OpenApi, ToSchema};

/// An OAuth 2.0 error answer (RFC 6749 §5.2), also used by introspection, revocation and
/// UserInfo.
#[derive(Serialize, ToSchema)]
#[schema(as = OAuthError)]
pub struct OAuthErrorBody {
    /// The error code, e.g. `invalid_request`, `invalid_client`, `invalid_grant`,
    /// `unauthorized_client`, `unsupported_grant_type`, `invalid_scope`, `invalid_token`,
    /// `unsupported_token_type`, or `slow_down` (too many failed attempts).
    error: String,
    /// What went wrong, in words for the app's developer.
    error_description: String,
}

/// How a confidential app authenticates in the body (RFC 6749 §2.3.1 `client_secret_post`,
/// RFC 7523 §2.2 `private_key_jwt`), or how a public app names itself. Use one method per
/// request: HTTP Basic (`client_secret_basic`) or these fields.
#[derive(Deserialize, ToSchema)]
pub struct ClientAuth {
    /// The app's client ID (with `client_secret`, or alone for a single-page app).
    client_id: Option<String>,
    /// `client_secret_post`: the app's client secret.
    client_secret: Option<String>,
    /// `private_key_jwt`: `urn:ietf:params:oauth:client-assertion-type:jwt-bearer`.
    client_assertion_type: Option<String>,
    /// `private_key_jwt`: a JWT signed with a key registered for the app.
    client_assertion: Option<String>,
}

/// A token request: `grant_type` names the grant, and each grant has its own parameters.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "grant_type")]
pub enum TokenRequest {
    /// RFC 6749 §4.1.3 (with RFC 7636 §4.5): exchange an authorization code.
    #[serde(rename = "authorization_code")]
    AuthorizationCode {
        /// The code from the redirect.
        code: String,
        /// The `redirect_uri` of the authorization request, when it carried one.
        redirect_uri: Option<String>,
        /// PKCE (RFC 7636): the verifier of the request's `code_challenge`.
        code_verifier: Option<String>,
        #[serde(flatten)]
        client: ClientAuth,
    },
    /// RFC 6749 §6: a refresh token for new tokens.
    #[serde(rename = "refresh_token")]
    RefreshToken {
        refresh_token: String,
        /// Narrower than the grant's scope, space-separated; the grant's when absent.
        scope: Option<String>,
        #[serde(flatten)]
        client: ClientAuth,
    },
    /// RFC 6749 §4.4.2: a machine-to-machine app's own token.
    #[serde(rename = "client_credentials")]
    ClientCredentials {
        /// Space-separated scopes.
        scope: Option<String>,
        #[serde(flatten)]
        client: ClientAuth,
    },
    /// RFC 7523 §2.1: a machine-to-machine app acting as a user it may act as.
    #[serde(rename = "urn:ietf:params:oauth:grant-type:jwt-bearer")]
    JwtBearer {
        /// A JWT signed with a key registered for the app; `sub` names the user.
        assertion: String,
        /// Space-separated scopes.
        scope: Option<String>,
        #[serde(flatten)]
        client: ClientAuth,
    },
}

/// A successful token answer (RFC 6749 §5.1).
#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// An RFC 9068 JWT access token.
    access_token: String,
    /// `Bearer`.
    token_type: String,
    /// Seconds until the access token expires.
    expires_in: i64,
    /// The scopes granted, space-separated.
    scope: String,
    /// With `offline_access`: a refresh token.
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    /// With `openid`: an ID token (OIDC Core §2).
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
}

/// RFC 7662 §2.1: the token to look at.
#[derive(Deserialize, ToSchema)]
pub struct IntrospectionRequest {
    token: String,
    /// `access_token` or `refresh_token`: which kind to try first.
    token_type_hint: Option<String>,
    #[serde(flatten)]
    client: ClientAuth,
}

/// RFC 7662 §2.2: `active`, and for an active token what it is.
#[derive(Serialize, ToSchema)]
pub struct IntrospectionResponse {
    active: bool,
    token_type: Option<String>,
    scope: Option<String>,
    client_id: Option<String>,
    /// The user's ID, or the app's client ID for an app's own token.
    sub: Option<String>,
    username: Option<String>,
    iss: Option<String>,
    aud: Option<String>,
    exp: Option<i64>,
    iat: Option<i64>,
    jti: Option<String>,
}

/// RFC 7009 §2.1: the token to revoke.
#[derive(Deserialize, ToSchema)]
pub struct RevocationRequest {
    token: String,
    /// `access_token` or `refresh_token`.
    token_type_hint: Option<String>,
    #[serde(flatten)]
    client: ClientAuth,
}

/// OIDC Core §5.3.1 (RFC 6750 §2.2): the access token as a form field, instead of the
/// `Authorization` header (never both).
#[derive(Deserialize, ToSchema)]
pub struct UserInfoRequest {
    /// The access token, when it is not in the `Authorization` header.
    access_token: Option<String>,
}

/// OIDC Core §5.3.2: the user's claims, as the token's scopes allow.
#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    /// The user's ID.
    sub: String,
    /// With `profile`.
    name: Option<String>,
    /// With `profile`.
    preferred_username: Option<String>,
    /// With `email`.
    email: Option<String>,
}

/// Whom an access token speaks for: a user (`kind` `user`) or, for a client-credentials
/// token, the app itself (`kind` `app`).
#[derive(Serialize, ToSchema)]
pub struct Me {
    /// `user` or `app`.
    kind: String,
    sub: String,
    client_id: String,
    scope: String,
    /// The user's or the app's name.
    name: Option<String>,
    username: Option<String>,
    email: Option<String>,
    /// The app's type, for an app's own token.
    #[serde(rename = "type")]
    app_type: Option<String>,
}

/// RFC 8414 §2 / OpenID Connect Discovery 1.0 §3 metadata; every field states what Portico
/// does. Only the main fields are listed here.
#[derive(Serialize, ToSchema)]
pub struct ServerMetadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    revocation_endpoint: String,
    introspection_endpoint: String,
    userinfo_endpoint: String,
    jwks_uri: String,
    end_session_endpoint: String,
    scopes_supported: Vec<String>,
    grant_types_supported: Vec<String>,
    token_endpoint_auth_methods_supported: Vec<String>,
    code_challenge_methods_supported: Vec<String>,
    id_token_signing_alg_values_supported: Vec<String>,
}

/// RFC 7517 §5: the public keys that verify Portico's access and ID tokens.
#[derive(Serialize, ToSchema)]
pub struct Jwks {
    /// RFC 7517 §4 JWK objects.
    keys: Vec<serde_json::Map<String, serde_json::Value>>,
}

/// The authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3, OIDC Core §3.1.2.1).
#[derive(Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct AuthorizeParams {
    /// `code`: the only response type.
    response_type: String,
    client_id: String,
    /// One of the app's registered redirect URIs (exact match); may be left out when the
    /// app registered only one.
    redirect_uri: Option<String>,
    /// Space-separated: `openid`, `profile`, `email`, `offline_access`.
    scope: Option<String>,
    /// Returned unchanged with the answer.
    state: Option<String>,
    /// PKCE (RFC 7636): required for single-page apps.
    code_challenge: Option<String>,
    /// `S256`.
    code_challenge_method: Option<String>,
    /// Copied into the ID token.
    nonce: Option<String>,
    /// `none`, `login` or `consent`.
    prompt: Option<String>,
    /// Seconds: an older sign-in is asked again.
    max_age: Option<u64>,
    /// Pre-fills the sign-in page's username.
    login_hint: Option<String>,
}

/// RP-Initiated Logout 1.0 §2: who asks, and where to return.
#[derive(Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct EndSessionParams {
    /// An ID token Portico issued to the app; with it, the session ends without asking.
    id_token_hint: Option<String>,
    client_id: Option<String>,
    /// One of the app's registered post-logout redirect URIs.
    post_logout_redirect_uri: Option<String>,
    /// Returned unchanged with the redirect.
    state: Option<String>,
}

#[utoipa::path(get, path = "/.well-known/oauth-authorization-server", tag = "oauth",
    operation_id = "getAuthorizationServerMetadata",
    summary = "Authorization server metadata (RFC 8414)",
    responses((status = 200, body = ServerMetadata, description = "The metadata")))]
fn oauth_metadata() {}

#[utoipa::path(get, path = "/.well-known/openid-configuration", tag = "oauth",
    operation_id = "getOpenIdConfiguration",
    summary = "OpenID Provider configuration (OpenID Connect Discovery 1.0 §4)",
    responses((status = 200, body = ServerMetadata, description = "The metadata, the same as RFC 8414's")))]
fn openid_metadata() {}

#[utoipa::path(get, path = "/oauth2/jwks", tag = "oauth", operation_id = "getJwks",
    summary = "The keys that verify Portico's tokens",
    responses((status = 200, body = Jwks, description = "The JSON Web Key Set")))]
fn jwks() {}

#[utoipa::path(get, path = "/oauth2/authorize", tag = "oauth", operation_id = "authorize",
    summary = "Start a sign-in (the browser is sent here)",
    description = "Navigated to by the user's browser, not called by code: the answer is a \
        redirect to Portico's sign-in or consent page, or back to the app's redirect URI with \
        `code`, `state` and `iss` (RFC 9207), or with `error` and `error_description` \
        (RFC 6749 §4.1.2.1). While the app or its redirect URI cannot be trusted, the error is \
        shown on Portico's own page instead.",
    params(AuthorizeParams),
    responses((status = 303, description = "Redirect: to the sign-in or consent page, or back to the app",
            headers(("Location" = String, description = "Where the browser goes next"))),
        (status = 400, description = "The app or its redirect URI is not valid: Portico's error page", content_type = "text/html", body = String)),
    security(()))]
fn authorize() {}

#[utoipa::path(post, path = "/oauth2/authorize", tag = "oauth", operation_id = "authorizeWithForm",
    summary = "Start a sign-in with the parameters as a form (OIDC Core §3.1.2.1)",
    request_body(content = AuthorizeParams, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Redirect: to the sign-in or consent page, or back to the app",
            headers(("Location" = String, description = "Where the browser goes next"))),
        (status = 400, description = "The app or its redirect URI is not valid: Portico's error page", content_type = "text/html", body = String)),
    security(()))]
fn authorize_post() {}

#[utoipa::path(post, path = "/oauth2/token", tag = "oauth", operation_id = "requestToken",
    summary = "Get tokens (RFC 6749 §3.2)",
    description = "One grant per request, named by `grant_type`. Confidential apps \
        authenticate with HTTP Basic (`client_secret_basic`), the body's `client_id` and \
        `client_secret` (`client_secret_post`) or a signed JWT (`private_key_jwt`); \
        single-page apps send only `client_id` and PKCE's `code_verifier`.",
    request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = TokenResponse, description = "The tokens"),
        (status = 400, body = OAuthErrorBody, description = "The request is refused: `invalid_request`, `invalid_grant`, `unauthorized_client`, `unsupported_grant_type` or `invalid_scope`"),
        (status = 401, body = OAuthErrorBody, description = "`invalid_client`: the app could not be authenticated"),
        (status = 429, body = OAuthErrorBody, description = "`slow_down`: too many failed authentications; `Retry-After` says when to try again")),
    security(("client_basic" = []), ()))]
fn token() {}

#[utoipa::path(post, path = "/oauth2/introspect", tag = "oauth", operation_id = "introspectToken",
    summary = "Is a token active, and what does it say (RFC 7662)",
    description = "For web and machine-to-machine apps, authenticated as at the token endpoint.",
    request_body(content = IntrospectionRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, body = IntrospectionResponse, description = "`active`, and for an active token its claims"),
        (status = 400, body = OAuthErrorBody, description = "`invalid_request`: no `token`, or a parameter sent twice"),
        (status = 401, body = OAuthErrorBody, description = "`invalid_client`: the app could not be authenticated, or is a single-page app"),
        (status = 429, body = OAuthErrorBody, description = "`slow_down`: too many failed authentications")),
    security(("client_basic" = []), ()))]
fn introspect() {}

#[utoipa::path(post, path = "/oauth2/revoke", tag = "oauth", operation_id = "revokeToken",
    summary = "Revoke a token and its grant (RFC 7009)",
    request_body(content = RevocationRequest, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "Revoked, or the token was not valid or not the app's (RFC 7009 §2.2)"),
        (status = 400, body = OAuthErrorBody, description = "`invalid_request` or `unsupported_token_type`"),
        (status = 401, body = OAuthErrorBody, description = "`invalid_client`: the app could not be authenticated"),
        (status = 429, body = OAuthErrorBody, description = "`slow_down`: too many failed authentications")),
    security(("client_basic" = []), ()))]
fn revoke() {}

#[utoipa::path(get, path = "/oauth2/userinfo", tag = "oauth", operation_id = "getUserInfo",
    summary = "The user's claims (OIDC Core §5.3)",
    responses((status = 200, body = UserInfo, description = "The claims the token's scopes allow"),
        (status = 400, body = OAuthErrorBody, description = "`invalid_request`"),
        (status = 401, body = OAuthErrorBody, description = "`invalid_token`: no token, an invalid one, or one without a user and `openid`")),
    security(("bearer" = [])))]
fn userinfo() {}

#[utoipa::path(post, path = "/oauth2/userinfo", tag = "oauth", operation_id = "postUserInfo",
    summary = "The user's claims, with the token in the header or the form body (OIDC Core §5.3.1)",
    request_body(content = Option<UserInfoRequest>, content_type = "application/x-www-form-urlencoded",
        description = "Only when the token is not in the `Authorization` header"),
    responses((status = 200, body = UserInfo, description = "The claims the token's scopes allow"),
        (status = 400, body = OAuthErrorBody, description = "`invalid_request`: the token in both places, or a parameter sent twice"),
        (status = 401, body = OAuthErrorBody, description = "`invalid_token`: no token, an invalid one, or one without a user and `openid`")),
    security(("bearer" = []), ()))]
fn userinfo_post() {}

#[utoipa::path(get, path = "/api/v1/me", tag = "oauth", operation_id = "getMe",
    summary = "Whom an access token speaks for (a sample protected resource)",
    responses((status = 200, body = Me, description = "The token's user, or the app for an app's own token"),
        (status = 400, body = OAuthErrorBody, description = "`invalid_scope`: the token's scope cannot be read"),
        (status = 401, body = OAuthErrorBody, description = "`invalid_token`: no token, or an invalid, expired or revoked one")),
    security(("bearer" = [])))]
fn me() {}

#[utoipa::path(get, path = "/oauth2/end_session", tag = "oauth", operation_id = "endSession",
    summary = "Sign out (RP-Initiated Logout 1.0); the browser is sent here",
    description = "With a matching `id_token_hint` the session ends at once; otherwise the \
        user is asked on Portico's sign-out page. Then the browser returns to the app's \
        `post_logout_redirect_uri` with `state`.",
    params(EndSessionParams),
    responses((status = 303, description = "Redirect: back to the app, or to the sign-out page",
            headers(("Location" = String, description = "Where the browser goes next"))),
        (status = 400, description = "The request is not valid: Portico's error page", content_type = "text/html", body = String)),
    security(("session_cookie" = []), ()))]
fn end_session() {}

#[utoipa::path(post, path = "/oauth2/end_session", tag = "oauth", operation_id = "endSessionWithForm",
    summary = "Sign out with the parameters as a form (RP-Initiated Logout 1.0 §2)",
    request_body(content = Option<EndSessionParams>, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Redirect: back to the app, or to the sign-out page",
            headers(("Location" = String, description = "Where the browser goes next"))),
        (status = 400, description = "The request is not valid: Portico's error page", content_type = "text/html", body = String)),
    security(("session_cookie" = []), ()))]
fn end_session_post() {}

#[derive(OpenApi)]
#[openapi(
    paths(
        oauth_metadata, openid_metadata, jwks, authorize, authorize_post, token, introspect,
        revoke, userinfo, userinfo_post, me, end_session, end_session_post,
    ),
    tags((name = "oauth", description = "OAuth 2.0 and OpenID Connect endpoints; errors are \
        RFC 6749 §5.2 JSON (`error`, `error_description`), or Portico's HTML page where a \
        browser is sent")),
)]
pub struct ProtocolApi;
