//! `/api/v1/apps/{client_id}/grants`: who uses an app — the users who allowed it, paged by
//! offset — and "Revoke for all users", which ends every consent, grant and token of the
//! app and keeps the app, its secrets and keys. Portico's own console is not an app of the
//! admin API (`load_app`: 404), so it cannot be revoked this way; its sessions end by
//! signing out, or by disabling the user.

use axum::extract::{Path, State};
use axum::Json;
use portico_proto::AuditAction;
use portico_proto::{AppUser, AppUserPage, RevokedForAll};
use serde::Deserialize;

use super::apps::{audit, load_app, load_app_to_change};
use super::auth::Admin;
use crate::http::json::ApiQuery;
use crate::http::problem::ApiResult;
use crate::oauth::authority::AppChange;
use crate::state::AppState;

/// Page size when none is asked for, and the most one page holds.
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AppUsersQuery {
    /// How many users to skip: the `next_offset` of the previous page (default 0).
    pub offset: Option<u64>,
    /// Page size, 1–100 (default 20).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/apps/{client_id}/grants", tag = "apps", operation_id = "listAppUsers",
    summary = "List the users who allowed an app",
    params(("client_id" = String, Path, description = "The app's client ID"), AppUsersQuery),
    responses((status = 200, body = AppUserPage,
            description = "The users who allowed the app, most recent first, paged by offset and limit; `total` counts them all"),
        (status = 400, description = "A query parameter is not of its type (e.g. `limit=abc`)"),
        (status = 404, description = "No app has this client ID")),
    security(("bearer" = ["admin"])))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    Path(client_id): Path<String>,
    ApiQuery(q): ApiQuery<AppUsersQuery>,
) -> ApiResult<Json<AppUserPage>> {
    load_app(&state, &client_id).await?;
    let offset = q.offset.unwrap_or(0);
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let page = state
        .stores
        .consents
        .list_app_users(&client_id, offset, limit)
        .await?;
    let shown = offset.saturating_add(page.users.len() as u64);
    Ok(Json(AppUserPage {
        next_offset: (shown < page.total && !page.users.is_empty()).then_some(shown),
        users: page
            .users
            .into_iter()
            .map(|u| AppUser {
                scopes: u.scope.split_whitespace().map(str::to_owned).collect(),
                user_id: u.user_id,
                username: u.username,
                granted_at: u.granted_at,
                last_used_at: u.last_used_at,
            })
            .collect(),
        total: page.total,
        last_used_at: page.last_used_at,
    }))
}

#[utoipa::path(delete, path = "/api/v1/apps/{client_id}/grants", tag = "apps", operation_id = "revokeAppForAllUsers",
    summary = "Revoke an app for every user", params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 200, body = RevokedForAll,
            description = "Every user's consent, grant, refresh token, pending code and access token of the app ended; the app, its secrets and keys stay. Audited as `app.grants_revoke`"),
        (status = 404, description = "No app has this client ID")),
    security(("bearer" = ["admin"])))]
pub async fn revoke_all(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
) -> ApiResult<Json<RevokedForAll>> {
    let app = load_app_to_change(&state, &admin, &client_id, AppChange::Settings).await?;
    let now = state.now();
    let detail = format!(
        "revoked {} app {:?} for all users",
        app.app_type.label(),
        app.settings.name
    );
    let ended = state
        .stores
        .grants
        .revoke_grants_of_app(
            &client_id,
            &audit(
                &admin,
                now,
                AuditAction::AppGrantsRevoke,
                &client_id,
                detail,
            ),
        )
        .await?;
    tracing::info!(client_id = %client_id, actor = %admin.actor(), grants = ended.grants, "app revoked for all users");
    Ok(Json(RevokedForAll {
        users: ended.consents,
        grants: ended.grants,
    }))
}
