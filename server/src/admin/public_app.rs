//! `GET /api/v1/apps/{client_id}/public?redirect_uri=…`: public, no token. Answers a
//! single-page app's name when `redirect_uri` is one it registered, so that a browser app
//! (the console's PKCE demo) can check a pasted client ID before it sends the user away,
//! instead of leaving them on Portico's error page.
//!
//! Why it tells a stranger nothing new: anyone who knows a client ID and a registered
//! redirect URI can already open `/oauth2/authorize` with them and read the app's name (and
//! more: logo, developer) on the sign-in page; unknown IDs and unregistered URLs are named on
//! the authorization endpoint's error page too. This answers less: the name only, and one
//! `404` for every other case (unknown client, wrong redirect URL, another app type, the
//! built-in console), so it cannot even tell those apart. Bounds: the client ID and the
//! redirect URL are length-checked before any lookup, and the lookup is the client cache the
//! authorization endpoint uses (no write, no more work than `/oauth2/authorize` does for the
//! same question), so it is no cheaper way to load the server than that endpoint.

use axum::extract::{Path, State};
use axum::Json;
use portico_proto::interaction::PublicApp;
use portico_proto::validate::URL_MAX;
use portico_proto::AppType;
use serde::Deserialize;

use crate::http::json::ApiQuery;
use crate::http::problem::{ApiError, ApiResult};
use crate::oauth::authorize::redirect_uri_registered;
use crate::state::AppState;

/// Longer than any client ID Portico issues; longer input is refused unread.
const CLIENT_ID_MAX: usize = 128;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicAppQuery {
    /// A redirect URL the app must have registered (matched as `/oauth2/authorize` does).
    pub redirect_uri: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/apps/{client_id}/public", tag = "apps", operation_id = "getPublicApp",
    summary = "Name a single-page app by client ID and redirect URL (no token needed)",
    params(("client_id" = String, Path, description = "The app's client ID"), PublicAppQuery),
    responses((status = 200, body = PublicApp,
            description = "A single-page app that registered `redirect_uri`: its name"),
        (status = 400, description = "No `redirect_uri`, or an over-long parameter"),
        (status = 404, description = "No single-page app with this client ID registered this redirect URL")),
    security(()))]
pub async fn get(
    State(state): State<AppState>,
    Path(client_id): Path<String>,
    ApiQuery(q): ApiQuery<PublicAppQuery>,
) -> ApiResult<Json<PublicApp>> {
    let Some(redirect_uri) = q.redirect_uri else {
        return Err(ApiError::BadRequest(
            "redirect_uri is required: the app is named only with a redirect URL it registered."
                .to_owned(),
        ));
    };
    if client_id.len() > CLIENT_ID_MAX || redirect_uri.len() > URL_MAX {
        return Err(ApiError::BadRequest(
            "The client ID or the redirect URL is too long.".to_owned(),
        ));
    }
    let not_found = || {
        ApiError::NotFound(
            "No single-page app with this client ID has registered this redirect URL.".to_owned(),
        )
    };
    let client = state
        .clients
        .get(&state.stores, &client_id)
        .await?
        .ok_or_else(not_found)?;
    let answers = client.app_type() == AppType::SinglePage
        && !client.app.builtin
        && redirect_uri_registered(&client, &redirect_uri);
    if !answers {
        return Err(not_found());
    }
    Ok(Json(PublicApp {
        client_id: client.client_id().to_owned(),
        name: client.app.settings.name.clone(),
    }))
}
