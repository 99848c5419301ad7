//! Serves the console's built files at `/`. Unknown console routes get `index.html`
//! (client-side routing); API and protocol paths never do.

use std::path::Path;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Path prefixes that belong to the server, never to the console's router.
pub const SERVER_PREFIXES: [&str; 3] = ["/api/", "/oauth2/", "/.well-known/"];

pub fn is_server_path(path: &str) -> bool {
    path == "/api" || path == "/oauth2" || SERVER_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The console service, or a plain page saying how to build it when `dir` is missing.
pub fn router<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let router = match dir.filter(|d| d.join("index.html").is_file()) {
        Some(dir) => {
            let index = dir.join("index.html");
            Router::new().fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
        }
        None => Router::new().fallback(not_built),
    };
    router
        // Clickjacking and MIME sniffing defences on every console response.
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
}

async fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html("<!doctype html><title>Portico</title><p>The console is not built. Run <code>scripts/run.sh</code>, or <code>trunk build --release</code> and start with <code>--console-dir dist</code>.</p>"),
    )
        .into_response()
}
