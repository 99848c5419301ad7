//! Portico's own error page, shown while the client or its redirect URI cannot be trusted:
//! RFC 6749 §4.1.2.1 forbids redirecting to an unverified URI, so the user reads the error
//! here instead.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// An error to show on the page.
#[derive(Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
}

impl ErrorPage {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            title,
            detail: detail.into(),
        }
    }

    /// A request Portico could not read at all: no client to return to.
    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Invalid request", detail)
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        render(self.status, self.title, &self.detail)
    }
}

/// The page, unframeable and script-free: the title and detail are escaped, and the
/// request's parameters never reach it unescaped (RFC 6749 §10.13, §10.14).
fn render(status: StatusCode, title: &str, detail: &str) -> Response {
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
    res
}
