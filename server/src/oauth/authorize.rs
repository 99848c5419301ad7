//! The authorization endpoint (RFC 6749 §4.1.1, RFC 7636, RFC 9207, RFC 9700), as a chain
//! of small named checks: client, redirect URI, parameter lengths, response type, scope,
//! PKCE, prompt. Before the redirect URI is trusted, errors are an HTML page; after, a
//! redirect.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};
use url::Url;

use super::cookies;
use super::error::{ErrorCode, OAuthError};
use super::form::Params;
use super::grants::authorization_code::CODE_LIFETIME;
use super::pkce;
use super::scope::{self, printable, Scopes};
use crate::crypto::random;
use crate::runtime::clients::Client;
use crate::state::AppState;
use crate::store::{CodeRecord, InteractionRecord, UserRecord};

/// How long a user has to sign in and decide.
pub const INTERACTION_LIFETIME: i64 = 600;

/// Longest `state` accepted, in bytes. Every unauthenticated request stores it with its
/// interaction and echoes it back (RFC 6749 §4.1.2), so it is bounded; 1024 bytes hold any
/// CSRF value (RFC 6749 §10.12) with room for a client's own encoded state.
pub const STATE_MAX: usize = 1024;
/// Longest `nonce` accepted, in bytes: stored with the interaction and the code, and copied
/// into the ID token (OIDC Core §3.1.2.1); a random value needs a few dozen.
pub const NONCE_MAX: usize = 512;
/// Longest `login_hint` accepted, in bytes (OIDC Core §3.1.2.1): a username or an email
/// address. Not kept today; bounded so that keeping it later cannot grow storage.
pub const LOGIN_HINT_MAX: usize = 256;

/// The free-text authorization parameters and their limits.
const FREE_TEXT_LIMITS: [(&str, usize); 3] = [
    ("state", STATE_MAX),
    ("nonce", NONCE_MAX),
    ("login_hint", LOGIN_HINT_MAX),
];

/// RFC 6749 §3.1.2.2 / OIDC Core §3.1.2.1 `prompt` values.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prompt {
    pub none: bool,
    pub login: bool,
    pub consent: bool,
}

/// A validated authorization request, kept in the interaction while the user decides.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthRequest {
    pub client_id: String,
    /// Where the answer goes (the registered URI that matched).
    pub redirect_uri: String,
    /// Whether `redirect_uri` was sent: RFC 6749 §4.1.3 then requires it at the token endpoint.
    pub redirect_uri_sent: bool,
    pub scope: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub nonce: Option<String>,
    pub prompt: Prompt,
}

/// An error shown on Portico's own page: the client or redirect URI cannot be trusted.
fn error_page(status: StatusCode, title: &str, detail: &str) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{t} · Portico</title><style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1c2333}}\
         h1{{font-size:1.4rem}}</style></head><body><h1>{t}</h1><p>{d}</p><p>Return to the application and try again, or contact its developer.</p></body></html>",
        t = esc(title),
        d = esc(detail)
    );
    let mut res = (status, Html(body)).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// RFC 6749 §4.1.2 / §4.1.2.1 answers go to the client with `state` unchanged and, per
/// RFC 9207, `iss`.
pub fn redirect_url(
    redirect_uri: &str,
    pairs: &[(&str, &str)],
    state: Option<&str>,
    issuer: &str,
) -> String {
    match Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
                if let Some(s) = state {
                    q.append_pair("state", s);
                }
                q.append_pair("iss", issuer);
            }
            url.into()
        }
        Err(_) => redirect_uri.to_owned(),
    }
}

fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

struct Redirectable {
    redirect_uri: String,
    state: Option<String>,
}

impl Redirectable {
    fn error(&self, issuer: &str, e: OAuthError) -> Response {
        e.log();
        see_other(&redirect_url(
            &self.redirect_uri,
            &[
                ("error", e.code.as_str()),
                ("error_description", &e.description),
            ],
            self.state.as_deref(),
            issuer,
        ))
    }
}

/// `GET` (query) and `POST` (form) `/oauth2/authorize`. No CORS headers: it is navigated to.
pub async fn authorize(State(state): State<AppState>, req: Request) -> Response {
    let method = req.method().clone();
    let headers = req.headers().clone();
    let query = req.uri().query().unwrap_or_default().to_owned();
    let raw = if method == Method::POST {
        match Bytes::from_request(req, &state).await {
            Ok(b) => b.to_vec(),
            Err(_) => {
                return error_page(
                    StatusCode::BAD_REQUEST,
                    "Invalid request",
                    "The request body could not be read.",
                )
            }
        }
    } else {
        query.into_bytes()
    };
    let params = match Params::parse(&raw) {
        Ok(p) => p,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, "Invalid request", &e.description),
    };
    let (client, target) = match check_client_and_redirect(&state, &params).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let issuer = state.config.issuer.clone();
    let request = match check_request(&client, &params, &target) {
        Ok(r) => r,
        Err(e) => return target.error(&issuer, e),
    };
    match proceed(&state, &headers, &client, request).await {
        Ok(res) => res,
        Err(e) => target.error(&issuer, e),
    }
}

