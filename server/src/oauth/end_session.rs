//! The end-session endpoint, OpenID Connect RP-Initiated Logout 1.0: `GET` (query) and
//! `POST` (form) `/oauth2/end_session`, where an app sends the browser to sign its user out
//! of Portico.
//!
//! 1. `id_token_hint` (§2, RECOMMENDED), when present, must be an ID token Portico signed
//!    for this issuer; an expired one is accepted (§2), a forged or foreign one is refused.
//!    It names the app (`aud`) and the user (`sub`).
//! 2. `client_id`, when present with a hint, must be the hint's `aud` (§2).
//! 3. `post_logout_redirect_uri` is honoured only for an identified app, and only when it is
//!    exactly one of the app's registered `post_logout_redirect_uris` (§3, §3.1); otherwise
//!    Portico's error page says so and nothing redirects, so the endpoint is never an open
//!    redirector (RFC 9700 §4.11). `state` (§2) is passed back on the redirect.
//! 4. With a session and a hint naming its user, the session ends at once (§2: the hint is
//!    the proof that the user's app asked). Otherwise the console's confirmation page asks
//!    the user (§2: the OP SHOULD ask whether the user wants to log out), and only its Sign
//!    out button, a same-origin `POST /api/v1/logout`, ends the session: a cross-site link or
//!    form cannot sign anyone out (logout CSRF). `ui_locales` is accepted and ignored: the
//!    pages are in English only.
//!
//! Ending the session is [`end`], which the console's own sign-out uses too.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_proto::console::{LOGOUT_PATH, SIGNED_OUT_PATH};
use portico_proto::interaction::LogoutRequest;
use url::Url;

use super::authorize::{see_other, ErrorPage, STATE_MAX};
use super::cookies;
use super::form::Params;
use crate::runtime::clients::Client;
use crate::state::AppState;
use crate::store::{StoreError, StoreResult};

/// Where a checked request may send the browser once the session has ended.
#[derive(Debug)]
pub struct Target {
    /// The app that asked, when the request named one.
    pub client: Option<Arc<Client>>,
    /// A registered `post_logout_redirect_uri`, exactly as registered.
    redirect: Option<String>,
    state: Option<String>,
}

impl Target {
    /// The app's URI with `state` (§3), or Portico's "signed out" page when there is none.
    pub fn destination(&self) -> String {
        let Some(uri) = &self.redirect else {
            return SIGNED_OUT_PATH.to_owned();
        };
        match (Url::parse(uri), &self.state) {
            (Ok(mut url), Some(s)) => {
                url.query_pairs_mut().append_pair("state", s);
                url.into()
            }
            _ => uri.clone(),
        }
    }

    /// The console's confirmation page, carrying what it needs to finish the request. The
    /// hint stays behind: the page's answer is the user's click, not the hint.
    fn confirmation_page(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        if let Some(c) = &self.client {
            q.append_pair("client_id", c.client_id());
        }
        if let Some(u) = &self.redirect {
            q.append_pair("post_logout_redirect_uri", u);
        }
        if let Some(s) = &self.state {
            q.append_pair("state", s);
        }
        let q = q.finish();
        if q.is_empty() {
            LOGOUT_PATH.to_owned()
        } else {
            format!("{LOGOUT_PATH}?{q}")
        }
    }
}

fn refused(detail: &str) -> ErrorPage {
    ErrorPage::new(StatusCode::BAD_REQUEST, "Sign-out request refused", detail)
}

fn unavailable(e: StoreError) -> ErrorPage {
    tracing::error!(error = %e, "end_session: store failed");
    ErrorPage::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again",
        "The server could not complete the request.",
    )
}

/// Steps 2 and 3: the app (named by the hint's `aud` or by `client_id`, which must agree),
/// and the return URI, which must be one it registered. `hint_aud` is `None` without a hint.
pub async fn resolve(
    state: &AppState,
    request: &LogoutRequest,
    hint_aud: Option<&str>,
) -> Result<Target, ErrorPage> {
    let given = |v: &Option<String>| v.clone().filter(|s| !s.is_empty());
    let client_id = given(&request.client_id);
    let uri = given(&request.post_logout_redirect_uri);
    let st = given(&request.state);
    if st.as_ref().is_some_and(|s| s.len() > STATE_MAX) {
        return Err(refused(&format!(
            "The state parameter is longer than {STATE_MAX} characters."
        )));
    }
    if let (Some(c), Some(aud)) = (&client_id, hint_aud) {
        if c != aud {
            return Err(refused(
                "The client_id is not the application the id_token_hint was issued to.",
            ));
        }
    }
    let client = match hint_aud.map(str::to_owned).or(client_id) {
        Some(id) => Some(
            state
                .clients
                .get(&state.stores, &id)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| refused("No application is registered with this client ID."))?,
        ),
        None => None,
    };
    let redirect = match (uri, &client) {
        (None, _) => None,
        (Some(_), None) => {
            return Err(refused(
                "A post_logout_redirect_uri is followed only when the request names its application (id_token_hint or client_id).",
            ))
        }
        // §3.1: exact string comparison with a registered value; nothing else redirects.
        (Some(u), Some(c)) if c.app.settings.post_logout_redirect_uris.contains(&u) => Some(u),
        (Some(_), Some(_)) => {
            return Err(refused(
                "The application asked to return to a URL it has not registered for sign-out.",
            ))
        }
    };
    Ok(Target {
        client,
        redirect,
        state: st,
    })
}

