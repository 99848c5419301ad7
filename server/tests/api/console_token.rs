//! The console's tokens from the browser's session (`POST /api/v1/session/console-token`),
//! which spares every console page load the silent authorization round trip. Each test is an
//! attack on it: from another site, as a form, without or with a dead session, for a user who
//! lost their rights, and many calls at once.

use portico::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{read, Backend, TestServer};
use crate::flows::{console_tokens, post_form, Browser};
use crate::on_both_databases;

on_both_databases!(
    the_session_gives_the_console_its_tokens_without_a_redirect,
    another_origin_or_none_gets_nothing,
    a_form_or_text_body_gets_nothing,
    no_session_cookie_gets_nothing,
    a_signed_out_or_expired_session_gets_nothing,
    a_disabled_user_gets_nothing,
    a_demoted_admin_gets_no_admin_scope,
    parallel_calls_each_get_their_own_grant,
);

const PATH: &str = "/api/v1/session/console-token";

/// POSTs to the route with this browser's cookies, from `origin` (none if `None`), with
/// `content_type` and `body`. Returns the status, the headers and the JSON (or Null).
async fn call(
    browser: &Browser<'_>,
    origin: Option<&str>,
    content_type: &str,
    body: &str,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut req = browser
        .http
        .post(browser.url(PATH))
        .header("cookie", browser.cookie_header())
        .header("content-type", content_type)
        .body(body.to_owned());
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    let res = req.send().await.unwrap();
    let headers = res.headers().clone();
    let (status, json) = read(res).await;
    (status, headers, json)
}

/// The console's own call: same origin, JSON.
async fn console_call(s: &TestServer, browser: &Browser<'_>) -> (StatusCode, Value) {
    let (status, headers, json) = call(browser, Some(&s.base), "application/json", "{}").await;
    assert!(
        headers.get("access-control-allow-origin").is_none(),
        "no CORS on this route"
    );
    (status, json)
}

/// A browser where `username` signed in to the console once (the full redirect flow).
async fn signed_in<'a>(s: &'a TestServer, username: &str) -> Browser<'a> {
    let browser = Browser::new(s);
    console_tokens(&browser, username, &portico_proto::console::scope()).await;
    browser
}

async fn bearer_get(s: &TestServer, path: &str, token: &str) -> StatusCode {
    s.http
        .get(s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn refresh(s: &TestServer, token: &str) -> (StatusCode, Value) {
    let (status, body, _) = post_form(
        s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", token),
            ("client_id", "portico-console"),
        ],
        None,
    )
    .await;
    (status, body)
}

fn scopes(tokens: &Value) -> Vec<String> {
    tokens["scope"]
        .as_str()
        .unwrap()
        .split(' ')
        .map(str::to_owned)
        .collect()
}

fn assert_refused(status: StatusCode, body: &Value, expected: StatusCode, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    assert!(body.get("access_token").is_none(), "{what}: {body}");
}

async fn the_session_gives_the_console_its_tokens_without_a_redirect(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let browser = signed_in(&s, "boss").await;
    let counted = || {
        s.state
            .metrics
            .tokens_issued
            .get_or_create(&portico::metrics::GrantLabels {
                grant_type: "console_session",
            })
            .get()
    };
    let before = counted();

    let (status, headers, t) = call(&browser, Some(&s.base), "application/json", "{}").await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert_eq!(
        counted(),
        before + 1,
        "counted in /metrics like the token endpoint"
    );
    assert_eq!(
        headers.get("cache-control").unwrap(),
        "no-store",
        "RFC 6749 §5.1"
    );
    assert!(headers.get("access-control-allow-origin").is_none());
    assert_eq!(t["token_type"], "Bearer");
    let mut got = scopes(&t);
    got.sort();
    assert_eq!(
        got,
        ["admin", "email", "offline_access", "openid", "profile"]
    );
    assert!(t["id_token"].is_string(), "{t}");
    // The access token opens the admin API and the account API, as the console's does.
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(bearer_get(&s, "/api/v1/apps", at).await, StatusCode::OK);
    assert_eq!(
        bearer_get(&s, "/api/v1/account/apps", at).await,
        StatusCode::OK
    );
    // The refresh token rotates like the console's.
    let rt = t["refresh_token"].as_str().unwrap();
    let (status, next) = refresh(&s, rt).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_ne!(next["refresh_token"].as_str().unwrap(), rt);
    // Signing out of the console (revoking its refresh token) ends this grant.
    let res = s
        .http
        .post(s.url("/oauth2/revoke"))
        .form(&[
            ("token", next["refresh_token"].as_str().unwrap()),
            ("client_id", "portico-console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        bearer_get(&s, "/api/v1/apps", next["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn another_origin_or_none_gets_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let browser = signed_in(&s, "boss").await;
    for origin in [
        Some("https://evil.example"),
        Some("null"),
        // The issuer's host on another scheme or port is another origin.
        Some("http://127.0.0.1"),
        None,
    ] {
        let (status, headers, body) = call(&browser, origin, "application/json", "{}").await;
        assert_refused(status, &body, StatusCode::FORBIDDEN, &format!("{origin:?}"));
        assert!(headers.get("access-control-allow-origin").is_none());
    }
    // A cross-site `fetch` with a JSON body must first pass a preflight: none is answered.
    let res = browser
        .http
        .request(reqwest::Method::OPTIONS, browser.url(PATH))
        .header("origin", "https://evil.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(res.headers().get("access-control-allow-origin").is_none());
    assert!(res.headers().get("access-control-allow-methods").is_none());
}

async fn a_form_or_text_body_gets_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let browser = signed_in(&s, "boss").await;
    // What a cross-site HTML form (or a no-preflight fetch) can send, even from our origin.
    for (ct, body) in [
        ("application/x-www-form-urlencoded", "a=b"),
        ("multipart/form-data; boundary=x", "--x--"),
        ("text/plain", "{}"),
    ] {
        let (status, _, json) = call(&browser, Some(&s.base), ct, body).await;
        assert_refused(status, &json, StatusCode::UNSUPPORTED_MEDIA_TYPE, ct);
    }
    let (status, _, json) = call(&browser, Some(&s.base), "application/json", "[1]").await;
    assert!(status.is_client_error(), "{json}");
    assert!(json.get("access_token").is_none());
}

async fn no_session_cookie_gets_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let stranger = Browser::new(&s);
    let (status, body) = console_call(&s, &stranger).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "no cookie");
    // A made-up session value is no better.
    stranger.set_cookie("portico_session", "not-a-session");
    let (status, body) = console_call(&s, &stranger).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "unknown session");
    // Nor is the browser cookie alone (it binds sign-ins, it signs no one in).
    let started = Browser::new(&s);
    let _ = started
        .authorize(&[("response_type", "code"), ("client_id", "portico-console")])
        .await;
    let (status, body) = console_call(&s, &started).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "browser cookie only");
}

