//! Security suite, the interaction API behind the sign-in and consent pages: bound to the
//! browser that started the authorization (cookie) and callable only from Portico's own pages
//! (Origin), so neither another browser nor a cross-site page signs in, approves or gets a
//! code (login CSRF, consent CSRF, RFC 9700 §4.4).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::common::{Backend, TestServer};
use crate::flows::{Browser, PASSWORD};
use crate::oauth_code::{web_app, WebApp, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    no_cookie_is_refused,
    another_browsers_cookie_is_refused,
    cross_site_or_missing_origin_is_refused,
    consent_needs_a_signed_in_interaction,
    use_another_account_ends_the_session_and_keeps_the_request,
);

/// Starts an authorization in `browser` and returns the interaction id of the login page.
async fn start(browser: &Browser<'_>, app: &WebApp) -> String {
    browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
            ("state", "s"),
        ])
        .await
        .interaction()
        .to_owned()
}

/// A 403 problem that gives away nothing: no redirect_to, no code.
fn assert_forbidden(what: &str, status: StatusCode, body: &Value) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    assert_eq!(body["status"], 403, "{what}: {body}");
    assert!(body.get("redirect_to").is_none(), "{what}: {body}");
    assert!(!body.to_string().contains("code="), "{what}: {body}");
}

/// The victim can still finish the interaction normally and gets exactly one code; that
/// proves the refused requests neither completed it nor issued a code.
async fn victim_completes_once(victim: &Browser<'_>, id: &str, signed_in: bool) {
    let mut redirect = None;
    if !signed_in {
        let (status, body, _) = victim.login(id, "alice", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        redirect = body["redirect_to"].as_str().map(str::to_owned);
    }
    if redirect
        .as_deref()
        .is_none_or(|r| r.starts_with("/consent"))
    {
        let (status, body) = victim.decide(id, "allow").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        redirect = body["redirect_to"].as_str().map(str::to_owned);
    }
    let to = redirect.unwrap();
    assert!(to.starts_with(WEB_CB), "{to}");
    assert!(crate::flows::query_params(&to).contains_key("code"));
    let (status, _) = victim.decide(id, "allow").await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "an interaction completes once"
    );
}

async fn no_cookie_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let victim = Browser::new(&s);
    let id = start(&victim, &app).await;
    // A bare client: no cookie at all, Origin right.
    let http = reqwest::Client::new();
    let res = http
        .get(s.url(&format!("/api/v1/interactions/{id}")))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::common::read(res).await;
    assert_forbidden("show without cookie", status, &body);
    for (path, payload) in [
        ("login", json!({"username": "alice", "password": PASSWORD})),
        ("consent", json!({"decision": "allow"})),
    ] {
        let res = http
            .post(s.url(&format!("/api/v1/interactions/{id}/{path}")))
            .header("origin", s.base.clone())
            .json(&payload)
            .send()
            .await
            .unwrap();
        let (status, body) = crate::common::read(res).await;
        assert_forbidden(&format!("{path} without cookie"), status, &body);
    }
    // A session cookie alone (signed in elsewhere) does not replace the browser binding.
    let other = Browser::new(&s);
    let other_id = start(&other, &app).await;
    other.login(&other_id, "alice", PASSWORD).await;
    let session = other.cookie("portico_session").unwrap();
    let res = http
        .post(s.url(&format!("/api/v1/interactions/{id}/consent")))
        .header("origin", s.base.clone())
        .header("cookie", format!("portico_session={session}"))
        .json(&json!({"decision": "allow"}))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::common::read(res).await;
    assert_forbidden("consent with only a session cookie", status, &body);
    victim_completes_once(&victim, &id, false).await;
}

