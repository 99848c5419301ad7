//! Who is calling the admin API: a bearer access token (RFC 6750 §2.1) with the `admin`
//! scope, either issued to the console for a user who holds the admin role and is not
//! disabled at the moment of the request, or a machine-to-machine app's own token while an
//! administrator lets that app use the admin API. `oauth::authority` decides which; this
//! extractor reads the user or the app again for every request so the decision is current.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::http::problem::{ApiError, ApiResult};
use crate::oauth::authority::{self, AdminCaller, AppChange};
use crate::oauth::resource::Inactive;
use crate::state::AppState;
use crate::store::{AppRecord, UserRecord};

use crate::oauth::scope::ADMIN;

/// An authenticated administrator: a person, or an app an administrator allowed.
#[derive(Debug, Clone)]
pub enum Admin {
    User(UserRecord),
    /// A machine-to-machine app with `admin_api_access`, as stored at this request.
    App {
        app: Box<AppRecord>,
        /// `app:<client_id>`, as the audit log names it.
        actor: String,
    },
}

impl Admin {
    /// Who the audit log and the logs name: the administrator's username, or
    /// `app:<client_id>`.
    pub fn actor(&self) -> &str {
        match self {
            Admin::User(user) => &user.username,
            Admin::App { actor, .. } => actor,
        }
    }

    /// The audit entry's words for a change, naming the app when an app made it (its
    /// client ID alone is in `actor`; the name is what an auditor recognises).
    pub fn detail(&self, detail: String) -> String {
        match self {
            Admin::User(_) => detail,
            Admin::App { app, .. } => format!("{detail} (by app {:?})", app.settings.name),
        }
    }

    pub fn is_app(&self) -> bool {
        matches!(self, Admin::App { .. })
    }

    /// 403 unless this caller may make `change` to `target` (`authority::app_may_change`;
    /// a person may make every change).
    pub fn may_change(&self, target: &AppRecord, change: AppChange) -> ApiResult<()> {
        match self {
            Admin::User(_) => Ok(()),
            Admin::App { app, .. } => authority::app_may_change(&app.client_id, target, change)
                .map_err(|m| ApiError::Forbidden {
                    detail: m.to_owned(),
                    missing_scope: None,
                }),
        }
    }

    /// 403 for an app: `field` may be changed only by a person signed in to the console.
    pub fn person_only(&self, field: &str) -> ApiResult<()> {
        if self.is_app() {
            return Err(ApiError::Forbidden {
                detail: format!(
                    "Only an administrator signed in to the console may set `{field}`; an app using the admin API may not, on any app."
                ),
                missing_scope: None,
            });
        }
        Ok(())
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
        let app = if principal.user.is_some() {
            // The console is built in and never changes; its user is read again below.
            principal.client.app.clone()
        } else {
            // Read again, not from the client cache: an app whose admin API access was
            // turned off, or that was deleted (also by another copy), loses it at once.
            state
                .stores
                .apps
                .get_app(principal.client.client_id())
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))?
                .ok_or_else(|| ApiError::Unauthorized {
                    detail: "The access token is invalid, expired or revoked.".to_owned(),
                    invalid_token: true,
                })?
        };
        let caller = match authority::admin_caller(
            &app,
            principal.user.is_some(),
            principal.claims.iat,
        ) {
            Some(caller) => caller,
            // The admin API belongs to the console, and to the apps an administrator
            // chose: a token another app obtained, even for an administrator and even
            // claiming `admin`, opens nothing here.
            None if principal.user.is_some() => {
                return Err(ApiError::Forbidden {
                    detail: "The admin API accepts only tokens issued to Portico's console."
                        .to_owned(),
                    missing_scope: None,
                })
            }
            None => {
                return Err(ApiError::Forbidden {
                    detail: "The admin API needs a user's token, not an app's, unless an administrator gave this machine-to-machine app admin API access."
                        .to_owned(),
                    missing_scope: None,
                })
            }
        };
        let admin = match (caller, principal.user) {
            (AdminCaller::ConsoleUser, Some(cached)) => {
                Admin::User(current_admin(state, &cached.id).await?)
            }
            (AdminCaller::App, None) => Admin::App {
                actor: format!("app:{}", app.client_id),
                app: Box::new(app),
            },
            // `admin_caller` answers `ConsoleUser` only for a user's token, `App` only
            // for an app's own.
            _ => {
                return Err(ApiError::Internal(
                    "the admin caller does not match the token's subject".to_owned(),
                ))
            }
        };
        if !principal.claims.has_scope(ADMIN) {
            return Err(ApiError::Forbidden {
                detail: "The access token lacks the `admin` scope.".to_owned(),
                missing_scope: Some(ADMIN),
            });
        }
        Ok(admin)
    }
}

/// The administrator `user_id` as stored now. Read again, not from the verified-token
/// cache: a demoted or disabled administrator (also by `portico user` in another process)
/// loses the admin API on the next request.
async fn current_admin(state: &AppState, user_id: &str) -> ApiResult<UserRecord> {
    let user = state
        .stores
        .users
        .user_by_id(user_id)
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    match user {
        Some(user) if user.is_admin && !user.disabled => Ok(user),
        Some(user) if !user.disabled => Err(ApiError::Forbidden {
            detail: "Only administrators may use the admin API.".to_owned(),
            missing_scope: None,
        }),
        _ => Err(ApiError::Unauthorized {
            detail: "The access token is invalid, expired or revoked.".to_owned(),
            invalid_token: true,
        }),
    }
}
