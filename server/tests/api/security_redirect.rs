//! Security suite, redirect URIs (RFC 6749 §3.1.2.3, §4.1.2.1; RFC 9700 §4.1.3): a redirect URI
//! matches a registered one byte for byte or the user sees Portico's own error page, status 400,
//! never a redirect, whatever else is wrong with the request.

use reqwest::StatusCode;
use serde_json::json;

use crate::common::{Backend, TestServer};
use crate::flows::{fresh_connection_client, m2m_app};
use crate::oauth_code::{spa_app, web_app, SPA_CB, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    redirect_uri_near_misses_get_an_error_page_never_a_redirect,
    single_page_redirect_uri_near_misses_get_an_error_page,
    registered_query_must_match_exactly,
    unknown_or_missing_client_gets_an_error_page,
    a_bad_redirect_uri_wins_over_every_other_error,
    only_the_registered_redirect_uri_receives_errors,
);

/// GETs /oauth2/authorize and asserts Portico's own HTML error page with 400 and `title`,
/// no Location header, and nothing from `must_not_echo` in the page.
async fn assert_error_page(s: &TestServer, params: &[(&str, &str)], title: &str, what: &str) {
    let http = fresh_connection_client();
    let url = reqwest::Url::parse_with_params(&s.url("/oauth2/authorize"), params).unwrap();
    let res = http.get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what}");
    assert!(
        res.headers().get("location").is_none(),
        "{what}: redirected"
    );
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "{what}"
    );
    let body = res.text().await.unwrap();
    assert!(
        body.contains(&format!("<h1>{title}</h1>")),
        "{what}: {body}"
    );
    // What was received appears only as escaped text in the part for developers: never
    // elsewhere on the page, and never as a link a user could follow.
    let (outside, developers) = match (body.find("<details>"), body.find("</details>")) {
        (Some(a), Some(b)) => (
            format!("{}{}", &body[..a], &body[b..]),
            body[a..b].to_owned(),
        ),
        _ => (body.clone(), String::new()),
    };
    assert!(!outside.contains("evil"), "{what}: the page echoes the URI");
    assert!(
        !developers.contains("href") && !developers.contains("<a"),
        "{what}: {developers}"
    );
}

