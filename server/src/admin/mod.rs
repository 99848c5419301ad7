//! The JSON admin API the console uses: apps, who uses them, secrets, keys, logo, audit.

pub mod app_users;
pub mod apps;
pub mod audit;
pub mod auth;
pub mod logo;
pub mod openapi;
pub mod public_app;
pub mod public_keys;
pub mod secrets;

use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::Router;

use crate::state::AppState;

/// Routes under `/api/v1` for administrators.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apps", get(apps::list).post(apps::create))
        .route(
            "/apps/{client_id}",
            get(apps::get).patch(apps::update).delete(apps::delete),
        )
        .route(
            "/apps/{client_id}/grants",
            get(app_users::list).delete(app_users::revoke_all),
        )
        .route("/apps/{client_id}/public", get(public_app::get))
        .route("/apps/{client_id}/secrets", post(secrets::create))
        .route(
            "/apps/{client_id}/secrets/{secret_id}",
            delete(secrets::delete).patch(secrets::update),
        )
        .route(
            "/apps/{client_id}/public-keys",
            post(public_keys::add_public_key),
        )
        .route(
            "/apps/{client_id}/public-keys/{kid}",
            delete(public_keys::delete_public_key),
        )
        .route(
            "/apps/{client_id}/key-pairs",
            post(public_keys::generate_key_pair),
        )
        .route("/audit", get(audit::list))
        .layer(DefaultBodyLimit::max(crate::http::json::JSON_LIMIT))
        .merge(
            Router::new()
                .route(
                    "/apps/{client_id}/logo",
                    get(logo::get).put(logo::put).delete(logo::delete),
                )
                .layer(DefaultBodyLimit::max(logo::LOGO_MAX_BYTES)),
        )
}
