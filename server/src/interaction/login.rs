//! `POST /api/v1/interactions/{id}/login`: the console's sign-in form. The steps, in order:
//! reserve the attempt against the abuse limits, check the password, start a new session,
//! then send the browser to the consent page or back to the app with a code.

use crate::metrics::Metrics;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::Response;
use portico_proto::interaction::LoginRequest as LoginBody;
use portico_proto::AuditAction;

use super::{check_origin, finish, load, load_client, next, request_of};
use crate::crypto::{password, random};
use crate::http::json::ApiJson;
use crate::http::problem::ApiError;
use crate::oauth::{authorize, cookies};
use crate::runtime::limits::{Limits, Ticket};
use crate::state::AppState;
use crate::store::{AuditRecord, BrowserSession, InteractionRecord, UserRecord};

#[utoipa::path(post, path = "/api/v1/interactions/{id}/login", tag = "interactions", operation_id = "signIn",
    summary = "Sign in with username and password", params(("id" = String, Path, description = "The interaction: the `interaction` query parameter of the sign-in or consent page")), request_body = LoginBody,
    responses((status = 200, body = portico_proto::interaction::Next, description = "Signed in (the session cookie is set): where the browser goes next, the consent page or back to the app"),
        (status = 422, description = "The body is not of the documented shape; `errors` names each field"),
        (status = 401, description = "The username or password is wrong, or the user is disabled"),
        (status = 403, description = "The request did not come from Portico's own origin (`Origin` header), or the sign-in request was started in another browser"),
        (status = 404, description = "The sign-in request has expired or was already completed"),
        (status = 409, description = "The sign-in request was already completed"),
        (status = 429, description = "Too many failed sign-ins; `Retry-After` says when to try again")),
    security(("browser_cookie" = [])))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    req: Request,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let ip = crate::oauth::client_ip(&state, req.headers(), req.extensions());
    let ApiJson(body) = ApiJson::<LoginBody>::from_request(req, &state).await?;
    let i = load(&state, &headers, &id).await?;
    let now = state.now();
    let attempt = Attempt::reserve(&state.limits, &state.metrics, &body.username, &ip, now).await?;
    let (found, ok) = check_password(&state, &body.username, body.password.into_exposed()).await?;
    let user = match found {
        Some(user) if ok => user,
        found => return Err(attempt.failed(&state, &i, found.as_ref(), now).await),
    };
    attempt.succeeded(&state.limits).await;
    let set_cookie = start_session(&state, &user, now).await?;
    let event = AuditRecord {
        at: now,
        actor: user.username.clone(),
        action: AuditAction::SigninSucceeded,
        client_id: Some(i.client_id.clone()),
        detail: format!("signed in from {ip}"),
    };
    state.stores.audit.record_event(&event).await;
    state
        .stores
        .interactions
        .set_interaction_user(&i.id, &user.id, now)
        .await?;
    let location = after_sign_in(&state, &i, &user, now).await?;
    Ok(next(location, set_cookie))
}

/// One sign-in attempt, reserved against the limits before argon2id runs, so parallel
/// guesses get at most the budget judged and the rest a 429 at once, with no hashing work
/// queued (RFC 6749 §10.10: the server MUST prevent guessing of resource owner passwords).
struct Attempt<'a> {
    /// Lower-cased: the limits' keys, whatever case the guesser types.
    username: String,
    ip: String,
    user_key: String,
    per_user: Ticket<'a>,
    per_addr: Ticket<'a>,
}

