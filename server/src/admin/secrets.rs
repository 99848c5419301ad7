//! `/api/v1/apps/{id}/secrets`: several active secrets per app, so it can rotate
//! without downtime; each shown once, at creation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portico_proto::secret::{validate_note, MAX_SECRETS_PER_APP};
use portico_proto::AuditAction;
use portico_proto::{NewSecret, NewSecretInput, SecretInfo, SecretPatch};

use super::apps::{app_gone, audit, load_app_to_change};
use super::auth::Admin;
use crate::crypto::random;
use crate::crypto::secret::ClientSecret;
use crate::http::json::{ApiJson, OptionalApiJson};
use crate::http::problem::{ApiError, ApiResult};
use crate::oauth::authority::AppChange;
use crate::state::AppState;
use crate::store::{SecretRecord, StoreError};

/// A fresh secret and the record that stores only its keyed hash.
pub(crate) fn new_secret_record(
    state: &AppState,
    client_id: &str,
    now: i64,
    note: String,
) -> ApiResult<(SecretRecord, ClientSecret)> {
    let secret = ClientSecret::generate()?;
    let record = SecretRecord {
        id: random::id()?,
        client_id: client_id.to_owned(),
        secret_hash: state.hasher.hash(secret.expose()),
        hint: secret.hint(),
        created_at: now,
        last_used_at: None,
        note,
    };
    Ok((record, secret))
}

/// A note as the API takes it, or a 422 naming the `note` field.
fn checked_note(note: String) -> ApiResult<String> {
    validate_note(&note).map_err(|m| ApiError::field("note", m))?;
    Ok(note)
}

#[utoipa::path(post, path = "/api/v1/apps/{client_id}/secrets", tag = "secrets", operation_id = "createSecret",
    summary = "Add a client secret", params(("client_id" = String, Path, description = "The app's client ID")),
    request_body(content = Option<NewSecretInput>, description = "Optional: a note (at most 64 characters); an empty body adds a secret without one"),
    responses((status = 201, body = NewSecret, description = "The secret, shown this once"),
        (status = 404, description = "No app has this client ID"),
        (status = 409, description = "The app is a single-page app (no secrets), or has 5 secrets already"),
        (status = 422, description = "The note is too long or not one line")),
    security(("bearer" = ["admin"])))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
    OptionalApiJson(input): OptionalApiJson<NewSecretInput>,
) -> ApiResult<(StatusCode, Json<NewSecret>)> {
    let note = checked_note(input.unwrap_or_default().note)?;
    let app = load_app_to_change(&state, &admin, &client_id, AppChange::Credentials).await?;
    if !app.app_type.has_secrets() {
        return Err(ApiError::Conflict(
            "Single-page apps are public clients and have no secrets (RFC 6749 §2.1); they use PKCE.".to_owned(),
        ));
    }
    let now = state.now();
    let (record, secret) = new_secret_record(&state, &client_id, now, note)?;
    let detail = format!("added secret {}", record.hint);
    state
        .stores
        .secrets
        .add_secret(
            &record,
            MAX_SECRETS_PER_APP as u32,
            &audit(&admin, now, AuditAction::SecretCreate, &client_id, detail),
        )
        .await
        .map_err(|e| match e {
            StoreError::LimitReached(n) => ApiError::Conflict(format!(
                "An app may hold at most {n} secrets; delete an old one first."
            )),
            other => app_gone(&client_id)(other),
        })?;
    Ok((
        StatusCode::CREATED,
        Json(NewSecret {
            id: record.id,
            client_secret: secret.into_secret(),
            hint: record.hint,
            created_at: now,
            note: record.note,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/apps/{client_id}/secrets/{secret_id}", tag = "secrets", operation_id = "deleteSecret",
    summary = "Delete a client secret",
    params(("client_id" = String, Path, description = "The app's client ID"), ("secret_id" = String, Path, description = "The secret's `id`")),
    responses((status = 204, description = "Deleted: the secret no longer authenticates the app"),
        (status = 404, description = "No app has this client ID, or it has no such secret")),
    security(("bearer" = ["admin"])))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path((client_id, secret_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    load_app_to_change(&state, &admin, &client_id, AppChange::Credentials).await?;
    let now = state.now();
    let hint = find_secret(&state, &client_id, &secret_id).await?.hint;
    state
        .stores
        .secrets
        .delete_secret(
            &client_id,
            &secret_id,
            &audit(
                &admin,
                now,
                AuditAction::SecretDelete,
                &client_id,
                format!("deleted secret {hint}"),
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ApiError::NotFound(format!("App {client_id} has no secret {secret_id:?}."))
            }
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(patch, path = "/api/v1/apps/{client_id}/secrets/{secret_id}", tag = "secrets", operation_id = "updateSecret",
    summary = "Change a client secret's note",
    params(("client_id" = String, Path, description = "The app's client ID"), ("secret_id" = String, Path, description = "The secret's `id`")),
    request_body = SecretPatch,
    responses((status = 200, body = SecretInfo, description = "The secret with its new note"),
        (status = 404, description = "No app has this client ID, or it has no such secret"),
        (status = 422, description = "The note is too long or not one line")),
    security(("bearer" = ["admin"])))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path((client_id, secret_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<SecretPatch>,
) -> ApiResult<Json<SecretInfo>> {
    let note = checked_note(patch.note)?;
    load_app_to_change(&state, &admin, &client_id, AppChange::Settings).await?;
    let not_found = || ApiError::NotFound(format!("App {client_id} has no secret {secret_id:?}."));
    let current = find_secret(&state, &client_id, &secret_id).await?;
    let now = state.now();
    state
        .stores
        .secrets
        .set_secret_note(
            &client_id,
            &secret_id,
            &note,
            &audit(
                &admin,
                now,
                AuditAction::SecretNote,
                &client_id,
                format!("noted secret {}: {note:?}", current.hint),
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_found(),
            other => other.into(),
        })?;
    Ok(Json(SecretInfo {
        id: current.id,
        hint: current.hint,
        created_at: current.created_at,
        last_used_at: current.last_used_at,
        note,
    }))
}

/// One of an app's secrets by id, or the 404 both the delete and the note edit answer.
async fn find_secret(
    state: &AppState,
    client_id: &str,
    secret_id: &str,
) -> ApiResult<SecretRecord> {
    state
        .stores
        .secrets
        .list_secrets(client_id)
        .await?
        .into_iter()
        .find(|s| s.id == secret_id)
        .ok_or_else(|| ApiError::NotFound(format!("App {client_id} has no secret {secret_id:?}.")))
}
