//! The console's "Sign out of Portico?" page behind the end-session endpoint
//! (`oauth::end_session`, OpenID Connect RP-Initiated Logout 1.0 §2): `GET /api/v1/logout`
//! says what the page shows, `POST /api/v1/logout` is its Sign out button.
//!
//! The request comes back from the page's URL, so both check it again with the endpoint's
//! own rules (`end_session::resolve`): an edited URL can return only to a URI the app
//! registered. The `POST` is bound like the console's own sign-out: JSON only and the
//! `Origin` must be Portico's, so only a click on Portico's page ends the session.

use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Json;
use portico_proto::interaction::{LogoutRequest, LogoutView};

use super::{check_origin, next};
use crate::http::json::ApiJson;
use crate::http::problem::ApiError;
use crate::oauth::authorize::ErrorPage;
use crate::oauth::cookies;
use crate::oauth::end_session::{self, Target};
use crate::oauth::form::Params;
use crate::state::AppState;

/// The endpoint's refusal, as the API's problem answer.
fn problem(page: ErrorPage) -> ApiError {
    if page.status == StatusCode::BAD_REQUEST {
        ApiError::BadRequest(page.detail)
    } else {
        ApiError::Internal(page.detail)
    }
}

async fn target(state: &AppState, request: &LogoutRequest) -> Result<Target, ApiError> {
    end_session::resolve(state, request, None)
        .await
        .map_err(problem)
}

#[utoipa::path(get, path = "/api/v1/logout", tag = "interactions", operation_id = "getLogoutRequest",
    summary = "What the sign-out confirmation page shows", params(LogoutRequest),
    responses((status = 200, body = LogoutView, description = "The app that asked, and who is signed in"),
        (status = 400, description = "The parameters are not valid: an unknown app, or a return URL the app did not register")),
    security(("session_cookie" = []), ()))]
pub async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Json<LogoutView>, ApiError> {
    let params = Params::parse(query.unwrap_or_default().as_bytes())
        .map_err(|e| ApiError::BadRequest(e.description))?;
    let request = LogoutRequest {
        client_id: params.get("client_id").map(str::to_owned),
        post_logout_redirect_uri: params.get("post_logout_redirect_uri").map(str::to_owned),
        state: params.get("state").map(str::to_owned),
    };
    let target = target(&state, &request).await?;
    let username = match cookies::session(&state, &headers).await? {
        Some(s) => state
            .stores
            .users
            .user_by_id(&s.user_id)
            .await?
            .map(|u| u.username),
        None => None,
    };
    Ok(Json(LogoutView {
        app_name: target.client.map(|c| c.app.settings.name.clone()),
        username,
    }))
}

#[utoipa::path(post, path = "/api/v1/logout", tag = "interactions", operation_id = "confirmLogout",
    summary = "Sign out, as the confirmation page's button does", request_body = LogoutRequest,
    responses((status = 200, body = portico_proto::interaction::Next, description = "Signed out: where the browser goes next"),
        (status = 400, description = "The body is not valid JSON, or names an unknown app or a return URL the app did not register"),
        (status = 403, description = "The request did not come from Portico's own origin (`Origin` header)"),
        (status = 422, description = "The body is not of the documented shape; `errors` names each field")),
    security(("session_cookie" = []), ()))]
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LogoutRequest>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let target = target(&state, &request).await?;
    let cleared = end_session::end(&state, &headers).await?;
    Ok(next(target.destination(), cleared))
}
