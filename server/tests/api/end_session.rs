//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the end-session endpoint in
//! discovery; the per-app `post_logout_redirect_uris`; a valid `id_token_hint` for the
//! signed-in user ends the session at once and returns to the registered URI with `state`;
//! anything less asks on the console's confirmation page, whose button alone (same origin)
//! ends the session; a forged hint, a mismatching `client_id` or an unregistered URI is
//! refused on Portico's page, never redirected; afterwards `prompt=none` answers
//! `login_required`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use portico::clock::Clock;
use portico::signing::SigningAlg;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{error_fields, Backend, TestServer};
use crate::flows::{fixture, jwt_claims, jwt_header, query_params, sign_jwt, Browser};
use crate::oauth_code::{exchange_web, web_app, web_code, WebApp, WEB_CB};
use crate::on_both_databases;

on_both_databases!(
    discovery_advertises_the_end_session_endpoint,
    post_logout_uris_are_an_app_field_of_web_and_single_page_apps,
    a_valid_hint_ends_the_session_and_returns_with_state,
    an_es256_hint_and_an_expired_hint_are_accepted,
    without_a_registered_uri_the_signed_out_page_is_shown,
    an_unregistered_uri_never_redirects,
    a_forged_or_foreign_hint_is_refused_and_the_session_stays,
    a_client_id_that_is_not_the_hints_audience_is_refused,
    without_a_hint_the_user_confirms_on_portico_s_page,
    a_hint_for_another_user_asks_first,
    the_confirmation_needs_portico_s_own_origin,
    the_confirmation_api_checks_the_request_again,
    a_post_form_works_like_get,
    without_a_session_get_returns_at_once_and_post_asks,
);

const BYE: &str = "https://web.example.com/signed-out";

/// The web app, with `BYE` registered for sign-out.
async fn app_with_bye(s: &TestServer) -> WebApp {
    let app = web_app(s).await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"post_logout_redirect_uris": [BYE]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app
}

/// Alice signed in through the web app; her ID token from the code exchange.
async fn signed_in<'a>(s: &'a TestServer, app: &WebApp) -> (Browser<'a>, String) {
    s.add_user("alice", false).await;
    let browser = Browser::new(s);
    let code = web_code(&browser, app, "openid").await;
    let (status, body) = exchange_web(s, app, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let id_token = body["id_token"].as_str().unwrap().to_owned();
    (browser, id_token)
}

fn silent(app: &WebApp) -> Vec<(&str, &str)> {
    vec![
        ("response_type", "code"),
        ("client_id", &app.client_id),
        ("redirect_uri", WEB_CB),
        ("scope", "openid"),
        ("state", "s"),
        ("prompt", "none"),
    ]
}

/// Whether this browser is still signed in: `prompt=none` gives a code, or `login_required`.
async fn still_signed_in(browser: &Browser<'_>, app: &WebApp) -> bool {
    let landing = browser.authorize(&silent(app)).await;
    let params = landing.client_params();
    match params.get("error").map(String::as_str) {
        None => {
            assert!(params.contains_key("code"), "{params:?}");
            true
        }
        Some("login_required") => false,
        Some(other) => panic!("unexpected error {other}: {params:?}"),
    }
}

struct Answer {
    status: StatusCode,
    location: Option<String>,
    set_cookie: Option<String>,
    body: String,
}

/// `GET` (query) or `POST` (form) `/oauth2/end_session` from `browser`, its cookies sent.
async fn end_session(browser: &Browser<'_>, method: Method, params: &[(&str, &str)]) -> Answer {
    let url = browser.url("/oauth2/end_session");
    let req = if method == Method::POST {
        browser.http.post(url).form(params)
    } else {
        browser
            .http
            .get(reqwest::Url::parse_with_params(&url, params).unwrap())
    };
    let res = req
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    browser.keep_cookies(&res);
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    Answer {
        status: res.status(),
        location: header("location"),
        set_cookie: header("set-cookie"),
        body: res.text().await.unwrap(),
    }
}

/// A refusal on Portico's own page: 400, HTML, no redirect, no cookie change.
fn assert_refused(a: &Answer, words: &str) {
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "{}", a.body);
    assert_eq!(a.location, None);
    assert_eq!(a.set_cookie, None);
    assert!(a.body.contains(words), "{}", a.body);
}

