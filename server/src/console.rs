//! Serves the console's built files at `/`. Unknown console routes get `index.html`
//! (client-side routing); API and protocol paths never do.
//!
//! Every console response carries a Content-Security-Policy that allows only the console's
//! own files, plus the inline `<script type="module">` Trunk writes into `index.html` to start
//! the wasm: that script is allowed by its SHA-256 hash (CSP Level 3 hash source), never by
//! `'unsafe-inline'`. `index.html` is read once at start-up and served from memory, so the
//! hashes in the header always match the page they come with.
//!
//! Compression: the build writes a brotli (`.br`) and a gzip (`.gz`) copy beside every
//! compressible file (`portico-precompress`, Trunk's `post_build` hook), and `ServeDir` sends
//! the one the request's `Accept-Encoding` prefers (RFC 9110 §12.5.3) with its
//! `Content-Encoding` (§8.4), or the file as it is. `index.html`'s copies are made here at
//! start-up from the page in memory, with the same functions. Every answer carries
//! `Vary: Accept-Encoding` (§12.5.5), so a shared cache never hands brotli to a client that did
//! not ask for it.
//!
//! Caching (RFC 9111 §5.2.2): the files whose names carry the content hash Trunk adds
//! (`main-b40670e7f3e27537.css`, `portico-console-e4e5c3de2b59c52_bg.wasm`) never change under
//! their name, so they are `public, max-age=31536000, immutable` (RFC 8246): a browser keeps
//! them a year and does not even revalidate them on reload. `index.html` names the current
//! build's files, so it is `no-cache` (revalidated on every use) with an `ETag`, and a repeat
//! visit costs a `304` of a few hundred bytes (RFC 9110 §13.1.2, §15.4.5). Files without a
//! hash (the favicon and whatever else `public/` holds) keep their URL from build to build, so
//! they are `no-cache` too, revalidated by the `Last-Modified` `ServeDir` sends: one small
//! `304`, and never a stale icon after an upgrade.

use std::path::Path;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
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
            let index = Arc::new(IndexPage::new(html));
            let page = move |request: HeaderMap| {
                let index = index.clone();
                async move { index.respond(&request) }
            };
            let files = ServeDir::new(dir)
                // Directories have no index of their own: they are client routes too.
                .append_index_html_on_directories(false)
                // `x.br` / `x.gz` beside `x`, as the request accepts; brotli on a tie.
                .precompressed_br()
                .precompressed_gzip()
                .fallback(get(page.clone()));
            let router = Router::new()
                .route("/", get(page.clone()))
                .route("/index.html", get(page))
                .fallback_service(files)
                .layer(middleware::from_fn(caching));
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

/// `Cache-Control` of the files whose names carry Trunk's content hash: a new build gives them
/// new names, so under one name the bytes never change (RFC 8246 `immutable`; a year is the
/// longest `max-age` caches are asked to honour in practice).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Stored, but revalidated before every use (RFC 9111 §5.2.2.4): `index.html` must name the
/// current build's files, and unhashed files may change under their name.
const REVALIDATE: &str = "no-cache";
const VARY_ENCODING: &str = "Accept-Encoding";