/// Checks 1–2: a known client, and a redirect URI registered for it byte for byte.
async fn check_client_and_redirect(
    state: &AppState,
    params: &Params,
) -> Result<(std::sync::Arc<Client>, Redirectable), Response> {
    let client_id = params.get("client_id").ok_or_else(|| {
        error_page(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The request names no application (client_id is missing).",
        )
    })?;
    let client = match state.clients.get(&state.stores, client_id).await {
        Ok(Some(c)) => c,
        Ok(None) => {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "Unknown application",
                "No application is registered with this client ID.",
            ))
        }
        Err(e) => {
            tracing::error!(error = %e, "authorize: client lookup failed");
            return Err(error_page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again",
                "The server could not complete the request.",
            ));
        }
    };
    let registered = &client.app.settings.redirect_uris;
    // RFC 6749 §3.1.2.3 / RFC 9700 §4.1.3: exact string comparison, no normalisation.
    let redirect_uri = match params.get("redirect_uri") {
        Some(uri) if registered.iter().any(|r| r == uri) => uri.to_owned(),
        Some(_) => {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "Unregistered redirect URL",
                "The application asked to return to a URL it has not registered.",
            ))
        }
        None if registered.len() == 1 => registered[0].clone(),
        None => {
            return Err(error_page(
                StatusCode::BAD_REQUEST,
                "Missing redirect URL",
                "The application must say where to return (redirect_uri).",
            ))
        }
    };
    Ok((
        client,
        Redirectable {
            redirect_uri,
            // An over-long state is refused (check 3) and not echoed: the client cannot
            // match it either way, and a Location header of kilobytes breaks proxies.
            state: params
                .get("state")
                .filter(|s| s.len() <= STATE_MAX)
                .map(str::to_owned),
        },
    ))
}

/// Checks 3–7 on a request whose errors may now be redirected.
fn check_request(
    client: &Client,
    params: &Params,
    target: &Redirectable,
) -> Result<AuthRequest, OAuthError> {
    // Check 3: free-text parameters within their limits, before anything is kept.
    for (name, max) in FREE_TEXT_LIMITS {
        if params.get(name).is_some_and(|v| v.len() > max) {
            return Err(OAuthError::invalid_request(format!(
                "`{name}` is longer than {max} bytes."
            )));
        }
    }
    // Check 4: response type (RFC 6749 §3.1.1); only the code flow exists here.
    match params.get("response_type") {
        Some("code") => {}
        Some(_) => {
            return Err(OAuthError::new(
                ErrorCode::UnsupportedResponseType,
                "Only response_type=code is supported.",
            ))
        }
        None => {
            return Err(OAuthError::invalid_request(
                "The `response_type` parameter is required.",
            ))
        }
    }
    if !client.app_type().uses_redirects() {
        return Err(OAuthError::unauthorized_client(
            "This app may not use the authorization code flow.",
        ));
    }
    // Check 5: scope.
    let scopes = Scopes::parse(params.get("scope").unwrap_or(""))?;
    // `admin` opens Portico's admin API, which belongs to the console: refused (not silently
    // dropped) for every other app, so its developer learns at once (RFC 6749 §4.1.2.1).
    if scopes.contains(scope::ADMIN) && !super::authority::may_hold_admin(client) {
        return Err(OAuthError::invalid_scope(
            "The `admin` scope is reserved for Portico's console.",
        ));
    }
    // Check 6: PKCE (RFC 7636 §4.3), S256 only.
    let challenge = params.get("code_challenge");
    match (challenge, params.get("code_challenge_method")) {
        (Some(c), Some("S256")) => {
            if !pkce::is_valid_challenge(c) {
                return Err(OAuthError::invalid_request(
                    "`code_challenge` must be 43 base64url characters (S256).",
                ));
            }
        }
        (Some(_), _) => {
            return Err(OAuthError::invalid_request(
                "`code_challenge_method` must be S256; plain is not accepted.",
            ))
        }
        (None, Some(_)) => {
            return Err(OAuthError::invalid_request(
                "`code_challenge_method` without `code_challenge`.",
            ))
        }
        (None, None) if client.is_public() => {
            return Err(OAuthError::invalid_request(
                "Single-page apps must use PKCE (code_challenge with S256).",
            ))
        }
        (None, None) => {}
    }
    // Check 7: prompt (OIDC Core §3.1.2.1); `none` stands alone.
    let mut prompt = Prompt::default();
    for p in params
        .get("prompt")
        .unwrap_or("")
        .split(' ')
        .filter(|p| !p.is_empty())
    {
        match p {
            "none" => prompt.none = true,
            "login" => prompt.login = true,
            "consent" => prompt.consent = true,
            other => {
                return Err(OAuthError::invalid_request(format!(
                    "Unsupported prompt `{}`.",
                    printable(other)
                )))
            }
        }
    }
    if prompt.none && (prompt.login || prompt.consent) {
        return Err(OAuthError::invalid_request(
            "prompt=none cannot be combined with other values.",
        ));
    }
    Ok(AuthRequest {
        client_id: client.client_id().to_owned(),
        redirect_uri: target.redirect_uri.clone(),
        redirect_uri_sent: params.get("redirect_uri").is_some(),
        scope: scopes.to_param(),
        state: target.state.clone(),
        code_challenge: challenge.map(str::to_owned),
        nonce: params.get("nonce").map(str::to_owned),
        prompt,
    })
}

