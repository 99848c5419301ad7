//! Serves the console's built files at `/`. Unknown console routes get `index.html`
//! (client-side routing); API and protocol paths never do.
//!
//! Every console response carries a Content-Security-Policy that allows only the console's
//! own files, plus the inline `<script type="module">` Trunk writes into `index.html` to start
//! the wasm: that script is allowed by its SHA-256 hash (CSP Level 3 hash source), never by
//! `'unsafe-inline'`. `index.html` is read once at start-up and served from memory, so the
//! hashes in the header always match the page they come with.

use std::path::Path;
use std::sync::Arc;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use sha2::{Digest, Sha256};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Path prefixes that belong to the server, never to the console's router.
pub const SERVER_PREFIXES: [&str; 3] = ["/api/", "/oauth2/", "/.well-known/"];

pub fn is_server_path(path: &str) -> bool {
    path == "/api" || path == "/oauth2" || SERVER_PREFIXES.iter().any(|p| path.starts_with(p))
}

/// The console service, or a plain page saying how to build it when `dir` is missing.
pub fn router<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let index = dir.and_then(|d| {
        let path = d.join("index.html");
        match std::fs::read_to_string(&path) {
            Ok(html) => Some((d, html)),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "console not served");
                None
            }
        }
    });
    let (router, hashes) = match index {
        Some((dir, html)) => {
            let hashes = inline_script_hashes(&html);
            let html: Arc<str> = html.into();
            let page = move || {
                let html = html.clone();
                async move { index_response(html) }
            };
            let files = ServeDir::new(dir)
                // Directories have no index of their own: they are client routes too.
                .append_index_html_on_directories(false)
                .fallback(get(page.clone()));
            let router = Router::new()
                .route("/", get(page.clone()))
                .route("/index.html", get(page))
                .fallback_service(files);
            (router, hashes)
        }
        None => (Router::new().fallback(not_built), Vec::new()),
    };
    let csp = HeaderValue::from_str(&policy(&hashes))
        .unwrap_or_else(|_| HeaderValue::from_static(STRICTEST));
    router
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            csp,
        ))
        // Clickjacking and MIME sniffing defences (X-Frame-Options for browsers without
        // CSP `frame-ancestors`), and no Referer leaving the console.
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
}

/// Used only if a hash could not make a header value (it always can: base64 is ASCII).
const STRICTEST: &str = "default-src 'none'; frame-ancestors 'none'";

/// The console's Content-Security-Policy, allowing the inline scripts with `script_hashes`
/// (base64 SHA-256 digests).
///
/// What the built console needs, and nothing more:
/// - `script-src 'self' 'wasm-unsafe-eval'`: its JS glue, and compiling its wasm
///   (`WebAssembly.instantiateStreaming`); the inline start-up module by hash.
/// - `style-src 'self'`: one stylesheet; the console sets no `style` attribute and injects
///   no `<style>` (Leptos CSR does not either), so no inline style is allowed.
/// - `img-src 'self' blob:`: the favicon and app logos are served here; `blob:` is the logo
///   preview shown before upload (`URL.createObjectURL` of the chosen file). No `data:` URL
///   is used.
/// - `connect-src 'self'`: the wasm download and every API call go to this origin (the
///   console's issuer is the origin that serves it).
pub fn policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push_str(" 'sha256-");
        script_src.push_str(h);
        script_src.push('\'');
    }
    format!(
        "default-src 'self'; script-src {script_src}; style-src 'self'; img-src 'self' blob:; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The base64 SHA-256 digest of each inline `<script>` in `html` (one without `src`), as CSP
/// hash sources compare them: over the script's text, with line endings as the HTML parser
/// leaves them (CR LF and lone CR become LF). Scripts inside comments are not scripts.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while at < lower.len() {
        let next_comment = lower[at..].find("<!--").map(|i| at + i);
        let Some(open) = lower[at..].find("<script").map(|i| at + i) else {
            break;
        };
        if let Some(c) = next_comment.filter(|&c| c < open) {
            match lower[c + 4..].find("-->") {
                Some(end) => {
                    at = c + 4 + end + 3;
                    continue;
                }
                None => break,
            }
        }
        let Some(tag_end) = lower[open..].find('>').map(|i| open + i) else {
            break;
        };
        let attributes = &lower[open + "<script".len()..tag_end];
        let body_start = tag_end + 1;
        let Some(close) = lower[body_start..].find("</script").map(|i| body_start + i) else {
            break;
        };
        let has_src = attributes
            .split(|c: char| c.is_ascii_whitespace())
            .any(|a| a == "src" || a.starts_with("src="));
        let body = &html[body_start..close];
        if !has_src && !body.is_empty() {
            let text = body.replace("\r\n", "\n").replace('\r', "\n");
            hashes.push(STANDARD.encode(Sha256::digest(text.as_bytes())));
        }
        at = close;
    }
    hashes
}

fn index_response(html: Arc<str>) -> Response {
    (
        // Revalidated every time: a cached index would name the files of an older build.
        [(header::CACHE_CONTROL, "no-cache")],
        Html(html.to_string()),
    )
        .into_response()
}

async fn not_built() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html("<!doctype html><title>Portico</title><p>The console is not built. Run <code>scripts/run.sh</code>, or <code>trunk build --release</code> and start with <code>--console-dir dist</code>.</p>"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_inline_scripts_only() {
        let html = "<html><head>\r\n<!-- <script>not this</script> -->\
            <script src=\"/a.js\"></script>\
            <SCRIPT type=\"module\">\r\nstart();\r\n</SCRIPT>\
            <script></script></head></html>";
        let want = STANDARD.encode(Sha256::digest(b"\nstart();\n"));
        assert_eq!(inline_script_hashes(html), vec![want]);
        assert!(inline_script_hashes("<p>no scripts</p>").is_empty());
        assert!(inline_script_hashes("<script>unclosed").is_empty());
    }

    #[test]
    fn the_policy_allows_hashes_and_never_unsafe_inline() {
        let p = policy(&["abc=".to_owned()]);
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"));
        assert!(!p.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
    }
}
