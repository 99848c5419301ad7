//! The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, RFC 9207, RFC 9700): read the
//! parameters, run the checks in `checks/` (client, redirect URI, parameter lengths,
//! response type, scope, PKCE, prompt), then either issue a code at once or hand the
//! browser to the console's sign-in or consent page. Before the redirect URI is trusted,
//! errors are an HTML page; after, a redirect.

mod checks;
mod code;
mod consent;
mod error_page;
mod request;
mod response;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::response::{IntoResponse, Response};

use super::cookies;
use super::error::{ErrorCode, OAuthError};
use super::form::Params;
use crate::crypto::random;
use crate::runtime::clients::Client;
use crate::state::AppState;
use crate::store::InteractionRecord;

use checks::{Checked, Refused};

pub use checks::{redirect_uri_registered, LOGIN_HINT_MAX, NONCE_MAX, STATE_MAX};
pub use code::issue_code;
pub use consent::{consent_needed, grantable};
pub use error_page::ErrorPage;
pub use request::{AuthRequest, Prompt};
pub use response::{redirect_url, see_other};

/// How long a user has to sign in and decide.
pub const INTERACTION_LIFETIME: i64 = 600;

/// `GET` (query) and `POST` (form) `/oauth2/authorize`. No CORS headers: it is navigated to.
pub async fn authorize(State(state): State<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    let params = match read_params(&state, req).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    let issuer = state.config.issuer.clone();
    let Checked {
        client,
        target,
        request,
    } = match checks::run(&state, &params).await {
        Ok(checked) => checked,
        Err(Refused::Page(page)) => return page.into_response(),
        Err(Refused::Redirect(target, e)) => return target.error(&issuer, e),
    };
    match proceed(&state, &headers, &client, request).await {
        Ok(res) => res,
        Err(e) => target.error(&issuer, e),
    }
}

/// RFC 6749 §3.1: the query of a `GET`, or the form body of a `POST`; each parameter at
/// most once (`Params::parse`).
async fn read_params(state: &AppState, req: Request) -> Result<Params, ErrorPage> {
    let raw = if req.method() == Method::POST {
        match Bytes::from_request(req, state).await {
            Ok(b) => b.to_vec(),
            Err(_) => {
                return Err(ErrorPage::invalid_request(
                    "The request body could not be read.",
                ))
            }
        }
    } else {
        req.uri().query().unwrap_or_default().as_bytes().to_vec()
    };
    Params::parse(&raw).map_err(|e| ErrorPage::invalid_request(e.description))
}

/// A checked request: a code at once when the browser's user is signed in and has
/// consented; otherwise the console asks (unless `prompt=none` forbids asking, OIDC Core
/// §3.1.2.6).
async fn proceed(
    state: &AppState,
    headers: &HeaderMap,
    client: &Client,
    request: AuthRequest,
) -> Result<Response, OAuthError> {
    // The signed-in user, unless the app asks for a fresh sign-in: `prompt=login`, or a
    // sign-in older than `max_age` (OIDC Core §3.1.2.1). Either way the console's sign-in
    // page asks again and the new sign-in's time becomes `auth_time`.
    let now = state.now();
    let session = match cookies::session(state, headers).await? {
        Some(s)
            if !request.prompt.login && checks::is_recent(s.auth_time, request.max_age, now) =>
        {
            Some(s)
        }
        _ => None,
    };
    let user = match &session {
        Some(s) => super::grants::active_user(state.stores.users.as_ref(), &s.user_id).await?,
        None => None,
    };
    if let (Some(user), Some(session)) = (&user, &session) {
        let scopes = grantable(&request.scope, user)?;
        if !consent_needed(state, client, user, &scopes, request.prompt).await? {
            let location = issue_code(state, &request, user, session.auth_time).await?;
            return Ok(see_other(&location));
        }
        if request.prompt.none {
            return Err(OAuthError::new(
                ErrorCode::ConsentRequired,
                "The user has not consented to this app.",
            ));
        }
    } else if request.prompt.none {
        return Err(OAuthError::new(
            ErrorCode::LoginRequired,
            "The user is not signed in.",
        ));
    }
    let user_id = user.map(|u| u.id);
    hand_off(
        state,
        headers,
        request,
        user_id,
        session.map(|s| s.auth_time),
    )
    .await
}

/// Keeps the request as an interaction bound to this browser, and sends the browser to the
/// console's consent page when the user is known, to its sign-in page otherwise.
async fn hand_off(
    state: &AppState,
    headers: &HeaderMap,
    request: AuthRequest,
    user_id: Option<String>,
    auth_time: Option<i64>,
) -> Result<Response, OAuthError> {
    let now = state.now();
    let (browser, set_cookie) = cookies::browser_id(state, headers)?;
    let id = random::id()?;
    let page = if user_id.is_some() {
        "consent"
    } else {
        "login"
    };
    state
        .stores
        .interactions
        .create_interaction(&InteractionRecord {
            id: id.clone(),
            browser_hash: state.hasher.hash(&browser),
            client_id: request.client_id.clone(),
            request: serde_json::to_string(&request).map_err(OAuthError::server)?,
            user_id,
            auth_time,
            created_at: now,
            expires_at: now + INTERACTION_LIFETIME,
        })
        .await?;
    let mut res = see_other(&format!("/{page}?interaction={id}"));
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}
