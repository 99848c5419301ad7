//! Who is calling the admin API: a bearer access token (RFC 6750 §2.1) issued to the
//! console, with the `admin` scope, for a user who holds the admin role and is not disabled
//! at the moment of the request.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::http::problem::ApiError;
use crate::oauth::resource::Inactive;
use crate::state::AppState;
use crate::store::UserRecord;

use crate::oauth::scope::ADMIN;

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

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(token) = crate::oauth::resource::bearer(&parts.headers) else {
            return Err(ApiError::Unauthorized {
                detail: "Sign in: send an access token as Authorization: Bearer <token>."
                    .to_owned(),
                invalid_token: false,
            });
        };
        let principal = crate::oauth::resource::verify_active(state, token)
            .await
            .map_err(|e| match e {
                Inactive::Token => ApiError::Unauthorized {
                    detail: "The access token is invalid, expired or revoked.".to_owned(),
                    invalid_token: true,
                },
                Inactive::Internal(m) => ApiError::Internal(m),
            })?;
        // The admin API belongs to the console (and nothing else): a token another app
        // obtained, even for an administrator and even claiming `admin`, opens nothing here.
        if !crate::oauth::authority::may_hold_admin(&principal.client) {
            return Err(ApiError::Forbidden {
                detail: "The admin API accepts only tokens issued to Portico's console.".to_owned(),
                missing_scope: None,
            });
        }
        let Some(cached) = principal.user else {
            return Err(ApiError::Forbidden {
                detail: "The admin API needs a user's token, not an app's.".to_owned(),
                missing_scope: None,
            });
        };
        // Read again, not from the verified-token cache: a demoted or disabled administrator
        // (also by `portico user` in another process) loses the admin API on the next request.
        let user = state
            .stores
            .users
            .user_by_id(&cached.id)
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        let user = match user {
            Some(user) if user.is_admin && !user.disabled => user,
            Some(user) if !user.disabled => {
                return Err(ApiError::Forbidden {
                    detail: "Only administrators may use the admin API.".to_owned(),
                    missing_scope: None,
                })
            }
            _ => {
                return Err(ApiError::Unauthorized {
                    detail: "The access token is invalid, expired or revoked.".to_owned(),
                    invalid_token: true,
                })
            }
        };
        if !principal.claims.has_scope(ADMIN) {
            return Err(ApiError::Forbidden {
                detail: "The access token lacks the `admin` scope.".to_owned(),
                missing_scope: Some(ADMIN),
            });
        }
        Ok(Admin { user })
    }
}