/// Caching and `Vary` for every console answer that did not set its own (the pages from
/// `IndexPage` do): `IMMUTABLE` for the files whose name carries Trunk's content hash,
/// `REVALIDATE` for any other file. Only answers with the file (`200`, `206`) or confirming
/// it (`304`, which must repeat the caching the `200` had, RFC 9110 §15.4.5) get one.
async fn caching(request: Request, next: Next) -> Response {
    let hashed = has_content_hash(request.uri().path());
    let mut response = next.run(request).await;
    let status = response.status();
    let headers = response.headers_mut();
    if !headers.contains_key(header::VARY) {
        headers.insert(header::VARY, HeaderValue::from_static(VARY_ENCODING));
    }
    let cacheable = matches!(
        status,
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    if cacheable && !headers.contains_key(header::CACHE_CONTROL) {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether the last segment of `path` carries the content hash Trunk writes into the names of
/// the files it builds: a `-`, the file's 64-bit seahash in lowercase hex, then `.` or `_bg.`
/// (`main-b40670e7f3e27537.css`, `portico-console-e4e5c3de2b59c52_bg.wasm`). Trunk prints the
/// hash without leading zeros, so it has 16 digits or fewer (15 in the second example); 12 or
/// more are required, which a file misses about once in a million builds (2^-20) and
/// hand-named files (`logo-2024.svg`) do not reach. A hashed name missed is only revalidated
/// (`REVALIDATE`), never cached wrongly.
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name.match_indices('-').any(|(at, _)| {
        let rest = &name[at + 1..];
        let digits = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        let after = &rest[digits..];
        (12..=16).contains(&digits) && (after.starts_with('.') || after.starts_with("_bg."))
    })
}

/// `index.html` as read at start-up, with its brotli and gzip copies and its validator.
struct IndexPage {
    identity: Bytes,
    brotli: Option<Bytes>,
    gzip: Option<Bytes>,
    /// A weak validator (RFC 9110 §8.8.1): the copies in each coding are one page, so they
    /// share it, and `If-None-Match` compares weakly anyway (§13.1.2).
    etag: HeaderValue,
}

impl IndexPage {
    fn new(html: String) -> Self {
        let digest = Sha256::digest(html.as_bytes());
        let etag = format!("W/\"{}\"", URL_SAFE_NO_PAD.encode(&digest[..16]));
        let identity = Bytes::from(html);
        // A coding that fails or does not make the page smaller is not offered.
        let copy = |compressed: std::io::Result<Vec<u8>>, coding: &str| match compressed {
            Ok(bytes) if bytes.len() < identity.len() => Some(Bytes::from(bytes)),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(coding, error = %e, "index.html not compressed");
                None
            }
        };
        IndexPage {
            brotli: copy(portico_precompress::brotli(&identity), "br"),
            gzip: copy(portico_precompress::gzip(&identity), "gzip"),
            etag: HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("W/\"0\"")),
            identity,
        }
    }

    fn respond(&self, request: &HeaderMap) -> Response {
        let mut headers = HeaderMap::new();
        // Revalidated every time: a cached index would name the files of an older build.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(REVALIDATE));
        headers.insert(header::ETAG, self.etag.clone());
        headers.insert(header::VARY, HeaderValue::from_static(VARY_ENCODING));
        if none_match_fails(request, &self.etag) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        let offered = [
            (Coding::Brotli, self.brotli.as_ref()),
            (Coding::Gzip, self.gzip.as_ref()),
        ];
        let chosen = preferred_coding(request, |c| {
            offered.iter().any(|o| o.0 == c && o.1.is_some())
        });
        let body = match offered.into_iter().find(|o| o.0 == chosen) {
            Some((coding, Some(bytes))) => {
                headers.insert(header::CONTENT_ENCODING, coding.header_value());
                bytes.clone()
            }
            _ => self.identity.clone(),
        };
        (headers, Body::from(body)).into_response()
    }
}

/// Whether `If-None-Match` lists `etag` (or is `*`): then the client's copy is current and
/// the answer is `304 Not Modified` (RFC 9110 §13.1.2, weak comparison).
fn none_match_fails(request: &HeaderMap, etag: &HeaderValue) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let Ok(ours) = etag.to_str().map(opaque) else {
        return false;
    };
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    fn header_value(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
            Coding::Identity => "identity",
        })
    }
}

