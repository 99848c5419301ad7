//! `/api/v1/apps`: create, list, read, update and delete apps of the three types.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use portico_proto::app::AppSettings;
use portico_proto::AuditAction;
use portico_proto::{
    App, AppInput, AppKind, AppList, AppType, CreatedApp, PublicKeyInfo, SecretInfo,
};

use super::auth::Admin;
use super::secrets::new_secret_record;
use crate::crypto::random;
use crate::http::json::ApiJson;
use crate::http::problem::{ApiError, ApiResult};
use crate::oauth::authority::AppChange;
use crate::state::AppState;
use crate::store::{AppRecord, AuditRecord, StoreError};

pub(crate) fn audit(
    admin: &Admin,
    now: i64,
    action: AuditAction,
    client_id: &str,
    detail: String,
) -> AuditRecord {
    AuditRecord {
        at: now,
        actor: admin.actor().to_owned(),
        action,
        client_id: Some(client_id.to_owned()),
        detail: admin.detail(detail),
    }
}

/// `load_app` for a change `admin` wants to make: 403 when an app using the admin API may
/// not make it (`authority::app_may_change`).
pub(crate) async fn load_app_to_change(
    state: &AppState,
    admin: &Admin,
    client_id: &str,
    change: AppChange,
) -> ApiResult<AppRecord> {
    let app = load_app(state, client_id).await?;
    admin.may_change(&app, change)?;
    Ok(app)
}

/// The fields only a person may set, on any app: an app that could set them would give
/// itself (or an app it holds) the admin API, or the power to mint users' tokens.
fn person_only_fields(admin: &Admin, input: &AppInput) -> ApiResult<()> {
    if input.admin_api_access.is_some() {
        admin.person_only("admin_api_access")?;
    }
    if input.jwt_bearer_users.is_some() {
        admin.person_only("jwt_bearer_users")?;
    }
    Ok(())
}

/// Loads an app that the admin API may manage (built-in apps are not listed or edited).
pub(crate) async fn load_app(state: &AppState, client_id: &str) -> ApiResult<AppRecord> {
    state
        .stores
        .apps
        .get_app(client_id)
        .await?
        .filter(|a| !a.builtin)
        .ok_or_else(|| ApiError::not_found_app(client_id))
}

/// Maps a store `NotFound` on an app's child to a 404 naming the app.
pub(crate) fn app_gone(client_id: &str) -> impl FnOnce(StoreError) -> ApiError + '_ {
    move |e| match e {
        StoreError::NotFound => ApiError::not_found_app(client_id),
        other => other.into(),
    }
}