impl<'a> Attempt<'a> {
    /// Reserves the attempt per username and address, and per address; then waits out the
    /// per-username slowdown (many failures from anywhere slow its sign-ins, never lock them).
    async fn reserve(
        limits: &'a Limits,
        metrics: &Metrics,
        username: &str,
        ip: &str,
        now: i64,
    ) -> Result<Attempt<'a>, ApiError> {
        let username = username.to_lowercase();
        let user_key = format!("user:{username}|ip:{ip}");
        let too_many = |retry: u64| {
            metrics.limited("signin");
            ApiError::TooManyRequests {
                detail: format!("Too many failed sign-ins. Try again in {retry} seconds."),
                retry_after: retry,
            }
        };
        let per_user = limits
            .login_user_addr
            .reserve_ticket(vec![user_key.clone()], now)
            .await
            .map_err(too_many)?;
        let per_addr = limits
            .login_addr
            .reserve_ticket(vec![format!("ip:{ip}")], now)
            .await
            .map_err(too_many)?;
        let delay = limits.login_user.delay(&username, now);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok(Attempt {
            username,
            ip: ip.to_owned(),
            user_key,
            per_user,
            per_addr,
        })
    }

    /// A right password: the attempt does not count, and this address's earlier failures
    /// for the user are forgiven.
    async fn succeeded(self, limits: &Limits) {
        self.per_user.succeeded().await;
        self.per_addr.succeeded().await;
        limits
            .login_user_addr
            .forget_everywhere(&self.user_key)
            .await;
    }

    /// A wrong password: the attempt counts and is recorded in the audit log, as is the
    /// failure that starts a lockout. Returns the answer, the same whether or not the user
    /// exists. The log names the user only when the username is one (`known`): what else was
    /// typed may be a password typed in the wrong field, so it is never recorded.
    async fn failed(
        self,
        state: &AppState,
        i: &InteractionRecord,
        known: Option<&UserRecord>,
        now: i64,
    ) -> ApiError {
        let Attempt {
            username,
            ip,
            per_user,
            per_addr,
            ..
        } = self;
        state.limits.login_user.fail(&username, now);
        state.metrics.signin_failures.inc();
        let locked_user = per_user.failed().await;
        let locked_addr = per_addr.failed().await;
        let (actor, detail) = match known {
            Some(u) if u.disabled => (u.username.clone(), format!("user is disabled; from {ip}")),
            Some(u) => (u.username.clone(), format!("wrong password; from {ip}")),
            None => (format!("address:{ip}"), "unknown username".to_owned()),
        };
        let event = AuditRecord {
            at: now,
            actor,
            action: AuditAction::SigninFailed,
            client_id: Some(i.client_id.clone()),
            detail,
        };
        state.stores.audit.record_event(&event).await;
        if locked_user || locked_addr {
            state.metrics.signin_lockouts.inc();
            let detail = if locked_user {
                let n = state.limits.login_user_addr.max();
                match known {
                    Some(u) => format!(
                        "sign-ins as {:?} from {ip} paused after {n} failures",
                        u.username
                    ),
                    None => format!(
                        "sign-ins as an unknown username from {ip} paused after {n} failures"
                    ),
                }
            } else {
                let n = state.limits.login_addr.max();
                format!("sign-ins from {ip} paused after {n} failures")
            };
            let event = AuditRecord {
                at: now,
                actor: format!("address:{ip}"),
                action: AuditAction::SigninLockout,
                client_id: Some(i.client_id.clone()),
                detail,
            };
            state.stores.audit.record_event(&event).await;
        }
        ApiError::Unauthorized {
            detail: "Wrong username or password.".to_owned(),
            invalid_token: false,
        }
    }
}

/// The user named `username`, if any, and whether they are enabled and their argon2id hash
/// matches `password`. An unknown or disabled user costs as much as a real check, so the
/// answer does not reveal which usernames exist.
async fn check_password(
    state: &AppState,
    username: &str,
    password: String,
) -> Result<(Option<UserRecord>, bool), ApiError> {
    let user = state.stores.users.user_by_username(username).await?;
    let ok = match &user {
        Some(u) if !u.disabled => {
            password::verify(password, u.password_hash.expose().to_owned()).await
        }
        _ => {
            password::dummy_verify(password).await;
            false
        }
    };
    Ok((user, ok))
}

/// A new session, with a new id at every sign-in (no session fixation), and the cookie
/// that carries it.
async fn start_session(
    state: &AppState,
    user: &UserRecord,
    now: i64,
) -> Result<Option<HeaderValue>, ApiError> {
    let session_value = random::token::<32>()?;
    state
        .stores
        .sessions
        .create_session(&BrowserSession {
            id_hash: state.hasher.hash(&session_value),
            user_id: user.id.clone(),
            auth_time: now,
            expires_at: now + cookies::SESSION_LIFETIME,
        })
        .await?;
    Ok(cookies::build(
        state,
        cookies::SESSION,
        &session_value,
        cookies::SESSION_LIFETIME,
    ))
}

/// Where the browser goes once signed in: the consent page when the user must be asked
/// (RFC 6749 §4.1.1: the server obtains the resource owner's decision), otherwise back to
/// the app with a code.
async fn after_sign_in(
    state: &AppState,
    i: &InteractionRecord,
    user: &UserRecord,
    now: i64,
) -> Result<String, ApiError> {
    let request = request_of(i)?;
    let client = load_client(state, &i.client_id).await?;
    let scopes = authorize::grantable(&request.scope, user)
        .map_err(|e| ApiError::Internal(e.description))?;
    let needs_consent = authorize::consent_needed(state, &client, user, &scopes, request.prompt)
        .await
        .map_err(|e| ApiError::Internal(e.description))?;
    if needs_consent {
        return Ok(format!("/consent?interaction={}", i.id));
    }
    finish(state, i, &request, user, now).await
}
