//! Caching policy of the API and protocol answers: nothing that may carry a secret, a
//! private key or a token is ever stored by a browser or a proxy.

use axum::http::header;
use axum::response::Response;
use axum::Router;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::http::headers;

/// `Cache-Control: no-store` on every answer of `router` whose handler did not choose its
/// own caching (discovery, JWKS and the public logo keep theirs), and `Pragma: no-cache`
/// beside each `no-store` for HTTP/1.0 caches (RFC 6749 §5.1 asks both of token answers;
/// secrets and private keys deserve no less): the pair `http::headers::no_store` names.
pub fn no_store<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let [(cache_control, no_store), (pragma, no_cache)] = headers::no_store();
    let directive = no_store.clone();
    router
        .layer(SetResponseHeaderLayer::if_not_present(
            cache_control,
            no_store,
        ))
        // Outside the layer above, so it sees the Cache-Control that layer settled.
        .layer(SetResponseHeaderLayer::if_not_present(
            pragma,
            move |res: &Response| {
                let no_store = res
                    .headers()
                    .get(header::CACHE_CONTROL)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.split(',').any(|d| d.trim() == directive));
                no_store.then(|| no_cache.clone())
            },
        ))
}