/// Every user a machine-to-machine app may act as in the JWT-bearer grant must exist and must
/// not be an administrator: the grant would otherwise be a skeleton key to the admin's
/// account, and `admin` power belongs to the console alone.
async fn check_jwt_bearer_users(state: &AppState, settings: &AppSettings) -> ApiResult<()> {
    let mut errors = Vec::new();
    for name in &settings.jwt_bearer_users {
        match state.stores.users.user_by_username(name).await? {
            None => errors.push(format!("No user is called {name}.")),
            Some(u) if u.is_admin => errors.push(format!(
                "{name} is an administrator: apps may never act as administrators."
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(vec![portico_proto::FieldError::new(
            "jwt_bearer_users",
            errors.join(" "),
        )]))
    }
}

/// What an update changed, for the audit log; the JWT-bearer users are named, since who an
/// app may act as is exactly what an auditor looks for, and so is the ID-token algorithm,
/// which the app's client library must be able to verify.
fn update_detail(input: &AppInput, settings: &AppSettings) -> String {
    let mut detail = format!("updated {}", input.present_fields().join(", "));
    if input.jwt_bearer_users.is_some() {
        detail.push_str(&format!(
            "; jwt_bearer_users = [{}]",
            settings.jwt_bearer_users.join(", ")
        ));
    }
    if input.id_token_signed_response_alg.is_some() {
        detail.push_str(&format!(
            "; id_token_signed_response_alg = {}",
            settings.id_token_signed_response_alg
        ));
    }
    detail
}

/// The app as the API shows it: settings, secrets (hints only) and public keys.
pub(crate) async fn render(state: &AppState, r: AppRecord) -> ApiResult<App> {
    let secrets = if r.app_type.has_secrets() {
        state
            .stores
            .secrets
            .list_secrets(&r.client_id)
            .await?
            .into_iter()
            .map(|s| SecretInfo {
                id: s.id,
                hint: s.hint,
                created_at: s.created_at,
                last_used_at: s.last_used_at,
                note: s.note,
            })
            .collect()
    } else {
        Vec::new()
    };
    let s = r.settings;
    let kind = match r.app_type {
        AppType::MachineToMachine => AppKind::MachineToMachine {
            secrets,
            jwt_bearer_users: s.jwt_bearer_users,
            admin_api_access: s.admin_api_access,
            public_keys: state
                .stores
                .public_keys
                .list_public_keys(&r.client_id)
                .await?
                .into_iter()
                .map(|k| PublicKeyInfo {
                    kid: k.kid,
                    alg: k.alg,
                    thumbprint: k.thumbprint,
                    created_at: k.created_at,
                })
                .collect(),
        },
        AppType::Web => AppKind::Web {
            secrets,
            redirect_uris: s.redirect_uris,
            post_logout_redirect_uris: s.post_logout_redirect_uris,
            rotate_refresh_token: s.rotate_refresh_token,
            refresh_token_absolute_lifetime: s.refresh_token_absolute_lifetime,
            refresh_token_inactivity_lifetime: s.refresh_token_inactivity_lifetime,
            refresh_token_reuse_grace: s.refresh_token_reuse_grace,
            app_description_url: s.app_description_url,
        },
        AppType::SinglePage => AppKind::SinglePage {
            redirect_uris: s.redirect_uris,
            post_logout_redirect_uris: s.post_logout_redirect_uris,
            rotate_refresh_token: s.rotate_refresh_token,
            refresh_token_absolute_lifetime: s.refresh_token_absolute_lifetime,
            refresh_token_inactivity_lifetime: s.refresh_token_inactivity_lifetime,
            refresh_token_reuse_grace: s.refresh_token_reuse_grace,
            developer_name: s.developer_name,
            developer_email: s.developer_email,
            privacy_policy_url: s.privacy_policy_url,
        },
    };
    Ok(App {
        logo_url: r
            .logo_version
            .map(|v| format!("/api/v1/apps/{}/logo?v={v}", r.client_id)),
        client_id: r.client_id,
        name: s.name,
        description: s.description,
        access_token_lifetime: s.access_token_lifetime,
        id_token_signed_response_alg: s.id_token_signed_response_alg,
        created_at: r.created_at,
        updated_at: r.updated_at,
        last_used_at: r.last_used_at,
        kind,
    })
}

#[utoipa::path(get, path = "/api/v1/apps", tag = "apps", operation_id = "listApps",
    summary = "List the apps",
    responses((status = 200, body = AppList, description = "Every app, with the most that may exist at once")),
    security(("bearer" = ["admin"])))]
pub async fn list(State(state): State<AppState>, _admin: Admin) -> ApiResult<Json<AppList>> {
    let mut apps = Vec::new();
    for r in state.stores.apps.list_apps().await? {
        apps.push(render(&state, r).await?);
    }
    Ok(Json(AppList {
        apps,
        limit: state.config.max_apps,
    }))
}