async fn another_browsers_cookie_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    s.add_user("mallory", false).await;
    let app = web_app(&s).await;
    let victim = Browser::new(&s);
    let id = start(&victim, &app).await;
    // The attacker has a browser cookie of their own (from their own authorization) and a
    // session of their own, and knows the victim's interaction id.
    let attacker = Browser::new(&s);
    let own = start(&attacker, &app).await;
    let (status, _, _) = attacker.login(&own, "mallory", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = attacker.show(&id).await;
    assert_forbidden("show", status, &body);
    let (status, body, _) = attacker.login(&id, "mallory", PASSWORD).await;
    assert_forbidden("login as the attacker (login CSRF)", status, &body);
    let (status, body, _) = attacker.login(&id, "alice", PASSWORD).await;
    assert_forbidden("login as the victim", status, &body);
    let (status, body) = attacker.decide(&id, "allow").await;
    assert_forbidden("consent", status, &body);
    let (status, body) = attacker.decide(&id, "deny").await;
    assert_forbidden("deny", status, &body);
    // A forged browser cookie is no better.
    let res = reqwest::Client::new()
        .post(s.url(&format!("/api/v1/interactions/{id}/login")))
        .header("origin", s.base.clone())
        .header(
            "cookie",
            "portico_browser=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        )
        .json(&json!({"username": "alice", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::common::read(res).await;
    assert_forbidden("forged browser cookie", status, &body);
    victim_completes_once(&victim, &id, false).await;
}

async fn cross_site_or_missing_origin_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    crate::oauth_code::spa_app(&s, true).await; // a registered single-page origin
    let victim = Browser::new(&s);
    let id = start(&victim, &app).await;
    let port = s.base.rsplit(':').next().unwrap().to_owned();
    let origins: Vec<(String, &str)> = vec![
        ("https://evil.example".into(), "cross-site"),
        ("null".into(), "opaque origin (sandboxed frame, data: URL)"),
        (
            "https://spa.example.com:5173".into(),
            "a registered single-page app's origin",
        ),
        (
            "https://web.example.com".into(),
            "a registered web app's origin",
        ),
        (
            format!("http://127.0.0.1:{}", port.parse::<u16>().unwrap() + 1),
            "another port",
        ),
        (format!("https://127.0.0.1:{port}"), "https for http"),
        (
            format!("http://localhost:{port}"),
            "another host name for the same server",
        ),
        (format!("{}/", s.base), "trailing slash"),
        (format!("{}.evil.example", s.base), "prefix match"),
    ];
    for (origin, what) in &origins {
        let (status, body, _) = victim
            .interaction_post(
                &format!("/api/v1/interactions/{id}/login"),
                json!({"username": "alice", "password": PASSWORD}),
                Some(origin),
            )
            .await;
        assert_forbidden(&format!("login from {what}"), status, &body);
    }
    let (status, body, _) = victim
        .interaction_post(
            &format!("/api/v1/interactions/{id}/login"),
            json!({"username": "alice", "password": PASSWORD}),
            None,
        )
        .await;
    assert_forbidden("login without Origin", status, &body);
    assert!(
        victim.cookie("portico_session").is_none(),
        "no session from a refused sign-in"
    );
    // Signed in properly; consent (which issues the code) from elsewhere is refused too.
    let (status, body, _) = victim.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["redirect_to"]
        .as_str()
        .unwrap()
        .starts_with("/consent"));
    for (origin, what) in &origins {
        let (status, body, _) = victim
            .interaction_post(
                &format!("/api/v1/interactions/{id}/consent"),
                json!({"decision": "allow"}),
                Some(origin),
            )
            .await;
        assert_forbidden(&format!("consent from {what}"), status, &body);
    }
    let (status, body, _) = victim
        .interaction_post(
            &format!("/api/v1/interactions/{id}/consent"),
            json!({"decision": "allow"}),
            None,
        )
        .await;
    assert_forbidden("consent without Origin", status, &body);
    // A form post (the classic CSRF shape) is refused whatever its Origin.
    let res = victim
        .http
        .post(s.url(&format!("/api/v1/interactions/{id}/consent")))
        .header(
            "cookie",
            format!(
                "portico_browser={}; portico_session={}",
                victim.cookie("portico_browser").unwrap(),
                victim.cookie("portico_session").unwrap()
            ),
        )
        .header("origin", s.base.clone())
        .form(&[("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    victim_completes_once(&victim, &id, true).await;
}

async fn consent_needs_a_signed_in_interaction(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let victim = Browser::new(&s);
    let id = start(&victim, &app).await;
    // Right browser, right Origin, but nobody signed in to this interaction.
    let (status, body) = victim.decide(&id, "allow").await;
    assert_forbidden("consent before sign-in", status, &body);
    // An unknown or made-up interaction id is simply not found.
    let (status, body) = victim.decide("no-such-interaction", "allow").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    // A wrong password signs nobody in.
    let (status, body, _) = victim.login(&id, "alice", "wrong password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = victim.decide(&id, "allow").await;
    assert_forbidden("consent after a failed sign-in", status, &body);
    victim_completes_once(&victim, &id, false).await;
}

/// The consent page's "Not you? Use another account": ends this browser's session, keeps the
/// request for whoever signs in next; only from Portico's own pages, only in the browser that
/// started it, and the user who left can no longer be decided for.
async fn use_another_account_ends_the_session_and_keeps_the_request(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let bob = s.add_user("bob", false).await;
    let app = web_app(&s).await;
    let browser = Browser::new(&s);
    let id = start(&browser, &app).await;
    let (status, body, _) = browser.login(&id, "alice", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let path = format!("/api/v1/interactions/{id}/switch-account");
    // A cross-site page, or another browser, cannot sign alice out through it.
    let (status, _, _) = browser
        .interaction_post(&path, json!({}), Some("https://evil.example"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let stranger = Browser::new(&s);
    let (status, _, _) = stranger
        .interaction_post(&path, json!({}), Some(&s.base))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, view) = browser.show(&id).await;
    assert_eq!(view["username"], "alice");
    // From the consent page itself: back to the sign-in page of the same request.
    let (status, body, _) = browser
        .interaction_post(&path, json!({}), Some(&s.base))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["redirect_to"], format!("/login?interaction={id}"));
    let (_, view) = browser.show(&id).await;
    assert_eq!(view["login_required"], true);
    assert!(view["username"].is_null());
    // Alice's consent can no longer be given on this browser…
    assert_eq!(browser.decide(&id, "allow").await.0, StatusCode::FORBIDDEN);
    // …and a new authorization in this browser asks for a sign-in: the session ended.
    let landing = browser
        .authorize(&[
            ("response_type", "code"),
            ("client_id", &app.client_id),
            ("redirect_uri", WEB_CB),
            ("scope", "openid"),
        ])
        .await;
    assert!(
        matches!(&landing, crate::flows::Landing::Page { page, .. } if page == "login"),
        "{landing:?}"
    );
    // Bob signs in on the same request and the code is his.
    let (status, body, _) = browser.login(&id, "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = browser.decide(&id, "allow").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let to = body["redirect_to"].as_str().unwrap();
    let (status, tokens) = crate::oauth_code::exchange_redirect(&s, &app, to).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let me: Value = s
        .http
        .get(s.url("/api/v1/me"))
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["sub"], bob.id.as_str());
}
