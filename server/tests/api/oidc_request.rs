//! OpenID Connect request parameters (OIDC Core §3.1.2.1) and the UserInfo methods
//! (§5.3.1), each test named after the OpenID Foundation conformance module whose
//! behaviour it checks (the basic OP certification plan, `oidcc-*`). The suite itself
//! cannot run here (it needs the public certification site); these drive the same
//! requests against the real server.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use portico::clock::Clock;
use reqwest::StatusCode;
use serde_json::Value;

use crate::common::{Backend, TestServer};
use crate::flows::{jwt_claims, me_status, post_form, Browser, Landing, PASSWORD};
use crate::oauth_code::{exchange_web, web_app, WebApp, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    oidcc_max_age_1,
    oidcc_max_age_10000,
    max_age_zero_always_asks_and_a_bad_max_age_is_refused,
    oidcc_prompt_login,
    oidcc_prompt_none_not_logged_in,
    oidcc_prompt_none_logged_in,
    prompt_consent_asks_again_when_already_consented,
    oidcc_login_hint,
    oidcc_ensure_request_with_unknown_parameter_succeeds,
    oidcc_ensure_request_with_acr_values_succeeds,
    oidcc_userinfo_get_post_header_and_post_body,
    oidcc_codereuse_30seconds,
    oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported,
);

const PORTICO_ACR: &str = "urn:portico:acr:password";

/// An authorization request of `app` with `extra` parameters.
fn request<'a>(app: &'a WebApp, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut p = vec![
        ("response_type", "code"),
        ("client_id", app.client_id.as_str()),
        ("redirect_uri", WEB_CB),
        ("scope", "openid profile"),
        ("state", "st"),
        ("nonce", "n-0S6"),
    ];
    p.extend_from_slice(extra);
    p
}

/// A server with `alice` and a web app, and the test clock's time, at which every sign-in
/// happens until a test advances the clock.
async fn server_with_alice(b: Backend) -> (TestServer, WebApp, i64) {
    let s = TestServer::start(b).await;
    s.add_user("alice", false).await;
    let app = web_app(&s).await;
    let signed_in_at = s.clock.now();
    (s, app, signed_in_at)
}

