//! OAuth errors as values (fosite / node-oidc-provider convention): an RFC 6749 §5.2 code,
//! a client-safe description, and an internal part that is logged, never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::headers::no_store;

/// RFC 6749 §5.2 and §4.1.2.1 error codes, plus RFC 6750 / OIDC ones Portico uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    InvalidScope,
    AccessDenied,
    UnsupportedResponseType,
    ServerError,
    LoginRequired,
    ConsentRequired,
    /// OIDC Core §3.1.2.6: a request object, which Portico does not take.
    RequestNotSupported,
    /// OIDC Core §3.1.2.6: a `request_uri`, which Portico does not take.
    RequestUriNotSupported,
    InvalidToken,
    UnsupportedTokenType,
    /// Not in RFC 6749: too many failed attempts (answered 429 with Retry-After).
    SlowDown,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::InvalidClient => "invalid_client",
            ErrorCode::InvalidGrant => "invalid_grant",
            ErrorCode::UnauthorizedClient => "unauthorized_client",
            ErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            ErrorCode::InvalidScope => "invalid_scope",
            ErrorCode::AccessDenied => "access_denied",
            ErrorCode::UnsupportedResponseType => "unsupported_response_type",
            ErrorCode::ServerError => "server_error",
            ErrorCode::LoginRequired => "login_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::RequestNotSupported => "request_not_supported",
            ErrorCode::RequestUriNotSupported => "request_uri_not_supported",
            ErrorCode::InvalidToken => "invalid_token",
            ErrorCode::UnsupportedTokenType => "unsupported_token_type",
            ErrorCode::SlowDown => "slow_down",
        }
    }
}

/// `error_description` of [`OAuthError::invalid_client`].
pub const INVALID_CLIENT: &str = "Client authentication failed: the client is unknown, or its \
     secret or assertion signature is wrong.";

#[derive(Debug, Clone)]
pub struct OAuthError {
    pub code: ErrorCode,
    /// Sent as `error_description`: safe for the client to read.
    pub description: String,
    /// Logged only.
    pub internal: Option<String>,
    /// RFC 6749 §5.2: answer `invalid_client` with 401 and a Basic challenge when the
    /// client tried Basic authentication.
    pub basic_challenge: bool,
    /// For 429: seconds until another try is allowed.
    pub retry_after: Option<u64>,
    /// The request's body was refused unread (or only partly read): answer with
    /// `Connection: close`, so the client does not send its next request on a connection
    /// the server is about to drop (RFC 9112 §9.6).
    pub close_connection: bool,
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<String>) -> Self {
        Self {
            code,
            description: description.into(),
            internal: None,
            basic_challenge: false,
            close_connection: false,
            retry_after: None,
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, d)
    }
    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidGrant, d)
    }
    pub fn invalid_scope(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidScope, d)
    }
    pub fn unauthorized_client(d: impl Into<String>) -> Self {
        Self::new(ErrorCode::UnauthorizedClient, d)
    }
    /// The one answer for an unknown client, a wrong secret and an assertion no key of the
    /// client verifies alike: telling them apart would tell a stranger which client IDs exist
    /// with which credential (see `client_auth`). It names the three causes without saying
    /// which one it was.
    pub fn invalid_client() -> Self {
        Self::new(ErrorCode::InvalidClient, INVALID_CLIENT)
    }
    /// A client-authentication failure whose reason may be told (RFC 6749 §5.2
    /// `error_description`): one that does not depend on whether a secret or a signature was
    /// right (`client_auth` says which those are).
    pub fn invalid_client_because(reason: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidClient, reason)
    }
    pub fn too_many(retry_after: u64) -> Self {
        let mut e = Self::new(
            ErrorCode::SlowDown,
            "Too many failed attempts; try again later.",
        );
        e.retry_after = Some(retry_after.max(1));
        e
    }
    pub fn server(internal: impl std::fmt::Display) -> Self {
        let mut e = Self::new(
            ErrorCode::ServerError,
            "The server could not complete the request.",
        );
        e.internal = Some(internal.to_string());
        e
    }

    pub fn with_internal(mut self, internal: impl Into<String>) -> Self {
        self.internal = Some(internal.into());
        self
    }

    pub fn status(&self) -> StatusCode {
        match self.code {
            ErrorCode::InvalidClient => StatusCode::UNAUTHORIZED,
            ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
            ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::SlowDown => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<crate::store::StoreError> for OAuthError {
    fn from(e: crate::store::StoreError) -> Self {
        OAuthError::server(e)
    }
}

impl From<crate::crypto::random::RandomError> for OAuthError {
    fn from(e: crate::crypto::random::RandomError) -> Self {
        OAuthError::server(e)
    }
}

impl From<crate::signing::TokenError> for OAuthError {
    fn from(e: crate::signing::TokenError) -> Self {
        OAuthError::server(e)
    }
}

#[derive(Serialize)]
struct Body<'a> {
    error: &'static str,
    error_description: &'a str,
}

/// RFC 6749 §5.2 JSON error response, `no-store` like every token endpoint answer.
impl OAuthError {
    /// Logs the internal part: 5xx causes as errors, refusals' reasons as info.
    pub fn log(&self) {
        if let Some(internal) = &self.internal {
            if self.code == ErrorCode::ServerError {
                tracing::error!(error = %internal, "OAuth request failed");
            } else {
                tracing::info!(error = self.code.as_str(), reason = %internal, "OAuth request refused");
            }
        }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        self.log();
        let body = serde_json::to_vec(&Body {
            error: self.code.as_str(),
            error_description: &self.description,
        })
        .unwrap_or_default();
        // RFC 6749 §5.2: the error answer is no-store like the token answer, whatever the
        // route (the same errors answer revocation, introspection and userinfo).
        let mut res = (self.status(), no_store(), body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if self.basic_challenge && self.code == ErrorCode::InvalidClient {
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"portico\""),
            );
        }
        if self.code == ErrorCode::InvalidToken {
            // RFC 6750 §3: resource endpoints challenge with the Bearer scheme.
            h.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"portico\", error=\"invalid_token\""),
            );
        }
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                h.insert(header::RETRY_AFTER, v);
            }
        }
        if self.close_connection {
            h.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        res
    }
}

pub type OAuthResult<T> = Result<T, OAuthError>;
