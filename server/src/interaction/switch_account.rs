//! `POST /api/v1/interactions/{id}/switch-account`: the consent page's "Not you? Use another
//! account". Ends the browser's Portico session (as signing out does) but keeps this
//! interaction, so the same authorization request continues on the sign-in page with
//! whoever signs in next (OIDC Core §3.1.2.3: the server authenticates the end user; an
//! account chooser is the usual way to let them change who that is).
//!
//! Bound like the rest of the interaction API: the interaction must belong to this browser
//! and the `Origin` must be Portico's own, so a cross-site page cannot sign anyone out.
//! The interaction's old user cannot be decided for afterwards: consent needs a live session
//! of the interaction's user (`live_user_id`), and the next sign-in replaces it.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use super::{check_origin, load, next};
use crate::http::problem::ApiError;
use crate::oauth::cookies;
use crate::state::AppState;

#[utoipa::path(post, path = "/api/v1/interactions/{id}/switch-account", tag = "interactions", operation_id = "switchAccount",
    summary = "Sign out and continue the same request as another user", params(("id" = String, Path, description = "The interaction: the `interaction` query parameter of the sign-in or consent page")),
    responses((status = 200, body = portico_proto::interaction::Next, description = "The session ended: the sign-in page of this request"),
        (status = 403, description = "The request did not come from Portico's own origin (`Origin` header), or the sign-in request was started in another browser"),
        (status = 404, description = "The sign-in request has expired or was already completed")),
    security(("browser_cookie" = [])))]
pub async fn switch_account(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    check_origin(&state, &headers)?;
    let i = load(&state, &headers, &id).await?;
    if let Some(v) = cookies::get(&headers, cookies::SESSION.on(&state)) {
        state
            .stores
            .sessions
            .delete_session(&state.hasher.hash(v))
            .await?;
    }
    let expired = cookies::build(&state, cookies::SESSION, "", 0);
    Ok(next(format!("/login?interaction={}", i.id), expired))
}
