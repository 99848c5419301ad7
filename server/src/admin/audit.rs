//! `/api/v1/audit`: the admin change log, newest first, paged by id.

use axum::extract::State;
use axum::Json;
use portico_proto::{AuditEntry, AuditPage};
use serde::Deserialize;

use super::auth::Admin;
use crate::http::json::ApiQuery;
use crate::http::problem::ApiResult;
use crate::state::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Return entries older than this id (the `next_before` of the previous page).
    pub before: Option<i64>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 401), (status = 403)),
    security(("bearer" = ["admin"])))]
pub async fn list(
    State(state): State<AppState>,
    _admin: Admin,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    // One extra row tells whether another page follows.
    let mut rows = state.stores.audit.list_audit(q.before, limit + 1).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_before = if more {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    Ok(Json(AuditPage {
        entries: rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                actor: r.actor,
                action: r.action,
                client_id: r.client_id,
                detail: r.detail,
            })
            .collect(),
        next_before,
    }))
}