/// The content coding to send, from `Accept-Encoding` (RFC 9110 §12.5.3): the highest weight
/// among brotli and gzip that are `available`, brotli on a tie (it is smaller); `*` stands for
/// any coding not listed, a weight of 0 refuses one, and an entry with a malformed weight is
/// ignored. Identity when nothing is accepted, when there is no header, or when `identity`
/// itself is listed with a higher weight than either.
fn preferred_coding(request: &HeaderMap, available: impl Fn(Coding) -> bool) -> Coding {
    let (mut br, mut gzip, mut any, mut identity) = (None, None, None, None);
    let entries = request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','));
    for entry in entries {
        let mut parts = entry.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let weight = match parts.find_map(|p| {
            let (name, value) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("q")
                .then_some(value.trim())
        }) {
            None => 1.0,
            Some(q) => match q.parse::<f32>() {
                Ok(w) if (0.0..=1.0).contains(&w) => w,
                _ => continue,
            },
        };
        let slot = if coding.eq_ignore_ascii_case("br") {
            &mut br
        } else if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding.eq_ignore_ascii_case("identity") {
            &mut identity
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        *slot = Some(weight);
    }
    let weight = |coding, listed: Option<f32>| {
        if available(coding) {
            listed.or(any).unwrap_or(0.0)
        } else {
            0.0
        }
    };
    let br = weight(Coding::Brotli, br);
    let gzip = weight(Coding::Gzip, gzip);
    let best = br.max(gzip);
    if best <= 0.0 || identity.is_some_and(|w| w > best) {
        Coding::Identity
    } else if br >= gzip {
        Coding::Brotli
    } else {
        Coding::Gzip
    }
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
    fn trunk_hashed_names_only_are_immutable() {
        for yes in [
            "/main-b40670e7f3e27537.css",
            "/portico-console-e4e5c3de2b59c52.js",
            "/portico-console-e4e5c3de2b59c52_bg.wasm",
            "/portico-console-e4e5c3de2b59c52_bg.wasm.br",
            "/snippets/x/app-0123456789ab.js",
        ] {
            assert!(has_content_hash(yes), "{yes}");
        }
        for no in [
            "/",
            "/favicon.svg",
            "/logo-2024.svg",
            "/photo-20240101.png",
            "/apps/b40670e7f3e27537",
            "/main-b40670e7f3e27537",
            "/main-B40670E7F3E27537.css",
            "/main-b40670e7f3e275370.css",
            "/main-b40670e7f3e27537x.css",
            "/main-b40670e7f3e27537.css/other",
        ] {
            assert!(!has_content_hash(no), "{no}");
        }
    }

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn accept_encoding_picks_the_highest_weight_brotli_on_a_tie() {
        let both = |_| true;
        for (value, want) in [
            ("gzip, deflate, br, zstd", Coding::Brotli),
            ("br", Coding::Brotli),
            ("gzip", Coding::Gzip),
            ("x-gzip", Coding::Gzip),
            ("BR;Q=0.5, gzip;q=0.6", Coding::Gzip),
            ("br;q=0, gzip", Coding::Gzip),
            ("*", Coding::Brotli),
            ("*;q=0.1, br;q=0", Coding::Gzip),
            ("deflate, zstd", Coding::Identity),
            ("br;q=0, gzip;q=0", Coding::Identity),
            ("identity, br;q=0.5", Coding::Identity),
            ("identity, br", Coding::Brotli),
            ("br;q=2, gzip", Coding::Gzip),
            ("br;q=NaN, gzip", Coding::Gzip),
            ("", Coding::Identity),
        ] {
            assert_eq!(preferred_coding(&accept(value), both), want, "{value}");
        }
        assert_eq!(preferred_coding(&HeaderMap::new(), both), Coding::Identity);
        let gzip_only = |c| c == Coding::Gzip;
        assert_eq!(
            preferred_coding(&accept("br, gzip"), gzip_only),
            Coding::Gzip
        );
        assert_eq!(
            preferred_coding(&accept("br, gzip;q=0"), gzip_only),
            Coding::Identity
        );
    }

    #[test]
    fn if_none_match_compares_weakly() {
        let etag = HeaderValue::from_static("W/\"abc\"");
        let with = |value: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
            h
        };
        assert!(none_match_fails(&with("W/\"abc\""), &etag));
        assert!(none_match_fails(&with("\"abc\""), &etag));
        assert!(none_match_fails(&with("\"x\", W/\"abc\""), &etag));
        assert!(none_match_fails(&with("*"), &etag));
        assert!(!none_match_fails(&with("W/\"abd\""), &etag));
        assert!(!none_match_fails(&HeaderMap::new(), &etag));
    }

    #[test]
    fn the_policy_allows_hashes_and_never_unsafe_inline() {
        let p = policy(&["abc=".to_owned()]);
        assert!(p.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-abc=';"));
        assert!(!p.contains("unsafe-inline"));
        assert!(p.contains("frame-ancestors 'none'"));
    }
}
