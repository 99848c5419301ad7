//! Security suite, request hygiene and response headers: the form endpoints (token,
//! revocation, introspection) answer every malformed request with a 4xx RFC 6749 §5.2 JSON
//! `invalid_request`, never a 5xx; token responses are never cached (RFC 6749 §5.1); HTML
//! cannot be framed or sniffed.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, Options, TestServer};
use crate::flows::{fresh_connection_client, m2m_app, post_form, Browser};
use crate::oauth_code::{exchange_web, web_app, web_code};
use crate::on_both_databases;

on_both_databases!(
    malformed_requests_to_form_endpoints_are_invalid_request_never_5xx,
    token_responses_are_never_cached,
    authorize_error_page_cannot_be_framed_sniffed_or_injected,
    console_responses_cannot_be_framed_or_sniffed,
);

/// The three endpoints that read RFC 6749 forms, with a body each accepts.
const FORM_ENDPOINTS: [(&str, &str); 3] = [
    ("/oauth2/token", "grant_type=client_credentials"),
    ("/oauth2/revoke", "token=abc"),
    ("/oauth2/introspect", "token=abc"),
];

async fn malformed_requests_to_form_endpoints_are_invalid_request_never_5xx(b: Backend) {
    let s = TestServer::start(b).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    // A new connection per request: the server may answer an oversized body early and close.
    let http = fresh_connection_client();
    for (path, good) in FORM_ENDPOINTS {
        let url = s.url(path);
        let name = good.split('=').next().unwrap();
        let form = "application/x-www-form-urlencoded";
        let post = |body: String, content_type: Option<&str>| {
            let mut r = http.post(&url).basic_auth(&id, Some(&secret)).body(body);
            if let Some(ct) = content_type {
                r = r.header("content-type", ct);
            }
            r
        };
        let cases: Vec<(&str, reqwest::RequestBuilder)> = vec![
            ("GET", http.get(&url).basic_auth(&id, Some(&secret))),
            (
                "PUT",
                http.request(Method::PUT, &url)
                    .basic_auth(&id, Some(&secret))
                    .header("content-type", form)
                    .body(good),
            ),
            (
                "DELETE",
                http.request(Method::DELETE, &url).basic_auth(&id, Some(&secret)),
            ),
            (
                "JSON body",
                http.post(&url)
                    .basic_auth(&id, Some(&secret))
                    .json(&json!({"grant_type": "client_credentials", "token": "abc"})),
            ),
            ("no content type", post(good.to_owned(), None)),
            ("text/plain", post(good.to_owned(), Some("text/plain"))),
            (
                "multipart",
                post(
                    format!("--x\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\nabc\r\n--x--\r\n"),
                    Some("multipart/form-data; boundary=x"),
                ),
            ),
            ("duplicated parameter", post(format!("{good}&{good}"), Some(form))),
            (
                "duplicated parameter, different values",
                post(format!("{good}&{name}=other"), Some(form)),
            ),
            (
                "duplicated parameter, one empty",
                post(format!("{good}&{name}="), Some(form)),
            ),
            (
                "duplicated client_id",
                post(format!("{good}&client_id={id}&client_id={id}"), Some(form)),
            ),
            (
                "1 MiB body",
                post(format!("{good}&x={}", "a".repeat(1 << 20)), Some(form)),
            ),
            (
                "just over the 64 KiB limit",
                post(format!("{good}&x={}", "a".repeat(64 * 1024)), Some(form)),
            ),
            ("%FF%FE", post(format!("{name}=%FF%FE"), Some(form))),
            ("%G1", post(format!("{name}=%G1"), Some(form))),
            ("truncated escape", post(format!("{good}&x=%4"), Some(form))),
            ("lone percent", post(format!("{good}&x=%"), Some(form))),
            ("raw invalid UTF-8", {
                let mut body = format!("{good}&x=").into_bytes();
                body.extend_from_slice(b"\xff\xfe");
                http.post(&url)
                    .basic_auth(&id, Some(&secret))
                    .header("content-type", form)
                    .body(body)
            }),
            ("overlong UTF-8", post(format!("{good}&x=%C0%AF"), Some(form))),
            ("UTF-16 surrogate", post(format!("{good}&x=%ED%A0%80"), Some(form))),
            ("truncated UTF-8", post(format!("{good}&x=%E2%82"), Some(form))),
            ("invalid UTF-8 in a name", post(format!("{good}&%FF=1"), Some(form))),
            (
                "parameters in the query string",
                http.post(format!("{url}?{good}"))
                    .basic_auth(&id, Some(&secret))
                    .header("content-type", form)
                    .body(good),
            ),
            (
                "required parameter missing",
                post("scope=openid".to_owned(), Some(form)),
            ),
            (
                "required parameter empty",
                post(format!("{name}="), Some(form)),
            ),
        ];
        for (what, req) in cases {
            let res = req.send().await.unwrap();
            let status = res.status();
            let headers = res.headers().clone();
            let text = res.text().await.unwrap_or_default();
            let body: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {what}: {text}");
            assert_eq!(body["error"], "invalid_request", "{path} {what}: {text}");
            assert!(body["error_description"].is_string(), "{path} {what}");
            assert_eq!(headers["content-type"], "application/json", "{path} {what}");
            assert_eq!(headers["cache-control"], "no-store", "{path} {what}");
        }
        // Control: the same endpoint accepts the well-formed request.
        let res = post(
            good.to_owned(),
            Some("application/x-www-form-urlencoded; charset=UTF-8"),
        )
        .send()
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
    }
    // Nothing above hurt the server: the app is intact and still gets tokens.
    let (status, body, _) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn token_responses_are_never_cached(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let (id, secret) = m2m_app(&s, "Worker").await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let mut seen: Vec<(&str, StatusCode, reqwest::header::HeaderMap)> = Vec::new();
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("client_credentials", status, h));
    let code = web_code(&browser, &app, "openid offline_access").await;
    let res = s
        .http
        .post(s.url("/oauth2/token"))
        .basic_auth(&app.client_id, Some(&app.secret))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", crate::oauth_code::WEB_CB),
        ])
        .send()
        .await
        .unwrap();
    let status = res.status();
    let h = res.headers().clone();
    let tokens: Value = res.json().await.unwrap();
    seen.push(("authorization_code", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("refresh_token", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/introspect",
        &[("token", tokens["access_token"].as_str().unwrap())],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("introspection", status, h));
    let (status, _) = exchange_web(&s, &app, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "authorization_code"), ("code", "nope")],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("invalid_grant", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, "pcs_wrong")),
    )
    .await;
    seen.push(("invalid_client", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "password")],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("unsupported_grant_type", status, h));
    loop {
        let (status, _, h) = post_form(
            &s,
            "/oauth2/token",
            &[("grant_type", "client_credentials")],
            Some((&id, "pcs_wrong")),
        )
        .await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            seen.push(("rate limited", status, h));
            break;
        }
    }
    let expected = [
        ("client_credentials", StatusCode::OK),
        ("authorization_code", StatusCode::OK),
        ("refresh_token", StatusCode::OK),
        ("introspection", StatusCode::OK),
        ("invalid_grant", StatusCode::BAD_REQUEST),
        ("invalid_client", StatusCode::UNAUTHORIZED),
        ("unsupported_grant_type", StatusCode::BAD_REQUEST),
        ("rate limited", StatusCode::TOO_MANY_REQUESTS),
    ];
    assert_eq!(seen.len(), expected.len());
    for ((what, status, h), (want_what, want_status)) in seen.iter().zip(expected) {
        assert_eq!((*what, *status), (want_what, want_status));
        // RFC 6749 §5.1: "Cache-Control header field with a value of no-store".
        assert_eq!(h["cache-control"], "no-store", "{what}");
        assert!(
            h["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/json"),
            "{what}"
        );
    }
}