#[utoipa::path(post, path = "/api/v1/apps", tag = "apps", operation_id = "createApp",
    summary = "Create an app",
    request_body(content = AppInput, description = "`type` and `name`, and any other field of the type",
        example = json!({"type": "web", "name": "Example", "redirect_uris": ["https://app.example/callback"]})),
    responses((status = 201, body = CreatedApp, description = "Created; `client_secret` is shown this once"),
        (status = 409, description = "The most apps that may exist at once already exist"),
        (status = 422, description = "A field is missing or not valid; `errors` names each")),
    security(("bearer" = ["admin"])))]
pub async fn create(
    State(state): State<AppState>,
    admin: Admin,
    ApiJson(input): ApiJson<AppInput>,
) -> ApiResult<(StatusCode, Json<CreatedApp>)> {
    let app_type = input.for_create().map_err(ApiError::Validation)?;
    person_only_fields(&admin, &input)?;
    let mut settings = AppSettings::defaults(app_type);
    settings
        .apply(app_type, &input)
        .map_err(ApiError::Validation)?;
    if settings.admin_api_access {
        return Err(ApiError::Validation(vec![portico_proto::FieldError::new(
            "admin_api_access",
            "Create the app first, then turn admin API access on in a request of its own, so the audit log records it as its own action.",
        )]));
    }
    check_jwt_bearer_users(&state, &settings).await?;
    let now = state.now();
    let client_id = random::id()?;
    let secret = if app_type.has_secrets() {
        Some(new_secret_record(&state, &client_id, now, String::new())?)
    } else {
        None
    };
    let record = AppRecord {
        client_id: client_id.clone(),
        app_type,
        settings,
        builtin: false,
        created_at: now,
        updated_at: now,
        last_used_at: None,
        logo_version: None,
    };
    let mut detail = format!(
        "created {} app {:?}",
        app_type.label(),
        record.settings.name
    );
    if !record.settings.jwt_bearer_users.is_empty() {
        detail.push_str(&format!(
            "; jwt_bearer_users = [{}]",
            record.settings.jwt_bearer_users.join(", ")
        ));
    }
    if input.id_token_signed_response_alg.is_some() {
        detail.push_str(&format!(
            "; id_token_signed_response_alg = {}",
            record.settings.id_token_signed_response_alg
        ));
    }
    state
        .stores
        .apps
        .create_app(
            &record,
            secret.as_ref().map(|(r, _)| r),
            state.config.max_apps,
            &audit(&admin, now, AuditAction::AppCreate, &client_id, detail),
        )
        .await
        .map_err(|e| match e {
            StoreError::LimitReached(n) => ApiError::Conflict(format!(
                "At most {n} apps may exist at once; delete an app before creating another."
            )),
            other => other.into(),
        })?;
    tracing::info!(client_id = %client_id, app_type = app_type.as_str(), actor = %admin.actor(), "app created");
    let app = render(&state, record).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedApp {
            app,
            client_secret: secret.map(|(_, s)| s.into_secret()),
        }),
    ))
}

#[utoipa::path(get, path = "/api/v1/apps/{client_id}", tag = "apps", operation_id = "getApp",
    summary = "Read an app", params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 200, body = App, description = "The app"),
        (status = 404, description = "No app has this client ID")),
    security(("bearer" = ["admin"])))]
pub async fn get(
    State(state): State<AppState>,
    _admin: Admin,
    Path(client_id): Path<String>,
) -> ApiResult<Json<App>> {
    let r = load_app(&state, &client_id).await?;
    Ok(Json(render(&state, r).await?))
}

#[utoipa::path(patch, path = "/api/v1/apps/{client_id}", tag = "apps", operation_id = "updateApp",
    summary = "Change an app's settings", request_body = AppInput, params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 200, body = App, description = "The app as changed"),
        (status = 404, description = "No app has this client ID"),
        (status = 422, description = "A field is not valid or does not apply to the app's type; `errors` names each")),
    security(("bearer" = ["admin"])))]
