//! The interaction API behind the console's sign-in and consent pages
//! (`/api/v1/interactions/{id}`). Bound to the browser that started the authorization by
//! a cookie; JSON bodies only, `Origin` checked, so a cross-site page approves nothing.

pub mod account;
pub mod console_token;
mod login;
mod logout;
pub mod openapi;
pub mod sign_out;
mod switch_account;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use portico_proto::interaction::{
    ConsentRequest as ConsentBody, Decision, InteractionApp as AppView, InteractionView, Next,
    ScopeView,
};

use crate::http::json::ApiJson;
use crate::http::problem::ApiError;
use crate::oauth::authorize::{self, AuthRequest};
use crate::oauth::cookies;
use crate::oauth::scope::{self, Scopes};
use crate::state::AppState;
use crate::store::{AuditRecord, ConsentRecord, InteractionRecord, UserRecord};
use portico_proto::AuditAction;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/interactions/{id}", get(show))
        .route("/interactions/{id}/login", post(login::login))
        .route("/interactions/{id}/consent", post(consent))
        .route(
            "/interactions/{id}/switch-account",
            post(switch_account::switch_account),
        )
        .route("/account/apps", get(account::list))
        .route(
            "/account/apps/{client_id}",
            axum::routing::delete(account::revoke),
        )
        .route("/session", axum::routing::delete(sign_out::sign_out))
        .route("/session/console-token", post(console_token::console_token))
        .route("/logout", get(logout::show).post(logout::confirm))
}

/// The scopes as the user reads them: in plain words, who they are first (`openid`,
/// `profile`, `email`), then `admin`, and staying connected (`offline_access`) last.
pub fn scope_views(scopes: &Scopes) -> Vec<ScopeView> {
    let rank = |s: &str| match s {
        scope::OPENID => 0,
        scope::PROFILE => 1,
        scope::EMAIL => 2,
        scope::ADMIN => 3,
        scope::OFFLINE_ACCESS => 5,
        _ => 4,
    };
    let mut names: Vec<&str> = scopes.iter().collect();
    names.sort_by_key(|s| rank(s));
    names
        .into_iter()
        .map(|name| ScopeView {
            name: name.to_owned(),
            description: describe(name).to_owned(),
        })
        .collect()
}

/// Plain words for each scope, as the consent page shows them.
pub fn describe(scope: &str) -> &'static str {
    match scope {
        scope::OPENID => "Know who you are (your user ID)",
        scope::PROFILE => "See your name and username",
        scope::EMAIL => "See your e-mail address",
        scope::OFFLINE_ACCESS => "Stay connected when you are not using it",
        scope::ADMIN => "Administer Portico on your behalf",
        _ => "Unknown permission",
    }
}

fn forbidden(detail: &str) -> ApiError {
    ApiError::Forbidden {
        detail: detail.to_owned(),
        missing_scope: None,
    }
}

/// Cross-site requests are refused: the Origin must be the issuer's own.
fn check_origin(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let own = url::Url::parse(&state.config.issuer)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    match origin {
        Some(o) if o == own => Ok(()),
        _ => Err(forbidden(
            "This request must come from Portico's own pages.",
        )),
    }
}

/// The interaction, if it exists, is live, and belongs to this browser.
async fn load(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<InteractionRecord, ApiError> {
    let i = state
        .stores
        .interactions
        .get_interaction(id, state.now())
        .await?
        .ok_or_else(|| ApiError::NotFound("This sign-in request has expired or was already completed. Return to the application and start again.".to_owned()))?;
    let browser = cookies::get(headers, cookies::BROWSER.on(state))
        .ok_or_else(|| forbidden("This sign-in request was started in another browser."))?;
    if !state.hasher.verify(browser, &i.browser_hash) {
        return Err(forbidden(
            "This sign-in request was started in another browser.",
        ));
    }
    Ok(i)
}

/// The interaction's user, only while this browser's session still belongs to them: a
/// consent page left open after signing out (or after another user signed in on the same
/// browser) decides nothing.
async fn live_user_id(
    state: &AppState,
    headers: &HeaderMap,
    i: &InteractionRecord,
) -> Result<Option<String>, ApiError> {
    let Some(uid) = &i.user_id else {
        return Ok(None);
    };
    let session = cookies::session(state, headers).await?;
    Ok(session.filter(|s| s.user_id == *uid).map(|s| s.user_id))
}

async fn load_client(
    state: &AppState,
    client_id: &str,
) -> Result<std::sync::Arc<crate::runtime::clients::Client>, ApiError> {
    state
        .clients
        .get(&state.stores, client_id)
        .await?
        .ok_or_else(|| ApiError::NotFound("The application no longer exists.".to_owned()))
}

fn request_of(i: &InteractionRecord) -> Result<AuthRequest, ApiError> {
    serde_json::from_str(&i.request).map_err(|e| ApiError::Internal(e.to_string()))
}

#[utoipa::path(get, path = "/api/v1/interactions/{id}", tag = "interactions", operation_id = "getInteraction",
    summary = "What the sign-in and consent pages show", params(("id" = String, Path, description = "The interaction: the `interaction` query parameter of the sign-in or consent page")),
    responses((status = 200, body = InteractionView, description = "The app asking, the scopes in plain words, and whether the user must sign in first"),
        (status = 403, description = "The sign-in request was started in another browser"),
        (status = 404, description = "The sign-in request has expired or was already completed")),
    security(("browser_cookie" = [])))]
