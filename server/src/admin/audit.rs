//! `/api/v1/audit`: the audit log, newest first, paged by id (`before` for older pages,
//! `after` for newer ones), filtered by app, actor, action and kind. Each entry names its app as it is now, so the console needs no
//! second request per row.

use axum::extract::State;
use axum::Json;
use portico_proto::audit::{DEFAULT_LIMIT, MAX_FILTER_LEN, MAX_LIMIT};
use portico_proto::{AuditAction, AuditKind, AuditPage, FieldError};
use serde::Deserialize;

use super::auth::Admin;
use crate::http::json::ApiQuery;
use crate::http::problem::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::AuditFilter;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Return entries older than this id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Return the entries just newer than this id, still newest first (the `prev_after` of
    /// the page being shown). Not with `before`.
    pub after: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
    /// Only entries naming this app (a deleted app's client ID works too).
    pub client_id: Option<String>,
    /// Only entries by this actor: an administrator's or user's username, `cli`,
    /// `address:<ip>`, `client:<client_id>`.
    pub actor: Option<String>,
    /// Only entries of this action, e.g. `signin.failed`, `app.update`.
    pub action: Option<String>,
    /// Only entries of this kind: `admin`, `user` or `security`.
    pub kind: Option<String>,
}

impl AuditQuery {
    /// The store's filter, or a 422 naming every parameter that is wrong.
    fn filter(self) -> ApiResult<(AuditFilter, u32)> {
        let mut errors = Vec::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                format!("Must be between 1 and {MAX_LIMIT}."),
            ));
        }
        if self.before.is_some_and(|b| b < 1) {
            errors.push(FieldError::new(
                "before",
                "Must be an entry id (1 or more).",
            ));
        }
        if self.after.is_some_and(|a| a < 1) {
            errors.push(FieldError::new("after", "Must be an entry id (1 or more)."));
        } else if self.after.is_some() && self.before.is_some() {
            errors.push(FieldError::new(
                "after",
                "Give `before` (older entries) or `after` (newer entries), not both.",
            ));
        }
        let mut text = |field: &str, v: Option<String>| match v {
            Some(s) if s.is_empty() || s.chars().count() > MAX_FILTER_LEN => {
                errors.push(FieldError::new(
                    field,
                    format!("Must be 1 to {MAX_FILTER_LEN} characters."),
                ));
                None
            }
            v => v,
        };
        let client_id = text("client_id", self.client_id);
        let actor = text("actor", self.actor);
        let action = match self.action.as_deref() {
            None => None,
            Some(a) => match AuditAction::parse(a) {
                Some(a) => Some(a),
                None => {
                    errors.push(FieldError::new(
                        "action",
                        "Unknown action; see the actions listed in the README.",
                    ));
                    None
                }
            },
        };
        let kind = match self.kind.as_deref() {
            None => None,
            Some(k) => match AuditKind::parse(k) {
                Some(k) => Some(k),
                None => {
                    errors.push(FieldError::new("kind", "Must be admin, user or security."));
                    None
                }
            },
        };
        if !errors.is_empty() {
            return Err(ApiError::Validation(errors));
        }
        let filter = AuditFilter {
            before: self.before,
            after: self.after,
            client_id,
            actor,
            action,
            kind,
        };
        Ok((filter, limit))
    }
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", operation_id = "getAuditLog",
    summary = "Read the audit log", params(AuditQuery),
    responses((status = 200, body = AuditPage,
            description = "The entries matching every filter given, newest first; `next_before` is the cursor of the next (older) page, null on the last"),
        (status = 400, description = "A parameter is not of its type (e.g. `limit=abc`)"),
        (status = 422, description = "A parameter is out of range or names no action or kind; `errors` names each")),
    security(("bearer" = ["admin"])))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let (filter, limit) = q.filter()?;
    let audit = state.stores.audit.as_ref();
    // One extra row tells whether another page follows in the direction of travel: the
    // oldest row of an older page, the newest of a newer one.
    let mut entries = audit.list_audit(&filter, limit + 1).await?;
    let more = entries.len() > limit as usize;
    if more {
        if filter.after.is_some() {
            entries.remove(0);
        } else {
            entries.truncate(limit as usize);
        }
    }
    let (newest, oldest) = (entries.first().map(|r| r.id), entries.last().map(|r| r.id));
    // The other direction needs one more look, except on the newest page (no cursor).
    let any_beyond = |before: Option<i64>, after: Option<i64>| {
        let probe = AuditFilter {
            before,
            after,
            ..filter.clone()
        };
        async move { audit.list_audit(&probe, 1).await.map(|r| !r.is_empty()) }
    };
    let (next_before, prev_after) = match (filter.before, filter.after) {
        (None, None) => (oldest.filter(|_| more), None),
        (Some(_), _) => {
            let newer = match newest {
                Some(id) => any_beyond(None, Some(id)).await?,
                None => false,
            };
            (oldest.filter(|_| more), newest.filter(|_| newer))
        }
        (None, Some(_)) => {
            let older = match oldest {
                Some(id) => any_beyond(Some(id), None).await?,
                None => false,
            };
            (oldest.filter(|_| older), newest.filter(|_| more))
        }
    };
    Ok(Json(AuditPage {
        entries,
        next_before,
        prev_after,
    }))
}