/// The confirmation page's query, when the endpoint sent the browser there.
fn confirmation(a: &Answer) -> std::collections::HashMap<String, String> {
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(a.set_cookie, None, "asking ends nothing");
    let location = a.location.clone().unwrap();
    assert!(location.starts_with("/logout"), "{location}");
    query_params(&format!("http://x{location}"))
}

/// `GET /api/v1/logout` with the confirmation page's query.
async fn logout_view(browser: &Browser<'_>, query: &[(&str, &str)]) -> (StatusCode, Value) {
    let url = reqwest::Url::parse_with_params(&browser.url("/api/v1/logout"), query).unwrap();
    let res = browser
        .http
        .get(url)
        .header("cookie", browser.cookie_header())
        .send()
        .await
        .unwrap();
    crate::common::read(res).await
}

/// The confirmation page's Sign out button: `POST /api/v1/logout` from `origin`.
async fn confirm(browser: &Browser<'_>, body: Value, origin: Option<&str>) -> (StatusCode, Value) {
    let (status, body, _) = browser
        .interaction_post("/api/v1/logout", body, origin)
        .await;
    (status, body)
}

async fn discovery_advertises_the_end_session_endpoint(b: Backend) {
    let s = TestServer::start(b).await;
    for path in [
        "/.well-known/openid-configuration",
        "/.well-known/oauth-authorization-server",
    ] {
        let (status, doc) = s.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            doc["end_session_endpoint"],
            format!("{}/oauth2/end_session", s.base),
            "{path}"
        );
    }
    // The admin API's OpenAPI document has the new field on apps.
    let (_, doc) = s.get("/api/v1/openapi.json").await;
    let input = &doc["components"]["schemas"]["AppInput"]["properties"];
    assert!(input.get("post_logout_redirect_uris").is_some(), "{input}");
}

