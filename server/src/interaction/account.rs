//! Connected apps (`/api/v1/account/apps`): the apps a user allowed, and revoking one,
//! which ends every grant and token of that user for that app.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use portico_proto::interaction::{ConnectedApp, ConnectedApps};
use portico_proto::AuditAction;

use super::scope_views;
use crate::http::problem::ApiError;
use crate::oauth::resource::{bearer, verify_active, Inactive};
use crate::oauth::scope::Scopes;
use crate::state::AppState;
use crate::store::{AuditRecord, UserRecord};

/// The user behind a bearer token the console holds (any scope: it is their own data). A
/// token another app obtained for the user is refused: an app the user allowed must not
/// see or revoke the user's other apps (nor sign the user out of the console).
async fn user(state: &AppState, headers: &HeaderMap) -> Result<UserRecord, ApiError> {
    let unauthorized = || ApiError::Unauthorized {
        detail: "Sign in: send your access token as Authorization: Bearer <token>.".to_owned(),
        invalid_token: true,
    };
    let token = bearer(headers).ok_or_else(unauthorized)?;
    let principal = verify_active(state, token).await.map_err(|e| match e {
        Inactive::Token => unauthorized(),
        Inactive::Internal(m) => ApiError::Internal(m),
    })?;
    if !crate::oauth::authority::is_console(&principal.claims.client_id) {
        return Err(ApiError::Forbidden {
            detail: "Connected apps are managed in Portico's console; this token was issued to another app.".to_owned(),
            missing_scope: None,
        });
    }
    principal
        .user
        .map(std::sync::Arc::unwrap_or_clone)
        .ok_or_else(|| ApiError::Forbidden {
            detail: "Connected apps belong to users; this is an app's own token.".to_owned(),
            missing_scope: None,
        })
}

#[utoipa::path(get, path = "/api/v1/account/apps", tag = "account", operation_id = "listConnectedApps",
    summary = "The apps the signed-in user allowed",
    responses((status = 200, body = ConnectedApps, description = "One entry per app, with the scopes allowed"),
        (status = 403, description = "The token was issued to another app than Portico's console, or is an app's own token")),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<ConnectedApps>, ApiError> {
    let user = user(&state, &headers).await?;
    let grants = state.stores.grants.list_user_grants(&user.id).await?;
    // One entry per app: scopes joined, first allowed, last used.
    let mut by_app: BTreeMap<String, (Vec<String>, i64, i64)> = BTreeMap::new();
    for g in grants {
        let e =
            by_app
                .entry(g.client_id.clone())
                .or_insert((Vec::new(), g.created_at, g.last_used_at));
        e.0.extend(
            g.scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        e.1 = e.1.min(g.created_at);
        e.2 = e.2.max(g.last_used_at);
    }
    let mut apps = Vec::new();
    for (client_id, (scopes, first, last)) in by_app {
        let Some(client) = state.clients.get(&state.stores, &client_id).await? else {
            continue;
        };
        // The console is Portico itself, not a connected app.
        if client.app.builtin {
            continue;
        }
        let allowed_at = state
            .stores
            .consents
            .get_consent(&user.id, &client_id)
            .await?
            .map(|c| c.created_at.min(first))
            .unwrap_or(first);
        let scopes = Scopes::parse(&scopes.join(" ")).unwrap_or_default();
        apps.push(ConnectedApp {
            logo_url: client
                .app
                .logo_version
                .map(|v| format!("/api/v1/apps/{client_id}/logo?v={v}")),
            name: client.app.settings.name.clone(),
            scopes: scope_views(&scopes),
            allowed_at,
            last_used_at: last,
            client_id,
        });
    }
    apps.sort_by_key(|a| std::cmp::Reverse(a.last_used_at));
    Ok(Json(ConnectedApps { apps }))
}

#[utoipa::path(delete, path = "/api/v1/account/apps/{client_id}", tag = "account", operation_id = "revokeConnectedApp",
    summary = "Disconnect an app: end its consent, grants and tokens for this user",
    params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 204, description = "Disconnected: the app must ask again"),
        (status = 403, description = "The token was issued to another app than Portico's console, or is an app's own token"),
        (status = 404, description = "The user has not allowed this app")),
    security(("bearer" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(client_id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = user(&state, &headers).await?;
    // The console is Portico itself, not a connected app: signing out is how it ends.
    if crate::oauth::authority::is_console(&client_id) {
        return Err(ApiError::NotFound(
            "Portico's console is not a connected app; sign out instead.".to_owned(),
        ));
    }
    let now = state.now();
    // Recorded only when the user had allowed the app: revoking what was never allowed
    // changes nothing, and must not let a user fill the log with made-up client IDs.
    let allowed = state
        .stores
        .consents
        .get_consent(&user.id, &client_id)
        .await?
        .is_some();
    state
        .stores
        .grants
        .revoke_grants_of_user(&user.id, Some(&client_id), now)
        .await?;
    // Forget the consent too: the app must ask again.
    state
        .stores
        .consents
        .delete_consent(&user.id, &client_id)
        .await?;
    if allowed {
        let event = AuditRecord {
            at: now,
            actor: user.username.clone(),
            action: AuditAction::ConsentRevoked,
            client_id: Some(client_id),
            detail: "revoked the app's access in Connected apps".to_owned(),
        };
        state.stores.audit.record_event(&event).await;
    }
    Ok(StatusCode::NO_CONTENT)
}
