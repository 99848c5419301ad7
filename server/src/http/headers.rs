//! Response headers that more than one layer must agree on.

use axum::http::{header, HeaderName, HeaderValue};

/// `Cache-Control: no-store` and, for HTTP/1.0 caches that ignore it, `Pragma: no-cache`
/// (RFC 9111 §5.2.2.5, §5.4). RFC 6749 §5.1 and §5.2 require both on every token endpoint
/// answer, so the token and error answers add them themselves, wherever they are routed;
/// `cache::no_store` adds the same pair to every other answer of the server's router that
/// did not choose its own caching. Used as response parts: `(no_store(), body)`.
pub fn no_store() -> [(HeaderName, HeaderValue); 2] {
    [
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        (header::PRAGMA, HeaderValue::from_static("no-cache")),
    ]
}
