//! Portico's own error page, shown while the client or its redirect URI cannot be trusted:
//! RFC 6749 §4.1.2.1 forbids redirecting to an unverified URI, so the user reads the error
//! here instead.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// Longest received value the page repeats, in characters.
const RECEIVED_MAX: usize = 300;

/// An error to show on the page.
#[derive(Debug)]
pub struct ErrorPage {
    pub status: StatusCode,
    pub title: &'static str,
    pub detail: String,
    /// What the request carried, for the app's developer (e.g. `client_id`, `redirect_uri`).
    pub received: Vec<(&'static str, String)>,
}

impl ErrorPage {
    pub fn new(status: StatusCode, title: &'static str, detail: impl Into<String>) -> Self {
        Self {
            status,
            title,
            detail: detail.into(),
            received: Vec::new(),
        }
    }

    /// Adds a parameter the request carried to the page's part for developers; shown
    /// escaped, and cut at [`RECEIVED_MAX`] characters.
    pub fn with_received(mut self, name: &'static str, value: &str) -> Self {
        self.received
            .push((name, value.chars().take(RECEIVED_MAX).collect()));
        self
    }

    /// A request Portico could not read at all: no client to return to.
    pub fn invalid_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "Invalid request", detail)
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        render(&self)
    }
}

/// The console's look without its script: the same colours and type, Portico's name, the
/// error in words a user understands, a way back, and for the app's developer what was
/// received. Unframeable and script-free; every text is escaped, so the request's
/// parameters never reach the page unescaped (RFC 6749 §10.13, §10.14).
fn render(page: &ErrorPage) -> Response {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    let received: String = page
        .received
        .iter()
        .map(|(k, v)| format!("<dt>{}</dt><dd><code>{}</code></dd>", esc(k), esc(v)))
        .collect();
    let developers = if received.is_empty() {
        String::new()
    } else {
        format!(
            "<details><summary>For the app&#39;s developer</summary>\
             <p>Portico received:</p><dl>{received}</dl>\
             <p>Compare these with the app&#39;s settings in Portico&#39;s console: the client ID, \
             and the redirect URLs, which must match exactly.</p></details>"
        )
    };
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t} · Portico</title><style>{STYLE}</style></head><body>\
         <header><span class=\"brand\">Portico</span></header>\
         <main><h1>{t}</h1><p>{d}</p>\
         <p>Go back to the application and try again. If this keeps happening, contact the \
         application&#39;s developer: only they can fix it.</p>\
         {developers}<p><a href=\"/\">Portico&#39;s start page</a></p></main></body></html>",
        t = esc(page.title),
        d = esc(&page.detail),
    );
    let status = page.status;
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

/// The console's colours and type (style/main.css), inline: the page loads nothing else.
const STYLE: &str = "\
:root{color-scheme:light dark;--bg:#f5f7fa;--surface:#fff;--text:#1b2430;--muted:#4a5668;\
--accent:#1f4e79;--link:#1a5fa8;--border:#d5dce5}\
@media (prefers-color-scheme:dark){:root{--bg:#12171f;--surface:#1b222d;--text:#e6ebf2;\
--muted:#a9b4c4;--accent:#2b669c;--link:#8cc4ff;--border:#2e3948}}\
body{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;\
line-height:1.5;color:var(--text);background:var(--bg)}\
header{background:var(--accent);color:#fff;padding:0.9rem 1.5rem}\
.brand{font-weight:700;font-size:1.2rem}\
main{max-width:36rem;margin:2rem auto;padding:1.5rem;background:var(--surface);\
border:1px solid var(--border);border-radius:8px}\
@media (max-width:40rem){main{margin:1rem;padding:1rem}}\
h1{font-size:1.4rem;margin-top:0}a{color:var(--link)}\
details{margin:1rem 0;color:var(--muted)}summary{cursor:pointer}\
dt{font-weight:600}dd{margin:0 0 0.5rem}\
code{font-family:ui-monospace,Menlo,Consolas,monospace;overflow-wrap:anywhere}";
