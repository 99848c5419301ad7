//! Portico: a self-hosted OAuth2 authorization server.
//!
//! `app(state)` builds the whole HTTP service, so tests drive it exactly as the
//! binary serves it (axum examples / mini-redis convention).

pub mod admin;
pub mod cache;
pub mod clock;
pub mod console;
pub mod crypto;
pub mod http;
pub mod interaction;
pub mod management;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod purge;
pub mod runtime;
pub mod signing;
pub mod state;
pub mod store;
pub mod users;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Uri};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::{middleware, Router};
use portico_proto::paths;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

pub use state::{AppState, Config};

/// Errors that stop the server from starting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("storage: {0}")]
    Store(#[from] store::StoreError),
    #[error("tokens: {0}")]
    Token(#[from] signing::TokenError),
    #[error(transparent)]
    Random(#[from] crypto::random::RandomError),
    #[error(transparent)]
    User(#[from] users::UserError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("configuration: {0}")]
    Config(String),
}

/// The whole service: admin API, protocol endpoints and the console.
pub fn app(state: AppState) -> Router {
    // Every grant type counts from 0 (see `metrics`).
    for handler in oauth::grants::HANDLERS {
        let _ = state
            .metrics
            .tokens_issued
            .get_or_create(&metrics::GrantLabels {
                grant_type: handler.grant_type(),
            });
    }
    let _ = state
        .metrics
        .tokens_issued
        .get_or_create(&metrics::GrantLabels {
            grant_type: interaction::console_token::METRIC_LABEL,
        });
    let console = console::router(state.config.console_dir.as_deref());
    // Endpoints single-page apps call from the browser: CORS for their origins.
    let browser_callable = Router::new()
        .route(
            paths::OAUTH_METADATA,
            get(oauth::discovery::authorization_server),
        )
        .route(
            paths::OPENID_METADATA,
            get(oauth::discovery::authorization_server),
        )
        .route(paths::JWKS, get(oauth::discovery::jwks))
        .route(paths::TOKEN, any(oauth::token::token))
        .route(paths::REVOKE, any(oauth::revocation::revoke))
        .route(
            paths::USERINFO,
            get(oauth::resource::userinfo).post(oauth::resource::userinfo),
        )
        .route(paths::ME, get(oauth::resource::me))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            oauth::cors::layer,
        ));
    let protocol = Router::new()
        .merge(browser_callable)
        .route(
            paths::AUTHORIZE,
            get(oauth::authorize::authorize).post(oauth::authorize::authorize),
        )
        .route(paths::INTROSPECT, any(oauth::introspection::introspect))
        .route(
            paths::END_SESSION,
            get(oauth::end_session::end_session).post(oauth::end_session::end_session),
        )
        .layer(DefaultBodyLimit::max(oauth::form::FORM_LIMIT));
    let https = state.config.issuer.starts_with("https://");
    let server = Router::new()
        .merge(protocol)
        .nest(
            "/api/v1",
            admin::router()
                .merge(interaction::router())
                .route("/openapi.json", get(openapi::document)),
        )
        .route("/api", any(server_not_found))
        .route("/api/{*rest}", any(server_not_found))
        .route("/oauth2/{*rest}", any(server_not_found))
        .route("/.well-known/{*rest}", any(server_not_found));
    let router = Router::new()
        .merge(cache::no_store(server))
        .fallback_service(console)
        .layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::record_requests,
        ))
        .layer(
            // Spans carry method and path only: query strings may hold codes or state.
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
            }),
        )
        .with_state(state);
    if https {
        // RFC 6797: the issuer is https (Portico behind a TLS proxy), so browsers must never
        // reach it over plain http again, not even for the first request of a later visit.
        router.layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ))
    } else {
        router
    }
}

async fn server_not_found(uri: Uri) -> impl IntoResponse {
    http::problem::ApiError::NotFound(format!("No API endpoint at {}.", uri.path()))
}