/// The ID token's claims for a code.
async fn id_token_claims(s: &TestServer, app: &WebApp, code: &str) -> Value {
    let (status, body) = exchange_web(s, app, code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    jwt_claims(body["id_token"].as_str().unwrap())
}

/// Signs in at `landing` (the sign-in page) and returns the code the app receives.
async fn sign_in_for_code(browser: &Browser<'_>, landing: &Landing) -> String {
    let (status, body, _) = browser
        .login(landing.interaction(), "alice", PASSWORD)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let to = body["redirect_to"].as_str().unwrap();
    assert!(to.starts_with(WEB_CB), "{to}");
    crate::flows::query_params(to)["code"].clone()
}

async fn oidcc_max_age_1(b: Backend) {
    let (s, app, t0) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    let first = browser.run(&request(&app, &[]), "alice", "allow").await;
    let c = id_token_claims(&s, &app, &first["code"]).await;
    assert_eq!(c["auth_time"], t0);
    // A second later, max_age=1: the sign-in is too old, so the user signs in again…
    s.clock.advance(1);
    let landing = browser.authorize(&request(&app, &[("max_age", "1")])).await;
    assert!(
        matches!(&landing, Landing::Page { page, .. } if page == "login"),
        "{landing:?}"
    );
    // …and the app cannot skip that with prompt=none.
    let none = browser
        .authorize(&request(&app, &[("max_age", "1"), ("prompt", "none")]))
        .await;
    assert_eq!(none.client_params()["error"], "login_required");
    assert_eq!(none.client_params()["state"], "st");
    let code = sign_in_for_code(&browser, &landing).await;
    let c = id_token_claims(&s, &app, &code).await;
    // auth_time is the new sign-in (OIDC Core §2: present whenever max_age was asked).
    assert_eq!(c["auth_time"], t0 + 1);
    assert_eq!(c["nonce"], "n-0S6");
}

async fn oidcc_max_age_10000(b: Backend) {
    let (s, app, t0) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    browser.run(&request(&app, &[]), "alice", "allow").await;
    s.clock.advance(5);
    // Within max_age: no new sign-in, and auth_time still says when she signed in.
    let landing = browser
        .authorize(&request(&app, &[("max_age", "10000")]))
        .await;
    let code = landing.client_params()["code"].clone();
    let c = id_token_claims(&s, &app, &code).await;
    assert_eq!(c["auth_time"], t0);
    assert!(c["iat"].as_i64().unwrap() >= t0 + 5);
}

async fn max_age_zero_always_asks_and_a_bad_max_age_is_refused(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    browser.run(&request(&app, &[]), "alice", "allow").await;
    // max_age=0 asks even right after a sign-in (OIDC Core: like prompt=login).
    let landing = browser.authorize(&request(&app, &[("max_age", "0")])).await;
    assert!(matches!(&landing, Landing::Page { page, .. } if page == "login"));
    for bad in ["-1", "1.5", "soon", "+5"] {
        let landing = browser.authorize(&request(&app, &[("max_age", bad)])).await;
        let p = landing.client_params();
        assert_eq!(p["error"], "invalid_request", "max_age={bad}");
        assert!(p["error_description"].contains("max_age"), "{p:?}");
        assert_eq!(p["state"], "st");
    }
}

async fn oidcc_prompt_login(b: Backend) {
    let (s, app, t0) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    browser.run(&request(&app, &[]), "alice", "allow").await;
    s.clock.advance(30);
    let landing = browser
        .authorize(&request(&app, &[("prompt", "login")]))
        .await;
    assert!(matches!(&landing, Landing::Page { page, .. } if page == "login"));
    // The sign-in page does not name the user of the old session.
    let (_, view) = browser.show(landing.interaction()).await;
    assert_eq!(view["login_required"], true);
    assert!(view["username"].is_null());
    let code = sign_in_for_code(&browser, &landing).await;
    let c = id_token_claims(&s, &app, &code).await;
    assert_eq!(c["auth_time"], t0 + 30);
}

async fn oidcc_prompt_none_not_logged_in(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    let landing = browser
        .authorize(&request(&app, &[("prompt", "none")]))
        .await;
    let p = landing.client_params();
    assert_eq!(p["error"], "login_required");
    assert_eq!(p["state"], "st");
    assert_eq!(p["iss"], s.state.config.issuer);
}

async fn oidcc_prompt_none_logged_in(b: Backend) {
    let (s, app, t0) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    browser.run(&request(&app, &[]), "alice", "allow").await;
    let landing = browser
        .authorize(&request(&app, &[("prompt", "none")]))
        .await;
    let code = landing.client_params()["code"].clone();
    let c = id_token_claims(&s, &app, &code).await;
    assert_eq!(c["auth_time"], t0);
}

async fn prompt_consent_asks_again_when_already_consented(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    browser.run(&request(&app, &[]), "alice", "allow").await;
    let landing = browser
        .authorize(&request(&app, &[("prompt", "consent")]))
        .await;
    assert!(matches!(&landing, Landing::Page { page, .. } if page == "consent"));
    // Refusing now is honoured although an earlier consent exists.
    let (status, body) = browser.decide(landing.interaction(), "deny").await;
    assert_eq!(status, StatusCode::OK);
    let to = body["redirect_to"].as_str().unwrap();
    assert_eq!(crate::flows::query_params(to)["error"], "access_denied");
}

async fn oidcc_login_hint(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    // Signed out: the sign-in page gets the hint to pre-fill the username.
    let landing = browser
        .authorize(&request(&app, &[("login_hint", "alice")]))
        .await;
    let (status, view) = browser.show(landing.interaction()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["login_hint"], "alice");
    // It is a hint: someone else may sign in on that page.
    s.add_user("bob", false).await;
    let (status, body, _) = browser.login(landing.interaction(), "bob", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A hint with control characters is dropped; an overlong one is refused.
    let other = Browser::new(&s);
    let landing = other
        .authorize(&request(&app, &[("login_hint", "ali\nce")]))
        .await;
    let (_, view) = other.show(landing.interaction()).await;
    assert!(view["login_hint"].is_null(), "{view}");
    let long = "a".repeat(257);
    let landing = other
        .authorize(&request(&app, &[("login_hint", long.as_str())]))
        .await;
    assert_eq!(landing.client_params()["error"], "invalid_request");
    // Once a user is signed in, the consent page shows them, not the hint.
    let landing = browser
        .authorize(&request(&app, &[("login_hint", "alice")]))
        .await;
    let (_, view) = browser.show(landing.interaction()).await;
    assert_eq!(view["username"], "bob");
    assert!(view["login_hint"].is_null(), "{view}");
}

async fn oidcc_ensure_request_with_unknown_parameter_succeeds(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    // Unknown parameters, and the ones Portico accepts without acting on them:
    // `display` (oidcc-display-page / -popup), `ui_locales` (oidcc-ui-locales),
    // `claims_locales` (oidcc-claims-locales) and `id_token_hint` (oidcc-id-token-hint);
    // scopes in another order (oidcc-ensure-other-scope-order-succeeds).
    let mut params = request(
        &app,
        &[
            ("extra", "foobar"),
            ("display", "popup"),
            ("ui_locales", "se fr-CA"),
            ("claims_locales", "se"),
        ],
    );
    params[3] = ("scope", "profile openid");
    let first = browser.run(&params, "alice", "allow").await;
    let (status, body) = exchange_web(&s, &app, &first["code"]).await;
    assert_eq!(status, StatusCode::OK);
    let hint = body["id_token"].as_str().unwrap().to_owned();
    let again = browser
        .authorize(&request(
            &app,
            &[("prompt", "none"), ("id_token_hint", hint.as_str())],
        ))
        .await;
    assert!(again.client_params().contains_key("code"));
    let long = "x".repeat(300);
    let landing = browser
        .authorize(&request(&app, &[("ui_locales", long.as_str())]))
        .await;
    assert_eq!(landing.client_params()["error"], "invalid_request");
}

async fn oidcc_ensure_request_with_acr_values_succeeds(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let (status, meta) = s.get("/.well-known/openid-configuration").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        meta["acr_values_supported"],
        serde_json::json!([PORTICO_ACR])
    );
    let browser = Browser::new(&s);
    // acr_values is voluntary (OIDC Core §3.1.2.1): asked for classes Portico does not
    // have, it still answers, and the ID token says truthfully what the sign-in was.
    let mut params = request(&app, &[("acr_values", "1 2")]);
    params[3] = ("scope", "openid offline_access");
    let got = browser.run(&params, "alice", "allow").await;
    let (status, body) = exchange_web(&s, &app, &got["code"]).await;
    assert_eq!(status, StatusCode::OK);
    let c = jwt_claims(body["id_token"].as_str().unwrap());
    assert_eq!(c["acr"], PORTICO_ACR);
    assert_eq!(c["amr"], serde_json::json!(["pwd"]));
    // An ID token from the refresh token still describes that sign-in.
    let (status, refreshed, _) = post_form(
        &s,
        "/oauth2/token",
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", body["refresh_token"].as_str().unwrap()),
        ],
        Some((&app.client_id, &app.secret)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let c = jwt_claims(refreshed["id_token"].as_str().unwrap());
    assert_eq!(c["acr"], PORTICO_ACR);
    assert_eq!(c["auth_time"], s.clock.now());
}

async fn oidcc_userinfo_get_post_header_and_post_body(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    let got = browser.run(&request(&app, &[]), "alice", "allow").await;
    let (_, body) = exchange_web(&s, &app, &got["code"]).await;
    let token = body["access_token"].as_str().unwrap().to_owned();
    let sub = jwt_claims(body["id_token"].as_str().unwrap())["sub"].clone();
    let url = s.url("/oauth2/userinfo");
    // oidcc-userinfo-get
    let get: Value = s
        .http
        .get(&url)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(get["sub"], sub);
    assert_eq!(get["preferred_username"], "alice");
    // oidcc-userinfo-post-header
    let res = s.http.post(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), get);
    // oidcc-userinfo-post-body (RFC 6750 §2.2)
    let res = s
        .http
        .post(&url)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.json::<Value>().await.unwrap(), get);
    // Both at once is refused (RFC 6750 §2); a bad token in the body is invalid_token.
    let res = s
        .http
        .post(&url)
        .bearer_auth(&token)
        .form(&[("access_token", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "invalid_request"
    );
    let res = s
        .http
        .post(&url)
        .form(&[("access_token", "not-a-token")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(res.headers().contains_key("www-authenticate"));
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "invalid_token");
    // The body is not a way around the header on GET: a GET with a body token is refused.
    let res = s
        .http
        .get(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("access_token={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}

async fn oidcc_codereuse_30seconds(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let browser = Browser::new(&s);
    let mut params = request(&app, &[]);
    params[3] = ("scope", "openid offline_access");
    let got = browser.run(&params, "alice", "allow").await;
    let (status, first) = exchange_web(&s, &app, &got["code"]).await;
    assert_eq!(status, StatusCode::OK);
    s.clock.advance(30);
    let (status, again) = exchange_web(&s, &app, &got["code"]).await;
    assert_eq!(
        (status, again["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_grant"))
    );
    // RFC 6749 §4.1.2: what the first exchange issued is revoked too.
    assert_eq!(
        me_status(&s, first["access_token"].as_str().unwrap()).await,
        StatusCode::UNAUTHORIZED
    );
}

async fn oidcc_unsigned_request_object_supported_correctly_or_rejected_as_unsupported(b: Backend) {
    let (s, app, _) = server_with_alice(b).await;
    let (_, meta) = s.get("/.well-known/openid-configuration").await;
    assert_eq!(meta["request_parameter_supported"], false);
    assert_eq!(meta["request_uri_parameter_supported"], false);
    let browser = Browser::new(&s);
    browser.run(&request(&app, &[]), "alice", "allow").await;
    // An unsigned request object (alg none) asking for something else than the plain
    // parameters: refused, not served from either.
    let object = format!(
        "eyJhbGciOiJub25lIn0.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"scope":"openid email","state":"other"}"#)
    );
    let landing = browser
        .authorize(&request(&app, &[("request", object.as_str())]))
        .await;
    let p = landing.client_params();
    assert_eq!(p["error"], "request_not_supported");
    assert_eq!(p["state"], "st");
    assert!(!p.contains_key("code"));
    let landing = browser
        .authorize(&request(
            &app,
            &[("request_uri", "https://rp.example/request.jwt")],
        ))
        .await;
    assert_eq!(
        landing.client_params()["error"],
        "request_uri_not_supported"
    );
}
