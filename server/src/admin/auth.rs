//! Who is calling the admin API: a bearer access token (RFC 6750 §2.1) with the `admin`
//! scope, for a user who holds the admin role and is not disabled.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

use super::problem::ApiError;
use crate::state::AppState;
use crate::store::UserRecord;
use crate::token::TokenError;

/// The scope that opens the admin API; granted only to admin users.
pub const ADMIN_SCOPE: &str = "admin";

/// An authenticated administrator.
#[derive(Debug, Clone)]
pub struct Admin {
    pub user: UserRecord,
}

impl Admin {
    pub fn username(&self) -> &str {
        &self.user.username
    }
}

/// The token from `Authorization: Bearer …`, if the header has that form.
pub fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    // RFC 9110 §11.1: the auth scheme is case-insensitive.
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    (!token.is_empty()).then_some(token)
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = bearer(parts) else {
            return Err(ApiError::Unauthorized {
                detail: "Sign in: send an access token as Authorization: Bearer <token>."
                    .to_owned(),
                invalid_token: false,
            });
        };
        let claims = state
            .tokens
            .verify_access_token(token, state.now())
            .map_err(|e| match e {
                TokenError::Invalid => ApiError::Unauthorized {
                    detail: "The access token is invalid or expired.".to_owned(),
                    invalid_token: true,
                },
                other => ApiError::Internal(other.to_string()),
            })?;
        let user = state
            .stores
            .users
            .user_by_id(&claims.sub)
            .await?
            .filter(|u| !u.disabled)
            .ok_or_else(|| ApiError::Unauthorized {
                detail: "The access token's user no longer exists or is disabled.".to_owned(),
                invalid_token: true,
            })?;
        if !user.is_admin {
            return Err(ApiError::Forbidden {
                detail: "Only administrators may use the admin API.".to_owned(),
                missing_scope: None,
            });
        }
        if !claims.has_scope(ADMIN_SCOPE) {
            return Err(ApiError::Forbidden {
                detail: "The access token lacks the `admin` scope.".to_owned(),
                missing_scope: Some(ADMIN_SCOPE),
            });
        }
        Ok(Admin { user })
    }
}