async fn a_signed_out_or_expired_session_gets_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let browser = signed_in(&s, "boss").await;
    let kept = browser.cookie("portico_session").unwrap();
    assert_eq!(console_call(&s, &browser).await.0, StatusCode::OK);
    let (status, _) = browser.sign_out(&s.base).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = console_call(&s, &browser).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "signed out");
    // An old copy of the cookie (another tab) is dead too.
    browser.set_cookie("portico_session", &kept);
    let (status, body) = console_call(&s, &browser).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "old cookie");

    // A session past its lifetime (8 hours) gives nothing either.
    let other = signed_in(&s, "boss").await;
    assert_eq!(console_call(&s, &other).await.0, StatusCode::OK);
    s.clock.advance(8 * 3600 + 1);
    let (status, body) = console_call(&s, &other).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "expired");
}

async fn a_disabled_user_gets_nothing(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let browser = signed_in(&s, "alice").await;
    assert_eq!(console_call(&s, &browser).await.0, StatusCode::OK);
    s.state
        .stores
        .users
        .set_user_disabled("alice", true, s.clock.now())
        .await
        .unwrap();
    let (status, body) = console_call(&s, &browser).await;
    assert_refused(status, &body, StatusCode::NO_CONTENT, "disabled");
}

async fn a_demoted_admin_gets_no_admin_scope(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    s.add_user("alice", false).await;
    let browser = signed_in(&s, "boss").await;
    let (status, t) = console_call(&s, &browser).await;
    assert_eq!(status, StatusCode::OK);
    assert!(scopes(&t).contains(&"admin".to_owned()));

    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&s.db.url)
        .await
        .unwrap();
    sqlx::query("UPDATE users SET is_admin = 0 WHERE username = 'boss'")
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, t) = console_call(&s, &browser).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    assert!(!scopes(&t).contains(&"admin".to_owned()), "{t}");
    let at = t["access_token"].as_str().unwrap();
    assert_eq!(
        bearer_get(&s, "/api/v1/apps", at).await,
        StatusCode::FORBIDDEN
    );
    // Nor does its refresh token bring `admin` back.
    let (status, next) = refresh(&s, t["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert!(!scopes(&next).contains(&"admin".to_owned()), "{next}");

    // A user who never was an administrator gets what the console would get, no more.
    let alice = signed_in(&s, "alice").await;
    let (status, t) = console_call(&s, &alice).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!scopes(&t).contains(&"admin".to_owned()), "{t}");
}

async fn parallel_calls_each_get_their_own_grant(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("boss", true).await;
    let browser = signed_in(&s, "boss").await;
    let answers = futures_util::future::join_all((0..12).map(|_| console_call(&s, &browser))).await;
    let mut refresh_tokens = Vec::new();
    for (status, t) in &answers {
        assert_eq!(*status, StatusCode::OK, "{t}");
        refresh_tokens.push(t["refresh_token"].as_str().unwrap().to_owned());
    }
    let mut distinct = refresh_tokens.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        answers.len(),
        "each call its own refresh token"
    );
    // Each is its own grant: revoking one (a tab signing out) leaves the others working.
    let res = s
        .http
        .post(s.url("/oauth2/revoke"))
        .form(&[
            ("token", refresh_tokens[0].as_str()),
            ("client_id", "portico-console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        refresh(&s, &refresh_tokens[0]).await.0,
        StatusCode::BAD_REQUEST
    );
    let rotated =
        futures_util::future::join_all(refresh_tokens[1..].iter().map(|t| refresh(&s, t))).await;
    for (status, body) in rotated {
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    // Signing out while calls are in flight: once the sign-out has answered, no call gets
    // tokens, not even with a copy of the cookie kept from before.
    let kept = browser.cookie("portico_session").unwrap();
    let (calls, (status, _)) = tokio::join!(
        futures_util::future::join_all((0..6).map(|_| console_call(&s, &browser))),
        browser.sign_out(&s.base)
    );
    assert_eq!(status, StatusCode::NO_CONTENT);
    for (status, t) in calls {
        assert!(
            status == StatusCode::OK || status == StatusCode::NO_CONTENT,
            "{status} {t}"
        );
    }
    browser.set_cookie("portico_session", &kept);
    let after = futures_util::future::join_all((0..6).map(|_| console_call(&s, &browser))).await;
    for (status, body) in after {
        assert_refused(status, &body, StatusCode::NO_CONTENT, "after sign-out");
    }
}
