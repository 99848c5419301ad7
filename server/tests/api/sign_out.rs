//! Signing out of Portico (`DELETE /api/v1/session`, the console's Sign out): the browser
//! session ends on the server, so the next authorization asks for the password again even
//! with an old copy of the cookie; a cross-site page cannot sign anyone out.

use reqwest::StatusCode;

use crate::common::{Backend, TestServer};
use crate::flows::{Browser, Landing};
use crate::oauth_code::{web_app, web_code, WebApp, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    sign_out_ends_the_session_on_the_server,
    cross_site_sign_out_is_refused,
    sign_out_without_a_session_is_harmless,
);

fn params(app: &WebApp) -> Vec<(&str, &str)> {
    vec![
        ("response_type", "code"),
        ("client_id", &app.client_id),
        ("redirect_uri", WEB_CB),
        ("scope", "openid"),
        ("state", "s"),
    ]
}

/// Signs alice in through the pages and checks the next authorization is silent.
async fn signed_in<'a>(s: &'a TestServer, app: &WebApp) -> Browser<'a> {
    let browser = Browser::new(s);
    web_code(&browser, app, "openid").await;
    let again = browser.authorize(&params(app)).await;
    assert!(
        again.client_params().contains_key("code"),
        "signed in and consented: no page expected"
    );
    browser
}

async fn sign_out_ends_the_session_on_the_server(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = signed_in(&s, &app).await;
    let kept = browser.cookie("portico_session").unwrap();

    let (status, cookie) = browser.sign_out(&s.base).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let cookie = cookie.expect("the session cookie is cleared");
    assert!(cookie.starts_with("portico_session=;"), "{cookie}");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");

    match browser.authorize(&params(&app)).await {
        Landing::Page { page, .. } => assert_eq!(page, "login"),
        other => panic!("expected the sign-in page, got {other:?}"),
    }
    // A copy of the old cookie (another tab, a stolen value) no longer signs in.
    browser.set_cookie("portico_session", &kept);
    match browser.authorize(&params(&app)).await {
        Landing::Page { page, .. } => assert_eq!(page, "login"),
        other => panic!("an old session cookie still signed in: {other:?}"),
    }
}

async fn cross_site_sign_out_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let browser = signed_in(&s, &app).await;

    for origin in ["https://evil.example", "null"] {
        let (status, cookie) = browser.sign_out(origin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin}");
        assert_eq!(cookie, None, "{origin}");
    }
    // Still signed in.
    let again = browser.authorize(&params(&app)).await;
    assert!(again.client_params().contains_key("code"));
}

async fn sign_out_without_a_session_is_harmless(b: Backend) {
    let s = TestServer::start(b).await;
    let browser = Browser::new(&s);
    for _ in 0..2 {
        let (status, cookie) = browser.sign_out(&s.base).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert!(cookie.unwrap().contains("Max-Age=0"));
    }
    // An unknown session value is not an error either.
    browser.set_cookie("portico_session", "not-a-session");
    let (status, _) = browser.sign_out(&s.base).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}
