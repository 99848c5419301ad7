//! Check 2: the redirect URI is one the client registered, compared byte for byte
//! (RFC 6749 §3.1.2.3, RFC 9700 §4.1.3: exact string comparison, no normalisation). It may
//! be left out only when exactly one is registered (RFC 6749 §3.1.2.3).
//!
//! One exception, for single-page apps (public clients: browser apps, CLIs and desktop
//! apps): a registered `http://127.0.0.1…` or `http://[::1]…` URI matches the same URI on
//! any port, because a native app binds an ephemeral port at request time (RFC 8252 §7.3).
//! The port of the registered URI is ignored (as Hydra and Okta do); scheme, host, path
//! and query stay byte-exact. Other hosts stay exact including the port, and the built-in
//! console keeps its one exact callback.

use axum::http::StatusCode;

use super::lengths::STATE_MAX;
use crate::oauth::authorize::error_page::ErrorPage;
use crate::oauth::authorize::response::Redirectable;
use crate::oauth::form::Params;
use crate::runtime::clients::Client;
use portico_proto::AppType;

pub fn check(client: &Client, params: &Params) -> Result<Redirectable, ErrorPage> {
    let registered = &client.app.settings.redirect_uris;
    let redirect_uri =
        match params.get("redirect_uri") {
            Some(uri) if registered.iter().any(|r| matches(client, r, uri)) => uri.to_owned(),
            Some(uri) => {
                return Err(ErrorPage::new(
                    StatusCode::BAD_REQUEST,
                    "Unregistered redirect URL",
                    "The application asked Portico to send you back to an address it has not \
                 registered, so Portico stopped here to keep your account safe.",
                )
                .with_received("client_id", client.client_id())
                .with_received("redirect_uri", uri))
            }
            None if registered.len() == 1 => registered[0].clone(),
            None => return Err(ErrorPage::new(
                StatusCode::BAD_REQUEST,
                "Missing redirect URL",
                "The application did not say where to send you back (redirect_uri), and it has \
                 registered more than one address.",
            )
            .with_received("client_id", client.client_id())),
        };
    Ok(Redirectable {
        redirect_uri,
        // An over-long state is refused (check 3) and not echoed: the client cannot
        // match it either way, and a Location header of kilobytes breaks proxies.
        state: params
            .get("state")
            .filter(|s| s.len() <= STATE_MAX)
            .map(str::to_owned),
    })
}

/// Whether `presented` is one of the client's registered redirect URIs, by the same rule as
/// the authorization request (`check`): exact, or a loopback URI on any port.
pub fn is_registered(client: &Client, presented: &str) -> bool {
    client
        .app
        .settings
        .redirect_uris
        .iter()
        .any(|r| matches(client, r, presented))
}

/// Whether `presented` is the registered URI `registered` for this client.
fn matches(client: &Client, registered: &str, presented: &str) -> bool {
    if registered == presented {
        return true;
    }
    if client.app_type() != AppType::SinglePage || client.app.builtin {
        return false;
    }
    match (
        without_loopback_port(registered),
        without_loopback_port(presented),
    ) {
        (Some(r), Some(p)) => r == p,
        _ => false,
    }
}

/// For an `http` URI on a loopback IP literal (RFC 8252 §7.3: `127.0.0.1` or `[::1]`, never
/// a name), the URI with its port taken out, compared as written. `None` for anything
/// else, including a port that is not 1–65535 and a host that merely starts like one
/// (`127.0.0.10`, `127.0.0.1.evil.example`, `127.0.0.1:80@evil.example`).
fn without_loopback_port(uri: &str) -> Option<(&'static str, &str)> {
    for origin in ["http://127.0.0.1", "http://[::1]"] {
        let Some(rest) = uri.strip_prefix(origin) else {
            continue;
        };
        let rest = match rest.strip_prefix(':') {
            Some(p) => {
                let end = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
                p[..end].parse::<u16>().ok().filter(|&n| n != 0)?;
                &p[end..]
            }
            None => rest,
        };
        return (rest.is_empty() || rest.starts_with(['/', '?'])).then_some((origin, rest));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::without_loopback_port;

    #[test]
    fn loopback_port_is_taken_out_only_of_ip_literals() {
        assert_eq!(
            without_loopback_port("http://127.0.0.1:51234/cb?x=1"),
            Some(("http://127.0.0.1", "/cb?x=1"))
        );
        assert_eq!(
            without_loopback_port("http://127.0.0.1/cb"),
            Some(("http://127.0.0.1", "/cb"))
        );
        assert_eq!(
            without_loopback_port("http://[::1]:8080"),
            Some(("http://[::1]", ""))
        );
        for other in [
            "http://127.0.0.10/cb",
            "http://127.0.0.2:5/cb",
            "http://127.0.0.1.evil.example/cb",
            "http://127.0.0.1:80@evil.example/cb",
            "http://127.0.0.1:0/cb",
            "http://127.0.0.1:65536/cb",
            "http://127.0.0.1:/cb",
            "https://127.0.0.1:5/cb",
            "http://localhost:5/cb",
            "http://[::1]x/cb",
        ] {
            assert_eq!(without_loopback_port(other), None, "{other}");
        }
    }
}