async fn post_logout_uris_are_an_app_field_of_web_and_single_page_apps(b: Backend) {
    let s = TestServer::start(b).await;
    for t in ["web", "single_page"] {
        let app = s.create_app(t, "App").await;
        assert_eq!(app["post_logout_redirect_uris"], json!([]), "{t}");
        let path = format!("/api/v1/apps/{}", app["client_id"].as_str().unwrap());
        let uris = json!([BYE, "http://127.0.0.1:8080/bye"]);
        let (status, body) = s
            .patch(&path, json!({"post_logout_redirect_uris": uris}))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let (_, body) = s.get(&path).await;
        assert_eq!(body["post_logout_redirect_uris"], uris, "{t}");
        // The redirect URIs' rules: https (http only on loopback), no fragment, at most 10,
        // no duplicates; a refused list changes nothing.
        let eleven: Vec<String> = (0..11).map(|i| format!("https://a.example/{i}")).collect();
        for bad in [
            json!(["http://web.example.com/bye"]),
            json!(["https://web.example.com/bye#x"]),
            json!([BYE, BYE]),
            json!(eleven),
            json!(["not a url"]),
        ] {
            let (status, body) = s
                .patch(&path, json!({"post_logout_redirect_uris": bad}))
                .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
            assert_eq!(error_fields(&body), ["post_logout_redirect_uris"], "{bad}");
        }
        let (_, body) = s.get(&path).await;
        assert_eq!(body["post_logout_redirect_uris"], uris, "{t}");
    }
    let m2m = s.create_app("machine_to_machine", "Cli").await;
    let (status, body) = s
        .patch(
            &format!("/api/v1/apps/{}", m2m["client_id"].as_str().unwrap()),
            json!({"post_logout_redirect_uris": [BYE]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_fields(&body), ["post_logout_redirect_uris"]);
    assert!(body.to_string().contains("machine-to-machine"), "{body}");
}

async fn a_valid_hint_ends_the_session_and_returns_with_state(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, id_token) = signed_in(&s, &app).await;
    assert_eq!(jwt_header(&id_token)["alg"], "RS256");
    let kept = browser.cookie("portico_session").unwrap();
    let a = end_session(
        &browser,
        Method::GET,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
            ("state", "st 1&2"),
            ("ui_locales", "fr-CA fr en"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        a.location.as_deref(),
        Some("https://web.example.com/signed-out?state=st+1%262")
    );
    let cookie = a.set_cookie.unwrap();
    assert!(cookie.starts_with("portico_session=;"), "{cookie}");
    assert!(cookie.contains("Max-Age=0"), "{cookie}");
    assert!(!still_signed_in(&browser, &app).await);
    // The session ended on the server: a copy of the old cookie does not sign in either.
    browser.set_cookie("portico_session", &kept);
    assert!(!still_signed_in(&browser, &app).await);
}

async fn an_es256_hint_and_an_expired_hint_are_accepted(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{}", app.client_id),
            json!({"id_token_signed_response_alg": "ES256"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (browser, id_token) = signed_in(&s, &app).await;
    assert_eq!(jwt_header(&id_token)["alg"], "ES256");
    let a = end_session(
        &browser,
        Method::GET,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    assert_eq!(a.location.as_deref(), Some(BYE), "{}", a.body);
    assert!(!still_signed_in(&browser, &app).await);

    // §2: an expired ID token is still a good hint (the one the app kept from sign-in).
    let browser = Browser::new(&s);
    web_code(&browser, &app, "openid").await;
    assert!(still_signed_in(&browser, &app).await);
    let mut old = jwt_claims(&id_token);
    let now = s.clock.now();
    old["iat"] = json!(now - 3 * 3600);
    old["exp"] = json!(now - 2 * 3600);
    for alg in [SigningAlg::RS256, SigningAlg::ES256] {
        let expired = s.state.tokens.sign_id_token(alg, &old).await.unwrap();
        let a = end_session(
            &browser,
            Method::GET,
            &[
                ("id_token_hint", &expired),
                ("post_logout_redirect_uri", BYE),
            ],
        )
        .await;
        assert_eq!(a.location.as_deref(), Some(BYE), "{alg:?}: {}", a.body);
    }
    assert!(!still_signed_in(&browser, &app).await);
}

async fn without_a_registered_uri_the_signed_out_page_is_shown(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, id_token) = signed_in(&s, &app).await;
    let a = end_session(
        &browser,
        Method::GET,
        &[("id_token_hint", &id_token), ("state", "kept")],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(a.location.as_deref(), Some("/signed-out"));
    assert!(a.set_cookie.is_some());
    assert!(!still_signed_in(&browser, &app).await);
}

async fn an_unregistered_uri_never_redirects(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    // Another app, whose registered sign-out URI is not this one's.
    let other = s.create_app("single_page", "Other").await;
    let other_id = other["client_id"].as_str().unwrap().to_owned();
    let (status, _) = s
        .patch(
            &format!("/api/v1/apps/{other_id}"),
            json!({"post_logout_redirect_uris": ["https://evil.example/"]}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (browser, id_token) = signed_in(&s, &app).await;
    for uri in [
        "https://evil.example/",
        "https://web.example.com/signed-out/",
        "https://web.example.com/signed-out?x=1",
        "https://WEB.example.com/signed-out",
        WEB_CB, // a sign-in redirect URI is not a sign-out one
    ] {
        let a = end_session(
            &browser,
            Method::GET,
            &[
                ("id_token_hint", &id_token),
                ("post_logout_redirect_uri", uri),
            ],
        )
        .await;
        assert_refused(&a, "not registered for sign-out");
        let a = end_session(
            &browser,
            Method::GET,
            &[
                ("client_id", &app.client_id),
                ("post_logout_redirect_uri", uri),
            ],
        )
        .await;
        assert_refused(&a, "not registered for sign-out");
    }
    // Registered, but nothing says for which app: no redirect either.
    let a = end_session(
        &browser,
        Method::GET,
        &[("post_logout_redirect_uri", BYE), ("state", "s")],
    )
    .await;
    assert_refused(&a, "names its application");
    // Unknown app.
    let a = end_session(
        &browser,
        Method::GET,
        &[("client_id", "nope"), ("post_logout_redirect_uri", BYE)],
    )
    .await;
    assert_refused(&a, "No application");
    assert!(still_signed_in(&browser, &app).await);
}

async fn a_forged_or_foreign_hint_is_refused_and_the_session_stays(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, id_token) = signed_in(&s, &app).await;
    let real = jwt_claims(&id_token);
    let parts: Vec<&str> = id_token.split('.').collect();

    // The payload changed under the real signature.
    let mut other_sub = real.clone();
    other_sub["aud"] = json!(app.client_id);
    other_sub["exp"] = json!(9_999_999_999i64);
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&other_sub).unwrap()),
        parts[2]
    );
    // Signed by a key that is not Portico's, under Portico's kid.
    let jwks: Value = s.get("/oauth2/jwks").await.1;
    let es_kid = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["alg"] == "ES256")
        .unwrap()["kid"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = sign_jwt(&fixture("p256.private.pem"), "ES256", Some(&es_kid), &real);
    // Signed by Portico's key, but for another issuer.
    let mut foreign = real.clone();
    foreign["iss"] = json!("https://other.example");
    let foreign = s
        .state
        .tokens
        .sign_id_token(SigningAlg::RS256, &foreign)
        .await
        .unwrap();
    // An access token is not an ID token, though the same ES256 key signs it.
    let access = s.token_for(&s.admin, "openid");
    let alg_none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    for (what, hint) in [
        ("tampered", tampered.as_str()),
        ("stranger", &stranger),
        ("foreign issuer", &foreign),
        ("access token", &access),
        ("alg none", &alg_none),
        ("garbage", "not.a.jwt"),
    ] {
        for method in [Method::GET, Method::POST] {
            let a = end_session(
                &browser,
                method.clone(),
                &[("id_token_hint", hint), ("post_logout_redirect_uri", BYE)],
            )
            .await;
            assert_eq!(a.status, StatusCode::BAD_REQUEST, "{what} {method}");
            assert_refused(&a, "not an ID token this server issued");
        }
    }
    assert!(still_signed_in(&browser, &app).await);
}

async fn a_client_id_that_is_not_the_hints_audience_is_refused(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let other = s.create_app("web", "Other").await;
    let (browser, id_token) = signed_in(&s, &app).await;
    let a = end_session(
        &browser,
        Method::GET,
        &[
            ("id_token_hint", &id_token),
            ("client_id", other["client_id"].as_str().unwrap()),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    assert_refused(&a, "not the application the id_token_hint was issued to");
    assert!(still_signed_in(&browser, &app).await);
    // The same client_id as the hint's audience is fine.
    let a = end_session(
        &browser,
        Method::GET,
        &[
            ("id_token_hint", &id_token),
            ("client_id", &app.client_id),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    assert_eq!(a.location.as_deref(), Some(BYE));
    assert!(!still_signed_in(&browser, &app).await);
}

async fn without_a_hint_the_user_confirms_on_portico_s_page(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, _) = signed_in(&s, &app).await;
    // What a cross-site link can do: reach the confirmation page, nothing more.
    let a = end_session(
        &browser,
        Method::GET,
        &[
            ("client_id", &app.client_id),
            ("post_logout_redirect_uri", BYE),
            ("state", "x y"),
        ],
    )
    .await;
    let q = confirmation(&a);
    assert_eq!(q["client_id"], app.client_id);
    assert_eq!(q["post_logout_redirect_uri"], BYE);
    assert_eq!(q["state"], "x y");
    assert!(still_signed_in(&browser, &app).await);

    let query: Vec<(&str, &str)> = q.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (status, view) = logout_view(&browser, &query).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view, json!({"app_name": "Billing", "username": "alice"}));
    assert!(
        still_signed_in(&browser, &app).await,
        "showing the page ends nothing"
    );

    let origin = browser.base.clone();
    let (status, next) = confirm(&browser, json!(q), Some(&origin)).await;
    assert_eq!(status, StatusCode::OK, "{next}");
    assert_eq!(
        next["redirect_to"],
        "https://web.example.com/signed-out?state=x+y"
    );
    assert!(!still_signed_in(&browser, &app).await);
    // Signed out, the page says so and its button still returns to the app.
    let (_, view) = logout_view(&browser, &query).await;
    assert_eq!(view["username"], Value::Null);

    // Without client_id or URI: the page, then Portico's "signed out" page.
    let browser = Browser::new(&s);
    web_code(&browser, &app, "openid").await;
    let a = end_session(&browser, Method::GET, &[]).await;
    assert!(confirmation(&a).is_empty());
    let (status, view) = logout_view(&browser, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view, json!({"app_name": null, "username": "alice"}));
    let (status, next) = confirm(&browser, json!({}), Some(&origin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(next["redirect_to"], "/signed-out");
    assert!(!still_signed_in(&browser, &app).await);
}

async fn a_hint_for_another_user_asks_first(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (alice, _) = signed_in(&s, &app).await;
    // Bob's own ID token, as a stranger who uses the same app would hold one.
    s.add_user("bob", false).await;
    let bob = Browser::new(&s);
    let params = bob
        .run(
            &[
                ("response_type", "code"),
                ("client_id", &app.client_id),
                ("redirect_uri", WEB_CB),
                ("scope", "openid"),
            ],
            "bob",
            "allow",
        )
        .await;
    let (_, body) = exchange_web(&s, &app, &params["code"]).await;
    let bobs = body["id_token"].as_str().unwrap().to_owned();
    let a = end_session(
        &alice,
        Method::GET,
        &[("id_token_hint", &bobs), ("post_logout_redirect_uri", BYE)],
    )
    .await;
    let q = confirmation(&a);
    assert_eq!(q["client_id"], app.client_id);
    assert!(
        !q.contains_key("id_token_hint"),
        "the hint is not passed on"
    );
    assert!(still_signed_in(&alice, &app).await);
    assert!(still_signed_in(&bob, &app).await);
}

async fn the_confirmation_needs_portico_s_own_origin(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, _) = signed_in(&s, &app).await;
    let body = json!({"client_id": app.client_id, "post_logout_redirect_uri": BYE});
    for origin in [None, Some("https://evil.example"), Some("null")] {
        let (status, problem) = confirm(&browser, body.clone(), origin).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{origin:?}: {problem}");
    }
    // A cross-site HTML form cannot send JSON: refused before anything else.
    let res = browser
        .http
        .post(browser.url("/api/v1/logout"))
        .header("cookie", browser.cookie_header())
        .header("origin", browser.base.clone())
        .form(&[("client_id", app.client_id.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(still_signed_in(&browser, &app).await);
}

async fn the_confirmation_api_checks_the_request_again(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, _) = signed_in(&s, &app).await;
    let origin = browser.base.clone();
    // An edited confirmation URL cannot turn the page into an open redirect.
    for body in [
        json!({"client_id": app.client_id, "post_logout_redirect_uri": "https://evil.example/"}),
        json!({"post_logout_redirect_uri": BYE}),
        json!({"client_id": "nope"}),
        json!({"client_id": app.client_id, "state": "s".repeat(5000)}),
    ] {
        let (status, problem) = confirm(&browser, body.clone(), Some(&origin)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {problem}");
        assert_eq!(problem["status"], 400);
        let query: Vec<(String, String)> = body
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let query: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let (status, _) = logout_view(&browser, &query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    // Not the page's body: refused as the API refuses any unknown field.
    let (status, _) = confirm(&browser, json!({"extra": 1}), Some(&origin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(still_signed_in(&browser, &app).await);
}

async fn a_post_form_works_like_get(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (browser, id_token) = signed_in(&s, &app).await;
    // Without a hint: the confirmation page, as for GET.
    let a = end_session(
        &browser,
        Method::POST,
        &[
            ("client_id", &app.client_id),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    confirmation(&a);
    assert!(still_signed_in(&browser, &app).await);
    // An unregistered URI: refused.
    let a = end_session(
        &browser,
        Method::POST,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ],
    )
    .await;
    assert_refused(&a, "not registered for sign-out");
    assert!(still_signed_in(&browser, &app).await);
    // With the hint: ended at once.
    let a = end_session(
        &browser,
        Method::POST,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
            ("state", "p"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER, "{}", a.body);
    assert_eq!(
        a.location.as_deref(),
        Some("https://web.example.com/signed-out?state=p")
    );
    assert!(!still_signed_in(&browser, &app).await);
}

async fn without_a_session_get_returns_at_once_and_post_asks(b: Backend) {
    let s = TestServer::start(b).await;
    let app = app_with_bye(&s).await;
    let (_, id_token) = signed_in(&s, &app).await;
    let nobody = Browser::new(&s);
    // A GET navigation would have carried the session cookie: none, so nothing to end.
    let a = end_session(
        &nobody,
        Method::GET,
        &[
            ("client_id", &app.client_id),
            ("post_logout_redirect_uri", BYE),
            ("state", "z"),
        ],
    )
    .await;
    assert_eq!(a.status, StatusCode::SEE_OTHER);
    assert_eq!(
        a.location.as_deref(),
        Some("https://web.example.com/signed-out?state=z")
    );
    // A cross-site POST carries no SameSite=Lax cookie: the page looks again.
    let a = end_session(
        &nobody,
        Method::POST,
        &[
            ("id_token_hint", &id_token),
            ("post_logout_redirect_uri", BYE),
        ],
    )
    .await;
    confirmation(&a);
    // Still refused without a session: the unregistered URI.
    let a = end_session(
        &nobody,
        Method::GET,
        &[
            ("client_id", &app.client_id),
            ("post_logout_redirect_uri", "https://evil.example/"),
        ],
    )
    .await;
    assert_refused(&a, "not registered for sign-out");
}