pub async fn update(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
    ApiJson(input): ApiJson<AppInput>,
) -> ApiResult<Json<App>> {
    person_only_fields(&admin, &input)?;
    let mut r = load_app_to_change(&state, &admin, &client_id, AppChange::Settings).await?;
    if let Some(on) = input.admin_api_access {
        return set_admin_api_access(&state, &admin, r, &input, on).await;
    }
    r.settings
        .apply(r.app_type, &input)
        .map_err(ApiError::Validation)?;
    if input.jwt_bearer_users.is_some() {
        check_jwt_bearer_users(&state, &r.settings).await?;
    }
    let now = state.now();
    let detail = update_detail(&input, &r.settings);
    state
        .stores
        .apps
        .update_app(
            &client_id,
            &r.settings,
            now,
            &audit(&admin, now, AuditAction::AppUpdate, &client_id, detail),
        )
        .await
        .map_err(app_gone(&client_id))?;
    // As stored: the store keeps the app's admin API access as it is now.
    let r = load_app(&state, &client_id).await?;
    Ok(Json(render(&state, r).await?))
}

#[utoipa::path(delete, path = "/api/v1/apps/{client_id}", tag = "apps", operation_id = "deleteApp",
    summary = "Delete an app", params(("client_id" = String, Path, description = "The app's client ID")),
    responses((status = 204, description = "Deleted, with its secrets, keys, logo, grants and tokens"),
        (status = 404, description = "No app has this client ID")),
    security(("bearer" = ["admin"])))]
pub async fn delete(
    State(state): State<AppState>,
    admin: Admin,
    Path(client_id): Path<String>,
) -> ApiResult<StatusCode> {
    let r = load_app_to_change(&state, &admin, &client_id, AppChange::Delete).await?;
    let now = state.now();
    let detail = format!("deleted {} app {:?}", r.app_type.label(), r.settings.name);
    state
        .stores
        .apps
        .delete_app(
            &client_id,
            &audit(&admin, now, AuditAction::AppDelete, &client_id, detail),
        )
        .await
        .map_err(app_gone(&client_id))?;
    tracing::info!(client_id = %client_id, actor = %admin.actor(), "app deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// `PATCH {"admin_api_access": …}`: turns the app's admin API access on or off, audited as
/// its own action (`app.admin_api_enable` / `app.admin_api_disable`). Alone in its request,
/// so an auditor filtering by those actions sees every change of this power and nothing
/// else is hidden in it. The caller is a person (`person_only_fields`).
async fn set_admin_api_access(
    state: &AppState,
    admin: &Admin,
    mut r: AppRecord,
    input: &AppInput,
    on: bool,
) -> ApiResult<Json<App>> {
    let others: Vec<_> = input
        .present_fields()
        .into_iter()
        .filter(|f| *f != "admin_api_access")
        .collect();
    if !others.is_empty() {
        return Err(ApiError::Validation(vec![portico_proto::FieldError::new(
            "admin_api_access",
            format!(
                "Change admin API access in a request of its own (this one also sets {}), so the audit log records it as its own action.",
                others.join(", ")
            ),
        )]));
    }
    // The type rule (machine-to-machine only) is proto's, with its field message.
    r.settings
        .apply(r.app_type, input)
        .map_err(ApiError::Validation)?;
    let now = state.now();
    let (action, detail) = if on {
        (
            AuditAction::AdminApiEnable,
            format!(
                "admin API access turned on for {:?}: its client credentials tokens may carry the admin scope",
                r.settings.name
            ),
        )
    } else {
        (
            AuditAction::AdminApiDisable,
            format!("admin API access turned off for {:?}", r.settings.name),
        )
    };
    let stored = state
        .stores
        .apps
        .set_admin_api_access(
            &r.client_id,
            on,
            now,
            &audit(admin, now, action, &r.client_id, detail),
        )
        .await
        .map_err(app_gone(&r.client_id))?;
    tracing::info!(client_id = %r.client_id, on, actor = %admin.actor(), "admin API access changed");
    Ok(Json(render(state, stored).await?))
}
