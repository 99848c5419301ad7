//! The address a request comes from, for abuse limits. The TCP peer, unless that peer is a
//! reverse proxy the operator listed in `--trusted-proxies`: only then is the forwarding
//! header read (RFC 7239 `Forwarded`, else `X-Forwarded-For`), walking it from the right
//! past further trusted proxies, so a client cannot choose its address by sending the header
//! itself.

use std::net::{IpAddr, SocketAddr};

use axum::extract::connect_info::ConnectInfo;
use axum::http::{header, Extensions, HeaderMap};
use ipnet::IpNet;

/// The client's address as text; "unknown" when the server runs without connection info.
pub fn of(trusted: &[IpNet], headers: &HeaderMap, ext: &Extensions) -> String {
    let Some(peer) = ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()) else {
        return "unknown".to_owned();
    };
    resolve(trusted, peer, headers).to_string()
}

fn is_trusted(trusted: &[IpNet], ip: IpAddr) -> bool {
    trusted.iter().any(|n| n.contains(&ip))
}

/// The peer, or the rightmost forwarded address that is not itself a trusted proxy.
pub fn resolve(trusted: &[IpNet], peer: IpAddr, headers: &HeaderMap) -> IpAddr {
    if !is_trusted(trusted, peer) {
        return peer;
    }
    let chain = forwarded_for(headers);
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(trusted, **ip))
        // Every hop trusted: the leftmost is the closest we know to the client.
        .or(chain.first())
        .copied()
        .unwrap_or(peer)
}

/// The `for=` addresses of `Forwarded` (RFC 7239 §5.2), or else `X-Forwarded-For`, in
/// order (client first). Obfuscated or unknown identifiers end the chain there: an address
/// that cannot be read is not trusted to be anyone.
fn forwarded_for(headers: &HeaderMap) -> Vec<IpAddr> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let forwarded = values(header::FORWARDED);
    let items: Vec<String> = if forwarded.is_empty() {
        values(header::HeaderName::from_static("x-forwarded-for"))
    } else {
        forwarded
            .iter()
            .filter_map(|elem| {
                elem.split(';').map(str::trim).find_map(|pair| {
                    let (k, v) = pair.split_once('=')?;
                    k.eq_ignore_ascii_case("for")
                        .then(|| v.trim_matches('"').to_owned())
                })
            })
            .collect()
    };
    items.iter().map_while(|s| parse_node(s)).collect()
}

/// `1.2.3.4`, `1.2.3.4:5678`, `[2001:db8::1]:80` or `2001:db8::1`.
fn parse_node(s: &str) -> Option<IpAddr> {
    if let Ok(ip) = s.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(sa) = s.parse::<SocketAddr>() {
        return Some(sa.ip());
    }
    let inner = s.strip_prefix('[')?.split(']').next()?;
    inner.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }

    fn h(name: &'static str, v: &'static str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(name, HeaderValue::from_static(v));
        m
    }

    #[test]
    fn headers_of_an_untrusted_peer_are_ignored() {
        let peer: IpAddr = "203.0.113.7".parse().unwrap();
        let hdr = h("x-forwarded-for", "198.51.100.1");
        assert_eq!(resolve(&[], peer, &hdr), peer);
        assert_eq!(resolve(&nets(&["10.0.0.0/8"]), peer, &hdr), peer);
    }

    #[test]
    fn a_trusted_proxy_is_walked_from_the_right() {
        let trusted = nets(&["10.0.0.0/8"]);
        let peer: IpAddr = "10.0.0.2".parse().unwrap();
        // The client put a fake address first; the proxy appended the real one.
        let hdr = h("x-forwarded-for", "1.1.1.1, 198.51.100.9, 10.0.0.3");
        assert_eq!(
            resolve(&trusted, peer, &hdr),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn rfc7239_forwarded_wins_and_ports_and_brackets_are_read() {
        let trusted = nets(&["127.0.0.1/32"]);
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let mut hdr = h(
            "forwarded",
            "for=192.0.2.60;proto=http, for=\"[2001:db8:cafe::17]:4711\"",
        );
        hdr.insert("x-forwarded-for", HeaderValue::from_static("9.9.9.9"));
        assert_eq!(
            resolve(&trusted, peer, &hdr),
            "2001:db8:cafe::17".parse::<IpAddr>().unwrap()
        );
        let hdr = h("forwarded", "for=192.0.2.60:8080");
        assert_eq!(
            resolve(&trusted, peer, &hdr),
            "192.0.2.60".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn unreadable_or_missing_headers_leave_the_peer() {
        let trusted = nets(&["127.0.0.1/32"]);
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(resolve(&trusted, peer, &HeaderMap::new()), peer);
        assert_eq!(
            resolve(&trusted, peer, &h("forwarded", "for=_hidden")),
            peer
        );
    }
}
