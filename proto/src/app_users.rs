//! Who uses an app: the users who allowed it (`GET /api/v1/apps/{client_id}/grants`), and
//! revoking it for all of them (`DELETE` on the same path).

use serde::{Deserialize, Serialize};

/// One user who allowed the app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppUser {
    pub user_id: String,
    pub username: String,
    /// The scopes the user allowed.
    pub scopes: Vec<String>,
    /// When the user allowed the app (Unix seconds).
    pub granted_at: i64,
    /// When the app last used a grant of this user (sign-in or refresh; Unix seconds,
    /// kept to the minute), when known.
    pub last_used_at: Option<i64>,
}

/// One page of an app's users, those who allowed it most recently first. Paged by offset:
/// `next_offset` is the `offset` of the following page, absent on the last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AppUserPage {
    pub users: Vec<AppUser>,
    /// How many users have allowed the app, on every page.
    pub total: u64,
    /// When the app last used any user's grant, when known.
    pub last_used_at: Option<i64>,
    pub next_offset: Option<u64>,
}

/// `DELETE /api/v1/apps/{client_id}/grants`: what ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RevokedForAll {
    /// Users whose consent was withdrawn: the app must ask them again.
    pub users: u64,
    /// Grants ended, each with every refresh and access token issued under it.
    pub grants: u64,
}