async fn redirect_uri_near_misses_get_an_error_page_never_a_redirect(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await; // registers https://web.example.com/callback
    let near_misses = [
        ("trailing slash", "https://web.example.com/callback/"),
        ("host case", "https://WEB.example.com/callback"),
        ("path case", "https://web.example.com/Callback"),
        ("scheme case", "HTTPS://web.example.com/callback"),
        ("added query", "https://web.example.com/callback?x=1"),
        ("empty query", "https://web.example.com/callback?"),
        ("added fragment", "https://web.example.com/callback#evil"),
        ("other port", "https://web.example.com:8443/callback"),
        (
            "explicit default port",
            "https://web.example.com:443/callback",
        ),
        ("http for https", "http://web.example.com/callback"),
        (
            "dot segments",
            "https://web.example.com/callback/../callback",
        ),
        (
            "dot segments to elsewhere",
            "https://web.example.com/callback/../evil",
        ),
        (
            "encoded dot segments",
            "https://web.example.com/callback/%2E%2E/evil",
        ),
        (
            "encoded slash",
            "https://web.example.com/callback%2F..%2Fevil",
        ),
        (
            "encoded path character",
            "https://web.example.com/%63allback",
        ),
        ("host.evil", "https://web.example.com.evil.example/callback"),
        ("user@host", "https://web.example.com@evil.example/callback"),
        (
            "userinfo before the real host",
            "https://evil@web.example.com/callback",
        ),
        (
            "backslash",
            "https://web.example.com\\@evil.example/callback",
        ),
        ("trailing dot host", "https://web.example.com./callback"),
        ("leading space", " https://web.example.com/callback"),
        ("trailing NUL", "https://web.example.com/callback\u{0}"),
        ("prefix only", "https://web.example.com/call"),
        ("longer path", "https://web.example.com/callback/evil"),
        ("protocol-relative", "//evil.example/callback"),
        ("other scheme", "javascript://web.example.com/callback"),
    ];
    for (what, uri) in near_misses {
        let params = [
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", uri),
            ("scope", "openid"),
            ("state", "s"),
        ];
        assert_error_page(&s, &params, "Unregistered redirect URL", what).await;
    }
    // POST /oauth2/authorize (form) is held to the same rule.
    let res = fresh_connection_client()
        .post(s.url("/oauth2/authorize"))
        .form(&[
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            (
                "redirect_uri",
                "https://web.example.com.evil.example/callback",
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.headers().get("location").is_none());
    // The registered URI itself goes through (the control case).
    let res = fresh_connection_client()
        .get(
            reqwest::Url::parse_with_params(
                &s.url("/oauth2/authorize"),
                &[
                    ("response_type", "code"),
                    ("client_id", app.client_id.as_str()),
                    ("redirect_uri", WEB_CB),
                ],
            )
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?interaction="));
}

async fn single_page_redirect_uri_near_misses_get_an_error_page(b: Backend) {
    let s = TestServer::start(b).await;
    let spa = spa_app(&s, true).await; // registers https://spa.example.com:5173/callback
    let challenge = crate::flows::pkce_pair().1;
    for (what, uri) in [
        ("other port", "https://spa.example.com:5174/callback"),
        ("no port", "https://spa.example.com/callback"),
        ("IPv4 loopback for a name", "http://127.0.0.1:5173/callback"),
        ("IPv6 loopback for a name", "http://[::1]:5173/callback"),
        ("http for https", "http://spa.example.com:5173/callback"),
        (
            "suffixed host",
            "https://spa.example.com.evil.example:5173/callback",
        ),
        (
            "user@host",
            "https://spa.example.com:5173@evil.example/callback",
        ),
        ("trailing slash", "https://spa.example.com:5173/callback/"),
        (
            "encoded slash",
            "https://spa.example.com:5173/callback%2Fevil",
        ),
        (
            "added query",
            "https://spa.example.com:5173/callback?next=evil",
        ),
    ] {
        let params = [
            ("response_type", "code"),
            ("client_id", spa.as_str()),
            ("redirect_uri", uri),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ];
        assert_error_page(&s, &params, "Unregistered redirect URL", what).await;
    }
    // The registered one is fine.
    let url = reqwest::Url::parse_with_params(
        &s.url("/oauth2/authorize"),
        &[
            ("response_type", "code"),
            ("client_id", spa.as_str()),
            ("redirect_uri", SPA_CB),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ],
    )
    .unwrap();
    let res = fresh_connection_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

async fn registered_query_must_match_exactly(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let registered = "https://web.example.com/cb?tenant=acme";
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"redirect_uris": [WEB_CB, registered]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (what, uri) in [
        (
            "changed query value",
            "https://web.example.com/cb?tenant=evil",
        ),
        (
            "added query parameter",
            "https://web.example.com/cb?tenant=acme&next=evil",
        ),
        (
            "reordered query",
            "https://web.example.com/cb?next=evil&tenant=acme",
        ),
        (
            "duplicated query parameter",
            "https://web.example.com/cb?tenant=acme&tenant=evil",
        ),
        ("encoded query", "https://web.example.com/cb?tenant=%61cme"),
        ("dropped query", "https://web.example.com/cb"),
    ] {
        let params = [
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", uri),
        ];
        assert_error_page(&s, &params, "Unregistered redirect URL", what).await;
    }
    // With two registered URIs, leaving redirect_uri out is not a guess at one of them.
    assert_error_page(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
        ],
        "Missing redirect URL",
        "omitted with two registered",
    )
    .await;
    // The exact registered URI keeps its query and gets the response parameters added.
    let url = reqwest::Url::parse_with_params(
        &s.url("/oauth2/authorize"),
        &[
            ("response_type", "token"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", registered),
            ("state", "st"),
        ],
    )
    .unwrap();
    let res = fresh_connection_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location
            .starts_with("https://web.example.com/cb?tenant=acme&error=unsupported_response_type&"),
        "{location}"
    );
}

async fn unknown_or_missing_client_gets_an_error_page(b: Backend) {
    let s = TestServer::start(b).await;
    let (m2m, _) = m2m_app(&s, "Worker").await;
    assert_error_page(
        &s,
        &[("response_type", "code"), ("redirect_uri", WEB_CB)],
        "Invalid request",
        "no client_id",
    )
    .await;
    assert_error_page(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", "no-such-client"),
            ("redirect_uri", "https://evil.example/cb"),
        ],
        "Unknown application",
        "unknown client",
    )
    .await;
    // A machine-to-machine app has no redirect URIs, so nothing is redirected: the page says
    // that this type of app does not sign in.
    assert_error_page(
        &s,
        &[
            ("response_type", "code"),
            ("client_id", m2m.as_str()),
            ("redirect_uri", "https://evil.example/cb"),
        ],
        "This app does not use sign-in",
        "machine-to-machine app",
    )
    .await;
    // A repeated client_id or redirect_uri is refused before either is trusted.
    for query in [
        format!("client_id={m2m}&client_id=other&response_type=code"),
        "client_id=x&redirect_uri=https%3A%2F%2Fevil.example&redirect_uri=https%3A%2F%2Fevil.example&response_type=code".to_owned(),
        "client_id=%FF&response_type=code".to_owned(),
    ] {
        let res = fresh_connection_client()
            .get(format!("{}?{query}", s.url("/oauth2/authorize")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(res.headers().get("location").is_none(), "{query}");
    }
}

async fn a_bad_redirect_uri_wins_over_every_other_error(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    // Each of these would be redirected to the client with a registered URI; with an
    // unregistered one, the attacker's URI gets nothing.
    for (what, extra) in [
        (
            "unsupported response_type",
            vec![("response_type", "token")],
        ),
        ("missing response_type", vec![]),
        (
            "invalid scope",
            vec![("response_type", "code"), ("scope", "evil")],
        ),
        (
            "plain PKCE",
            vec![
                ("response_type", "code"),
                (
                    "code_challenge",
                    "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                ),
                ("code_challenge_method", "plain"),
            ],
        ),
        (
            "prompt=none while signed out",
            vec![("response_type", "code"), ("prompt", "none")],
        ),
    ] {
        let mut params = vec![
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", "https://evil.example/steal"),
            ("state", "s"),
        ];
        params.extend(extra);
        assert_error_page(&s, &params, "Unregistered redirect URL", what).await;
    }
}

async fn only_the_registered_redirect_uri_receives_errors(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    // An error with the registered URI is redirected there, and only there (RFC 6749
    // §4.1.2.1), with state and iss (RFC 9207).
    let url = reqwest::Url::parse_with_params(
        &s.url("/oauth2/authorize"),
        &[
            ("response_type", "token"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", WEB_CB),
            ("state", "st"),
        ],
    )
    .unwrap();
    let res = fresh_connection_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let location = url::Url::parse(res.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(
        format!(
            "{}://{}{}",
            location.scheme(),
            location.host_str().unwrap(),
            location.path()
        ),
        WEB_CB
    );
    let params = crate::flows::query_params(location.as_str());
    assert_eq!(params["error"], "unsupported_response_type");
    assert_eq!(params["state"], "st");
    assert_eq!(params["iss"], s.base);
    // A state carrying CR LF cannot split the response: it is percent-encoded in Location.
    let evil_state = "x\r\nSet-Cookie: portico_session=evil\r\n\r\n<script>";
    let url = reqwest::Url::parse_with_params(
        &s.url("/oauth2/authorize"),
        &[
            ("response_type", "token"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", WEB_CB),
            ("state", evil_state),
        ],
    )
    .unwrap();
    let res = fresh_connection_client().get(url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(res.headers().get("set-cookie").is_none());
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(WEB_CB), "{location}");
    assert_eq!(crate::flows::query_params(&location)["state"], evil_state);
}
