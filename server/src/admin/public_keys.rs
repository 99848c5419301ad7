//! `/api/v1/apps/{id}/public-keys` and `/key-pairs`: the keys a machine-to-machine app
//! signs its JWT assertions with (RFC 7523). Only public keys are ever stored.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portico_proto::AuditAction;
use portico_proto::{AppType, GeneratedKeyPair, KeyPairRequest, PublicKeyInfo, PublicKeyInput};

use super::apps::{app_gone, audit, load_app_to_change};
use super::auth::Admin;
use crate::crypto::app_key::{self, AppPublicKey};
use crate::http::json::ApiJson;
use crate::http::problem::{ApiError, ApiResult};
use crate::oauth::authority::AppChange;
use crate::state::AppState;
use crate::store::{PublicKeyRecord, StoreError};

/// Keys one app may register at once: enough to rotate, few enough to list.
pub const MAX_KEYS_PER_APP: usize = 10;

/// The app must exist (404 first), be one `admin` may change the keys of (403) and be
/// machine-to-machine (409).
async fn ensure_machine_to_machine(
    state: &AppState,
    admin: &Admin,
    client_id: &str,
) -> ApiResult<()> {
    let app = load_app_to_change(state, admin, client_id, AppChange::Credentials).await?;
    if app.app_type != AppType::MachineToMachine {
        return Err(ApiError::Conflict(
            "Only machine-to-machine apps have public keys and key pairs.".to_owned(),
        ));
    }
    Ok(())
}

async fn register(
    state: &AppState,
    admin: &Admin,
    client_id: &str,
    key: &AppPublicKey,
    action: AuditAction,
) -> ApiResult<i64> {
    let existing = state.stores.public_keys.list_public_keys(client_id).await?;
    if existing.len() >= MAX_KEYS_PER_APP {
        return Err(ApiError::Conflict(format!(
            "An app may hold at most {MAX_KEYS_PER_APP} keys; delete an old one first."
        )));
    }
    if existing.iter().any(|k| k.thumbprint == key.thumbprint) {
        return Err(ApiError::Conflict(
            "This key is already registered for the app.".to_owned(),
        ));
    }
    let now = state.now();
    let record = PublicKeyRecord {
        client_id: client_id.to_owned(),
        kid: key.kid.clone(),
        alg: key.alg,
        thumbprint: key.thumbprint.clone(),
        jwk: key.jwk.clone(),
        created_at: now,
    };
    let detail = format!("added {} key {}", key.alg, key.kid);
    state
        .stores
        .public_keys
        .add_public_key(&record, &audit(admin, now, action, client_id, detail))
        .await
        .map_err(|e| match e {
            StoreError::Conflict => ApiError::Conflict(format!(
                "A key with kid {:?} is already registered.",
                key.kid
            )),
            other => app_gone(client_id)(other),
        })?;
    Ok(now)
}

#[utoipa::path(post, path = "/api/v1/apps/{client_id}/public-keys", tag = "keys", operation_id = "addPublicKey",
    summary = "Register a public key for `private_key_jwt`", params(("client_id" = String, Path, description = "The app's client ID")), request_body = PublicKeyInput,
    responses((status = 201, body = PublicKeyInfo, description = "The key, registered"),
        (status = 404, description = "No app has this client ID"),
        (status = 409, description = "The app is not machine-to-machine, has as many keys as it may, or already has this key"),
        (status = 422, description = "Not exactly one of `pem` and `jwk`, or a key that cannot be used")),
    security(("bearer" = ["admin"])))]
pub async fn add_public_key(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
    ApiJson(input): ApiJson<PublicKeyInput>,
) -> ApiResult<(StatusCode, Json<PublicKeyInfo>)> {
    ensure_machine_to_machine(&state, &admin, &client_id).await?;
    let key = match (&input.pem, &input.jwk) {
        (Some(pem), None) => {
            app_key::import_pem(pem).map_err(|e| ApiError::field("pem", e.to_string()))?
        }
        (None, Some(jwk)) => {
            app_key::import_jwk(jwk).map_err(|e| ApiError::field("jwk", e.to_string()))?
        }
        _ => {
            return Err(ApiError::field(
                "pem",
                "Send exactly one of `pem` (a PEM public key) or `jwk` (a JWK object).",
            ))
        }
    };
    let created_at = register(&state, &admin, &client_id, &key, AuditAction::KeyAdd).await?;
    Ok((
        StatusCode::CREATED,
        Json(PublicKeyInfo {
            kid: key.kid,
            alg: key.alg,
            thumbprint: key.thumbprint,
            created_at,
        }),
    ))
}

#[utoipa::path(post, path = "/api/v1/apps/{client_id}/key-pairs", tag = "keys", operation_id = "generateKeyPair",
    summary = "Generate a key pair for `private_key_jwt`", params(("client_id" = String, Path, description = "The app's client ID")), request_body = KeyPairRequest,
    responses((status = 201, body = GeneratedKeyPair, description = "The private key, returned once and never stored"),
        (status = 404, description = "No app has this client ID"),
        (status = 409, description = "The app is not machine-to-machine, or has as many keys as it may"),
        (status = 422, description = "An algorithm Portico does not generate")),
    security(("bearer" = ["admin"])))]
pub async fn generate_key_pair(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
    ApiJson(input): ApiJson<KeyPairRequest>,
) -> ApiResult<(StatusCode, Json<GeneratedKeyPair>)> {
    // Check the app before spending time on key generation (RSA takes a while).
    ensure_machine_to_machine(&state, &admin, &client_id).await?;
    let alg = input.alg;
    let generated = tokio::task::spawn_blocking(move || app_key::generate(alg))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    register(
        &state,
        &admin,
        &client_id,
        &generated.public,
        AuditAction::KeyGenerate,
    )
    .await?;
    let p = generated.public;
    Ok((
        StatusCode::CREATED,
        Json(GeneratedKeyPair {
            kid: p.kid,
            alg: p.alg,
            thumbprint: p.thumbprint,
            private_key_pem: generated.private_key_pem,
        }),
    ))
}

#[utoipa::path(delete, path = "/api/v1/apps/{client_id}/public-keys/{kid}", tag = "keys", operation_id = "deletePublicKey",
    summary = "Delete a registered public key",
    params(("client_id" = String, Path, description = "The app's client ID"), ("kid" = String, Path, description = "The key's `kid`")),
    responses((status = 204, description = "Deleted: JWTs signed with the key no longer authenticate the app"),
        (status = 404, description = "No app has this client ID, or it has no such key")),
    security(("bearer" = ["admin"])))]
pub async fn delete_public_key(
    State(state): State<AppState>,
    admin: Admin,
    Path((client_id, kid)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    load_app_to_change(&state, &admin, &client_id, AppChange::Credentials).await?;
    let now = state.now();
    state
        .stores
        .public_keys
        .delete_public_key(
            &client_id,
            &kid,
            &audit(
                &admin,
                now,
                AuditAction::KeyDelete,
                &client_id,
                format!("deleted key {kid}"),
            ),
        )
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                ApiError::NotFound(format!("App {client_id} has no key {kid:?}."))
            }
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}
