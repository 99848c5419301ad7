//! The console's Content-Security-Policy: every console response carries it; scripts come
//! only from the server's origin, plus Trunk's inline start-up module allowed by its SHA-256
//! hash (never `'unsafe-inline'`); and `index.html` is the copy read at start-up, so the hash
//! in the header always matches the page served with it.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use reqwest::StatusCode;
use sha2::{Digest, Sha256};

use crate::common::{Backend, Options, TestServer};
use crate::flows::fresh_connection_client;
use crate::on_both_databases;

on_both_databases!(
    console_csp_allows_the_inline_start_script_by_hash,
    console_without_a_build_is_locked_down_too,
);

/// What `trunk build` writes, CR LF line endings included (the browser hashes LF ones).
const START: &str = "\r\nimport init from '/portico-console-1.js';\r\nawait init({ module_or_path: '/portico-console-1_bg.wasm' });\r\n";

fn index_html() -> String {
    format!(
        "<!doctype html><html><head><title>Portico console</title>\
         <link rel=\"stylesheet\" href=\"/main.css\">\
         <!-- a comment -->\
         <script type=\"module\">{START}</script>\
         <link rel=\"modulepreload\" href=\"/portico-console-1.js\"></head><body></body></html>"
    )
}

fn script_src(csp: &str) -> &str {
    csp.split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src "))
        .unwrap_or_else(|| panic!("no script-src in {csp}"))
}

async fn console_csp_allows_the_inline_start_script_by_hash(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let index = index_html();
    std::fs::write(dir.path().join("index.html"), &index).unwrap();
    std::fs::write(dir.path().join("main.css"), "body{}").unwrap();
    std::fs::write(dir.path().join("portico-console-1.js"), "export default 1").unwrap();
    let s = TestServer::start_with(
        b,
        Options {
            console_dir: Some(dir.path().to_owned()),
            ..Options::default()
        },
    )
    .await;
    let hash = STANDARD.encode(Sha256::digest(START.replace("\r\n", "\n").as_bytes()));
    let want_scripts = format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}'");

    // A rebuild on disk after start-up changes neither the page nor its hashes.
    std::fs::write(
        dir.path().join("index.html"),
        "<script>alert('rebuilt')</script>",
    )
    .unwrap();

    let http = fresh_connection_client();
    for path in [
        "/",
        "/index.html",
        "/apps",
        "/apps/abc",
        "/consent?interaction=abc",
        "/main.css",
        "/portico-console-1.js",
        "/missing.png",
    ] {
        let res = http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let h = res.headers().clone();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert_eq!(script_src(csp), want_scripts, "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        for directive in [
            "default-src 'self'",
            "style-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ] {
            assert!(
                csp.split(';').any(|d| d.trim() == directive),
                "{path}: {directive} in {csp}"
            );
        }
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let body = res.text().await.unwrap();
        if !path.contains('.') || path == "/index.html" {
            assert_eq!(body, index, "{path}: the index read at start-up");
            assert_eq!(h["content-type"], "text/html; charset=utf-8", "{path}");
            assert_eq!(h["cache-control"], "no-cache", "{path}");
        }
    }
    assert_eq!(
        http.get(s.url("/main.css"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "body{}"
    );
    // HEAD, as link checkers and proxies send it, gets the same headers.
    let res = http.head(s.url("/apps")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        script_src(res.headers()["content-security-policy"].to_str().unwrap()),
        want_scripts
    );
}

async fn console_without_a_build_is_locked_down_too(b: Backend) {
    let s = TestServer::start(b).await;
    let res = fresh_connection_client()
        .get(s.url("/"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let csp = res.headers()["content-security-policy"].to_str().unwrap();
    assert_eq!(script_src(csp), "script-src 'self' 'wasm-unsafe-eval'");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
}