fn assert_not_frameable(what: &str, h: &reqwest::header::HeaderMap) {
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
}

async fn authorize_error_page_cannot_be_framed_sniffed_or_injected(b: Backend) {
    let s = TestServer::start(b).await;
    let app = web_app(&s).await;
    let http = fresh_connection_client();
    let xss = "\"><script>alert(1)</script><img src=x onerror=alert(2)>";
    for (what, params) in [
        (
            "unknown client",
            vec![("client_id", xss), ("redirect_uri", xss)],
        ),
        (
            "unregistered redirect URI",
            vec![("client_id", app.client_id.as_str()), ("redirect_uri", xss)],
        ),
        ("no client", vec![("redirect_uri", xss), ("state", xss)]),
    ] {
        let url = reqwest::Url::parse_with_params(&s.url("/oauth2/authorize"), &params).unwrap();
        let res = http.get(url).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{what}");
        let h = res.headers().clone();
        assert_not_frameable(what, &h);
        assert!(h["content-type"].to_str().unwrap().starts_with("text/html"));
        assert_eq!(h["cache-control"], "no-store", "{what}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'"),
            "{what}: no script may run: {csp}"
        );
        let body = res.text().await.unwrap();
        assert!(
            !body.contains("<script>") && !body.contains("<img"),
            "{what}: {body}"
        );
    }
    // A malformed query (a parse error) gets the same page and headers.
    let res = http
        .get(format!(
            "{}?client_id=%FF%3Cscript%3E",
            s.url("/oauth2/authorize")
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_not_frameable("parse error", res.headers());
    assert!(!res.text().await.unwrap().contains("<script>"));
}

async fn console_responses_cannot_be_framed_or_sniffed(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><title>Portico console</title>",
    )
    .unwrap();
    std::fs::write(dir.path().join("app.js"), "console.log(1)").unwrap();
    let s = TestServer::start_with(
        b,
        Options {
            console_dir: Some(dir.path().to_owned()),
            ..Options::default()
        },
    )
    .await;
    let http = fresh_connection_client();
    for path in [
        "/",
        "/index.html",
        "/app.js",
        "/apps",
        "/apps/abc/settings",
        "/login?interaction=abc",
        "/consent?interaction=abc",
        "/missing.png",
    ] {
        let res = http.get(s.url(path)).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_not_frameable(path, res.headers());
    }
    // Without a built console, the placeholder page is protected the same way.
    let bare = TestServer::start(b).await;
    let res = http.get(bare.url("/")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_not_frameable("console not built", res.headers());
}
