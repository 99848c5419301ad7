//! Security suite, what is kept and where: answers carrying a secret, a private key or a
//! token are never cached (RFC 6749 §5.1); unauthenticated requests cannot grow storage
//! without bound, and expired protocol state is purged; the first administrator's
//! generated password never reaches a log stream; CLI changes are audited.

use reqwest::header::HeaderMap;
use reqwest::{RequestBuilder, StatusCode};
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{allow_jwt_bearer, assertion_claims, post_form, sign_jwt, Browser, PASSWORD};
use crate::logo_audit::PNG_1X1;
use crate::oauth_code::{web_app, WEB_CB};
use crate::on_both_databases;

on_both_databases!(answers_carrying_secrets_keys_or_tokens_cannot_be_cached);

/// Status, headers and JSON body (Null when not JSON).
async fn send(r: RequestBuilder) -> (StatusCode, HeaderMap, Value) {
    let res = r.send().await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn answers_carrying_secrets_keys_or_tokens_cannot_be_cached(b: Backend) {
    let s = TestServer::start(b).await;
    let alice = s.add_user("alice", false).await;
    let mut seen: Vec<(&str, StatusCode, HeaderMap)> = Vec::new();

    // Admin answers holding a client secret or a private key.
    let (status, h, m2m) = send(
        s.req(reqwest::Method::POST, "/api/v1/apps")
            .json(&json!({"type": "machine_to_machine", "name": "Worker"})),
    )
    .await;
    assert!(m2m["client_secret"].is_string(), "{m2m}");
    seen.push(("create app", status, h));
    let id = m2m["client_id"].as_str().unwrap().to_owned();
    let secret = m2m["client_secret"].as_str().unwrap().to_owned();
    let (status, h, body) = send(
        s.req(reqwest::Method::POST, &format!("/api/v1/apps/{id}/secrets"))
            .json(&json!({})),
    )
    .await;
    assert!(
        body["secret"].is_string() || body["client_secret"].is_string(),
        "{body}"
    );
    seen.push(("add secret", status, h));
    let (status, h, pair) = send(
        s.req(
            reqwest::Method::POST,
            &format!("/api/v1/apps/{id}/key-pairs"),
        )
        .json(&json!({"alg": "ES256"})),
    )
    .await;
    assert!(pair["private_key_pem"].is_string(), "{pair}");
    seen.push(("key pair", status, h));
    let (status, h, _) = send(s.req(reqwest::Method::GET, &format!("/api/v1/apps/{id}"))).await;
    seen.push(("read app", status, h));
    let (status, h, _) = send(s.req(reqwest::Method::GET, "/api/v1/audit")).await;
    seen.push(("audit", status, h));

    // The token endpoint, each grant.
    let (status, cc, h) = post_form(
        &s,
        "/oauth2/token",
        &[("grant_type", "client_credentials")],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("client_credentials", status, h));
    allow_jwt_bearer(&s, &id, &["alice"]).await;
    let assertion = sign_jwt(
        pair["private_key_pem"].as_str().unwrap(),
        "ES256",
        pair["kid"].as_str(),
        &assertion_claims(&s, &id, "alice", "cache-1"),
    );
    let (status, _, h) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion),
        ],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("jwt-bearer", status, h));

    // The interaction API, step by step as the console drives it, then the code.
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let http = &browser.http;
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid offline_access"),
            ("state", "st"),
        ])
        .await;
    let interaction = landing.interaction().to_owned();
    let res = http
        .get(s.url(&format!("/api/v1/interactions/{interaction}")))
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    seen.push(("interaction", res.status(), res.headers().clone()));
    let res = http
        .post(s.url(&format!("/api/v1/interactions/{interaction}/login")))
        .header("cookie", browser.cookie_header())
        .header("origin", &s.base)
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    browser.keep_cookies(&res);
    seen.push(("interaction login", res.status(), res.headers().clone()));
    let res = http
        .post(s.url(&format!("/api/v1/interactions/{interaction}/consent")))
        .header("cookie", browser.cookie_header())
        .header("origin", &s.base)
        .json(&json!({"decision": "allow"}))
        .send()
        .await
        .unwrap();
    seen.push(("interaction consent", res.status(), res.headers().clone()));
    let next: Value = res.json().await.unwrap();
    let code = crate::flows::query_params(next["redirect_to"].as_str().unwrap())["code"].clone();
    let (status, tokens, h) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", WEB_CB),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
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
    let access = tokens["access_token"].as_str().unwrap();
    let (status, _, h) = post_form(
        &s,
        "/oauth2/introspect",
        &[("token", access)],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    seen.push(("introspection", status, h));

    // Resources answered with a bearer token.
    let (status, h, _) = send(s.http.get(s.url("/oauth2/userinfo")).bearer_auth(access)).await;
    seen.push(("userinfo", status, h));
    let (status, h, _) = send(s.http.get(s.url("/api/v1/me")).bearer_auth(access)).await;
    seen.push(("me", status, h));
    let console = s.token_for(&alice, "openid");
    let (status, h, _) = send(
        s.http
            .get(s.url("/api/v1/account/apps"))
            .bearer_auth(&console),
    )
    .await;
    seen.push(("account apps", status, h));
    let (status, _, h) = post_form(
        &s,
        "/oauth2/revoke",
        &[("token", cc["access_token"].as_str().unwrap())],
        Some((&id, &secret)),
    )
    .await;
    seen.push(("revocation", status, h));

    for (what, status, h) in &seen {
        assert!(status.is_success(), "{what}: {status}");
        assert_eq!(
            h.get("cache-control").map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
        assert_eq!(
            h.get("pragma").map(|v| v.to_str().unwrap()),
            Some("no-cache"),
            "{what}"
        );
    }

    // Public documents keep their own caching, with no Pragma to contradict it.
    let (status, _) = {
        let res = s
            .req(reqwest::Method::PUT, &format!("/api/v1/apps/{id}/logo"))
            .header("content-type", "image/png")
            .body(PNG_1X1.to_vec())
            .send()
            .await
            .unwrap();
        (res.status(), ())
    };
    assert!(status.is_success());
    for path in [
        "/.well-known/openid-configuration".to_owned(),
        "/oauth2/jwks".to_owned(),
        format!("/api/v1/apps/{id}/logo"),
    ] {
        let (status, h, _) = send(s.http.get(s.url(&path))).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(h["cache-control"], "public, max-age=300", "{path}");
        assert!(h.get("pragma").is_none(), "{path}");
    }
}