async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<InteractionView>, ApiError> {
    let i = load(&state, &headers, &id).await?;
    let request = request_of(&i)?;
    let client = load_client(&state, &i.client_id).await?;
    let user = match live_user_id(&state, &headers, &i).await? {
        Some(uid) => state.stores.users.user_by_id(&uid).await?,
        None => None,
    };
    let scopes = match &user {
        Some(u) => authorize::grantable(&request.scope, u)
            .map_err(|e| ApiError::Internal(e.description))?,
        None => Scopes::parse(&request.scope).map_err(|e| ApiError::Internal(e.description))?,
    };
    let s = &client.app.settings;
    Ok(Json(InteractionView {
        id: i.id.clone(),
        app: AppView {
            client_id: client.client_id().to_owned(),
            name: s.name.clone(),
            description: s.description.clone(),
            app_type: client.app_type().as_str().to_owned(),
            logo_url: client
                .app
                .logo_version
                .map(|v| format!("/api/v1/apps/{}/logo?v={v}", client.client_id())),
            developer_name: s.developer_name.clone(),
            developer_email: s.developer_email.clone(),
            privacy_policy_url: s.privacy_policy_url.clone(),
            app_description_url: s.app_description_url.clone(),
        },
        scopes: scope_views(&scopes),
        login_required: user.is_none(),
        login_hint: request.login_hint.filter(|_| user.is_none()),
        username: user.map(|u| u.username),
    }))
}

fn next(redirect_to: String, set_cookie: Option<HeaderValue>) -> Response {
    // No-store (it may carry a code), like every answer here, from `cache::no_store`.
    let mut res = Json(Next { redirect_to }).into_response();
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    res
}

/// Completes the interaction once: consent given (or not needed), code issued.
async fn finish(
    state: &AppState,
    i: &InteractionRecord,
    request: &AuthRequest,
    user: &UserRecord,
    auth_time: i64,
) -> Result<String, ApiError> {
    if !state.stores.interactions.take_interaction(&i.id).await? {
        return Err(ApiError::Conflict(
            "This sign-in request was already completed.".to_owned(),
        ));
    }
    authorize::issue_code(state, request, user, auth_time)
        .await
        .map_err(|e| ApiError::Internal(e.description))
}

#[utoipa::path(post, path = "/api/v1/interactions/{id}/consent", tag = "interactions", operation_id = "decideConsent",
    summary = "Allow or deny the app's request", params(("id" = String, Path, description = "The interaction: the `interaction` query parameter of the sign-in or consent page")), request_body = ConsentBody,
    responses((status = 200, body = Next, description = "Where the browser goes next: back to the app with a code, or with `error=access_denied`"),
        (status = 422, description = "The body is not of the documented shape; `errors` names each field"),
        (status = 403, description = "Not from Portico's own origin, started in another browser, or the user is not signed in"),
        (status = 404, description = "The sign-in request has expired or was already completed"),
        (status = 409, description = "The sign-in request was already completed")),
    security(("browser_cookie" = [], "session_cookie" = [])))]
async fn consent(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ConsentBody>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let i = load(&state, &headers, &id).await?;
    let (Some(user_id), Some(auth_time)) = (live_user_id(&state, &headers, &i).await?, i.auth_time)
    else {
        return Err(forbidden("Sign in first."));
    };
    let user = crate::oauth::grants::active_user(state.stores.users.as_ref(), &user_id)
        .await
        .map_err(|e| ApiError::Internal(e.description))?
        .ok_or_else(|| forbidden("Sign in first."))?;
    let request = request_of(&i)?;
    match body.decision {
        Decision::Deny => {
            if !state.stores.interactions.take_interaction(&i.id).await? {
                return Err(ApiError::Conflict(
                    "This sign-in request was already completed.".to_owned(),
                ));
            }
            let event = AuditRecord {
                at: state.now(),
                actor: user.username.clone(),
                action: AuditAction::ConsentDenied,
                client_id: Some(i.client_id.clone()),
                detail: format!("denied {}", request.scope),
            };
            state.stores.audit.record_event(&event).await;
            // RFC 6749 §4.1.2.1: the resource owner denied the request.
            let location = authorize::redirect_url(
                &request.redirect_uri,
                &[
                    ("error", "access_denied"),
                    ("error_description", "The user denied access."),
                ],
                request.state.as_deref(),
                &state.config.issuer,
            );
            Ok(next(location, None))
        }
        Decision::Allow => {
            let scopes = authorize::grantable(&request.scope, &user)
                .map_err(|e| ApiError::Internal(e.description))?;
            // Remember the consent, widened by any earlier one for the same app.
            let prior = state
                .stores
                .consents
                .get_consent(&user.id, &i.client_id)
                .await?;
            let mut all: Vec<&str> = scopes.iter().collect();
            if let Some(p) = &prior {
                all.extend(p.scope.split(' ').filter(|s| !s.is_empty()));
            }
            let merged =
                Scopes::parse(&all.join(" ")).map_err(|e| ApiError::Internal(e.description))?;
            state
                .stores
                .consents
                .put_consent(&ConsentRecord {
                    user_id: user.id.clone(),
                    client_id: i.client_id.clone(),
                    scope: merged.to_param(),
                    created_at: state.now(),
                })
                .await?;
            let event = AuditRecord {
                at: state.now(),
                actor: user.username.clone(),
                action: AuditAction::ConsentGiven,
                client_id: Some(i.client_id.clone()),
                detail: format!("allowed {}", scopes.to_param()),
            };
            state.stores.audit.record_event(&event).await;
            let location = finish(&state, &i, &request, &user, auth_time).await?;
            Ok(next(location, None))
        }
    }
}

/// Status used when the interaction API refuses for rate limiting.
pub const TOO_MANY: StatusCode = StatusCode::TOO_MANY_REQUESTS;
