//! The management listener (`--management-addr`, loopback by default): health probes for a
//! load balancer or an orchestrator, and metrics for Prometheus. It is a separate router on
//! a separate address so that none of it is reachable through the public one.
//!
//! - `GET /health/live`: the process answers (restart it if not).
//! - `GET /health/ready`: send it traffic? 200 when the database answers, this build's
//!   migrations are applied and (PostgreSQL) the change-notification connection is up (signing
//!   keys need no check: `AppState` cannot exist without them, so nothing listens before); 503 with the reason otherwise, and from the moment draining starts.
//! - `GET /metrics`: the Prometheus text format (see `metrics`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::runtime::readiness::Notifications;
use crate::store::SqlStore;
use crate::AppState;

/// How long a readiness probe waits for the database before calling it unreachable; probes
/// usually time out after 1–5 s, and a late answer is as bad as none.
const DB_CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Clone)]
struct Management {
    state: AppState,
    store: Arc<SqlStore>,
}

pub fn router(state: AppState, store: Arc<SqlStore>) -> Router {
    // Probes must see the copy as it is now, never a cached answer: the server's own
    // no-store layer (`cache::no_store`) covers every route here.
    crate::cache::no_store(
        Router::new()
            .route("/health/live", get(live))
            .route("/health/ready", get(ready))
            .route("/metrics", get(metrics)),
    )
    .with_state(Management { state, store })
}

async fn live() -> Response {
    Json(json!({"status": "live"})).into_response()
}

async fn ready(State(m): State<Management>) -> Response {
    let (status, body) = match not_ready_because(&m).await {
        None => (
            StatusCode::OK,
            json!({"status": "ready", "notifications": notifications_label(&m.state)}),
        ),
        Some(reason) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "not_ready", "reason": reason}),
        ),
    };
    (status, Json(body)).into_response()
}

/// The first reason this copy should not get traffic, in the order an operator would check.
async fn not_ready_because(m: &Management) -> Option<String> {
    if m.state.readiness.draining() {
        return Some("draining: shutting down".to_owned());
    }
    match tokio::time::timeout(DB_CHECK_TIMEOUT, m.store.ping()).await {
        Err(_) => return Some("database: no answer within 2 s".to_owned()),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness: database unreachable");
            return Some("database: unreachable".to_owned());
        }
        Ok(Ok(())) => {}
    }
    match tokio::time::timeout(DB_CHECK_TIMEOUT, m.store.migrations_applied()).await {
        Ok(Ok(true)) => {}
        Ok(Ok(false)) => return Some("database: migrations not applied".to_owned()),
        Ok(Err(_)) | Err(_) => return Some("database: cannot read the migrations".to_owned()),
    }
    if m.state.readiness.notifications() == Notifications::Down {
        return Some("change notifications: the listening connection is down".to_owned());
    }
    None
}

fn notifications_label(state: &AppState) -> &'static str {
    match state.readiness.notifications() {
        Notifications::NotUsed => "not used",
        Notifications::Up => "up",
        Notifications::Down => "down",
    }
}

async fn metrics(State(m): State<Management>) -> Response {
    // Pool figures are read now rather than kept up to date on every acquire.
    for p in m.store.pool_stats() {
        m.state
            .metrics
            .set_pool(p.pool, "in_use", i64::from(p.in_use));
        m.state.metrics.set_pool(p.pool, "idle", i64::from(p.idle));
        m.state.metrics.set_pool(p.pool, "max", i64::from(p.max));
        m.state.metrics.set_pool_waiting(p.pool, p.waiting);
    }
    if let Some(jobs) = m.store.writer_jobs() {
        m.state.metrics.set_writer_jobs(jobs);
    }
    (
        [(header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE)],
        m.state.metrics.encode(),
    )
        .into_response()
}