/// Ends this browser's Portico session: the session row is deleted (a copy of the cookie
/// kept elsewhere stops working too), the sign-in and consent pages still open in this
/// browser end with it (shared computers), and the answer clears the cookie. Returns that
/// Set-Cookie. Ending no session is not an error: the outcome is the same.
pub async fn end(state: &AppState, headers: &HeaderMap) -> StoreResult<Option<HeaderValue>> {
    if let Some(v) = cookies::get(headers, cookies::SESSION.on(state)) {
        state
            .stores
            .sessions
            .delete_session(&state.hasher.hash(v))
            .await?;
    }
    if let Some(browser) = cookies::get(headers, cookies::BROWSER.on(state)) {
        state
            .stores
            .interactions
            .delete_browser_interactions(&state.hasher.hash(browser))
            .await?;
    }
    Ok(cookies::build(state, cookies::SESSION, "", 0))
}

/// `GET` and `POST /oauth2/end_session`. No CORS headers: it is navigated to.
pub async fn end_session(State(state): State<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    let is_post = req.method() == Method::POST;
    let params = match read_params(&state, req).await {
        Ok(p) => p,
        Err(page) => return page.into_response(),
    };
    match run(&state, &headers, &params, is_post).await {
        Ok(res) => res,
        Err(page) => page.into_response(),
    }
}

/// §2: the query of a `GET`, or the form body of a `POST`; each parameter at most once.
async fn read_params(state: &AppState, req: Request) -> Result<Params, ErrorPage> {
    let raw = if req.method() == Method::POST {
        Bytes::from_request(req, state)
            .await
            .map_err(|_| ErrorPage::invalid_request("The request body could not be read."))?
            .to_vec()
    } else {
        req.uri().query().unwrap_or_default().as_bytes().to_vec()
    };
    Params::parse(&raw).map_err(|e| ErrorPage::invalid_request(e.description))
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    params: &Params,
    is_post: bool,
) -> Result<Response, ErrorPage> {
    // Step 1.
    let hint =
        match params.get("id_token_hint") {
            Some(t) => Some(state.tokens.read_id_token_hint(t).map_err(|_| {
                refused("The id_token_hint is not an ID token this server issued.")
            })?),
            None => None,
        };
    // Steps 2 and 3.
    let request = LogoutRequest {
        client_id: params.get("client_id").map(str::to_owned),
        post_logout_redirect_uri: params.get("post_logout_redirect_uri").map(str::to_owned),
        state: params.get("state").map(str::to_owned),
    };
    let target = resolve(state, &request, hint.as_ref().map(|h| h.aud.as_str())).await?;
    // Step 4.
    let session = cookies::session(state, headers)
        .await
        .map_err(unavailable)?;
    match (&session, &hint) {
        (Some(s), Some(h)) if s.user_id == h.sub => {
            let cleared = end(state, headers).await.map_err(unavailable)?;
            let mut res = see_other(&target.destination());
            if let Some(c) = cleared {
                res.headers_mut().append(header::SET_COOKIE, c);
            }
            Ok(res)
        }
        // Nobody is signed in, and a top-level GET would have carried the SameSite=Lax
        // cookie: nothing to end, so straight back to the app. A cross-site POST carries no
        // such cookie, so for it the confirmation page (same-site) looks again.
        (None, _) if !is_post => Ok(see_other(&target.destination())),
        _ => Ok(see_other(&target.confirmation_page())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(redirect: Option<&str>, state: Option<&str>) -> Target {
        Target {
            client: None,
            redirect: redirect.map(str::to_owned),
            state: state.map(str::to_owned),
        }
    }

    #[test]
    fn state_is_added_to_the_registered_uri() {
        assert_eq!(
            target(Some("https://app.example/bye?x=1"), Some("a b")).destination(),
            "https://app.example/bye?x=1&state=a+b"
        );
        assert_eq!(
            target(Some("https://app.example/bye"), None).destination(),
            "https://app.example/bye"
        );
        assert_eq!(target(None, Some("s")).destination(), SIGNED_OUT_PATH);
    }

    #[test]
    fn the_confirmation_page_carries_the_request_but_no_hint() {
        assert_eq!(
            target(Some("https://app.example/bye"), Some("s&t")).confirmation_page(),
            "/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example%2Fbye&state=s%26t"
        );
        assert_eq!(target(None, None).confirmation_page(), "/logout");
    }
}
