//! The admin API's one error type, answered as RFC 9457 problem JSON.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_proto::{FieldError, Problem};

use crate::store::StoreError;

/// RFC 6750 §3 challenge sent with 401s.
const BEARER_CHALLENGE: &str = "Bearer realm=\"portico\"";

#[derive(Debug)]
pub enum ApiError {
    /// 400: the body is not JSON, or not the JSON shape the endpoint takes.
    BadRequest(String),
    /// 422: well-formed, but rules failed; one entry per field.
    Validation(Vec<FieldError>),
    /// 415
    UnsupportedMediaType(String),
    /// 413
    PayloadTooLarge(String),
    /// 404
    NotFound(String),
    /// 409
    Conflict(String),
    /// 401: no token, or a bad one (RFC 6750 §3.1 `invalid_token`).
    Unauthorized { detail: String, invalid_token: bool },
    /// 403: a valid token without the rights (RFC 6750 §3.1 `insufficient_scope`).
    Forbidden {
        detail: String,
        missing_scope: Option<&'static str>,
    },
    /// 429, with the seconds to wait in `Retry-After`.
    TooManyRequests { detail: String, retry_after: u64 },
    /// 500: the detail is logged here and never sent.
    Internal(String),
}

impl ApiError {
    pub fn not_found_app(client_id: &str) -> Self {
        ApiError::NotFound(format!("No app has client ID {client_id:?}."))
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn parts(&self) -> (StatusCode, &'static str, Option<String>) {
        match self {
            ApiError::BadRequest(d) => (StatusCode::BAD_REQUEST, "Bad request", Some(d.clone())),
            ApiError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "Validation failed",
                Some("Some fields are not valid; see errors.".to_owned()),
            ),
            ApiError::UnsupportedMediaType(d) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Unsupported media type",
                Some(d.clone()),
            ),
            ApiError::PayloadTooLarge(d) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "Payload too large",
                Some(d.clone()),
            ),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, "Not found", Some(d.clone())),
            ApiError::Conflict(d) => (StatusCode::CONFLICT, "Conflict", Some(d.clone())),
            ApiError::Unauthorized { detail, .. } => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                Some(detail.clone()),
            ),
            ApiError::TooManyRequests { detail, .. } => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                Some(detail.clone()),
            ),
            ApiError::Forbidden { detail, .. } => {
                (StatusCode::FORBIDDEN, "Forbidden", Some(detail.clone()))
            }
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error",
                Some("The server could not complete the request; nothing was changed.".to_owned()),
            ),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::NotFound("Not found.".to_owned()),
            StoreError::Conflict => ApiError::Conflict("It already exists.".to_owned()),
            StoreError::LimitReached(n) => {
                ApiError::Conflict(format!("The limit of {n} has been reached."))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<crate::crypto::random::RandomError> for ApiError {
    fn from(e: crate::crypto::random::RandomError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, title, detail) = self.parts();
        if let ApiError::Internal(internal) = &self {
            // 5xx details go to the log, never to the client.
            tracing::error!(error = %internal, "admin API request failed");
        }
        let problem = Problem {
            type_: "about:blank".to_owned(),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            errors: match self {
                ApiError::Validation(ref e) => e.clone(),
                _ => Vec::new(),
            },
        };
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self {
            ApiError::Unauthorized { invalid_token, .. } => {
                let v = if *invalid_token {
                    format!("{BEARER_CHALLENGE}, error=\"invalid_token\"")
                } else {
                    BEARER_CHALLENGE.to_owned()
                };
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::Forbidden {
                missing_scope: Some(scope),
                ..
            } => {
                let v =
                    format!("{BEARER_CHALLENGE}, error=\"insufficient_scope\", scope=\"{scope}\"");
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(header::WWW_AUTHENTICATE, v);
                }
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.max(&1).to_string()) {
                    h.insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