/// The scopes the user may get: `admin` only for administrators (silently narrowed,
/// RFC 6749 §3.3; the token response states the scope granted).
pub fn grantable(request_scope: &str, user: &UserRecord) -> Result<Scopes, OAuthError> {
    let mut scopes = Scopes::parse(request_scope)?;
    if !user.is_admin {
        scopes.remove(scope::ADMIN);
    }
    Ok(scopes)
}

/// Whether the user must be asked: built-in apps never; otherwise unless an earlier
/// consent covers every scope asked now.
pub async fn consent_needed(
    state: &AppState,
    client: &Client,
    user: &UserRecord,
    scopes: &Scopes,
    prompt: Prompt,
) -> Result<bool, OAuthError> {
    if client.app.builtin {
        return Ok(false);
    }
    if prompt.consent {
        return Ok(true);
    }
    let prior = state
        .stores
        .consents
        .get_consent(&user.id, client.client_id())
        .await?;
    Ok(match prior {
        Some(c) => !scopes.is_subset(&Scopes::parse(&c.scope)?),
        None => true,
    })
}

/// Mints the code and builds the redirect back to the client.
pub async fn issue_code(
    state: &AppState,
    request: &AuthRequest,
    user: &UserRecord,
    auth_time: i64,
) -> Result<String, OAuthError> {
    let scopes = grantable(&request.scope, user)?;
    let code = random::token::<32>()?;
    let now = state.now();
    state
        .stores
        .grants
        .create_code(&CodeRecord {
            code_hash: state.hasher.hash(&code),
            client_id: request.client_id.clone(),
            user_id: user.id.clone(),
            redirect_uri: if request.redirect_uri_sent {
                request.redirect_uri.clone()
            } else {
                String::new()
            },
            scope: scopes.to_param(),
            code_challenge: request.code_challenge.clone(),
            nonce: request.nonce.clone(),
            auth_time,
            expires_at: now + CODE_LIFETIME,
        })
        .await?;
    Ok(redirect_url(
        &request.redirect_uri,
        &[("code", &code)],
        request.state.as_deref(),
        &state.config.issuer,
    ))
}

async fn proceed(
    state: &AppState,
    headers: &HeaderMap,
    client: &Client,
    request: AuthRequest,
) -> Result<Response, OAuthError> {
    let now = state.now();
    // The signed-in user, unless the app asks for a fresh sign-in.
    let session = match cookies::session(state, headers).await? {
        Some(s) if !request.prompt.login => Some(s),
        _ => None,
    };
    let user = match &session {
        Some(s) => super::grants::active_user(state, &s.user_id).await?,
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
    // Keep the request as an interaction bound to this browser, and send the browser to
    // the console's sign-in or consent page.
    let (browser, set_cookie) = cookies::browser_id(state, headers)?;
    let id = random::id()?;
    state
        .stores
        .interactions
        .create_interaction(&InteractionRecord {
            id: id.clone(),
            browser_hash: state.hasher.hash(&browser),
            client_id: request.client_id.clone(),
            request: serde_json::to_string(&request).map_err(OAuthError::server)?,
            user_id: user.as_ref().map(|u| u.id.clone()),
            auth_time: session.as_ref().map(|s| s.auth_time),
            created_at: now,
            expires_at: now + INTERACTION_LIFETIME,
        })
        .await?;
    let page = if user.is_some() { "consent" } else { "login" };
    let mut res = see_other(&format!("/{page}?interaction={id}"));
    if let Some(c) = set_cookie {
        res.headers_mut().append(header::SET_COOKIE, c);
    }
    Ok(res)
}
